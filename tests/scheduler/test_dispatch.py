"""The dispatcher's database work: claim due deliveries, find lost jobs, expire stale leases."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from scheduler.dispatch import (
    LEASE_EXPIRED_MESSAGE,
    QueuedDelivery,
    assign_job,
    claim_due,
    expire_leases,
    requeue,
    stale_queued,
)
from scheduler.lifecycle import DISPATCHABLE, DeliveryState
from scheduler.models import Attempt, Channel, Delivery, Post
from tests.factories import make_channel, make_delivery, make_post

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Rows:
    """Deliveries on one post and channel, each at its own time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        with sessions.begin() as session:
            self.post_id = make_post(session).id
            self.channel_id = make_channel(session).id
        self.n = 0

    def add(self, state: DeliveryState, run_at: datetime, **values: Any) -> int:
        """Add a delivery in ``state`` that the dispatcher should act on at ``run_at``."""
        self.n += 1
        due_at = NOW - timedelta(days=30) + timedelta(seconds=self.n)  # unique per (post, channel)
        with self.sessions.begin() as session:
            post, channel = session.get_one(Post, self.post_id), session.get_one(Channel, self.channel_id)
            return make_delivery(session, post=post, channel=channel, state=state, due_at=due_at, run_at=run_at,
                                 **values).id

    def get(self, delivery_id: int) -> Delivery:
        with self.sessions() as session:
            return session.get_one(Delivery, delivery_id)


@pytest.fixture
def rows(sessions: sessionmaker[Session]) -> Rows:
    return Rows(sessions)


def _claim_due(sessions: sessionmaker[Session], *, now: datetime = NOW, limit: int = 100) -> list[QueuedDelivery]:
    with sessions.begin() as session:
        return claim_due(session, now=now, limit=limit)


# --- claim_due -----------------------------------------------------------------------------------


def test_claim_due_queues_due_scheduled_and_retry_wait_rows(sessions: sessionmaker[Session], rows: Rows) -> None:
    scheduled = rows.add(S.SCHEDULED, NOW - timedelta(minutes=5), queue_seq=2)
    retry = rows.add(S.RETRY_WAIT, NOW - timedelta(seconds=1))
    on_time = rows.add(S.SCHEDULED, NOW)  # due exactly now counts

    claimed = _claim_due(sessions)

    assert sorted(claimed, key=lambda q: q.delivery_id) == [
        QueuedDelivery(scheduled, 3), QueuedDelivery(retry, 1), QueuedDelivery(on_time, 1)
    ]
    for delivery_id in (scheduled, retry, on_time):
        delivery = rows.get(delivery_id)
        assert (delivery.state, delivery.queued_at) == (S.QUEUED, NOW)


def test_claim_due_leaves_rows_in_other_states(sessions: sessionmaker[Session], rows: Rows) -> None:
    others = {state: rows.add(state, NOW - timedelta(hours=1)) for state in S if state not in DISPATCHABLE}
    assert _claim_due(sessions) == []
    for state, delivery_id in others.items():
        delivery = rows.get(delivery_id)
        assert (delivery.state, delivery.queue_seq, delivery.queued_at) == (state, 0, None)


def test_claim_due_leaves_future_rows(sessions: sessionmaker[Session], rows: Rows) -> None:
    future = rows.add(S.SCHEDULED, NOW + timedelta(microseconds=1))
    retry_later = rows.add(S.RETRY_WAIT, NOW + timedelta(minutes=2))
    assert _claim_due(sessions) == []
    assert rows.get(future).state is S.SCHEDULED and rows.get(retry_later).state is S.RETRY_WAIT
    assert {q.delivery_id for q in _claim_due(sessions, now=NOW + timedelta(minutes=2))} == {future, retry_later}


def test_claim_due_respects_the_limit_and_takes_the_most_overdue_first(sessions: sessionmaker[Session],
                                                                      rows: Rows) -> None:
    ids = [rows.add(S.SCHEDULED, NOW - timedelta(minutes=m)) for m in range(10)]  # ids[9] is the oldest
    first = _claim_due(sessions, limit=3)
    assert {q.delivery_id for q in first} == set(ids[7:])
    second = _claim_due(sessions, limit=3)
    assert {q.delivery_id for q in second} == set(ids[4:7])
    assert len(_claim_due(sessions, limit=100)) == 4
    assert _claim_due(sessions, limit=100) == []


def test_claim_due_bumps_queue_seq_on_every_enqueue(sessions: sessionmaker[Session], rows: Rows) -> None:
    delivery_id = rows.add(S.SCHEDULED, NOW)
    assert _claim_due(sessions) == [QueuedDelivery(delivery_id, 1)]
    with sessions.begin() as session:
        session.get_one(Delivery, delivery_id).state = S.RETRY_WAIT
    assert _claim_due(sessions) == [QueuedDelivery(delivery_id, 2)]


@pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True)
def test_two_open_transactions_on_postgresql_never_claim_the_same_row(engine: Engine,
                                                                      sessions: sessionmaker[Session],
                                                                      rows: Rows) -> None:
    due = {rows.add(S.SCHEDULED, NOW - timedelta(seconds=s)) for s in range(6)}
    rows.add(S.SCHEDULED, NOW + timedelta(hours=1))
    first, second = sessions(), sessions()
    try:
        first.begin()
        a = claim_due(first, now=NOW, limit=4)  # locks its rows and keeps them locked (not committed)
        second.begin()
        second.execute(text("SET LOCAL lock_timeout = '5s'"))  # a lock wait would fail, not hang
        b = claim_due(second, now=NOW, limit=4)  # SKIP LOCKED: must not wait for `first`
        assert len(a) == 4 and len(b) == 2
        assert not {q.delivery_id for q in a} & {q.delivery_id for q in b}
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    claimed = Counter(q.delivery_id for q in a + b)
    assert set(claimed) == due and set(claimed.values()) == {1}
    assert _claim_due(sessions) == []


def test_concurrent_dispatchers_claim_every_due_row_exactly_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        post, channel = make_post(session), make_channel(session)
        due = {make_delivery(session, post=post, channel=channel, state=S.SCHEDULED,
                             due_at=NOW - timedelta(seconds=n)).id for n in range(60)}
    start = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def dispatcher(slot: int) -> None:
        try:
            start.wait()
            while batch := _claim_due(sessions, now=NOW, limit=7):
                claimed[slot].extend(q.delivery_id for q in batch)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert not set(claimed[0]) & set(claimed[1])
    counts = Counter(claimed[0] + claimed[1])
    assert set(counts) == due and set(counts.values()) == {1}


# --- assign_job, stale_queued, requeue -----------------------------------------------------------


def test_assign_job_names_the_job_on_queued_rows_only(sessions: sessionmaker[Session], rows: Rows) -> None:
    queued = rows.add(S.QUEUED, NOW, queue_seq=1)
    cancelled = rows.add(S.CANCELLED, NOW, queue_seq=1)
    with sessions.begin() as session:
        assign_job(session, "publish-1-1", [QueuedDelivery(queued, 1), QueuedDelivery(cancelled, 1)])
    assert rows.get(queued).job_id == "publish-1-1"
    assert rows.get(cancelled).job_id is None


def test_stale_queued_returns_rows_queued_longer_than_the_threshold(sessions: sessionmaker[Session],
                                                                   rows: Rows) -> None:
    old = rows.add(S.QUEUED, NOW, queued_at=NOW - timedelta(seconds=61), queue_seq=4, job_id="publish-9-4")
    older = rows.add(S.QUEUED, NOW, queued_at=NOW - timedelta(minutes=10), queue_seq=1)
    rows.add(S.QUEUED, NOW, queued_at=NOW - timedelta(seconds=59), queue_seq=1)  # fresh
    rows.add(S.PUBLISHING, NOW, queued_at=NOW - timedelta(minutes=10), queue_seq=1)  # claimed meanwhile
    with sessions() as session:
        stale = stale_queued(session, now=NOW, older_than_s=60)
        assert stale == [QueuedDelivery(older, 1, None), QueuedDelivery(old, 4, "publish-9-4")]
        assert stale_queued(session, now=NOW, older_than_s=60, limit=1) == [QueuedDelivery(older, 1, None)]


def test_requeue_gives_a_new_sequence_number_once(sessions: sessionmaker[Session], rows: Rows) -> None:
    delivery_id = rows.add(S.QUEUED, NOW, queued_at=NOW - timedelta(minutes=5), queue_seq=4, job_id="publish-x-4")
    item = QueuedDelivery(delivery_id, 4, "publish-x-4")
    later = NOW + timedelta(seconds=1)
    with sessions.begin() as session:
        assert requeue(session, item, now=later) == QueuedDelivery(delivery_id, 5)
    with sessions.begin() as session:
        assert requeue(session, item, now=later) is None  # a second dispatcher with the old seq loses
    delivery = rows.get(delivery_id)
    assert (delivery.queue_seq, delivery.queued_at, delivery.state) == (5, later, S.QUEUED)


def test_requeue_skips_a_delivery_that_left_the_queue(sessions: sessionmaker[Session], rows: Rows) -> None:
    delivery_id = rows.add(S.PUBLISHING, NOW, queue_seq=4)
    with sessions.begin() as session:
        assert requeue(session, QueuedDelivery(delivery_id, 4), now=NOW) is None
    assert rows.get(delivery_id).queue_seq == 4


# --- expire_leases -------------------------------------------------------------------------------


def _attempt(sessions: sessionmaker[Session], delivery_id: int, *, finished: bool = False) -> int:
    with sessions.begin() as session:
        attempt = Attempt(delivery_id=delivery_id, number=1, started_at=NOW - timedelta(minutes=5),
                          finished_at=NOW - timedelta(minutes=4) if finished else None,
                          outcome="transient" if finished else None, detail="earlier try" if finished else "")
        session.add(attempt)
        session.flush()
        return attempt.id


def test_expire_leases_moves_only_expired_publishing_rows_to_unknown(sessions: sessionmaker[Session],
                                                                    rows: Rows) -> None:
    expired = rows.add(S.PUBLISHING, NOW, lease_until=NOW - timedelta(seconds=1), claim_count=1)
    running = rows.add(S.PUBLISHING, NOW, lease_until=NOW + timedelta(seconds=30), claim_count=1)
    edge = rows.add(S.PUBLISHING, NOW, lease_until=NOW, claim_count=1)  # not yet past its lease
    queued = rows.add(S.QUEUED, NOW, lease_until=NOW - timedelta(hours=1))

    with sessions.begin() as session:
        assert expire_leases(session, now=NOW) == [expired]

    delivery = rows.get(expired)
    assert (delivery.state, delivery.last_error_kind, delivery.lease_until) == (S.UNKNOWN, "unknown", None)
    assert delivery.last_error_message == LEASE_EXPIRED_MESSAGE
    assert delivery.claim_count == 1
    assert [rows.get(d).state for d in (running, edge, queued)] == [S.PUBLISHING, S.PUBLISHING, S.QUEUED]


def test_expire_leases_closes_the_open_attempt_only(sessions: sessionmaker[Session], rows: Rows) -> None:
    expired = rows.add(S.PUBLISHING, NOW, lease_until=NOW - timedelta(minutes=1))
    running = rows.add(S.PUBLISHING, NOW, lease_until=NOW + timedelta(minutes=1))
    earlier = _attempt(sessions, expired, finished=True)
    open_expired = _attempt(sessions, expired)
    open_running = _attempt(sessions, running)

    with sessions.begin() as session:
        expire_leases(session, now=NOW)

    with sessions() as session:
        closed = session.get_one(Attempt, open_expired)
        assert (closed.finished_at, closed.outcome) == (NOW, "unknown")
        assert "lease expired" in closed.detail
        untouched = session.get_one(Attempt, earlier)
        assert (untouched.outcome, untouched.finished_at) == ("transient", NOW - timedelta(minutes=4))
        still_open = session.get_one(Attempt, open_running)
        assert still_open.finished_at is None and still_open.outcome is None


def test_expire_leases_with_nothing_expired_changes_nothing(sessions: sessionmaker[Session], rows: Rows) -> None:
    running = rows.add(S.PUBLISHING, NOW, lease_until=NOW + timedelta(minutes=1))
    with sessions.begin() as session:
        assert expire_leases(session, now=NOW) == []
    assert rows.get(running).state is S.PUBLISHING
    with sessions() as session:
        assert session.scalars(select(Delivery.state)).all() == [S.PUBLISHING]
