"""The dispatcher: due deliveries reach the queue once; lost jobs and stale leases are repaired."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from redis import Redis
from rq import SimpleWorker
from sqlalchemy import select, update

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.models import Attempt, Delivery
from tests.engine_fixtures import Sandbox, states
from workers.context import JobContext
from workers.dispatcher import Dispatcher
from workers.queues import job_statuses, publish_queue
from workers.worker import build_worker

S = DeliveryState


def _drain(ctx: JobContext) -> None:
    worker: SimpleWorker = build_worker(ctx)
    worker.work(burst=True, logging_level="WARNING")


def test_due_deliveries_are_enqueued_in_batches_and_future_ones_wait(
        ctx: JobContext, redis_conn: Redis, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    channel = make_channel()
    due = make_deliveries(channel, [f"due {i}" for i in range(120)])
    later = make_deliveries(channel, ["later"], due=utcnow() + timedelta(hours=1))

    report = Dispatcher(ctx).tick(sweep=False)

    assert report.enqueued == 120
    queue = publish_queue(redis_conn, ctx.settings.queue_name)
    assert queue.count == -(-120 // ctx.settings.job_batch)  # full batches and one partial
    with ctx.sessions() as session:
        job_ids = set(session.scalars(select(Delivery.job_id).where(Delivery.id.in_(due))))
    assert job_ids == set(queue.job_ids)
    assert states(ctx, later) == {later[0]: S.SCHEDULED}
    assert Dispatcher(ctx).tick(sweep=False).enqueued == 0


def test_enqueued_deliveries_are_published_by_a_worker(ctx: JobContext, sandbox: Sandbox,
                                                     make_channel: Callable[..., int],
                                                     make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), [f"post {i}" for i in range(30)])
    Dispatcher(ctx).tick(sweep=False)
    _drain(ctx)
    assert set(states(ctx, ids).values()) == {S.PUBLISHED}
    assert sandbox.stats()["duplicates"] == 0
    assert len(sandbox.posts()) == 30


def test_flushall_before_the_worker_runs_loses_nothing(ctx: JobContext, redis_conn: Redis, sandbox: Sandbox,
                                                      make_channel: Callable[..., int],
                                                      make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), [f"survivor {i}" for i in range(20)])
    dispatcher = Dispatcher(ctx)
    dispatcher.tick(sweep=False)
    redis_conn.flushall()
    with ctx.sessions.begin() as session:  # pretend the sweep interval has passed
        session.execute(update(Delivery).values(queued_at=utcnow() - timedelta(minutes=5)))
    assert dispatcher.requeue_lost() == 20
    assert dispatcher.requeue_lost() == 0  # the new jobs are alive
    _drain(ctx)
    assert set(states(ctx, ids).values()) == {S.PUBLISHED}
    assert len(sandbox.posts()) == 20 and sandbox.stats()["duplicates"] == 0


def test_a_job_that_failed_before_claiming_is_enqueued_again(ctx: JobContext, redis_conn: Redis,
                                                            make_channel: Callable[..., int],
                                                            make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["stuck"])
    dispatcher = Dispatcher(ctx)
    dispatcher.tick(sweep=False)
    with ctx.sessions.begin() as session:
        job_id = session.scalar(select(Delivery.job_id).where(Delivery.id == ids[0]))
        session.execute(update(Delivery).values(queued_at=utcnow() - timedelta(minutes=5)))
    assert job_id is not None
    redis_conn.hset(f"rq:job:{job_id}", "status", "failed")
    assert dispatcher.requeue_lost() == 1
    with ctx.sessions() as session:
        new_job = session.scalar(select(Delivery.job_id).where(Delivery.id == ids[0]))
    assert new_job != job_id and job_statuses(redis_conn, [new_job or ""])[new_job or ""] == "queued"


def test_publishing_past_the_lease_becomes_unknown(ctx: JobContext, make_channel: Callable[..., int],
                                                  make_deliveries: Callable[..., list[int]]) -> None:
    ids = make_deliveries(make_channel(), ["stalled"])
    past = utcnow() - timedelta(minutes=1)
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(state=S.PUBLISHING, lease_until=past, claim_count=1))
        session.add(Attempt(delivery_id=ids[0], number=1, started_at=past))
    assert Dispatcher(ctx).expire_leases() == 1
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, ids[0])
        assert delivery.state is S.UNKNOWN and "cannot tell" in (delivery.last_error_message or "")
        attempt = session.scalars(select(Attempt).where(Attempt.delivery_id == ids[0])).one()
        assert attempt.outcome == "unknown" and attempt.finished_at is not None


def test_two_dispatchers_enqueue_each_delivery_once(ctx: JobContext, redis_conn: Redis,
                                                   make_channel: Callable[..., int],
                                                   make_deliveries: Callable[..., list[int]]) -> None:
    import threading

    ids = make_deliveries(make_channel(), [f"race {i}" for i in range(200)])
    first, second = Dispatcher(ctx), Dispatcher(JobContext(ctx.settings))
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def run(d: Dispatcher) -> None:
        barrier.wait()
        counts.append(d.tick(sweep=False).enqueued)

    threads = [threading.Thread(target=run, args=(d,)) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == len(ids)
    queue = publish_queue(redis_conn, ctx.settings.queue_name)
    enqueued = [i for job in queue.get_jobs() for i in job.args[0]]
    assert sorted(enqueued) == sorted(ids)
