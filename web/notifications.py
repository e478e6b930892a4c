"""Notifications for the logged-in person: the list, marking them read, and the unread count in the nav."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select, update

from scheduler.models import Notification
from web.auth import user
from web.db import get_session
from web.security import safe_target
from web.services import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 200  # newest shown; older ones stay in the database


@bp.get("/")
def index() -> str:
    """List the person's notifications, newest first; unread ones stand out."""
    notes = list(get_session().scalars(select(Notification).where(Notification.user_id == user().id)
                                       .order_by(Notification.id.desc()).limit(PAGE_SIZE)))
    return render_template("notifications/index.html", notes=notes,
                           unread=sum(1 for note in notes if note.read_at is None))


@bp.post("/read")
def mark_all_read() -> ResponseReturnValue:
    """Mark every unread notification of the person as read."""
    db = get_session()
    db.execute(update(Notification).where(Notification.user_id == user().id, Notification.read_at.is_(None))
               .values(read_at=services().clock()))
    db.commit()
    return redirect(url_for("notifications.index"), 303)


@bp.post("/<int:notification_id>/open")
def open_one(notification_id: int) -> ResponseReturnValue:
    """Mark one notification read and go to what it is about."""
    db = get_session()
    note = db.get(Notification, notification_id)
    if note is None or note.user_id != user().id:
        abort(404)  # someone else's notification does not exist for this person
    if note.read_at is None:
        note.read_at = services().clock()
        db.commit()
    return redirect(safe_target(note.link, url_for("notifications.index")), 303)


def unread_count(user_id: int) -> int:
    """Return how many notifications ``user_id`` has not read (one indexed count)."""
    count = get_session().scalar(select(func.count(Notification.id))
                                 .where(Notification.user_id == user_id, Notification.read_at.is_(None)))
    return int(count or 0)


def init_app(app: Flask) -> None:
    """Put the unread count into every page (for the nav badge)."""

    @app.context_processor
    def _unread_notifications() -> dict[str, int]:
        if not current_user.is_authenticated:
            return {"unread_notifications": 0}
        return {"unread_notifications": unread_count(user().id)}
