"""The public careers site: open vacancies, a page per vacancy with JobPosting data, the job feed, the apply form.

No cookies and no login: the UTM values a visitor arrived with travel from page to page in the query
string and into the apply form's hidden fields, so the application can be attributed to the post
(delivery) and channel that brought them. The form is protected by web.public_forms instead of the
session CSRF token. The apply form's view is in web.careers_apply, on this blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from scheduler.careers import careers_url, is_open, open_vacancies, vacancy_slug, with_query
from scheduler.company import company_profile
from scheduler.cv import megabytes
from scheduler.jobads_text import with_gender_marker
from scheduler.jobfeed import job_feed
from scheduler.jobposting import job_posting, script_json
from scheduler.models import EmploymentType, Vacancy
from scheduler.privacy_settings import privacy_settings
from web.careers_pages import (
    not_found,
    page,
    request_utm,
    vacancy_page,
    vacancy_path,
    visitor_date,
)
from web.db import get_session
from web.errors import csrf
from web.services import services
from web.vacancy_forms import EMPLOYMENT_TYPE_LABELS

bp = Blueprint("careers", __name__)
csrf.exempt(bp)  # no session cookie here: web.public_forms' signed token and honeypot protect the form

#: Room for the text fields around the CV in one request.
_FORM_OVERHEAD = 256 * 1024
#: Job boards fetch the feed a few times a day; a short cache spares the database.
_FEED_MAX_AGE_S = 900


@bp.url_value_preprocessor
def _allow_cv_upload(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # The app accepts 1 MB per request; the apply form carries a CV. Up to twice the CV limit is read,
    # so a file that is a little too large gets a message next to the field instead of an error page.
    if endpoint == "careers.apply" and request.method == "POST":
        request.max_content_length = 2 * services().settings.max_cv_bytes + _FORM_OVERHEAD


@bp.app_template_global()
def careers_page_url(vacancy: Vacancy) -> str:
    """Return the absolute address of the vacancy's public page (for staff pages)."""
    return careers_url(services().settings.base_url, vacancy.id, vacancy.title)


@bp.get("/careers/")
def index() -> ResponseReturnValue:
    """List the open vacancies; UTM values the visitor arrived with are carried on to each vacancy."""
    utm = request_utm()
    rows = [{"title": with_gender_marker(v.title, v.language), "url": vacancy_path(v, utm), "location": v.location,
             "employment": EMPLOYMENT_TYPE_LABELS[EmploymentType(v.employment_type)],
             "valid_through": visitor_date(v.valid_through)}
            for v in open_vacancies(get_session(), services().clock())]
    return page("careers/index.html", rows=rows)


@bp.get("/careers/<int:vacancy_id>-<slug>")
def vacancy(vacancy_id: int, slug: str) -> ResponseReturnValue:
    """Show a vacancy with its JobPosting JSON-LD, or say that it is no longer open."""
    found = get_session().get(Vacancy, vacancy_id)
    if found is None:
        return not_found()
    if slug != vacancy_slug(found.title):  # the title changed or the link was cut: one address per vacancy
        return redirect(vacancy_path(found, request.args.to_dict()), 301)
    settings, now = services().settings, services().clock()
    company = company_profile(get_session())
    posting = job_posting(found, company, base_url=settings.base_url, now=now)
    utm = request_utm()
    return vacancy_page(found, company, open_=is_open(found, now), utm=utm,
                        posting_json=Markup(script_json(posting)) if posting else None,
                        ats_url=with_query(found.apply_url, utm) if found.apply_url else None,
                        canonical=careers_url(settings.base_url, found.id, found.title))


@bp.get("/careers/feed.xml")
def feed() -> ResponseReturnValue:
    """Return the XML job feed of the open vacancies for job boards."""
    db, settings, now = get_session(), services().settings, services().clock()
    body = job_feed(open_vacancies(db, now), company_profile(db), base_url=settings.base_url, now=now)
    response = Response(body, mimetype="application/xml")
    response.headers["Cache-Control"] = f"public, max-age={_FEED_MAX_AGE_S}"
    return response


@bp.get("/careers/<int:vacancy_id>/thanks")
def thanks(vacancy_id: int) -> ResponseReturnValue:
    """Thank the applicant (the page names no personal data, so reloading or sharing it reveals nothing)."""
    found = get_session().get(Vacancy, vacancy_id)
    if found is None:
        return not_found()
    return page("careers/thanks.html", vacancy=found)


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """Explain what the careers site, the forms and tracked links store, for how long, and the visitor's rights."""
    return page("careers/privacy.html", retention=privacy_settings(get_session()))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """Answer an upload far over the CV limit with the careers layout (the browser's back button keeps the form)."""
    return page("careers/too_large.html", size=megabytes(services().settings.max_cv_bytes)), 413
