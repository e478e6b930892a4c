"""Data-subject requests and retention settings for admins: find a person's data, export it, erase it.

The e-mail address always travels in a POST body, never in a URL, so it stays out of access logs and
browser history. Admins only: a search by address reaches applicant and lead data alike, and erasure
cannot be undone.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from scheduler.models import Role
from scheduler.privacy import EXPORT_FORMAT, Person, audit_export, erase_person, export_person, find_person
from scheduler.privacy_settings import PrivacySettings, privacy_settings, save_privacy_settings
from scheduler.retention import expires_at, last_purge, retention_policy
from web.auth import roles_required, user
from web.db import get_session
from web.i18n import _, ngettext
from web.privacy_admin_forms import LEAD_LABELS, STAGE_LABELS, PersonForm, PrivacySettingsForm
from web.services import services

bp = Blueprint("privacy_admin", __name__, url_prefix="/privacy-requests")


def _settings_form() -> PrivacySettingsForm:
    return PrivacySettingsForm(formdata=None, data=asdict(privacy_settings(get_session())))


def _page(search: PersonForm | None = None, person: Person | None = None,
          settings: PrivacySettingsForm | None = None, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    policy = retention_policy(db)
    kept = {app.id: expires_at(policy, app, app.vacancy) for app in (person.applications if person else [])}
    return render_template("privacy_admin/index.html", search=search or PersonForm(formdata=None),
                           person=person, kept_until=kept, settings=settings or _settings_form(),
                           last_purge=last_purge(db), stages=STAGE_LABELS, lead_labels=LEAD_LABELS), status


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """Show the search, the retention settings and the last purge."""
    return _page()


@bp.post("/")
@roles_required(Role.ADMIN)
def search() -> ResponseReturnValue:
    """Show what is stored under one e-mail address."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _page(search=form, status=422)
    return _page(search=form, person=find_person(get_session(), form.email.data or ""))


@bp.post("/export")
@roles_required(Role.ADMIN)
def export() -> ResponseReturnValue:
    """Download everything stored under one e-mail address as a JSON file (the export is audited)."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _page(search=form, status=422)
    db = get_session()
    now = services().clock()
    data = export_person(db, form.email.data or "", now=now)
    audit_export(db, data, user_id=user().id)
    db.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    filename = f"personal-data-{now.date().isoformat()}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Export-Format": EXPORT_FORMAT})


@bp.post("/erase")
@roles_required(Role.ADMIN)
def erase() -> ResponseReturnValue:
    """First step: show what erasure removes and ask; second step (confirm=yes): anonymize and delete."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _page(search=form, status=422)
    db = get_session()
    person = find_person(db, form.email.data or "")
    if not person.found:
        flash(_("Nothing is stored under this e-mail address."), "info")
        return redirect(url_for("privacy_admin.index"), 303)
    if form.confirm.data != "yes":
        policy = retention_policy(db)
        now = services().clock()
        held = [until for app in person.applications if (until := expires_at(policy, app, app.vacancy)) is None
                or until > now]
        return render_template("privacy_admin/confirm_erase.html", form=form, person=person,
                               in_retention=len(held), stages=STAGE_LABELS)
    report = erase_person(db, person.email, now=services().clock(), user_id=user().id,
                          data_dir=services().settings.data_path)
    db.commit()
    flash(_("Erased: %(applications)s and %(leads)s anonymized, %(files)s deleted.",
            applications=ngettext("%(num)d application", "%(num)d applications", len(report.application_ids)),
            leads=ngettext("%(num)d lead", "%(num)d leads", len(report.lead_ids)),
            files=ngettext("%(num)d CV file", "%(num)d CV files", report.cv_files)), "success")
    return redirect(url_for("privacy_admin.index"), 303)


@bp.post("/settings")
@roles_required(Role.ADMIN)
def save_settings() -> ResponseReturnValue:
    """Store the retention months, the privacy contact and the company's name and address."""
    form = PrivacySettingsForm()
    if not form.validate_on_submit():
        return _page(settings=form, status=422)
    values = PrivacySettings(company_name=form.company_name.data or "", company_address=form.company_address.data
                             or "", privacy_contact_email=form.privacy_contact_email.data or "",
                             applicant_months=form.applicant_months.data or 0,
                             talent_pool_months=form.talent_pool_months.data or 0,
                             lead_months=form.lead_months.data or 0)
    db = get_session()
    save_privacy_settings(db, values, user_id=user().id, now=services().clock())
    db.commit()
    flash(_("Privacy settings saved."), "success")
    return redirect(url_for("privacy_admin.index"), 303)

