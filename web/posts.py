"""Compose posts; the delivery list (the home page), one delivery's log, and the actions on deliveries."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery
from scheduler.posts import cancel_delivery, mark_published, publish_again
from scheduler.queries import StateGroup, get_delivery
from web.api import deliveries_payload, group_arg
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.filters import state_label
from web.forms import MarkPublishedForm
from web.i18n import _
from web.messages import message_for
from web.security import safe_target
from web.services import services

bp = Blueprint("posts", __name__)

S = DeliveryState
Problems = dict[str, list[str]]  # field name (or "channel-<id>") -> messages


@bp.get("/")
@bp.get("/deliveries")
def deliveries() -> str:
    """List deliveries of one state group; the page polls /api/deliveries to stay current (same rows, same HTML)."""
    group = group_arg()
    payload, etag = deliveries_payload(group)
    return render_template("posts/deliveries.html", group=group, groups=list(StateGroup), payload=payload, etag=etag)


@bp.get("/deliveries/<int:delivery_id>")
def delivery(delivery_id: int) -> str:
    """Show one delivery with its attempt log and audit events."""
    detail = get_delivery(get_session(), delivery_id)
    if detail is None:
        abort(404)
    return render_template("posts/delivery.html", detail=detail, row=detail.row)


@bp.post("/deliveries/<int:delivery_id>/cancel")
@roles_required(*POSTING_ROLES)
def cancel(delivery_id: int) -> ResponseReturnValue:
    """Cancel a delivery that has not reached the network yet."""
    db = get_session()
    if _state_of(db, delivery_id) is None:
        abort(404)
    if cancel_delivery(db, delivery_id, user_id=user().id):
        db.commit()
        flash(_("Delivery cancelled: it will not be published."), "success")
    else:
        db.rollback()
        state = _state_of(db, delivery_id) or S.CANCELLED
        flash(_("This delivery can no longer be cancelled: it is “%(state)s”.", state=state_label(state)), "error")
    return _back()


@bp.route("/deliveries/<int:delivery_id>/publish-again", methods=["GET", "POST"])
@roles_required(*POSTING_ROLES)
def publish_again_view(delivery_id: int) -> ResponseReturnValue:
    """Publish a failed delivery again; an unknown one only after the person confirmed the duplicate risk."""
    db = get_session()
    state = _state_of(db, delivery_id)
    confirmed = request.method == "POST" and (state is S.FAILED or request.form.get("confirm") == "duplicate-risk")
    if not confirmed:
        detail = get_delivery(db, delivery_id)
        if detail is None:
            abort(404)
        return render_template("posts/publish_again.html", row=detail.row, back=_back_target())
    if publish_again(db, delivery_id, user_id=user().id, now=services().clock()):
        db.commit()
        flash(_("It will be published again in a moment."), "success")
    else:
        db.rollback()
        flash(_("Only failed deliveries and those with an unknown outcome can be published again."), "error")
    return _back()


@bp.post("/deliveries/<int:delivery_id>/mark-published")
@roles_required(*POSTING_ROLES)
def mark_published_view(delivery_id: int) -> ResponseReturnValue:
    """Record that a delivery with an unknown outcome is live after all."""
    db = get_session()
    if _state_of(db, delivery_id) is None:
        abort(404)
    form = MarkPublishedForm()
    if not form.validate():
        flash(" ".join(str(message) for message in form.url.errors), "error")
        return _back()
    try:
        moved = mark_published(db, delivery_id, user_id=user().id, url=(form.url.data or "").strip(),
                               now=services().clock())
    except ValueError as exc:
        flash(message_for(exc), "error")
        return _back()
    if moved:
        db.commit()
        flash(_("Marked as published."), "success")
    else:
        db.rollback()
        flash(_("Only deliveries with an unknown outcome can be marked as published."), "error")
    return _back()


def _state_of(db: Session, delivery_id: int) -> DeliveryState | None:
    found = db.get(Delivery, delivery_id, populate_existing=True)
    return None if found is None else DeliveryState(found.state)


def _back_target() -> str:
    return safe_target(request.values.get("back"), url_for("posts.deliveries"))


def _back() -> ResponseReturnValue:
    return redirect(_back_target(), 303)

