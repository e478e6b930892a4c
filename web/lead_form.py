"""The public lead form (contact request), made to be embedded in an iframe on the company's own website.

This page alone may be framed, and only by the sites an admin listed (web.security.csp_allowing_frames).
No cookie is set: the embedding page hands its UTM values over in the query string, they travel in
hidden fields, and web.public_forms' signed token and honeypot stand in for the session CSRF token.
``?lang=de`` or ``?lang=en`` chooses the language (else the browser's).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale

from scheduler.attribution import attribute
from scheduler.company import company_profile
from scheduler.jobposting import organization_name
from scheduler.lead_settings import lead_form_settings
from scheduler.leads import LeadError, lead_problems, submit_lead
from scheduler.utm import clean_utm
from web.db import get_session
from web.errors import csrf
from web.i18n import LOCALES, current_locale
from web.lead_forms import FORM_NAME, LeadForm, default_consent_text, lead_message
from web.public_forms import PublicFormRejected, check_submission, form_token
from web.security import csp_allowing_frames
from web.services import services

bp = Blueprint("forms", __name__, url_prefix="/forms")
csrf.exempt(bp)  # no session cookie here: web.public_forms' signed token and honeypot protect the form


@bp.route("/lead", methods=["GET", "POST"])
def lead() -> ResponseReturnValue:
    """Show the lead form (or, after sending, the thanks); store a good request and merge repeats."""
    lang = _language()
    with _in_language(lang):
        result = _lead(lang)
    response = make_response(result)
    response.headers["Content-Security-Policy"] = csp_allowing_frames(
        lead_form_settings(get_session()).frame_ancestors)
    return response


def _lead(lang: str | None) -> ResponseReturnValue:
    if request.method == "GET" and request.args.get("sent") == "1":
        return _render(None, {}, [], sent=True)
    form = LeadForm()
    if request.method == "GET":
        for key, value in clean_utm(request.args).items():
            getattr(form, key).data = value
        return _render(form, {}, [])
    problems: dict[str, list[str]] = {}
    summary: list[str] = []
    try:
        check_submission(FORM_NAME, form.form_token.data, form.website.data)
    except PublicFormRejected as rejected:
        summary.append(rejected.message)
    consent = consent_text() if form.consent.data else ""
    values = {"name": form.name.data or "", "company": form.company.data or "", "email": form.email.data or "",
              "message": form.message.data or "", "consent_text": consent}
    for error in lead_problems(**values):
        problems.setdefault(error.field or "form", []).append(lead_message(error))
    if problems or summary:
        return _render(form, problems, summary)
    db = get_session()
    try:
        submit_lead(db, name=values["name"], company=values["company"], email=values["email"],
                    message=values["message"], consent_text=consent, attribution=attribute(db, form.utm_values()),
                    now=services().clock())
        db.commit()
    except LeadError as refused:  # lead_problems checked the same rules; this is a last line of defence
        db.rollback()
        return _render(form, {refused.field or "form": [lead_message(refused)]}, [])
    return redirect(url_for(".lead", sent=1, lang=lang), 303)


def consent_text() -> str:
    """Return the consent text of the page's language: the company's own, else the default wording."""
    db = get_session()
    own = lead_form_settings(db).consent_texts.get(current_locale())
    if own:
        return own
    company = company_profile(db)
    return default_consent_text(company, organization_name(company, services().settings.base_url))


def _render(form: LeadForm | None, problems: dict[str, list[str]], summary: list[str], *,
            sent: bool = False) -> ResponseReturnValue:
    if form is not None:
        form.form_token.data = form_token(FORM_NAME)  # a fresh token: the visitor may take their time again
        form.website.data = ""
    company = company_profile(get_session())
    # The privacy notice is the careers site's; link it only where that part of the app is installed.
    privacy_url = url_for("careers.privacy") if "careers.privacy" in current_app.view_functions else ""
    page = render_template("forms/lead.html", form=form, problems=problems, summary=summary, sent=sent,
                           consent=consent_text(), company=company, privacy_url=privacy_url,
                           company_name=organization_name(company, services().settings.base_url),
                           action=url_for(".lead", lang=_language()))
    return page, 422 if problems or summary else 200


def _language() -> str | None:
    lang = request.args.get("lang", "")
    return lang if lang in LOCALES else None


def _in_language(lang: str | None) -> AbstractContextManager[None]:
    return force_locale(lang) if lang else nullcontext()
