"""Queue names, job ids and enqueueing; the web and the dispatcher enqueue through here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from scheduler.dispatch import QueuedDelivery

#: Dotted reference, so enqueueing does not import the job module (and tweepy) into the web process.
PUBLISH_JOB = "workers.jobs.publish_deliveries"
RECONCILE_JOB = "workers.reconcile.reconcile_deliveries"
METRICS_JOB = "workers.metrics.collect_metrics"
PENDING_JOB = "workers.pending.check_pending_deliveries"
TOKENS_JOB = "workers.tokens.refresh_tokens"
#: Job statuses that mean the job will still run; anything else (or no job) means it is lost.
LIVE_JOB_STATUSES = frozenset({"queued", "started", "scheduled", "deferred"})


def publish_queue(redis: Redis, name: str) -> Queue:
    """Return the publish queue (JSON serializer: job arguments are ids, never pickles)."""
    return Queue(name, connection=redis, serializer=JSONSerializer)


def job_id_for(batch: Sequence[QueuedDelivery]) -> str:
    """Name a batch's job after its first delivery and that delivery's queue sequence."""
    first = min(batch, key=lambda item: item.delivery_id)
    return f"publish-{first.delivery_id}-{first.queue_seq}"


def chunk(items: Sequence[QueuedDelivery], size: int) -> list[list[QueuedDelivery]]:
    """Split queued deliveries into batches of at most ``size``, in id order."""
    ordered = sorted(items, key=lambda item: item.delivery_id)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def enqueue_batches(queue: Queue, batches: Sequence[tuple[str, Sequence[int]]], *, timeout_s: int) -> None:
    """Enqueue one publish job per batch in a single Redis pipeline."""
    if not batches:
        return
    datas = [
        Queue.prepare_data(PUBLISH_JOB, args=(list(ids),), job_id=job_id, timeout=timeout_s, result_ttl=0,
                           failure_ttl=7 * 86400, description=f"publish deliveries {list(ids)[:5]}")
        for job_id, ids in batches
    ]
    with queue.connection.pipeline() as pipe:
        queue.enqueue_many(datas, pipeline=pipe)
        pipe.execute()


def enqueue_follow_up(queue: Queue, job: str, ids: Sequence[int], *, timeout_s: int) -> None:
    """Enqueue one follow-up job (reconcile, pending check, metrics or token refresh) for these ids."""
    if ids:
        name = job.rsplit(".", 1)[-1].replace("_", "-")
        queue.enqueue_call(job, args=(list(ids),), timeout=timeout_s, result_ttl=0,
                           failure_ttl=7 * 86400, job_id=f"{name}-{min(ids)}-{uuid.uuid4().hex[:8]}")


def job_statuses(redis: Redis, job_ids: Sequence[str]) -> dict[str, str | None]:
    """Return each job's RQ status (None when the job no longer exists), in one round trip."""
    with redis.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.hget(f"rq:job:{job_id}", "status")
        raw = pipe.execute()
    return {job_id: (value.decode() if value else None) for job_id, value in zip(job_ids, raw, strict=True)}
