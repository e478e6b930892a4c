"""The calendar: deliveries by local day (week and month views, Monday first) and moving one to another time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from scheduler.calendar import (
    CalendarEntry,
    MoveToPastError,
    NotMovableError,
    TimeTakenError,
    calendar_entries,
    move_delivery,
)
from scheduler.clock import to_local, zone
from scheduler.models import ApprovalState, Delivery
from scheduler.queries import list_channels
from web.auth import POSTING_ROLES, roles_required, user
from web.calendar_forms import WEEKDAYS, MoveForm
from web.db import get_session
from web.filters import local_time, state_label, user_tz
from web.forms import DueTimeError
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.services import services

bp = Blueprint("calendar", __name__)

#: Channel colours (CSS classes cal-c0 … cal-c7): the same channel always gets the same one.
PALETTE_SIZE = 8
#: Hours the week view always shows; hours outside with deliveries are added.
WORKING_HOURS = range(7, 21)
MONTHS = (_l("January"), _l("February"), _l("March"), _l("April"), _l("May"), _l("June"), _l("July"),
          _l("August"), _l("September"), _l("October"), _l("November"), _l("December"))
APPROVAL_LABELS: dict[ApprovalState, str] = {
    ApprovalState.NOT_REQUIRED: _l("No approval needed"),
    ApprovalState.DRAFT: _l("Not submitted for approval"),
    ApprovalState.PENDING: _l("Approval pending"),
    ApprovalState.APPROVED: _l("Approved"),
    ApprovalState.CHANGES_REQUESTED: _l("Changes requested"),
}


@dataclass(frozen=True, slots=True)
class Period:
    """The days one calendar page shows and where its navigation leads."""

    view: str  # "week" or "month"
    anchor: date
    days: list[date]
    previous: date
    next: date
    title: str


def channel_colour(channel_id: int) -> str:
    """Return the CSS class of a channel's colour (stable per channel id)."""
    return f"cal-c{channel_id % PALETTE_SIZE}"


def period(view: str, anchor: date) -> Period:
    """Return the Monday-first week or the month grid (whole weeks) around ``anchor``."""
    if view == "month":
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        start = first - timedelta(days=first.weekday())
        last = following - timedelta(days=1)
        end = last + timedelta(days=6 - last.weekday())
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period("month", anchor, days, previous, following, f"{MONTHS[first.month - 1]} {first.year}")
    start = anchor - timedelta(days=anchor.weekday())
    days = [start + timedelta(days=n) for n in range(7)]
    title = _("Week %(number)d: %(first)s – %(last)s", number=start.isocalendar().week,
              first=f"{start:%d.%m.%Y}", last=f"{days[-1]:%d.%m.%Y}")
    return Period("week", anchor, days, anchor - timedelta(days=7), anchor + timedelta(days=7), title)


def _midnight(day: date, tz_name: str) -> datetime:
    # zoneinfo resolves a midnight skipped by DST (some zones) to an instant as well; good enough for a range edge.
    return datetime.combine(day, time(0), tzinfo=zone(tz_name)).astimezone(UTC)


def _today(tz_name: str) -> date:
    return to_local(services().clock(), tz_name).date()


def _anchor(value: str | None, tz_name: str) -> date:
    try:
        return date.fromisoformat(value) if value else _today(tz_name)
    except ValueError:
        return _today(tz_name)


def _channel_filter(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.get("/calendar")
def index() -> str:
    """Show the week (or month) of ``date`` with every delivery on its local day."""
    tz_name = user_tz()
    return _page(request.args.get("view", "week"), _anchor(request.args.get("date"), tz_name),
                 _channel_filter(request.args.get("channel")))


def _page(view: str, anchor: date, channel_id: int | None, move_error: dict[str, str] | None = None) -> str:
    tz_name = user_tz()
    shown = period(view, anchor)
    db = get_session()
    entries = calendar_entries(db, _midnight(shown.days[0], tz_name), _midnight(shown.days[-1] + timedelta(days=1),
                                                                                tz_name),
                               None if channel_id is None else [channel_id])
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    by_slot: dict[tuple[date, int], list[CalendarEntry]] = defaultdict(list)
    for entry in entries:
        local = to_local(entry.due_at, tz_name)
        by_day[local.date()].append(entry)
        by_slot[(local.date(), local.hour)].append(entry)
    hours = sorted(set(WORKING_HOURS) | {hour for _day, hour in by_slot})
    return render_template("calendar/index.html", shown=shown, entries=entries, by_day=by_day, by_slot=by_slot,
                           hours=hours, today=_today(tz_name), weekdays=WEEKDAYS, channels=list_channels(db),
                           channel_id=channel_id, colour=channel_colour, approval_labels=APPROVAL_LABELS,
                           tz_name=tz_name, move_error=move_error or {}, local=lambda v: to_local(v, tz_name))


@bp.post("/calendar/move/<int:delivery_id>")
@roles_required(*POSTING_ROLES)
def move(delivery_id: int) -> ResponseReturnValue:
    """Give a delivery a new local date and time; wrong input shows the calendar again with the message (422)."""
    db = get_session()
    delivery = db.get(Delivery, delivery_id)
    if delivery is None:
        abort(404)
    tz_name = user_tz()
    view = "month" if request.form.get("view") == "month" else "week"
    channel_id = _channel_filter(request.form.get("channel"))
    current_day = to_local(delivery.due_at, tz_name).date()
    form = MoveForm()
    message = None
    due_at = None
    try:
        if not form.validate_on_submit():
            raise DueTimeError(" ".join(str(m) for m in [*form.date.errors, *form.time.errors]) or
                               _("Enter the date and the time in full."))
        due_at = form.due_at_utc(tz_name)
        move_delivery(db, delivery_id, new_due_at=due_at, user_id=user().id, now=services().clock())
    except DueTimeError as exc:
        message = str(exc)
    except MoveToPastError:
        message = _("The time lies in the past; pick a later time.")
    except NotMovableError as exc:
        message = _("This delivery can no longer be moved: it is “%(state)s”.", state=state_label(exc.state))
    except TimeTakenError:
        message = _("This post is already planned on this channel at that time.")
    if message is not None or due_at is None:
        db.rollback()
        entered = {"id": str(delivery_id), "message": message or "", "date": request.form.get("date", ""),
                   "time": request.form.get("time", "")}
        return _page(view, current_day, channel_id, entered), 422
    db.commit()
    flash(_("Moved to %(time)s.", time=local_time(due_at, tz_name)), "success")
    return redirect(url_for("calendar.index", view=view, date=to_local(due_at, tz_name).date().isoformat(),
                            channel=channel_id), 303)
