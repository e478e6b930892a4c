"""Posting slots: storing them, and the next free slot in local wall-clock time across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import from_local
from scheduler.lifecycle import DeliveryState
from scheduler.models import AuditEvent, Channel, PostingSlot
from scheduler.slots import SlotError, list_slots, next_free_slot, queue_times, set_slots
from tests.factories import make_channel, make_delivery

S = DeliveryState
MON, TUE, THU, SUN = 0, 1, 3, 6


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _channel(sessions: sessionmaker[Session], slots: list[tuple[int, str]], tz_name: str = "Europe/Vienna") -> int:
    with sessions.begin() as session:
        channel_id = make_channel(session, tz_name=tz_name).id
        if slots:
            set_slots(session, channel_id, slots)
        return channel_id


def _next(sessions: sessionmaker[Session], channel_id: int, after: datetime,
          taken: frozenset[datetime] = frozenset()) -> datetime | None:
    with sessions() as session:
        return next_free_slot(session, channel_id, after=after, taken=taken)


def test_set_slots_replaces_the_slots_and_lists_them_monday_first(sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(THU, "09:00"), (TUE, "16:30"), (TUE, "09:00")])
    with sessions.begin() as session:
        assert [(s.weekday, s.local_time) for s in list_slots(session, channel_id)] == [
            (TUE, "09:00"), (TUE, "16:30"), (THU, "09:00")]
        set_slots(session, channel_id, [(MON, "08:15")], user_id=None)
    with sessions() as session:
        assert [(s.weekday, s.local_time) for s in list_slots(session, channel_id)] == [(MON, "08:15")]
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "channel.slots_set")) == 2


@pytest.mark.parametrize(("slots", "reason"), [
    ([(TUE, "9:00")], "bad_time"),
    ([(TUE, "24:00")], "bad_time"),
    ([(TUE, "09:60")], "bad_time"),
    ([(TUE, "nine")], "bad_time"),
    ([(7, "09:00")], "bad_weekday"),
    ([(-1, "09:00")], "bad_weekday"),
    ([(TUE, "09:00"), (THU, "10:00"), (TUE, "09:00")], "duplicate"),
])
def test_bad_slots_are_refused_and_the_old_ones_stay(sessions: sessionmaker[Session], slots: list[tuple[int, str]],
                                                     reason: str) -> None:
    channel_id = _channel(sessions, [(MON, "10:00")])
    with sessions() as session, pytest.raises(SlotError) as caught:
        set_slots(session, channel_id, slots)
    assert caught.value.reason == reason and caught.value.message
    with sessions() as session:
        assert [(s.weekday, s.local_time) for s in session.scalars(select(PostingSlot))] == [(MON, "10:00")]


def test_slots_of_an_unknown_channel_are_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(SlotError) as caught:
        set_slots(session, 999, [(MON, "10:00")])
    assert caught.value.reason == "no_channel"


def test_the_next_slot_is_the_earliest_weekday_and_time_in_the_channel_zone(sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(THU, "09:00"), (TUE, "09:00"), (TUE, "17:00")])
    # Monday 2026-03-23 13:00 in Vienna (CET, UTC+1).
    assert _next(sessions, channel_id, _utc(2026, 3, 23, 12)) == _utc(2026, 3, 24, 8)
    # Tuesday after the morning slot: the afternoon one.
    assert _next(sessions, channel_id, _utc(2026, 3, 24, 9)) == _utc(2026, 3, 24, 16)
    # Friday: next week's Tuesday.
    assert _next(sessions, channel_id, _utc(2026, 3, 27, 12)) == _utc(2026, 3, 31, 7)


def test_a_slot_is_at_least_five_minutes_ahead(sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(TUE, "09:00"), (THU, "09:00")])
    slot = _utc(2026, 3, 24, 8)
    assert _next(sessions, channel_id, slot - timedelta(minutes=5)) == slot
    assert _next(sessions, channel_id, slot - timedelta(minutes=4)) == _utc(2026, 3, 26, 8)
    assert _next(sessions, channel_id, slot) == _utc(2026, 3, 26, 8)


def test_a_morning_slot_stays_at_nine_local_across_the_spring_change(sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(MON, "09:00")])
    # Clocks go forward on Sunday 2026-03-29: 09:00 is 08:00 UTC before and 07:00 UTC after.
    assert _next(sessions, channel_id, _utc(2026, 3, 20, 12)) == _utc(2026, 3, 23, 8)
    assert _next(sessions, channel_id, _utc(2026, 3, 27, 12)) == _utc(2026, 3, 30, 7)


def test_a_slot_in_the_spring_gap_is_skipped_that_day(sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(SUN, "02:30"), (SUN, "10:00")])
    # 2026-03-29 02:30 does not exist in Vienna; the same day's 10:00 (CEST) comes next.
    assert _next(sessions, channel_id, _utc(2026, 3, 27, 12)) == _utc(2026, 3, 29, 8)
    only_gap = _channel(sessions, [(SUN, "02:30")])
    # A week later 02:30 exists again (CEST, UTC+2).
    assert _next(sessions, only_gap, _utc(2026, 3, 27, 12)) == _utc(2026, 4, 5, 0, 30)


def test_the_autumn_change_keeps_local_times_and_takes_the_first_repeated_hour(
        sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(MON, "09:00")])
    # Clocks go back on Sunday 2026-10-25: 09:00 is 07:00 UTC before and 08:00 UTC after.
    assert _next(sessions, channel_id, _utc(2026, 10, 16, 12)) == _utc(2026, 10, 19, 7)
    assert _next(sessions, channel_id, _utc(2026, 10, 23, 12)) == _utc(2026, 10, 26, 8)
    repeated = _channel(sessions, [(SUN, "02:30")])
    assert _next(sessions, repeated, _utc(2026, 10, 23, 12)) == _utc(2026, 10, 25, 0, 30)  # 02:30 CEST


def test_slots_with_a_delivery_or_taken_are_skipped(sessions: sessionmaker[Session]) -> None:
    channel_id = _channel(sessions, [(TUE, "09:00"), (THU, "09:00")])
    tuesday, thursday, next_tuesday = _utc(2026, 3, 24, 8), _utc(2026, 3, 26, 8), _utc(2026, 3, 31, 7)
    after = _utc(2026, 3, 23, 12)
    with sessions.begin() as session:
        channel = session.get(Channel, channel_id)
        other = make_channel(session)
        make_delivery(session, channel=other, due_at=tuesday)  # another channel's post does not block
        make_delivery(session, channel=channel, due_at=thursday, state=S.CANCELLED)  # cancelled frees the slot
    assert _next(sessions, channel_id, after) == tuesday
    with sessions.begin() as session:
        make_delivery(session, channel=session.get(Channel, channel_id), due_at=tuesday, state=S.DRAFT)
    assert _next(sessions, channel_id, after) == thursday
    assert _next(sessions, channel_id, after, frozenset({thursday})) == next_tuesday


def test_no_slots_or_a_full_queue_gives_none(sessions: sessionmaker[Session]) -> None:
    bare = _channel(sessions, [])
    after = _utc(2026, 3, 23, 12)
    assert _next(sessions, bare, after) is None
    weekly = _channel(sessions, [(TUE, "09:00")])
    # Eight weeks of Tuesdays, all taken: nothing within the horizon.
    first = datetime(2026, 3, 24, 9)  # noqa: DTZ001 - wall-clock time in Vienna
    tuesdays = [from_local(first + timedelta(weeks=n), "Europe/Vienna") for n in range(8)]
    assert _next(sessions, weekly, after, frozenset(tuesdays)) is None
    assert _next(sessions, weekly, after, frozenset(tuesdays[:7])) == tuesdays[7]


def test_queue_times_answers_for_several_channels_in_their_own_zones(sessions: sessionmaker[Session]) -> None:
    vienna = _channel(sessions, [(TUE, "09:00")])
    new_york = _channel(sessions, [(TUE, "09:00")], tz_name="America/New_York")
    bare = _channel(sessions, [])
    with sessions() as session:
        found = queue_times(session, [vienna, new_york, bare, 4242], _utc(2026, 3, 23, 12))
    # New York is already on summer time (EDT, UTC-4) on 2026-03-24.
    assert found == {vienna: _utc(2026, 3, 24, 8), new_york: _utc(2026, 3, 24, 13), bare: None, 4242: None}
