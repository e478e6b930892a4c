"""The report by e-mail: each reader switches their own digest; an admin chooses it for the managers."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from scheduler.audit import audit
from scheduler.models import ReportDigest, Role, User
from web.auth import roles_required, user
from web.db import get_session
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.reports import READ_ROLES, bp
from web.services import services
from workers.digest_schedule import FREQUENCIES, REPORT_ROLES, subscribe

#: The choices of the frequency fields ("" = no digest).
CHOICES: dict[str, str] = {"": _l("No e-mail"), "weekly": _l("Weekly (Mondays, 07:00)"),
                           "monthly": _l("Monthly (on the 1st, 07:00)")}

ROLE_LABELS: dict[Role, str] = {Role.ADMIN: _l("Admin"), Role.MANAGER: _l("Manager"), Role.RECRUITER: _l("Recruiter"),
                                Role.MARKETER: _l("Marketing"), Role.VIEWER: _l("Viewer"),
                                Role.AMBASSADOR: _l("Ambassador")}


def _frequency(value: str | None) -> tuple[bool, str | None]:
    """Return (valid, frequency or None for "off") for a submitted choice."""
    if value == "":
        return True, None
    return (value in FREQUENCIES), value


def _digests() -> dict[int, ReportDigest]:
    return {d.user_id: d for d in get_session().scalars(select(ReportDigest))}


@bp.get("/digest")
@roles_required(*READ_ROLES)
def digest() -> ResponseReturnValue:
    """Show the reader's own digest setting and, for admins, everyone's."""
    return _page()


def _page(problem: str | None = None, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    digests = _digests()
    people = db.scalars(select(User).where(User.active.is_(True), User.role.in_(REPORT_ROLES))
                        .order_by(User.role, User.name)).all() if user().is_admin else []
    mine = digests.get(user().id)
    return render_template("reports/digest.html", choices=CHOICES, mine=mine if mine and mine.active else None,
                           people=people, digests=digests, problem=problem, role_labels=ROLE_LABELS), status


@bp.post("/digest")
@roles_required(*READ_ROLES)
def save_digest() -> ResponseReturnValue:
    """Switch the reader's own digest on (weekly or monthly) or off."""
    valid, frequency = _frequency(request.form.get("frequency"))
    if not valid:
        return _page(_("Choose one of the offered options."), 422)
    db = get_session()
    me = user()
    if subscribe(db, me.id, frequency, me.tz_name, services().clock()):
        audit(db, me.id, "report_digest.set", f"user:{me.id}", frequency or "off")
    db.commit()
    flash(_("Your report e-mail is switched off.") if frequency is None else
          _("You will receive the report by e-mail: %(how)s.", how=CHOICES[frequency]), "success")
    return redirect(url_for("reports.digest"), 303)


@bp.post("/digest/people")
@roles_required(Role.ADMIN)
def save_people() -> ResponseReturnValue:
    """Set the digest of each listed person (an admin chooses which managers get it and how often)."""
    db = get_session()
    people = db.scalars(select(User).where(User.active.is_(True), User.role.in_(REPORT_ROLES))).all()
    chosen: dict[int, str | None] = {}
    for person in people:
        if f"frequency-{person.id}" not in request.form:  # not on the page the admin saw: left as it is
            continue
        valid, frequency = _frequency(request.form.get(f"frequency-{person.id}"))
        if not valid:
            return _page(_("Choose one of the offered options for %(name)s.", name=person.name), 422)
        chosen[person.id] = frequency
    now, changed = services().clock(), 0
    for person in people:
        if person.id in chosen and subscribe(db, person.id, chosen[person.id], person.tz_name, now):
            audit(db, user().id, "report_digest.set", f"user:{person.id}", chosen[person.id] or "off")
            changed += 1
    db.commit()
    flash(_("Report e-mails saved (%(count)s changed).", count=changed), "success")
    return redirect(url_for("reports.digest"), 303)
