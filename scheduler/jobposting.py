"""schema.org JobPosting JSON-LD for a vacancy's careers page (Google for Jobs), safe to embed in HTML.

Google requires title, description, datePosted, hiringOrganization and jobLocation (with
addressCountry); validThrough, employmentType, baseSalary, identifier and directApply are added where
the vacancy has them. A vacancy that no longer takes applicants gets no JobPosting at all: Google asks
for expired postings to be removed rather than left marked up.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scheduler.careers import careers_url, is_open
from scheduler.company import CompanyProfile
from scheduler.jobads_text import salary_text, with_gender_marker
from scheduler.models import EmploymentType, Vacancy

#: Google's employmentType values; an apprenticeship (Lehre) has none of its own.
GOOGLE_EMPLOYMENT = {t: ("OTHER" if t is EmploymentType.APPRENTICESHIP else t.value) for t in EmploymentType}
# In a <script> element only "</script" or "<!--" could end or confuse it; JSON allows \u escapes for
# any character, so "<", ">" and "&" never appear literally. U+2028/2029 break older JavaScript parsers.
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_PARAGRAPHS = re.compile(r"\n\s*\n")


def job_posting(vacancy: Vacancy, company: CompanyProfile, *, base_url: str, now: datetime) -> dict[str, Any] | None:
    """Return the JobPosting for ``vacancy``, or None when it no longer takes applicants."""
    if not is_open(vacancy, now):
        return None
    organization: dict[str, Any] = {"@type": "Organization", "name": organization_name(company, base_url),
                                    "sameAs": company.website or base_url.rstrip("/")}
    if company.logo_url:
        organization["logo"] = company.logo_url
    posting: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": with_gender_marker(vacancy.title, vacancy.language),
        "description": description_html(vacancy),
        "datePosted": vacancy.created_at.date().isoformat(),
        "hiringOrganization": organization,
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": vacancy.location,
                                                      "addressCountry": vacancy.country}},
        "employmentType": GOOGLE_EMPLOYMENT[EmploymentType(vacancy.employment_type)],
        "identifier": {"@type": "PropertyValue", "name": organization["name"],
                       "value": vacancy.reference or str(vacancy.id)},
        # Postillon's own form sits on the page itself; an external ATS is one more step away.
        "directApply": vacancy.apply_url is None,
        "url": careers_url(base_url, vacancy.id, vacancy.title),
    }
    if vacancy.valid_through is not None:
        posting["validThrough"] = vacancy.valid_through.isoformat()
    if vacancy.salary_min is not None:
        posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR",
                                 "value": {"@type": "QuantitativeValue", "minValue": vacancy.salary_min,
                                           "unitText": vacancy.salary_period}}
    return posting


def organization_name(company: CompanyProfile, base_url: str) -> str:
    """Return the employer's name: the company setting, else the site's host name (never empty)."""
    return company.name or urlsplit(base_url).hostname or "Postillon"


def description_html(vacancy: Vacancy) -> str:
    """Return the vacancy's plain-text description as escaped HTML paragraphs, with the salary sentence."""
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(vacancy.description.strip()) if p.strip()]
    salary = salary_text(statement=vacancy.salary_statement, salary_min=vacancy.salary_min,
                         period=vacancy.salary_period, overpay=vacancy.overpay, country=vacancy.country,
                         language=vacancy.language)
    if salary:
        paragraphs.append(salary)
    if not paragraphs:  # Google requires a description; the title is the least it can say
        paragraphs.append(with_gender_marker(vacancy.title, vacancy.language))
    return "".join("<p>" + "<br>".join(html.escape(line.strip()) for line in p.splitlines()) + "</p>"
                   for p in paragraphs)


def script_json(data: dict[str, Any]) -> str:
    """Return ``data`` as JSON that cannot end or break out of the ``<script>`` element it is embedded in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return "".join(_SCRIPT_SAFE.get(ch, ch) for ch in text)
