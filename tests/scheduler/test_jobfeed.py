"""The XML job feed: well-formed, Indeed's fields in CDATA, only open and unexpired vacancies."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scheduler.company import CompanyProfile
from scheduler.jobfeed import job_feed
from scheduler.models import EmploymentType, Vacancy, VacancyStatus

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
BASE = "https://jobs.acme.at"
ACME = CompanyProfile(name="ACME GmbH", website="https://www.acme.at")


def _vacancy(vacancy_id: int, **values: Any) -> Vacancy:
    fields: dict[str, Any] = {
        "id": vacancy_id, "title": "Koch", "location": "Graz, Steiermark", "country": "AT",
        "employment_type": EmploymentType.PART_TIME, "salary_statement": "", "salary_min": 2450,
        "salary_period": "MONTH", "overpay": False, "description": "Du kochst.", "apply_url": None, "language": "de",
        "valid_through": NOW + timedelta(days=30), "status": VacancyStatus.OPEN,
        "created_at": datetime(2026, 4, 1, 8, 30, tzinfo=UTC), "reference": f"REQ-{vacancy_id}"}
    return Vacancy(**{**fields, **values})


def _jobs(*vacancies: Vacancy) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.fromstring(job_feed(list(vacancies), ACME, base_url=BASE, now=NOW))
    return root, root.findall("job")


def test_the_feed_parses_and_carries_the_publisher_and_build_date() -> None:
    root, jobs = _jobs(_vacancy(1))
    assert root.tag == "source" and len(jobs) == 1
    assert root.findtext("publisher") == "ACME GmbH"
    assert root.findtext("publisherurl") == "https://www.acme.at"
    assert root.findtext("lastBuildDate") == "Mon, 04 May 2026 09:00:00 GMT"


def test_each_job_has_indeeds_fields() -> None:
    _, [job] = _jobs(_vacancy(1))
    assert job.findtext("title") == "Koch (m/w/d)"
    assert job.findtext("date") == "2026-04-01T08:30:00Z"
    assert job.findtext("referencenumber") == "postillon-1"
    assert job.findtext("requisitionid") == "REQ-1"
    assert job.findtext("company") == "ACME GmbH"
    assert (job.findtext("city"), job.findtext("country")) == ("Graz", "AT")
    assert job.findtext("description") == (
        "<p>Du kochst.</p><p>Mindestgehalt laut Kollektivvertrag: € 2.450 brutto/Monat.</p>")
    assert job.findtext("salary") == "Mindestgehalt laut Kollektivvertrag: € 2.450 brutto/Monat."
    assert job.findtext("jobtype") == "parttime"
    assert job.findtext("expirationdate") == "2026-06-03T09:00:00Z"


def test_the_job_url_is_the_careers_page_with_the_feeds_campaign_parameters() -> None:
    _, [job] = _jobs(_vacancy(1, title="Köchin"))
    url = urlsplit(job.findtext("url") or "")
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{BASE}/careers/1-koechin"
    assert parse_qs(url.query) == {"utm_source": ["jobfeed"], "utm_medium": ["jobboard"],
                                   "utm_campaign": ["job-1-koechin"]}


def test_filled_closed_and_expired_vacancies_are_not_in_the_feed() -> None:
    _, jobs = _jobs(_vacancy(1), _vacancy(2, status=VacancyStatus.FILLED), _vacancy(3, status=VacancyStatus.CLOSED),
                    _vacancy(4, valid_through=NOW), _vacancy(5, valid_through=None))
    assert [job.findtext("referencenumber") for job in jobs] == ["postillon-1", "postillon-5"]
    assert jobs[1].find("expirationdate") is None  # no end date: the element is left out, not left empty


def test_values_are_cdata_and_a_value_with_the_cdata_end_marker_survives_intact() -> None:
    tricky = "Koch ]]> <b>&amp; \x00\x08Küche"
    raw = job_feed([_vacancy(1, title=tricky, description=tricky)], ACME, base_url=BASE, now=NOW)
    assert b"<title><![CDATA[" in raw
    _, [job] = _jobs(_vacancy(1, title=tricky, description=tricky))
    assert job.findtext("title") == "Koch ]]> <b>&amp; Küche (m/w/d)"  # characters XML cannot carry are dropped
    assert (job.findtext("description") or "").startswith("<p>Koch ]]&gt; &lt;b&gt;&amp;amp; Küche</p>")


def test_an_empty_feed_is_still_a_valid_document() -> None:
    root, jobs = _jobs()
    assert jobs == [] and root.findtext("publisher") == "ACME GmbH"
