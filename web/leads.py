"""Leads for sales and marketing: the list with counts per status and attribution, one lead with its history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from scheduler.leads import LeadError, message_history, set_status, status_counts
from scheduler.models import Channel, Integration, Lead, LeadStatus, Role
from web.auth import roles_required, user
from web.db import get_session
from web.i18n import _
from web.lead_forms import STATUS_LABELS, LeadStatusForm
from web.services import services

bp = Blueprint("leads", __name__, url_prefix="/leads")

#: May see leads and move them: the people who follow up on sales contacts. Leads are personal data of
#: outside people, so recruiters and viewers (who do not work them) do not see them; reports show counts.
LEAD_ROLES = (Role.ADMIN, Role.MARKETER, Role.MANAGER)
PAGE_SIZE = 50
#: The status tone (CSS class ``tone-…``); the label always says it in words too.
TONES = {LeadStatus.NEW: "info", LeadStatus.QUALIFIED: "info", LeadStatus.OPPORTUNITY: "warning",
         LeadStatus.CUSTOMER: "success", LeadStatus.JUNK: "neutral"}


@bp.get("/")
@roles_required(*LEAD_ROLES)
def index() -> str:
    """List leads of one status (or all), newest request first, with their channel and submissions."""
    db = get_session()
    status = request.args.get("status", "all")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    stmt = (select(Lead, Channel).outerjoin(Channel, Channel.id == Lead.channel_id)
            .order_by(Lead.last_submitted_at.desc(), Lead.id.desc()))
    total_stmt = select(func.count(Lead.id))
    if status in {s.value for s in LeadStatus}:
        stmt = stmt.where(Lead.status == LeadStatus(status))
        total_stmt = total_stmt.where(Lead.status == LeadStatus(status))
    else:
        status = "all"
    shown = int(db.scalar(total_stmt) or 0)
    rows = db.execute(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    counts = status_counts(db)
    return render_template("leads/index.html", rows=rows, status=status, labels=STATUS_LABELS, tones=TONES,
                           counts={s.value: n for s, n in counts.items()}, total=sum(counts.values()), page=page,
                           has_next=page * PAGE_SIZE < shown)


@bp.get("/<int:lead_id>")
@roles_required(*LEAD_ROLES)
def detail(lead_id: int) -> str:
    """Show one lead: contact, consent, attribution, status times, every message, status buttons."""
    db = get_session()
    lead = db.get(Lead, lead_id)
    if lead is None:
        abort(404)
    channel = db.get(Channel, lead.channel_id) if lead.channel_id else None
    integration = db.get(Integration, lead.integration_id) if lead.integration_id else None
    return render_template("leads/detail.html", lead=lead, channel=channel, integration=integration,
                           history=message_history(lead), labels=STATUS_LABELS, tones=TONES,
                           times=[(s, getattr(lead, f"{s.value}_at")) for s in STATUS_LABELS
                                  if s is not LeadStatus.NEW],
                           form=LeadStatusForm())


@bp.post("/<int:lead_id>/status")
@roles_required(*LEAD_ROLES)
def status(lead_id: int) -> ResponseReturnValue:
    """Move a lead to another status."""
    form = LeadStatusForm()
    if not form.validate_on_submit() or form.status.data not in {s.value for s in LeadStatus}:
        abort(400)
    new = LeadStatus(form.status.data)
    db = get_session()
    try:
        set_status(db, lead_id, new, now=services().clock(), user_id=user().id)
    except LeadError as refused:
        if refused.code == "not_found":
            abort(404)
        flash(_("This lead was anonymised and can no longer change."), "error")
        return redirect(url_for(".detail", lead_id=lead_id), 303)
    db.commit()
    flash(_("The lead is now “%(status)s”.", status=STATUS_LABELS[new]), "success")
    return redirect(url_for(".detail", lead_id=lead_id), 303)
