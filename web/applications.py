"""Applications for staff: per vacancy with the pipeline, one application with its stages, the CV download.

Admins, recruiters and managers see and move every application; the vacancy's hiring manager sees
and moves that vacancy's applications whatever their role. Everyone else gets 403 (also for ids
that do not exist, so probing reveals nothing).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.applications import FINAL, PIPELINE, ApplicationError, move_stage, pipeline_counts, stage_times
from scheduler.applications import time_to_hire as hire_time
from scheduler.audit import audit
from scheduler.cv import CvError, cv_path
from scheduler.models import Application, ApplicationStage, Delivery, Role, Vacancy
from web.applications_forms import STAGE_LABELS, STAGE_TONES, StageForm, problem_message
from web.auth import user
from web.db import get_session
from web.i18n import _
from web.services import services

bp = Blueprint("applications", __name__)

#: Roles that see and move every application.
ROLES = (Role.ADMIN, Role.RECRUITER, Role.MANAGER)
STAGES = (*PIPELINE, ApplicationStage.REJECTED)


@bp.get("/vacancies/<int:vacancy_id>/applications")
def index(vacancy_id: int) -> ResponseReturnValue:
    """List a vacancy's applications with the count per stage, each stage's date and the attribution."""
    vacancy = _vacancy_for_reader(vacancy_id)
    db = get_session()
    rows = db.scalars(select(Application).where(Application.vacancy_id == vacancy_id)
                      .order_by(Application.received_at.desc(), Application.id.desc())).all()
    channels = _channels({a.delivery_id for a in rows if a.delivery_id})
    return render_template("applications/index.html", vacancy=vacancy, rows=rows, stages=STAGES,
                           labels=STAGE_LABELS, tones=STAGE_TONES, counts=pipeline_counts(db, vacancy_id),
                           channels=channels, times={a.id: dict(stage_times(a)) for a in rows},
                           hire_days={a.id: _days(a) for a in rows})


@bp.get("/applications/<int:application_id>")
def detail(application_id: int) -> ResponseReturnValue:
    """Show one application: the applicant, consent, attribution, the stage history and the stage buttons."""
    application = _application_for_reader(application_id)
    channels = _channels({application.delivery_id} if application.delivery_id else set())
    return render_template("applications/detail.html", application=application, vacancy=application.vacancy,
                           labels=STAGE_LABELS, tones=STAGE_TONES, stages=STAGES, final=application.stage in FINAL,
                           times=stage_times(application), hire_days=_days(application), channels=channels,
                           form=StageForm())


@bp.post("/applications/<int:application_id>/stage")
def stage(application_id: int) -> ResponseReturnValue:
    """Move an application to the posted stage (leaving hired/rejected needs the posted ``reopen``)."""
    application = _application_for_reader(application_id)
    form = StageForm()
    if not form.validate_on_submit() or form.stage.data not in {s.value for s in ApplicationStage}:
        abort(400)
    db = get_session()
    target = ApplicationStage(form.stage.data)
    try:
        move_stage(db, application.id, target, now=services().clock(), user_id=user().id,
                   reopen=form.reopen.data == "yes")
    except ApplicationError as refused:
        db.rollback()
        flash(problem_message(refused), "error")
        return redirect(url_for(".detail", application_id=application_id), 303)
    db.commit()
    flash(_("The application is now at “%(stage)s”.", stage=STAGE_LABELS[target]), "success")
    return redirect(url_for(".detail", application_id=application_id), 303)


@bp.get("/applications/<int:application_id>/cv")
def cv(application_id: int) -> ResponseReturnValue:
    """Download the applicant's CV as an attachment (never shown inline: it came from a stranger)."""
    application = _application_for_reader(application_id)
    if not application.cv_key:
        abort(404)
    try:
        path = cv_path(services().settings.data_path, application.cv_key)
    except CvError:
        abort(404)
    if not path.is_file():
        abort(404)
    db = get_session()
    audit(db, user().id, "application.cv_downloaded", f"application:{application_id}")
    db.commit()
    response = send_file(path, mimetype=application.cv_mime or "application/octet-stream", as_attachment=True,
                         download_name=application.cv_filename or path.name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _allowed(vacancy: Vacancy) -> bool:
    return user().role in ROLES or vacancy.hiring_manager_id == user().id


def _vacancy_for_reader(vacancy_id: int) -> Vacancy:
    vacancy = get_session().get(Vacancy, vacancy_id)
    if vacancy is None:
        abort(404 if user().role in ROLES else 403)
    if not _allowed(vacancy):
        abort(403)
    return vacancy


def _application_for_reader(application_id: int) -> Application:
    application = get_session().scalar(select(Application).where(Application.id == application_id)
                                       .options(selectinload(Application.vacancy)))
    if application is None:
        abort(404 if user().role in ROLES else 403)
    if not _allowed(application.vacancy):
        abort(403)
    return application


def _channels(delivery_ids: set[int | None]) -> dict[int, Delivery]:
    """Return the deliveries (with their channels) the applications are attributed to, by id."""
    ids = {i for i in delivery_ids if i is not None}
    if not ids:
        return {}
    found = get_session().scalars(select(Delivery).where(Delivery.id.in_(ids)).options(selectinload(Delivery.channel)))
    return {d.id: d for d in found}


def _days(application: Application) -> int | None:
    """Return the time to hire in whole days (the usual unit of the HR metric), None while not hired."""
    found = hire_time(application)
    return None if found is None else round(found.total_seconds() / 86400)

