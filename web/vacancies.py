"""Vacancies: list, create, edit, fill or close (with a confirmation of what is cancelled), job-ad templates."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.clock import to_local
from scheduler.jobads import (
    TemplateProblems,
    company_name,
    ensure_default_templates,
    placeholder_values,
    render_for,
    save_template,
    templates,
)
from scheduler.jobads_text import PLACEHOLDERS, counted_length
from scheduler.lifecycle import CANCELLABLE
from scheduler.models import Delivery, Post, Role, User, Vacancy, VacancyStatus
from scheduler.networks import RULES, Network
from scheduler.vacancies import (
    LANGUAGES,
    VacancyInput,
    VacancyNotFoundError,
    as_input,
    create_vacancy,
    get_vacancy,
    pending_count,
    set_status,
    update_vacancy,
    validate,
)
from web.auth import roles_required, user
from web.db import get_session
from web.filters import user_tz
from web.i18n import _, ngettext
from web.messages import message_for, messages_for
from web.services import services
from web.vacancy_forms import NUMBER_PROBLEM, STATUS_LABELS, StatusForm, TemplateForm, VacancyForm

bp = Blueprint("vacancies", __name__, url_prefix="/vacancies")

#: May create, edit, fill and close vacancies.
MANAGE_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MANAGER)
#: May look at vacancies (marketers plan around them; viewers read everything).
READ_ROLES = (*MANAGE_ROLES, Role.MARKETER, Role.VIEWER)
Problems = dict[str, list[str]]


@bp.get("/")
@roles_required(*READ_ROLES)
def index() -> str:
    """List vacancies of one status (or all) with how many posts and pending deliveries each has."""
    status = request.args.get("status", "open")
    db = get_session()
    posts = select(func.count(Post.id)).where(Post.vacancy_id == Vacancy.id).correlate(Vacancy).scalar_subquery()
    pending = (select(func.count(Delivery.id)).join(Post, Post.id == Delivery.post_id)
               .where(Post.vacancy_id == Vacancy.id, Delivery.state.in_(CANCELLABLE))
               .correlate(Vacancy).scalar_subquery())
    stmt = select(Vacancy, posts, pending).order_by(Vacancy.created_at.desc(), Vacancy.id.desc())
    if status in {s.value for s in VacancyStatus}:
        stmt = stmt.where(Vacancy.status == VacancyStatus(status))
    else:
        status = "all"
    counts = {VacancyStatus(found): int(n) for found, n in
              db.execute(select(Vacancy.status, func.count(Vacancy.id)).group_by(Vacancy.status))}
    return render_template("vacancies/index.html", rows=db.execute(stmt).all(), status=status,
                           counts={s.value: counts.get(s, 0) for s in VacancyStatus}, total=sum(counts.values()),
                           labels=STATUS_LABELS, can_manage=user().role in MANAGE_ROLES)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def new() -> ResponseReturnValue:
    """Create a vacancy."""
    form = _form()
    if request.method == "GET":
        return render_template("vacancies/form.html", form=form, problems={}, vacancy=None)
    data, problems = _checked(form, None)
    if problems:
        return render_template("vacancies/form.html", form=form, problems=problems, vacancy=None), 422
    db = get_session()
    vacancy = create_vacancy(db, data, user_id=user().id, now=services().clock())
    db.commit()
    flash(_("The vacancy “%(title)s” is saved.", title=vacancy.title), "success")
    return redirect(url_for("vacancies.detail", vacancy_id=vacancy.id), 303)


@bp.route("/<int:vacancy_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit(vacancy_id: int) -> ResponseReturnValue:
    """Change a vacancy."""
    db = get_session()
    vacancy = _vacancy(vacancy_id)
    form = _form()
    if request.method == "GET":
        valid = to_local(vacancy.valid_through, user_tz()) if vacancy.valid_through else None
        form.fill(as_input(vacancy), valid)
        return render_template("vacancies/form.html", form=form, problems={}, vacancy=vacancy)
    data, problems = _checked(form, vacancy)
    if problems:
        return render_template("vacancies/form.html", form=form, problems=problems, vacancy=vacancy), 422
    update_vacancy(db, vacancy_id, data, user_id=user().id, now=services().clock())
    db.commit()
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("vacancies.detail", vacancy_id=vacancy_id), 303)


@bp.get("/<int:vacancy_id>")
@roles_required(*READ_ROLES)
def detail(vacancy_id: int) -> str:
    """Show a vacancy with its job-ad posts and their deliveries."""
    vacancy = _vacancy(vacancy_id)
    posts = get_session().scalars(
        select(Post).where(Post.vacancy_id == vacancy_id).order_by(Post.repost_number, Post.id)
        .options(selectinload(Post.deliveries).selectinload(Delivery.channel))).all()
    manager = get_session().get(User, vacancy.hiring_manager_id) if vacancy.hiring_manager_id else None
    return render_template("vacancies/detail.html", vacancy=vacancy, posts=posts, manager=manager,
                           pending=pending_count(get_session(), vacancy_id), labels=STATUS_LABELS,
                           can_manage=user().role in MANAGE_ROLES, form=StatusForm())


@bp.post("/<int:vacancy_id>/status")
@roles_required(*MANAGE_ROLES)
def status(vacancy_id: int) -> ResponseReturnValue:
    """Fill, close or reopen a vacancy; filling or closing first shows how many deliveries it cancels."""
    vacancy = _vacancy(vacancy_id)
    form = StatusForm()
    if not form.validate_on_submit() or form.status.data not in {s.value for s in VacancyStatus}:
        abort(400)
    new_status = VacancyStatus(form.status.data)
    db = get_session()
    if new_status is not VacancyStatus.OPEN and form.confirm.data != "yes":
        return render_template("vacancies/confirm_status.html", vacancy=vacancy, status=new_status,
                               pending=pending_count(db, vacancy_id), labels=STATUS_LABELS, form=StatusForm())
    cancelled = set_status(db, vacancy_id, new_status, user().id, services().clock())
    db.commit()
    flash(ngettext("The vacancy is now “%(status)s”; %(num)d scheduled post was cancelled.",
                   "The vacancy is now “%(status)s”; %(num)d scheduled posts were cancelled.",
                   cancelled, status=STATUS_LABELS[new_status]), "success")
    return redirect(url_for("vacancies.detail", vacancy_id=vacancy_id), 303)


@bp.get("/templates")
@roles_required(Role.ADMIN)
def template_list() -> ResponseReturnValue:
    """Show every job-ad template with a preview against a sample vacancy."""
    db = get_session()
    if ensure_default_templates(db):
        db.commit()
    return _templates_page({})


@bp.post("/templates/<language>/<network_name>")
@roles_required(Role.ADMIN)
def template_save(language: str, network_name: str) -> ResponseReturnValue:
    """Save one template; unknown placeholders are reported next to it and nothing is saved."""
    if language not in LANGUAGES or network_name not in {n.value for n in Network}:
        abort(404)
    network = Network(network_name)
    form = TemplateForm(prefix=f"{language}-{network.value}")
    db = get_session()
    problems: Problems = {k: [str(m) for m in v] for k, v in form.errors.items()} if not form.validate() else {}
    if not problems:
        try:
            save_template(db, language, network, form.body.data or "", user_id=user().id, now=services().clock())
        except TemplateProblems as found:
            db.rollback()
            problems = {"body": messages_for(found.problems)}
    if problems:
        return _templates_page({(language, network): (form, problems)}, 422)
    db.commit()
    flash(_("The %(network)s template (%(language)s) is saved.", network=network.label, language=language), "success")
    return redirect(url_for("vacancies.template_list") + f"#template-{language}-{network.value}", 303)


def _templates_page(typed: dict[tuple[str, Network], tuple[TemplateForm, Problems]],
                    status: int = 200) -> ResponseReturnValue:
    db = get_session()
    company = company_name(db) or "ACME GmbH"
    entries = []
    for language in LANGUAGES:
        values = placeholder_values(_sample(language), language, company)
        for network, body in templates(db, language).items():
            form, problems = typed.get((language, network), (None, {}))
            if form is None:
                form = TemplateForm(prefix=f"{language}-{network.value}", formdata=None)
                form.body.data = body
            preview = render_for(network, form.body.data or "", values)
            entries.append({"language": language, "network": network, "form": form, "problems": problems,
                            "preview": preview, "limit": RULES[network].max_text,
                            "length": counted_length(network, preview, values["apply_url"])})
    return render_template("vacancies/templates.html", entries=entries, placeholders=PLACEHOLDERS), status


def _sample(language: str) -> Vacancy:
    """A vacancy that is never saved, to preview templates against."""
    return Vacancy(id=0, title="Softwareentwickler" if language == "de" else "Software developer",
                   location="Wien", country="AT", employment_type="FULL_TIME", salary_statement="",
                   salary_min=3200, salary_period="MONTH", overpay=True, language=language, reference="SW-7",
                   description=("Du entwickelst unsere Planungssoftware im Team." if language == "de"
                                else "You build our planning software with the team."),
                   apply_url="https://karriere.example.at/jobs/sw-7", valid_through=None)


def _form() -> VacancyForm:
    form = VacancyForm()
    people = get_session().execute(select(User.id, User.name).where(User.active.is_(True),
                                                                    User.role.in_(MANAGE_ROLES))
                                   .order_by(User.name)).all()
    form.set_people([(pid, name) for pid, name in people], _("Nobody"))
    return form


def _checked(form: VacancyForm, vacancy: Vacancy | None) -> tuple[VacancyInput, Problems]:
    """Return what was typed and every problem with it: the form's own and the scheduler's, all at once."""
    form.validate_on_submit()
    problems: Problems = {}
    for name, messages in form.errors.items():
        if name in ("salary_min", "repost_every_days"):
            messages = [NUMBER_PROBLEM]
        problems[str(name)] = [str(m) for m in messages]
    data = form.to_input(user_tz())
    previous = vacancy.valid_through if vacancy else None
    if previous and form.valid_through.data == to_local(previous, user_tz()).date():
        data = replace(data, valid_through=previous)  # an unchanged date keeps the stored moment
    found: Problems = {}
    for problem in validate(data, now=services().clock(), previous_valid_through=previous):
        found.setdefault(problem.field, []).append(message_for(problem))
    for name, messages in found.items():
        problems.setdefault(name, messages)  # the form's own message for a field comes first
    return data, problems


def _vacancy(vacancy_id: int) -> Vacancy:
    try:
        return get_vacancy(get_session(), vacancy_id)
    except VacancyNotFoundError:
        abort(404)
