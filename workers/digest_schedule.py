"""When report digests are due and which period each one reports, in the recipient's time zone.

Weekly digests go out on Mondays at 07:00 with the week before (Monday to Sunday); monthly ones on
the 1st at 07:00 with the month before. A digest that comes due late (the dispatcher was down) reports
the latest complete period, once, rather than every missed one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.clock import to_local, zone
from scheduler.models import ReportDigest, Role
from scheduler.reporting.model import Period

FREQUENCIES = ("weekly", "monthly")
#: Who may read reports, and so receive them by e-mail (ambassadors share posts; they get no reports).
REPORT_ROLES = (Role.ADMIN, Role.MANAGER, Role.RECRUITER, Role.MARKETER, Role.VIEWER)
SEND_AT = time(7, 0)


class BadFrequencyError(ValueError):
    """A digest frequency other than weekly or monthly."""


def _check(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise BadFrequencyError(f"a digest is weekly or monthly, not {frequency!r}")


def _at(day: date, moment: time, tz_name: str) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone(tz_name)).astimezone(UTC)


def _period_start_day(frequency: str, today: date) -> date:
    """Return the first day of the current week (Monday) or month."""
    if frequency == "weekly":
        return today - timedelta(days=today.weekday())
    return today.replace(day=1)


def next_due(frequency: str, after: datetime, tz_name: str) -> datetime:
    """Return the first sending time (Monday or the 1st, 07:00 local) strictly after ``after``."""
    _check(frequency)
    day = _period_start_day(frequency, to_local(after, tz_name).date())
    while True:
        candidate = _at(day, SEND_AT, tz_name)
        if candidate > after:
            return candidate
        day = day + timedelta(days=7) if frequency == "weekly" else (day + timedelta(days=32)).replace(day=1)


def last_complete_period(frequency: str, now: datetime, tz_name: str) -> Period:
    """Return the latest whole week (Monday–Sunday) or calendar month that ended at or before ``now``."""
    _check(frequency)
    end_day = _period_start_day(frequency, to_local(now, tz_name).date())
    if frequency == "weekly":
        start_day = end_day - timedelta(days=7)
    else:
        start_day = (end_day - timedelta(days=1)).replace(day=1)
    return Period(_at(start_day, time(0), tz_name), _at(end_day, time(0), tz_name))


def subscribe(session: Session, user_id: int, frequency: str | None, tz_name: str, now: datetime) -> bool:
    """Switch a person's digest to ``frequency`` (None: off); return whether anything changed."""
    digest = session.scalar(select(ReportDigest).where(ReportDigest.user_id == user_id))
    if frequency is None:
        if digest is None or not digest.active:
            return False
        digest.active = False
        return True
    _check(frequency)
    if digest is not None and digest.active and digest.frequency == frequency:
        return False
    if digest is None:
        digest = ReportDigest(user_id=user_id, frequency=frequency, next_due_at=now)
        session.add(digest)
    digest.frequency, digest.active = frequency, True
    digest.next_due_at = next_due(frequency, now, tz_name)
    return True
