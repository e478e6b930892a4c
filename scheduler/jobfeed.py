"""The XML job feed for job boards (Indeed's layout): every open, unexpired vacancy, values in CDATA.

Built as a DOM (xml.dom.minidom) rather than with ElementTree, which cannot write CDATA, or lxml, whose
CDATA refuses text containing ``]]>``: a value with ``]]>`` is split into several CDATA sections, which
only a DOM can hold side by side in one element. Characters XML 1.0 cannot carry are dropped.
Job boards fetch the feed a few times a day; a filled or expired vacancy leaves it and thereby the board.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.dom.minidom import Document, Element

from scheduler.careers import careers_url, is_open
from scheduler.company import CompanyProfile
from scheduler.jobads_text import salary_text, slug, with_gender_marker
from scheduler.jobposting import description_html, organization_name
from scheduler.models import EmploymentType, Vacancy

#: The campaign parameters on feed links, so applications from job boards are told apart from social ones.
FEED_UTM = {"utm_source": "jobfeed", "utm_medium": "jobboard"}
JOB_TYPES = {EmploymentType.FULL_TIME: "fulltime", EmploymentType.PART_TIME: "parttime",
             EmploymentType.CONTRACTOR: "contract", EmploymentType.TEMPORARY: "temporary",
             EmploymentType.INTERN: "internship", EmploymentType.APPRENTICESHIP: "apprenticeship",
             EmploymentType.OTHER: ""}
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def job_feed(vacancies: Sequence[Vacancy], company: CompanyProfile, *, base_url: str, now: datetime) -> bytes:
    """Return the feed as UTF-8 XML: one ``<job>`` per open, unexpired vacancy (others are left out)."""
    doc = Document()
    root = doc.appendChild(doc.createElement("source"))
    name = organization_name(company, base_url)
    _plain(doc, root, "publisher", name)
    _plain(doc, root, "publisherurl", company.website or base_url.rstrip("/"))
    _plain(doc, root, "lastBuildDate", format_datetime(now.astimezone(UTC), usegmt=True))
    for vacancy in vacancies:
        if is_open(vacancy, now):
            root.appendChild(_job(doc, vacancy, name, base_url))
    return bytes(doc.toxml(encoding="utf-8"))


def feed_url(base_url: str, vacancy: Vacancy) -> str:
    """Return the careers page address a job board links to, with the feed's campaign parameters."""
    campaign = f"job-{vacancy.id}-{slug(vacancy.title)}".rstrip("-")
    return careers_url(base_url, vacancy.id, vacancy.title, {**FEED_UTM, "utm_campaign": campaign})


def _job(doc: Document, vacancy: Vacancy, company: str, base_url: str) -> Element:
    job = doc.createElement("job")
    salary = salary_text(statement=vacancy.salary_statement, salary_min=vacancy.salary_min,
                         period=vacancy.salary_period, overpay=vacancy.overpay, country=vacancy.country,
                         language=vacancy.language)
    values = [
        ("title", with_gender_marker(vacancy.title, vacancy.language)),
        ("date", _iso(vacancy.created_at)),
        ("referencenumber", f"postillon-{vacancy.id}"),  # never changes, even when the reference is edited
        ("requisitionid", vacancy.reference or str(vacancy.id)),
        ("url", feed_url(base_url, vacancy)),
        ("company", company),
        ("city", vacancy.location.split(",", 1)[0].strip()),
        ("country", vacancy.country),
        ("description", description_html(vacancy)),
        ("salary", salary),
        ("jobtype", JOB_TYPES[EmploymentType(vacancy.employment_type)]),
        ("expirationdate", _iso(vacancy.valid_through) if vacancy.valid_through else ""),
    ]
    for tag, value in values:
        if value:
            _cdata(doc, job, tag, value)
    return job


def _cdata(doc: Document, parent: Element, tag: str, value: str) -> None:
    element = doc.createElement(tag)
    # "]]>" would end the section early: end it after "]]" and start the next with ">".
    for part in _NOT_XML.sub("", value).replace("]]>", "]]\0>").split("\0"):
        element.appendChild(doc.createCDATASection(part))
    parent.appendChild(element)


def _plain(doc: Document, parent: Element, tag: str, value: str) -> None:
    element = doc.createElement(tag)
    element.appendChild(doc.createTextNode(_NOT_XML.sub("", value)))
    parent.appendChild(element)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
