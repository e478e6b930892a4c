"""The one clock: aware UTC inside, user time zones only at the edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Europe/Vienna"


class NaiveDatetimeError(ValueError):
    """A naive datetime reached code that only works with aware UTC."""


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` converted to UTC; refuse naive datetimes."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError("naive datetime; use scheduler.clock")
    return value.astimezone(UTC)


def zone(tz_name: str | None) -> ZoneInfo:
    """Return the IANA zone ``tz_name``, or the default zone when it is empty or unknown."""
    try:
        return ZoneInfo(tz_name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def is_valid_zone(tz_name: str) -> bool:
    """Tell whether ``tz_name`` names an IANA time zone."""
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class NonexistentLocalTimeError(ValueError):
    """The wall-clock time does not exist in that zone (skipped by a DST change)."""


def from_local(local: datetime, tz_name: str | None) -> datetime:
    """Interpret a naive wall-clock time in ``tz_name`` and return it as aware UTC.

    A time skipped by the spring DST change raises; an ambiguous autumn time takes the
    first occurrence (fold=0), which is what a person who types it usually means.
    """
    if local.tzinfo is not None:
        return ensure_utc(local)
    tz = zone(tz_name)
    aware = local.replace(tzinfo=tz, fold=0)
    # Round-tripping through UTC exposes times that do not exist on that day.
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise NonexistentLocalTimeError(f"{local:%Y-%m-%d %H:%M} does not exist in {tz.key} (DST change)")
    return aware.astimezone(UTC)


def to_local(value: datetime, tz_name: str | None) -> datetime:
    """Return the aware UTC ``value`` as an aware datetime in ``tz_name``."""
    return ensure_utc(value).astimezone(zone(tz_name))


def seconds(value: float) -> timedelta:
    """Return a timedelta of ``value`` seconds (reads better at call sites)."""
    return timedelta(seconds=value)
