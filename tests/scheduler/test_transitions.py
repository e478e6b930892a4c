"""Every state write is a compare-and-set through the lifecycle table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState, InvalidTransitionError
from scheduler.models import Delivery
from scheduler.transitions import move, move_many
from tests.factories import make_channel, make_delivery, make_post

S = DeliveryState
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _row(sessions: sessionmaker[Session], delivery_id: int) -> tuple[Any, ...]:
    with sessions() as session:
        return tuple(session.execute(
            select(Delivery.state, Delivery.claim_count, Delivery.run_at, Delivery.updated_at,
                   Delivery.last_error_kind).where(Delivery.id == delivery_id)
        ).one())


def _delivery(sessions: sessionmaker[Session], state: DeliveryState, **values: Any) -> int:
    with sessions.begin() as session:
        return make_delivery(session, state=state, updated_at=LONG_AGO, **values).id


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the test runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_move_from_the_expected_state_changes_state_and_values(sessions: sessionmaker[Session]) -> None:
    delivery_id = _delivery(sessions, S.SCHEDULED)
    with sessions.begin() as session:
        assert move(session, delivery_id, S.SCHEDULED, S.QUEUED, last_error_kind="probe") is True
    state, _fence, _run_at, updated_at, kind = _row(sessions, delivery_id)
    assert (state, kind) == (S.QUEUED, "probe")
    assert updated_at > LONG_AGO


def test_move_from_a_wrong_state_returns_false_and_changes_nothing(sessions: sessionmaker[Session]) -> None:
    delivery_id = _delivery(sessions, S.PUBLISHING)
    before = _row(sessions, delivery_id)
    with sessions.begin() as session:
        assert move(session, delivery_id, S.QUEUED, S.CANCELLED, last_error_kind="probe") is False
    assert _row(sessions, delivery_id) == before


def test_move_accepts_any_of_several_expected_states(sessions: sessionmaker[Session]) -> None:
    failed, unknown, published = (_delivery(sessions, state) for state in (S.FAILED, S.UNKNOWN, S.PUBLISHED))
    with sessions.begin() as session:
        assert move(session, failed, (S.FAILED, S.UNKNOWN), S.SCHEDULED)
        assert move(session, unknown, [S.FAILED, S.UNKNOWN], S.SCHEDULED)
    with sessions.begin() as session:
        assert not move(session, published, {S.QUEUED, S.SCHEDULED}, S.CANCELLED)
    assert _row(sessions, failed)[0] == _row(sessions, unknown)[0] == S.SCHEDULED
    assert _row(sessions, published)[0] == S.PUBLISHED


def test_move_with_the_current_fence_succeeds(sessions: sessionmaker[Session]) -> None:
    delivery_id = _delivery(sessions, S.PUBLISHING, claim_count=3)
    with sessions.begin() as session:
        assert move(session, delivery_id, S.PUBLISHING, S.PUBLISHED, fence=3)
    assert _row(sessions, delivery_id)[0] == S.PUBLISHED


@pytest.mark.parametrize("stale", [0, 2, 4])
def test_move_with_a_stale_fence_returns_false_and_changes_nothing(sessions: sessionmaker[Session],
                                                                   stale: int) -> None:
    delivery_id = _delivery(sessions, S.PUBLISHING, claim_count=3)
    before = _row(sessions, delivery_id)
    with sessions.begin() as session:
        assert move(session, delivery_id, S.PUBLISHING, S.PUBLISHED, fence=stale, last_error_kind="x") is False
    assert _row(sessions, delivery_id) == before


def test_only_one_of_two_competing_moves_wins(sessions: sessionmaker[Session]) -> None:
    delivery_id = _delivery(sessions, S.QUEUED)
    with sessions.begin() as session:
        first = move(session, delivery_id, S.QUEUED, S.PUBLISHING)
    with sessions.begin() as session:
        second = move(session, delivery_id, S.QUEUED, S.CANCELLED)
    assert (first, second) == (True, False)
    assert _row(sessions, delivery_id)[0] == S.PUBLISHING


def test_move_of_a_missing_delivery_returns_false(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert move(session, 999_999, S.SCHEDULED, S.QUEUED) is False


@pytest.mark.parametrize(
    ("expected", "new"),
    [
        (S.PUBLISHED, S.SCHEDULED),
        (S.CANCELLED, S.SCHEDULED),
        (S.UNKNOWN, S.QUEUED),
        (S.SCHEDULED, S.PUBLISHING),
        ((S.QUEUED, S.PUBLISHING), S.CANCELLED),  # one disallowed old state spoils the whole move
    ],
    ids=str,
)
def test_an_invalid_transition_raises_before_touching_the_database(
    sessions: sessionmaker[Session], statements: list[str], expected: Any, new: DeliveryState
) -> None:
    delivery_id = _delivery(sessions, S.PUBLISHED)
    before = _row(sessions, delivery_id)
    statements.clear()
    with sessions.begin() as session, pytest.raises(InvalidTransitionError):
        move(session, delivery_id, expected, new)
    assert not [sql for sql in statements if sql.lstrip().upper().startswith(("UPDATE", "SELECT", "INSERT"))]
    assert _row(sessions, delivery_id) == before


def test_move_many_returns_only_the_ids_that_moved(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        post, channel = make_post(session), make_channel(session)
        waiting = [make_delivery(session, post=post, channel=channel, state=S.NEEDS_RECONNECT,
                                 due_at=LONG_AGO.replace(minute=i)).id for i in range(3)]
        other = make_delivery(session, post=post, channel=channel, state=S.FAILED,
                              due_at=LONG_AGO.replace(minute=30)).id
    with sessions.begin() as session:
        moved = move_many(session, [*waiting, other, 999_999], S.NEEDS_RECONNECT, S.SCHEDULED,
                          last_error_kind=None)
    assert sorted(moved) == sorted(waiting)
    assert {_row(sessions, d_id)[0] for d_id in waiting} == {S.SCHEDULED}
    assert _row(sessions, other)[0] == S.FAILED
    with sessions.begin() as session:
        assert move_many(session, waiting, S.NEEDS_RECONNECT, S.SCHEDULED) == []


def test_move_many_with_no_ids_sends_no_sql(sessions: sessionmaker[Session], statements: list[str]) -> None:
    with sessions.begin() as session:
        statements.clear()
        assert move_many(session, [], S.NEEDS_RECONNECT, S.SCHEDULED) == []
    assert not [sql for sql in statements if "delivery" in sql.lower()]


def test_move_many_refuses_an_invalid_transition_before_touching_the_database(
    sessions: sessionmaker[Session], statements: list[str]
) -> None:
    delivery_id = _delivery(sessions, S.UNKNOWN)
    statements.clear()
    with sessions.begin() as session, pytest.raises(InvalidTransitionError):
        move_many(session, [delivery_id], S.UNKNOWN, S.QUEUED)
    assert not [sql for sql in statements if "delivery" in sql.lower()]
    assert _row(sessions, delivery_id)[0] == S.UNKNOWN
