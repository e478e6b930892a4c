"""At most once, nothing lost: real dispatcher and worker processes against the sandbox."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest
from redis import Redis
from sqlalchemy import func, select

from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery
from tests.engine_fixtures import Sandbox, states
from tests.system.processes import process_env, running, wait_until
from workers.context import JobContext
from workers.queues import enqueue_batches, publish_queue

S = DeliveryState
pytestmark = pytest.mark.slow


def _count(ctx: JobContext, state: DeliveryState) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count(Delivery.id)).where(Delivery.state == state)) or 0)


def test_same_delivery_enqueued_twice_with_two_workers_is_posted_once(
        ctx: JobContext, sandbox: Sandbox, redis_conn: Redis, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), [f"twice {i}" for i in range(10)])
    with ctx.sessions.begin() as session:
        for d in session.scalars(select(Delivery).where(Delivery.id.in_(ids))):
            d.state = S.QUEUED
    queue = publish_queue(redis_conn, ctx.settings.queue_name)
    enqueue_batches(queue, [("copy-a", ids), ("copy-b", ids), ("copy-c", ids[:5])], timeout_s=60)
    env = process_env(ctx.settings)
    with running(["worker"], ["worker"], env=env):
        wait_until(lambda: queue.count == 0 and _count(ctx, S.PUBLISHED) == 10, 60, "10 published")
    assert len(sandbox.posts()) == 10
    assert sandbox.stats()["duplicates"] == 0 and sandbox.stats()["create_calls"] == 10


def test_two_dispatchers_and_two_workers_publish_every_delivery_exactly_once(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    sandbox.knobs(latency_ms=20, rate_limit=0)
    channels = [make_channel() for _ in range(4)]
    ids = [i for c in channels for i in make_deliveries(c, [f"burst {c}-{n}" for n in range(50)])]
    env = process_env(ctx.settings)
    with running(["dispatcher"], ["dispatcher"], ["worker"], ["worker"], env=env):
        wait_until(lambda: _count(ctx, S.PUBLISHED) == len(ids), 120, f"{len(ids)} published")
    assert set(states(ctx, ids).values()) == {S.PUBLISHED}
    assert sandbox.stats()["create_calls"] == len(ids)
    assert sandbox.stats()["duplicates"] == 0


def test_worker_killed_mid_publish_goes_unknown_then_reconciliation_finds_the_posts_never_resent(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    sandbox.knobs(latency_ms=1500)
    ids = make_deliveries(make_channel(), [f"killed {i}" for i in range(5)])
    env = process_env(ctx.settings, POSTILLON_LEASE_S="3", POSTILLON_RECONCILE_AFTER_S="0")
    with running(["dispatcher"], env=env):
        with running(["worker"], env=env) as (worker,):
            wait_until(lambda: _count(ctx, S.PUBLISHING) == 5 and sandbox.stats()["create_calls"] == 5, 30,
                       "the worker to claim all five and send them")
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        # The requests were in flight: the sandbox finishes them although nobody hears the answer.
        wait_until(lambda: sandbox.stats()["accepted_posts"] == 5, 10, "the in-flight creates to land")
        wait_until(lambda: _count(ctx, S.UNKNOWN) == 5, 30, "the lease to expire into unknown")
        with running(["worker"], env=env):
            # A fresh worker never re-sends them; it only looks them up on the network and adopts them.
            wait_until(lambda: _count(ctx, S.PUBLISHED) == 5, 60, "reconciliation to find all five")
    assert set(states(ctx, ids).values()) == {S.PUBLISHED}
    assert sandbox.stats()["create_calls"] == 5
    assert sandbox.stats()["duplicates"] == 0
    posted = {p["id"] for p in sandbox.posts()}
    with ctx.sessions() as session:
        adopted = set(session.scalars(select(Delivery.external_id).where(Delivery.id.in_(ids))))
    assert adopted == posted


def test_redis_flushall_while_deliveries_are_due_still_publishes_each_once(
        ctx: JobContext, sandbox: Sandbox, redis_conn: Redis, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), [f"flushed {i}" for i in range(40)])
    env = process_env(ctx.settings)
    queue = publish_queue(redis_conn, ctx.settings.queue_name)
    with running(["dispatcher"], env=env):
        wait_until(lambda: _count(ctx, S.QUEUED) == 40 and queue.count > 0, 30, "the dispatcher to enqueue")
        redis_conn.flushall()
        with running(["worker"], env=env):
            wait_until(lambda: _count(ctx, S.PUBLISHED) == 40, 60, "all 40 published after the wipe")
    assert set(states(ctx, ids).values()) == {S.PUBLISHED}
    assert sandbox.stats()["create_calls"] == 40
    assert sandbox.stats()["duplicates"] == 0
