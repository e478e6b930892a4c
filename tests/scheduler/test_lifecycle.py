"""The delivery state machine: the transition table, the error reactions and the retry backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.db import make_engine, make_session_factory
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    PublishError,
    RateLimitedError,
    ReconciliationUnsupportedError,
    RejectedError,
    TransientError,
)
from scheduler.lifecycle import (
    ALLOWED,
    CANCELLABLE,
    DISPATCHABLE,
    TERMINAL,
    DeliveryState,
    InvalidTransitionError,
    assert_transition,
    backoff,
    can_transition,
    run_at_after_error,
    state_after_error,
)
from scheduler.models import Base, Delivery
from scheduler.transitions import move
from tests.factories import make_channel, make_delivery, make_post

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
states = st.sampled_from(DeliveryState)
PURE = settings(max_examples=300, database=None, deadline=None)

#: States in which the network may already have been called, or which are final: never cancellable.
AT_OR_AFTER_PUBLISHING = frozenset({S.PUBLISHING, S.PUBLISHED, S.UNKNOWN, S.FAILED, S.CANCELLED})


# --- the table -----------------------------------------------------------------------------------


def test_every_state_has_a_row_in_the_table() -> None:
    assert set(ALLOWED) == set(DeliveryState)


@PURE
@given(old=states, new=states)
def test_can_transition_agrees_with_assert_transition(old: DeliveryState, new: DeliveryState) -> None:
    if can_transition(old, new):
        assert_transition(old, new)
    else:
        with pytest.raises(InvalidTransitionError) as caught:
            assert_transition(old, new)
        assert (caught.value.old, caught.value.new) == (old, new)
        assert old.value in str(caught.value) and new.value in str(caught.value)


@PURE
@given(old=st.sampled_from(sorted(TERMINAL)), new=states)
def test_nothing_leaves_published_or_cancelled(old: DeliveryState, new: DeliveryState) -> None:
    assert not can_transition(old, new)


def test_published_and_cancelled_are_the_terminal_states() -> None:
    assert TERMINAL == {S.PUBLISHED, S.CANCELLED}
    assert all(not ALLOWED[state] for state in TERMINAL)


@PURE
@given(new=st.sampled_from([S.QUEUED, S.PUBLISHING, S.RETRY_WAIT]))
def test_unknown_is_never_retried_automatically(new: DeliveryState) -> None:
    assert not can_transition(S.UNKNOWN, new)


def test_unknown_leaves_only_by_evidence_or_a_persons_decision() -> None:
    assert ALLOWED[S.UNKNOWN] == {S.PUBLISHED, S.SCHEDULED, S.FAILED}


@PURE
@given(old=states)
def test_publishing_is_reachable_only_from_queued(old: DeliveryState) -> None:
    assert can_transition(old, S.PUBLISHING) == (old is S.QUEUED)


@PURE
@given(old=states)
def test_published_is_reachable_only_after_a_network_call_or_the_owner_posting(old: DeliveryState) -> None:
    assert can_transition(old, S.PUBLISHED) == (old in {S.PUBLISHING, S.PROCESSING, S.UNKNOWN, S.AWAITING_OWNER})


@PURE
@given(state=states)
def test_no_state_moves_to_itself(state: DeliveryState) -> None:
    # A self-move would make a compare-and-set succeed without anything having happened.
    assert not can_transition(state, state)


def test_cancellable_holds_no_state_at_or_after_publishing() -> None:
    assert not CANCELLABLE & AT_OR_AFTER_PUBLISHING


def test_cancellable_is_every_state_where_the_network_has_not_acted() -> None:
    # retry_wait (nothing was sent) and needs_reconnect (refused before acting) stay cancellable.
    assert CANCELLABLE == {S.DRAFT, S.AWAITING_APPROVAL, S.SCHEDULED, S.QUEUED, S.RETRY_WAIT, S.NEEDS_RECONNECT,
                           S.AWAITING_OWNER}


def test_the_dispatcher_picks_up_scheduled_and_retry_wait_only() -> None:
    assert set(DISPATCHABLE) == {S.SCHEDULED, S.RETRY_WAIT}
    assert all(can_transition(state, S.QUEUED) for state in DISPATCHABLE)


def test_every_state_can_reach_a_terminal_state() -> None:
    for start in DeliveryState:
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in ALLOWED[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen & TERMINAL, start


# --- reaction to errors --------------------------------------------------------------------------


def _rate_limited() -> RateLimitedError:
    return RateLimitedError("slow down", retry_at=NOW + timedelta(minutes=15))


@pytest.mark.parametrize(
    ("error", "spent", "max_attempts", "expected"),
    [
        (TransientError("503"), 1, 4, S.RETRY_WAIT),
        (TransientError("503"), 3, 4, S.RETRY_WAIT),
        (TransientError("503"), 4, 4, S.FAILED),
        (TransientError("503"), 9, 4, S.FAILED),
        (TransientError("503"), 1, 1, S.FAILED),
        (_rate_limited(), 0, 4, S.SCHEDULED),
        (_rate_limited(), 4, 4, S.SCHEDULED),
        (_rate_limited(), 99, 4, S.SCHEDULED),
        (AuthExpiredError("401"), 1, 4, S.NEEDS_RECONNECT),
        (AuthExpiredError("401"), 4, 4, S.NEEDS_RECONNECT),
        (RejectedError("duplicate"), 1, 4, S.FAILED),
        (RejectedError("duplicate"), 4, 4, S.FAILED),
        (OutcomeUnknownError("read timeout"), 1, 4, S.UNKNOWN),
        (OutcomeUnknownError("read timeout"), 4, 4, S.UNKNOWN),
        (ReconciliationUnsupportedError("no lookup"), 1, 4, S.FAILED),
        (PublishError("untyped publish error"), 1, 4, S.FAILED),
        (RuntimeError("boom"), 1, 4, S.UNKNOWN),
        (TimeoutError(), 1, 4, S.UNKNOWN),
        (KeyError("x"), 4, 4, S.UNKNOWN),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_state_after_error(error: BaseException, spent: int, max_attempts: int, expected: DeliveryState) -> None:
    assert state_after_error(error, attempts_spent=spent, max_attempts=max_attempts) is expected


@PURE
@given(
    error=st.sampled_from([TransientError("x"), _rate_limited(), AuthExpiredError("x"), RejectedError("x"),
                           OutcomeUnknownError("x"), PublishError("x"), RuntimeError("x")]),
    spent=st.integers(0, 50),
    max_attempts=st.integers(1, 20),
)
def test_every_error_reaction_is_an_allowed_move_out_of_publishing(
    error: BaseException, spent: int, max_attempts: int
) -> None:
    new = state_after_error(error, attempts_spent=spent, max_attempts=max_attempts)
    assert can_transition(S.PUBLISHING, new)
    assert new is not S.QUEUED and new is not S.PUBLISHED


def test_run_at_after_a_rate_limit_is_the_reset_time() -> None:
    error = _rate_limited()
    assert run_at_after_error(error, now=NOW, attempts_spent=1, base_s=30, cap_s=1800, jitter=0.5) == error.retry_at


def test_run_at_after_a_rate_limit_in_the_past_is_now() -> None:
    error = RateLimitedError("slow down", retry_at=NOW - timedelta(minutes=1))
    assert run_at_after_error(error, now=NOW, attempts_spent=1, base_s=30, cap_s=1800, jitter=0.5) == NOW


def test_run_at_after_a_transient_error_is_now_plus_backoff() -> None:
    run_at = run_at_after_error(TransientError("503"), now=NOW, attempts_spent=2, base_s=30, cap_s=1800, jitter=0.5)
    assert run_at == NOW + backoff(2, base_s=30, cap_s=1800, jitter=0.5) == NOW + timedelta(seconds=60)


@pytest.mark.parametrize("error", [AuthExpiredError("x"), RejectedError("x"), OutcomeUnknownError("x"), RuntimeError()])
def test_no_run_at_after_errors_the_dispatcher_must_not_retry(error: BaseException) -> None:
    assert run_at_after_error(error, now=NOW, attempts_spent=1, base_s=30, cap_s=1800, jitter=0.5) is None


# --- backoff -------------------------------------------------------------------------------------

jitters = st.floats(0, 1, exclude_max=True)
bases = st.floats(0.01, 600)
caps = st.floats(1, 7200)


@PURE
@given(attempts=st.integers(0, 5000), base=bases, cap=caps, jitter=jitters)
def test_backoff_is_capped_and_jitter_stays_within_bounds(attempts: int, base: float, cap: float,
                                                          jitter: float) -> None:
    delay = backoff(attempts, base_s=base, cap_s=cap, jitter=jitter).total_seconds()
    undithered = min(cap, base * 2 ** min(max(0, attempts - 1), 1000))
    assert 0.75 * undithered - 1e-6 <= delay <= 1.25 * undithered + 1e-6
    assert delay <= 1.25 * cap + 1e-6


@PURE
@given(attempts=st.integers(0, 3000), more=st.integers(1, 3000), base=bases, cap=caps, jitter=jitters)
def test_backoff_never_shrinks_with_more_attempts(attempts: int, more: int, base: float, cap: float,
                                                  jitter: float) -> None:
    assert backoff(attempts, base_s=base, cap_s=cap, jitter=jitter) <= backoff(
        attempts + more, base_s=base, cap_s=cap, jitter=jitter
    )


@PURE
@given(attempts=st.integers(1, 8), jitter=jitters)
def test_backoff_doubles_below_the_cap(attempts: int, jitter: float) -> None:
    first = backoff(attempts, base_s=30, cap_s=1e6, jitter=jitter)
    second = backoff(attempts + 1, base_s=30, cap_s=1e6, jitter=jitter)
    assert second.total_seconds() == pytest.approx(2 * first.total_seconds())


def test_backoff_with_the_default_policy() -> None:
    def delays(jitter: float) -> list[float]:
        return [backoff(n, base_s=30, cap_s=1800, jitter=jitter).total_seconds() for n in range(1, 9)]

    assert delays(0.5) == [30, 60, 120, 240, 480, 960, 1800, 1800]
    assert delays(0.0) == [0.75 * d for d in delays(0.5)]
    assert backoff(10**9, base_s=30.0, cap_s=1800.0, jitter=0.5) == timedelta(minutes=30)


# --- the table enforced on a real database -------------------------------------------------------


class MoveMachine(RuleBasedStateMachine):
    """Random compare-and-set moves on real rows; the database must always equal the model."""

    sessions: ClassVar[sessionmaker[Session]]  # set by a subclass bound to one database

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[int, tuple[DeliveryState, int]] = {}
        self.ids: list[int] = []
        self.ended: dict[int, DeliveryState] = {}

    @initialize(initial=st.lists(states, min_size=1, max_size=4))
    def create_deliveries(self, initial: list[DeliveryState]) -> None:
        with self.sessions.begin() as session:
            post, channel = make_post(session), make_channel(session)
            for offset, state in enumerate(initial):
                delivery = make_delivery(session, post=post, channel=channel, state=state,
                                         due_at=NOW + timedelta(minutes=offset))
                self.ids.append(delivery.id)
                self.model[delivery.id] = (state, 0)
                if state in TERMINAL:
                    self.ended[delivery.id] = state

    def _row(self, delivery_id: int) -> tuple[object, ...]:
        with self.sessions() as session:
            row = session.execute(
                select(Delivery.state, Delivery.claim_count, Delivery.updated_at, Delivery.run_at,
                       Delivery.last_error_kind).where(Delivery.id == delivery_id)
            ).one()
        return tuple(row)

    @rule(data=st.data(), expected=st.lists(states, min_size=1, max_size=3, unique=True), new=states,
          fence_offset=st.one_of(st.none(), st.integers(-1, 1)))
    def move_one(self, data: st.DataObject, expected: list[DeliveryState], new: DeliveryState,
                 fence_offset: int | None) -> None:
        delivery_id = data.draw(st.sampled_from(self.ids))
        state, fence_now = self.model[delivery_id]
        fence = None if fence_offset is None else fence_now + fence_offset
        # Moving into `publishing` takes a new fence, as a claim does.
        values: dict[str, object] = {"last_error_kind": "probe"}
        if new is S.PUBLISHING:
            values["claim_count"] = Delivery.claim_count + 1
        before = self._row(delivery_id)
        if not all(can_transition(old, new) for old in expected):
            with pytest.raises(InvalidTransitionError), self.sessions.begin() as session:
                move(session, delivery_id, expected, new, fence=fence, **values)
            assert self._row(delivery_id) == before
            return
        with self.sessions.begin() as session:
            moved = move(session, delivery_id, expected, new, fence=fence, **values)
        assert moved == (state in expected and (fence is None or fence == fence_now))
        if moved:
            self.model[delivery_id] = (new, fence_now + 1 if new is S.PUBLISHING else fence_now)
            if new in TERMINAL:
                self.ended[delivery_id] = new
        else:
            assert self._row(delivery_id) == before

    @invariant()
    def database_equals_model(self) -> None:
        if not self.ids:
            return
        with self.sessions() as session:
            rows = session.execute(
                select(Delivery.id, Delivery.state, Delivery.claim_count).where(Delivery.id.in_(self.ids))
            ).all()
        assert {d_id: (state, fence) for d_id, state, fence in rows} == self.model

    @invariant()
    def terminal_rows_stay_where_they_ended(self) -> None:
        for delivery_id, state in self.ended.items():
            assert self._row(delivery_id)[0] is state


def test_compare_and_set_moves_keep_the_database_equal_to_the_model(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/machine.db")
    Base.metadata.create_all(engine)
    database = make_session_factory(engine)

    class MoveMachineOnThisDatabase(MoveMachine):
        sessions = database

    try:
        run_state_machine_as_test(
            MoveMachineOnThisDatabase,
            settings=settings(max_examples=40, stateful_step_count=25, deadline=None, database=None),
        )
    finally:
        engine.dispose()
