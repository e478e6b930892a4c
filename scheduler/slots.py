"""Posting slots per channel (e.g. Tue/Thu 09:00 local) and the next free one for "add to queue".

Slots are wall-clock times in the channel's zone, so a 09:00 slot is 09:00 local on both sides of a
DST change. A slot that falls into the spring gap (02:00-03:00 on the last Sunday of March in
Europe/Vienna) does not exist that day and is skipped: the queue moves on to the next valid slot
rather than publishing at a shifted time nobody chose. An autumn slot in the repeated hour takes
the first occurrence (scheduler.clock.from_local).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.clock import NonexistentLocalTimeError, ensure_utc, from_local, to_local
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, Delivery, PostingSlot
from scheduler.ports import ExplainedError, Params, params

#: A queued post goes out at least this far after "now": time to change one's mind, and to submit.
MIN_LEAD = timedelta(minutes=5)
#: The queue looks this far ahead; beyond it the channel is considered full.
HORIZON = timedelta(weeks=8)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SlotError(ExplainedError, ValueError):
    """Slots that cannot be stored; ``reason`` is "no_channel", "bad_weekday", "bad_time" or "duplicate"."""

    def __init__(self, reason: str, message: str, values: Params = ()) -> None:
        super().__init__(message, code=f"slot.{reason}", params=values)
        self.reason = reason


def list_slots(session: Session, channel_id: int) -> list[PostingSlot]:
    """Return the channel's slots, Monday first, then by time."""
    return list(session.scalars(select(PostingSlot).where(PostingSlot.channel_id == channel_id)
                                .order_by(PostingSlot.weekday, PostingSlot.local_time)))


def set_slots(session: Session, channel_id: int, slots: list[tuple[int, str]], *,
              user_id: int | None = None) -> list[PostingSlot]:
    """Replace the channel's slots with ``slots`` (weekday 0=Monday, "HH:MM"); raise SlotError and change nothing."""
    if session.get(Channel, channel_id) is None:
        raise SlotError("no_channel", "The channel does not exist.")
    seen: set[tuple[int, str]] = set()
    for weekday, local_time in slots:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise SlotError("bad_weekday", f"{weekday!r} is not a weekday (0 = Monday … 6 = Sunday).",
                            params(weekday=repr(weekday)))
        if not isinstance(local_time, str) or not _HHMM.match(local_time):
            raise SlotError("bad_time", f"{local_time!r} is not a time of day as HH:MM (00:00 to 23:59).",
                            params(time=repr(local_time)))
        if (weekday, local_time) in seen:
            raise SlotError("duplicate", f"The slot {local_time} on weekday {weekday} is given twice.",
                            params(time=local_time, weekday=weekday))
        seen.add((weekday, local_time))
    # Only the difference is written: slots that stay keep their rows.
    existing = {(slot.weekday, slot.local_time): slot for slot in list_slots(session, channel_id)}
    for key, slot in existing.items():
        if key not in seen:
            session.delete(slot)
    session.add_all(PostingSlot(channel_id=channel_id, weekday=w, local_time=t)
                    for w, t in sorted(seen - set(existing)))
    audit(session, user_id, "channel.slots_set", f"channel:{channel_id}",
          " ".join(f"{w}@{t}" for w, t in sorted(seen)))
    session.flush()
    return list_slots(session, channel_id)


def next_free_slot(session: Session, channel_id: int, *, after: datetime,
                   taken: Set[datetime] = frozenset()) -> datetime | None:
    """Return the earliest free slot time (aware UTC) at least MIN_LEAD after ``after``, or None."""
    return queue_times(session, [channel_id], after, taken=taken)[channel_id]


def queue_times(session: Session, channel_ids: Iterable[int], after: datetime, *,
                taken: Set[datetime] = frozenset()) -> dict[int, datetime | None]:
    """Return the next free slot of each channel (None: no slots, unknown channel or full for 8 weeks)."""
    ids = sorted(set(channel_ids))
    after = ensure_utc(after)
    blocked = {ensure_utc(t) for t in taken}
    zones = dict(session.execute(select(Channel.id, Channel.tz_name).where(Channel.id.in_(ids))).all())
    slots: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    for channel_id, weekday, local_time in session.execute(
            select(PostingSlot.channel_id, PostingSlot.weekday, PostingSlot.local_time)
            .where(PostingSlot.channel_id.in_(ids))):
        slots[channel_id].append((weekday, local_time))
    busy: dict[int, set[datetime]] = {i: set() for i in ids}
    for channel_id, due_at in session.execute(
            select(Delivery.channel_id, Delivery.due_at)
            .where(Delivery.channel_id.in_(ids), Delivery.due_at > after, Delivery.due_at <= after + HORIZON,
                   Delivery.state != DeliveryState.CANCELLED)):
        busy[channel_id].add(ensure_utc(due_at))
    return {i: (_first_free(zones[i], slots[i], after, busy[i] | blocked) if i in zones else None) for i in ids}


def _first_free(tz_name: str, slots: list[tuple[int, str]], after: datetime, blocked: Set[datetime],
                ) -> datetime | None:
    earliest, latest = after + MIN_LEAD, after + HORIZON
    first_day = to_local(earliest, tz_name).date()
    # One day more than the horizon: the zone's offset may put the last slot on the next local date.
    for offset in range(HORIZON.days + 2):
        for candidate in _slot_times(first_day + timedelta(days=offset), slots, tz_name):
            if candidate > latest:
                return None
            if candidate >= earliest and candidate not in blocked:
                return candidate
    return None


def _slot_times(day: date, slots: list[tuple[int, str]], tz_name: str) -> list[datetime]:
    found = []
    for weekday, local_time in slots:
        if weekday != day.weekday():
            continue
        hour, minute = (int(part) for part in local_time.split(":"))
        try:
            found.append(from_local(datetime.combine(day, time(hour, minute)), tz_name))
        except NonexistentLocalTimeError:
            continue  # the slot lies in the spring gap this day: skipped (see the module docstring)
    return sorted(found)
