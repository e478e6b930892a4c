"""Calendar data: deliveries in a time range, and moving a delivery to another time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.calendar import (
    MOVABLE,
    DeliveryNotFoundError,
    MoveToPastError,
    NotMovableError,
    TimeTakenError,
    calendar_entries,
    move_delivery,
)
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, AuditEvent, Delivery
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_post, make_user

S = DeliveryState
NOW = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
START, END = datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)


def test_entries_are_the_deliveries_due_in_the_range_by_time(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, network=Network.LINKEDIN, name="ACME Karriere")
        post = make_post(session, text="Wir suchen  eine\nBuchhalterin (m/w/d) " + "x" * 300,
                         approval=ApprovalState.PENDING)
        late = make_delivery(session, post=post, channel=channel, due_at=END - timedelta(seconds=1)).id
        first = make_delivery(session, post=post, channel=channel, due_at=START, state=S.AWAITING_APPROVAL).id
        make_delivery(session, post=post, channel=channel, due_at=END)  # the end is exclusive
        make_delivery(session, post=post, channel=channel, due_at=START - timedelta(seconds=1))
    with sessions() as session:
        entries = calendar_entries(session, START, END)
    assert [e.delivery_id for e in entries] == [first, late]
    entry = entries[0]
    assert (entry.channel_id, entry.channel_name, entry.network, entry.state, entry.approval, entry.due_at) == (
        channel.id, "ACME Karriere", Network.LINKEDIN, S.AWAITING_APPROVAL, ApprovalState.PENDING, START)
    assert entry.post_id == post.id and entry.snippet.startswith("Wir suchen") and len(entry.snippet) == 120


def test_entries_can_be_limited_to_channels_and_leave_out_cancelled_ones(sessions: sessionmaker[Session]) -> None:
    at = START + timedelta(hours=8)
    with sessions.begin() as session:
        one, two = make_channel(session), make_channel(session)
        on_one = make_delivery(session, channel=one, due_at=at).id
        on_two = make_delivery(session, channel=two, due_at=at).id
        cancelled = make_delivery(session, channel=two, due_at=at, state=S.CANCELLED).id
        one_id, two_id = one.id, two.id
    with sessions() as session:
        assert [e.delivery_id for e in calendar_entries(session, START, END, [two_id])] == [on_two]
        assert [e.delivery_id for e in calendar_entries(session, START, END)] == [on_one, on_two]
        assert {e.delivery_id for e in calendar_entries(session, START, END, [one_id, two_id],
                                                        include_cancelled=True)} == {on_one, on_two, cancelled}
        assert calendar_entries(session, START, END, []) == []


@pytest.mark.parametrize("state", sorted(MOVABLE))
def test_a_waiting_delivery_moves_with_its_state_unchanged_and_is_audited(sessions: sessionmaker[Session],
                                                                          state: DeliveryState) -> None:
    new_at = datetime(2026, 3, 26, 14, 30, tzinfo=UTC)
    with sessions.begin() as session:
        user_id = make_user(session).id
        delivery_id = make_delivery(session, state=state, due_at=NOW + timedelta(days=1)).id
    with sessions.begin() as session:
        move_delivery(session, delivery_id, new_due_at=new_at, user_id=user_id, now=NOW)
    with sessions() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        assert (delivery.state, delivery.due_at, delivery.run_at) == (state, new_at, new_at)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.moved")).one()
        assert (event.user_id, event.subject, event.detail) == (
            user_id, f"delivery:{delivery_id}", "2026-03-24T09:00Z -> 2026-03-26T14:30Z")


@pytest.mark.parametrize("state", sorted(set(S) - MOVABLE))
def test_a_delivery_past_waiting_cannot_be_moved(sessions: sessionmaker[Session], state: DeliveryState) -> None:
    due = NOW + timedelta(hours=1)
    with sessions.begin() as session:
        delivery_id = make_delivery(session, state=state, due_at=due).id
    with sessions() as session, pytest.raises(NotMovableError) as caught:
        move_delivery(session, delivery_id, new_due_at=NOW + timedelta(days=2), user_id=None, now=NOW)
    assert caught.value.state is state
    _assert_unchanged(sessions, delivery_id, due)


def test_a_move_into_the_past_is_refused(sessions: sessionmaker[Session]) -> None:
    due = NOW + timedelta(hours=1)
    with sessions.begin() as session:
        delivery_id = make_delivery(session, due_at=due).id
    with sessions() as session, pytest.raises(MoveToPastError):
        move_delivery(session, delivery_id, new_due_at=NOW - timedelta(minutes=6), user_id=None, now=NOW)
    _assert_unchanged(sessions, delivery_id, due)
    with sessions.begin() as session:  # the form took a moment: a few minutes ago still counts as now
        move_delivery(session, delivery_id, new_due_at=NOW - timedelta(minutes=4), user_id=None, now=NOW)


def test_a_move_onto_the_same_post_and_channel_at_that_time_is_refused(sessions: sessionmaker[Session]) -> None:
    due, other = NOW + timedelta(hours=1), NOW + timedelta(hours=5)
    with sessions.begin() as session:
        post, channel = make_post(session), make_channel(session)
        delivery_id = make_delivery(session, post=post, channel=channel, due_at=due).id
        make_delivery(session, post=post, channel=channel, due_at=other)
    with sessions() as session, pytest.raises(TimeTakenError):
        move_delivery(session, delivery_id, new_due_at=other, user_id=None, now=NOW)
    _assert_unchanged(sessions, delivery_id, due)


def test_moving_an_unknown_delivery_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(DeliveryNotFoundError):
        move_delivery(session, 4711, new_due_at=NOW + timedelta(days=1), user_id=None, now=NOW)


def test_a_naive_time_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery_id = make_delivery(session, due_at=NOW + timedelta(hours=1)).id
    with sessions() as session, pytest.raises(ValueError, match="naive"):
        naive = datetime(2026, 4, 1, 9)  # noqa: DTZ001 - the point of the test
        move_delivery(session, delivery_id, new_due_at=naive, user_id=None, now=NOW)


def _assert_unchanged(sessions: sessionmaker[Session], delivery_id: int, due: datetime) -> None:
    with sessions() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None and (delivery.due_at, delivery.run_at) == (due, due)
        assert session.scalars(select(AuditEvent)).all() == []
