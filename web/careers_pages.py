"""Rendering helpers of the public careers pages: the layout's company details, vacancy pages, dates, addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date
from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from scheduler.careers import utm_only, vacancy_slug
from scheduler.clock import to_local
from scheduler.company import CompanyProfile, company_profile
from scheduler.jobads_text import with_gender_marker
from scheduler.jobposting import description_html, organization_name
from scheduler.models import EmploymentType, Vacancy
from scheduler.utm import clean_utm
from web.careers_forms import COUNTRY_NAMES
from web.db import get_session
from web.i18n import current_locale
from web.services import services
from web.vacancy_forms import EMPLOYMENT_TYPE_LABELS


def company_name(company: CompanyProfile) -> str:
    """Return the employer's name as the public pages show it (never empty)."""
    return organization_name(company, services().settings.base_url)


def page(template: str, **context: Any) -> str:
    """Render a public page with the company details its layout shows."""
    company = context.pop("company", None) or company_profile(get_session())
    return render_template(template, company=company, company_name=company_name(company), **context)


def vacancy_page(vacancy: Vacancy, company: CompanyProfile, *, open_: bool, utm: dict[str, str] | None = None,
                 posting_json: Markup | None = None, ats_url: str | None = None, canonical: str = "") -> str:
    """Render a vacancy's public page; a vacancy that is not open only says so."""
    return page("careers/vacancy.html", company=company, vacancy=vacancy, open=open_, utm=utm or {},
                title=with_gender_marker(vacancy.title, vacancy.language),
                country=COUNTRY_NAMES.get(vacancy.country, vacancy.country),
                employment=EMPLOYMENT_TYPE_LABELS[EmploymentType(vacancy.employment_type)],
                valid_through=visitor_date(vacancy.valid_through),
                description=Markup(description_html(vacancy)),  # escaped by scheduler.jobposting
                posting_json=posting_json, ats_url=ats_url, canonical=canonical)


def not_found() -> ResponseReturnValue:
    """Answer an unknown vacancy in the careers layout."""
    return page("careers/not_found.html"), 404


def visitor_date(moment: datetime | None) -> str:
    """Return a date for visitors, in the company's time zone and the page's language ("30. Juni 2026")."""
    if moment is None:
        return ""
    return format_date(to_local(moment, services().settings.default_tz).date(), "long", locale=current_locale())


def vacancy_path(vacancy: Vacancy, query: dict[str, str]) -> str:
    """Return the path of the vacancy's public page with ``query`` (e.g. the UTM values) appended."""
    values: dict[str, Any] = {**query, "vacancy_id": vacancy.id, "slug": vacancy_slug(vacancy.title)}
    return url_for("careers.vacancy", **values)


def request_utm() -> dict[str, str]:
    """Return the UTM values of this request's query string, cleaned, only those that are set."""
    return utm_only(clean_utm(request.args))
