"""The careers site's apply form: checked in full, CV stored only once everything passed, then attributed.

Its view hangs on the ``careers`` blueprint (web.careers); create_app imports this module to add it.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from scheduler.applications import ApplicationError, application_problems, submit_application
from scheduler.attribution import attribute
from scheduler.careers import is_open, utm_only, vacancy_slug
from scheduler.company import CompanyProfile, company_profile
from scheduler.cv import CvError, StoredCv, cv_type, delete_cv, megabytes, store_cv
from scheduler.jobads_text import with_gender_marker
from scheduler.models import Vacancy
from scheduler.utm import clean_utm
from web.careers import bp
from web.careers_forms import (
    FORM_NAME,
    ApplyForm,
    application_message,
    consent_text,
    cv_message,
    privacy_text,
    talent_pool_text,
)
from web.careers_pages import company_name, not_found, page, request_utm, vacancy_page, vacancy_path
from web.db import get_session
from web.public_forms import PublicFormRejected, check_submission, form_token
from web.services import services

Problems = dict[str, list[str]]


@bp.route("/careers/<int:vacancy_id>/apply", methods=["GET", "POST"])
def apply(vacancy_id: int) -> ResponseReturnValue:
    """Show the apply form (UTM values in hidden fields); on a good post store the application and say thanks."""
    db, settings, now = get_session(), services().settings, services().clock()
    found = db.get(Vacancy, vacancy_id)
    if found is None:
        return not_found()
    if found.apply_url:  # applications go through the company's ATS; the vacancy page links there
        return redirect(vacancy_path(found, request_utm()), 303)
    company = company_profile(db)
    if not is_open(found, now):
        return vacancy_page(found, company, open_=False), 410
    form = ApplyForm()
    if request.method == "GET":
        for key, value in clean_utm(request.args).items():
            getattr(form, key).data = value
        return _apply_page(form, found, company, {}, [])
    problems, summary = _problems(form, found, company)
    limit = settings.max_cv_bytes
    upload = request.files.get("cv")
    data = upload.stream.read(limit + 1) if upload and upload.filename else b""
    if data or (upload and upload.filename):
        try:
            cv_type(data, max_bytes=limit)
        except CvError as refused:
            problems["cv"] = [cv_message(refused, limit)]
    if problems or summary:
        return _apply_page(form, found, company, problems, summary, file_dropped=bool(data) and "cv" not in problems)
    stored = store_cv(settings.data_path, data, upload.filename or "", max_bytes=limit) if upload and data else None
    try:
        submit_application(db, vacancy_id=vacancy_id, name=form.name.data or "", email=form.email.data or "",
                           message=form.message.data or "", cv=stored,
                           privacy_text=consent_text(form, company, company_name(company)),
                           talent_pool=bool(form.talent_pool.data), attribution=attribute(db, form.utm_values()),
                           now=now)
        db.commit()
    except ApplicationError as refused:  # e.g. the vacancy closed in the meantime
        db.rollback()
        _forget(stored)
        return _apply_page(form, found, company, {}, [application_message(refused)])
    except BaseException:
        db.rollback()
        _forget(stored)  # nothing of the applicant may stay behind when the application was not stored
        raise
    return redirect(url_for(".thanks", vacancy_id=vacancy_id), 303)


def _problems(form: ApplyForm, vacancy: Vacancy, company: CompanyProfile) -> tuple[Problems, list[str]]:
    """Return the field problems and the form-wide ones (token, honeypot, vacancy) of a posted form."""
    problems: Problems = {}
    summary: list[str] = []
    try:
        check_submission(FORM_NAME, form.form_token.data, form.website.data)
    except PublicFormRejected as rejected:
        summary.append(rejected.message)
    for error in application_problems(get_session(), vacancy_id=vacancy.id, name=form.name.data or "",
                                      email=form.email.data or "", message=form.message.data or "",
                                      privacy_text=consent_text(form, company, company_name(company)),
                                      now=services().clock()):
        if error.field in ("name", "email", "message", "privacy"):
            problems.setdefault(error.field, []).append(application_message(error))
        else:
            summary.append(application_message(error))
    return problems, summary


def _apply_page(form: ApplyForm, vacancy: Vacancy, company: CompanyProfile, problems: Problems, summary: list[str],
                *, file_dropped: bool = False) -> ResponseReturnValue:
    form.form_token.data = form_token(FORM_NAME)  # a fresh token: the visitor may take their time again
    form.website.data = ""
    name = company_name(company)
    return page("careers/apply.html", form=form, vacancy=vacancy, company=company, problems=problems,
                summary=summary, title=with_gender_marker(vacancy.title, vacancy.language),
                slug=vacancy_slug(vacancy.title), utm=utm_only(form.utm_values()), file_dropped=file_dropped,
                privacy_text=privacy_text(company, name), talent_pool_text=talent_pool_text(company, name),
                max_cv=megabytes(services().settings.max_cv_bytes)), 422 if problems or summary else 200


def _forget(stored: StoredCv | None) -> None:
    if stored is not None:
        delete_cv(services().settings.data_path, stored.key)
