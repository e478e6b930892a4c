"""The one clock: aware UTC inside, IANA zones at the edges, DST handled, naive datetimes refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import (
    DEFAULT_TZ,
    NaiveDatetimeError,
    NonexistentLocalTimeError,
    ensure_utc,
    from_local,
    is_valid_zone,
    seconds,
    to_local,
    utcnow,
    zone,
)
from scheduler.coltypes import UTCDateTime
from scheduler.models import Delivery
from tests.factories import make_delivery

VIENNA = "Europe/Vienna"
PURE = settings(max_examples=200, database=None, deadline=None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


def wall(*args: int) -> datetime:
    """A naive wall-clock time, as a person types it before any zone is applied."""
    return datetime(*args)  # type: ignore[arg-type]  # noqa: DTZ001


# --- now and ensure_utc --------------------------------------------------------------------------


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_ensure_utc_refuses_naive_datetimes() -> None:
    with pytest.raises(NaiveDatetimeError):
        ensure_utc(wall(2026, 5, 4, 9, 0))


def test_ensure_utc_refuses_a_tzinfo_without_offset() -> None:
    class NoOffset(tzinfo):
        def utcoffset(self, _dt: datetime | None) -> None:
            return None

        def dst(self, _dt: datetime | None) -> None:
            return None

        def tzname(self, _dt: datetime | None) -> None:
            return None

    with pytest.raises(NaiveDatetimeError):
        ensure_utc(datetime(2026, 5, 4, 9, 0, tzinfo=NoOffset()))


def test_ensure_utc_converts_other_zones_to_utc() -> None:
    local = datetime(2026, 5, 4, 11, 0, tzinfo=ZoneInfo(VIENNA))
    assert ensure_utc(local) == utc(2026, 5, 4, 9, 0)
    assert ensure_utc(local).tzinfo is UTC


# --- from_local across DST in Vienna -------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (wall(2026, 3, 28, 9, 0), utc(2026, 3, 28, 8, 0)),  # CET, the day before the spring change
        (wall(2026, 3, 30, 9, 0), utc(2026, 3, 30, 7, 0)),  # CEST, the day after
        (wall(2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59)),  # last minute before the gap
        (wall(2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0)),  # first minute after the gap
        (wall(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30)),  # ambiguous: first occurrence (CEST)
        (wall(2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0)),  # after the autumn change (CET)
        (wall(2026, 7, 1, 0, 0), utc(2026, 6, 30, 22, 0)),  # summer midnight is the previous UTC day
    ],
    ids=str,
)
def test_from_local_in_vienna(local: datetime, expected: datetime) -> None:
    result = from_local(local, VIENNA)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize("minute", [0, 30, 59])
def test_from_local_refuses_a_time_skipped_by_the_spring_change(minute: int) -> None:
    with pytest.raises(NonexistentLocalTimeError, match="does not exist in Europe/Vienna"):
        from_local(wall(2026, 3, 29, 2, minute), VIENNA)


def test_from_local_keeps_an_aware_value_and_converts_it_to_utc() -> None:
    aware = datetime(2026, 3, 29, 4, 0, tzinfo=ZoneInfo("America/New_York"))
    assert from_local(aware, VIENNA) == utc(2026, 3, 29, 8, 0)


@pytest.mark.parametrize("tz_name", [None, "", "Mars/Olympus_Mons", "../../etc/passwd"])
def test_from_local_with_an_unknown_or_empty_zone_uses_the_default(tz_name: str | None) -> None:
    assert from_local(wall(2026, 3, 28, 9, 0), tz_name) == utc(2026, 3, 28, 8, 0)


def test_from_local_in_another_zone() -> None:
    assert from_local(wall(2026, 3, 28, 9, 0), "Asia/Tokyo") == utc(2026, 3, 28, 0, 0)


@PURE
@given(local=st.datetimes(min_value=wall(2000, 1, 1), max_value=wall(2100, 1, 1)),
       tz_name=st.sampled_from([VIENNA, "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]))
def test_from_local_round_trips_through_to_local_or_refuses(local: datetime, tz_name: str) -> None:
    try:
        instant = from_local(local, tz_name)
    except NonexistentLocalTimeError:
        # Only times inside a spring gap are refused: they do not survive a round trip.
        gap = local.replace(tzinfo=ZoneInfo(tz_name))
        assert gap.astimezone(UTC).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None) != local
        return
    assert instant.tzinfo is UTC
    back = to_local(instant, tz_name)
    assert back.replace(tzinfo=None) == local
    assert back.fold == 0


# --- to_local and zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "wall", "offset_h"),
    [
        (utc(2026, 3, 28, 8, 0), wall(2026, 3, 28, 9, 0), 1),
        (utc(2026, 3, 30, 7, 0), wall(2026, 3, 30, 9, 0), 2),
        (utc(2026, 10, 25, 0, 30), wall(2026, 10, 25, 2, 30), 2),
        (utc(2026, 10, 25, 1, 30), wall(2026, 10, 25, 2, 30), 1),  # the second 02:30
    ],
    ids=str,
)
def test_to_local_shows_vienna_wall_clock_time(instant: datetime, wall: datetime, offset_h: int) -> None:
    local = to_local(instant, VIENNA)
    assert local.replace(tzinfo=None) == wall
    assert local.utcoffset() == timedelta(hours=offset_h)
    assert local.astimezone(UTC) == instant


def test_to_local_refuses_naive_datetimes() -> None:
    with pytest.raises(NaiveDatetimeError):
        to_local(wall(2026, 5, 4, 9, 0), VIENNA)


def test_to_local_with_an_unknown_zone_uses_the_default() -> None:
    assert to_local(utc(2026, 1, 1, 12, 0), "No/Such_Zone").utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("tz_name", [None, "", "No/Such_Zone", "..", "/etc/localtime"])
def test_zone_falls_back_to_the_default(tz_name: str | None) -> None:
    assert zone(tz_name).key == DEFAULT_TZ == VIENNA


def test_zone_returns_a_known_zone() -> None:
    assert zone("America/Chicago").key == "America/Chicago"


@pytest.mark.parametrize(("tz_name", "valid"), [(VIENNA, True), ("UTC", True), ("No/Such_Zone", False),
                                                 ("", False), ("../x", False)])
def test_is_valid_zone(tz_name: str, valid: bool) -> None:
    assert is_valid_zone(tz_name) is valid


def test_seconds_builds_a_timedelta() -> None:
    assert seconds(1.5) == timedelta(milliseconds=1500)


# --- UTCDateTime ---------------------------------------------------------------------------------


@PURE
@given(value=st.datetimes(min_value=wall(1971, 1, 1), max_value=wall(2200, 1, 1),
                          timezones=st.sampled_from([UTC, ZoneInfo(VIENNA), ZoneInfo("Asia/Kolkata"),
                                                     timezone(timedelta(hours=-7, minutes=-30))])),
       dialect=st.sampled_from([sqlite.dialect(), postgresql.dialect()]))
def test_utc_datetime_binds_naive_utc_and_reads_aware_utc(value: datetime, dialect: object) -> None:
    column = UTCDateTime()
    stored = column.process_bind_param(value, dialect)  # type: ignore[arg-type]
    assert stored is not None and stored.tzinfo is None
    loaded = column.process_result_value(stored, dialect)  # type: ignore[arg-type]
    assert loaded is not None and loaded.tzinfo is UTC
    assert loaded == value.astimezone(UTC)  # not `== value`: fold/gap instants never equal across zones


def test_utc_datetime_converts_an_aware_value_read_from_the_driver() -> None:
    column = UTCDateTime()
    vienna = datetime(2026, 5, 4, 11, 0, tzinfo=ZoneInfo(VIENNA))
    loaded = column.process_result_value(vienna, postgresql.dialect())
    assert loaded == vienna and loaded is not None and loaded.tzinfo is UTC


def test_utc_datetime_passes_none_through() -> None:
    column = UTCDateTime()
    assert column.process_bind_param(None, sqlite.dialect()) is None
    assert column.process_result_value(None, sqlite.dialect()) is None


ROUND_TRIP_VALUES = [
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo(VIENNA)),
    datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo(VIENNA)),
    datetime(2026, 5, 4, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    datetime(2099, 12, 31, 23, 59, tzinfo=UTC),
]


def test_utc_datetime_round_trips_through_the_database(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ids = [make_delivery(session, due_at=value, run_at=value).id for value in ROUND_TRIP_VALUES]
    with sessions() as session:
        for delivery_id, value in zip(ids, ROUND_TRIP_VALUES, strict=True):
            due_at, run_at = session.execute(
                select(Delivery.due_at, Delivery.run_at).where(Delivery.id == delivery_id)
            ).one()
            # Compare as UTC: Python never calls an instant inside a DST fold equal across zones (PEP 495).
            assert due_at == value.astimezone(UTC) and due_at.tzinfo is UTC, value
            assert run_at == value.astimezone(UTC) and run_at.tzinfo is UTC, value
            # Comparisons in queries bind the same way.
            assert session.scalar(select(Delivery.id).where(Delivery.due_at == value)) == delivery_id


def test_utc_datetime_refuses_naive_values_on_write(sessions: sessionmaker[Session]) -> None:
    naive = wall(2026, 5, 4, 9, 0)
    with pytest.raises(StatementError) as caught, sessions.begin() as session:
        make_delivery(session, due_at=naive)
    assert isinstance(caught.value.orig, NaiveDatetimeError)
    with sessions() as session:
        assert session.scalar(select(Delivery.id)) is None


def test_utc_datetime_refuses_naive_values_in_queries(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError) as caught, sessions() as session:
        session.scalar(select(Delivery.id).where(Delivery.run_at <= wall(2026, 5, 4)))
    assert isinstance(caught.value.orig, NaiveDatetimeError)
