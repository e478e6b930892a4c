"""JobPosting JSON-LD: Google's required properties with the right types, recommended ones, safe embedding."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from scheduler.company import CompanyProfile
from scheduler.jobposting import GOOGLE_EMPLOYMENT, description_html, job_posting, script_json
from scheduler.models import EmploymentType, Vacancy, VacancyStatus

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
BASE = "https://jobs.acme.at"
ACME = CompanyProfile(name="ACME GmbH", website="https://www.acme.at", logo_url="https://www.acme.at/logo.png")
GOOGLE_TYPES = {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}


def _vacancy(**values: Any) -> Vacancy:
    fields: dict[str, Any] = {
        "id": 7, "title": "Koch", "location": "Wien", "country": "AT", "employment_type": EmploymentType.FULL_TIME,
        "salary_statement": "", "salary_min": 2450, "salary_period": "MONTH", "overpay": True,
        "description": "Du kochst für unsere Kantine.\n\nWir bieten:\nEssen\nKollegen", "apply_url": None,
        "language": "de", "valid_through": NOW + timedelta(days=30), "status": VacancyStatus.OPEN,
        "created_at": NOW - timedelta(days=2), "reference": "K-7"}
    return Vacancy(**{**fields, **values})


def test_every_property_google_requires_is_there_with_the_right_type() -> None:
    posting = job_posting(_vacancy(), ACME, base_url=BASE, now=NOW)
    assert posting is not None
    assert (posting["@context"], posting["@type"]) == ("https://schema.org/", "JobPosting")
    assert posting["title"] == "Koch (m/w/d)"
    assert isinstance(posting["description"], str) and posting["description"].startswith("<p>")
    assert date.fromisoformat(posting["datePosted"]) == (NOW - timedelta(days=2)).date()
    organization = posting["hiringOrganization"]
    assert organization == {"@type": "Organization", "name": "ACME GmbH", "sameAs": "https://www.acme.at",
                            "logo": "https://www.acme.at/logo.png"}
    assert posting["jobLocation"] == {"@type": "Place", "address": {
        "@type": "PostalAddress", "addressLocality": "Wien", "addressCountry": "AT"}}


def test_the_recommended_properties_the_vacancy_has_are_added() -> None:
    posting = job_posting(_vacancy(), ACME, base_url=BASE, now=NOW)
    assert posting is not None
    valid = datetime.fromisoformat(posting["validThrough"])
    assert valid.utcoffset() is not None and valid == NOW + timedelta(days=30)
    assert posting["employmentType"] == "FULL_TIME"
    assert posting["baseSalary"] == {"@type": "MonetaryAmount", "currency": "EUR", "value": {
        "@type": "QuantitativeValue", "minValue": 2450, "unitText": "MONTH"}}
    assert posting["identifier"] == {"@type": "PropertyValue", "name": "ACME GmbH", "value": "K-7"}
    assert posting["directApply"] is True
    assert posting["url"] == f"{BASE}/careers/7-koch"


def test_what_the_vacancy_lacks_is_left_out_and_an_external_ats_is_no_direct_apply() -> None:
    posting = job_posting(_vacancy(valid_through=None, salary_min=None, apply_url="https://ats.example/7",
                                   reference=""), CompanyProfile(), base_url=BASE, now=NOW)
    assert posting is not None
    assert "validThrough" not in posting and "baseSalary" not in posting
    assert posting["directApply"] is False
    assert posting["identifier"]["value"] == "7"
    # Without a company name Google would reject the posting; the site's host name stands in.
    assert posting["hiringOrganization"] == {"@type": "Organization", "name": "jobs.acme.at", "sameAs": BASE}


def test_employment_types_are_googles_and_an_apprenticeship_is_other() -> None:
    assert set(GOOGLE_EMPLOYMENT.values()) <= GOOGLE_TYPES
    posting = job_posting(_vacancy(employment_type=EmploymentType.APPRENTICESHIP), ACME, base_url=BASE, now=NOW)
    assert posting is not None and posting["employmentType"] == "OTHER"


@pytest.mark.parametrize("change", [{"status": VacancyStatus.FILLED}, {"status": VacancyStatus.CLOSED},
                                    {"valid_through": NOW}])
def test_a_filled_closed_or_expired_vacancy_has_no_job_posting(change: dict[str, Any]) -> None:
    assert job_posting(_vacancy(**change), ACME, base_url=BASE, now=NOW) is None


def test_the_description_is_escaped_html_in_paragraphs_with_the_salary_sentence() -> None:
    text = description_html(_vacancy(description="<b>Chef</b> & Co\n\nZeile 1\nZeile 2"))
    assert text.startswith("<p>&lt;b&gt;Chef&lt;/b&gt; &amp; Co</p><p>Zeile 1<br>Zeile 2</p>")
    assert "Bereitschaft zur Überzahlung" in text


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._inside = tag == "script"
        if self._inside:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.scripts[-1] += data


@pytest.mark.parametrize("evil", ["</script><script>alert(1)</script>", "</SCRIPT >", "<!--<script>",
                                  "\u2028\u2029 ]]> &amp;"])
def test_vacancy_text_cannot_break_out_of_the_script_element(evil: str) -> None:
    posting = job_posting(_vacancy(title=f"Koch {evil}", description=evil), ACME, base_url=BASE, now=NOW)
    assert posting is not None
    page = f'<html><head><script type="application/ld+json">{script_json(posting)}</script></head></html>'
    parsed = _Scripts()
    parsed.feed(page)
    assert parsed.tags == ["html", "head", "script"]
    assert len(parsed.scripts) == 1 and json.loads(parsed.scripts[0]) == posting
    assert "<" not in parsed.scripts[0] and "\u2028" not in parsed.scripts[0]
