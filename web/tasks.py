"""Tasks on assisted channels (XING): the ready post, its images, "mark as posted" and "postpone"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select

from scheduler.assisted import TaskError, complete_task, open_tasks, postpone_task
from scheduler.clock import NonexistentLocalTimeError, from_local
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, Delivery, Media, Role
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.filters import user_tz
from web.i18n import _
from web.messages import message_for
from web.services import services

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _overdue_after() -> timedelta:
    return timedelta(seconds=services().settings.task_overdue_after_s)


def _sees_all() -> bool:
    # Admins and managers look after every channel's tasks; everyone else sees their own.
    return user().role in (Role.ADMIN, Role.MANAGER) and request.args.get("mine") != "1"


@bp.get("/")
@roles_required(*POSTING_ROLES)
def index() -> ResponseReturnValue:
    """List the open tasks: the current user's, or everyone's for admins and managers."""
    return _page()


def _page(entered: dict[int, dict[str, str]] | None = None, problems: dict[int, str] | None = None,
          status: int = 200) -> ResponseReturnValue:
    db = get_session()
    tasks = open_tasks(db, now=services().clock(), overdue_after=_overdue_after(),
                       owner_id=None if _sees_all() else user().id, base_url=services().settings.base_url)
    media: dict[int, list[Media]] = {}
    if tasks:
        for item in db.scalars(select(Media).where(Media.post_id.in_({t.post_id for t in tasks}))
                               .order_by(Media.position, Media.id)):
            media.setdefault(item.post_id or 0, []).append(item)
    return render_template("tasks/index.html", tasks=tasks, media=media, sees_all=_sees_all(),
                           entered=entered or {}, problems=problems or {}, tz_name=user_tz()), status


@bp.post("/<int:delivery_id>/done")
@roles_required(*POSTING_ROLES)
def done(delivery_id: int) -> ResponseReturnValue:
    """The owner posted it: store the post's URL; the delivery is published."""
    url = request.form.get("url", "").strip()
    db = get_session()
    try:
        moved = complete_task(db, delivery_id, url=url, user_id=user().id, now=services().clock())
    except TaskError as exc:
        db.rollback()
        return _page({delivery_id: {"url": url}}, {delivery_id: message_for(exc)}, 422)
    if not moved:
        db.rollback()
        flash(_("This task is no longer open."), "error")
        return redirect(url_for("tasks.index"), 303)
    db.commit()
    flash(_("Thank you! The post is recorded as published."), "success")
    return redirect(url_for("tasks.index"), 303)


@bp.post("/<int:delivery_id>/postpone")
@roles_required(*POSTING_ROLES)
def postpone(delivery_id: int) -> ResponseReturnValue:
    """Hand the task back to the schedule for a later local date and time."""
    entered = {"date": request.form.get("date", ""), "time": request.form.get("time", "")}
    db = get_session()
    try:
        local = datetime.combine(date.fromisoformat(entered["date"]), time.fromisoformat(entered["time"]))
        until = from_local(local, user_tz())
        moved = postpone_task(db, delivery_id, until=until, user_id=user().id, now=services().clock())
    except ValueError as exc:
        db.rollback()
        message = message_for(exc) if isinstance(exc, TaskError) else (
            _("That time does not exist here: the clocks are put forward that night.")
            if isinstance(exc, NonexistentLocalTimeError) else _("Enter a date and a time."))
        return _page({delivery_id: entered}, {delivery_id: message}, 422)
    if not moved:
        db.rollback()
        flash(_("This task is no longer open."), "error")
    else:
        db.commit()
        flash(_("Postponed: the task comes back at the new time."), "success")
    return redirect(url_for("tasks.index"), 303)


def _open_task_count() -> dict[str, Any]:
    if not getattr(current_user, "is_authenticated", False) or not current_user.can_post:
        return {}
    query = (select(func.count()).select_from(Delivery).join(Channel, Channel.id == Delivery.channel_id)
             .where(Delivery.state == DeliveryState.AWAITING_OWNER))
    if current_user.role not in (Role.ADMIN, Role.MANAGER):
        query = query.where(or_(Channel.owner_id == current_user.id, Channel.owner_id.is_(None)))
    return {"open_task_count": get_session().scalar(query) or 0}


def init_app(app: Flask) -> None:
    """Show the number of open tasks in the navigation."""
    app.context_processor(_open_task_count)
