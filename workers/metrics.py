"""The metrics job: fetch the networks' figures for published posts and store snapshots."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from rq.timeouts import JobTimeoutException

from scheduler.clock import utcnow
from scheduler.errors import PublishError, RateLimitedError
from scheduler.metrics import ChannelBatch, load_batches, postpone, record
from workers.context import JobContext, get_context

log = logging.getLogger(__name__)

#: After a failed fetch (outage, expired token) try this channel again later rather than never.
RETRY_AFTER = timedelta(hours=1)


def collect_metrics(delivery_ids: list[int]) -> dict[str, int]:
    """RQ job: one metrics request per channel for these published deliveries."""
    return collect_batch(get_context(), delivery_ids)


def collect_batch(ctx: JobContext, delivery_ids: list[int]) -> dict[str, int]:
    """Collect and store; return how many snapshots were stored and how many channels were postponed."""
    with ctx.sessions() as session:
        batches = load_batches(session, delivery_ids)
    counts = {"snapshots": 0, "postponed": 0}
    for batch in batches:
        stored = _collect(ctx, batch)
        counts["snapshots" if stored else "postponed"] += stored or 1
    return counts


def _collect(ctx: JobContext, batch: ChannelBatch) -> int:
    now = utcnow()
    try:
        credentials = ctx.box.open(batch.sealed_credentials)
        if batch.handle and "handle" not in credentials.extra:
            credentials = replace(credentials, extra={**credentials.extra, "handle": batch.handle})
        values = ctx.adapter(batch.network).fetch_metrics(credentials, list(batch.external_ids.values()))
    except JobTimeoutException:
        raise  # the collection stays claimed and comes round again after its lease
    except Exception as exc:  # noqa: BLE001 - metrics are best effort; the schedule moves on later
        until = exc.retry_at if isinstance(exc, RateLimitedError) else now + RETRY_AFTER
        with ctx.sessions.begin() as session:
            postpone(session, batch, until)
        level = logging.INFO if isinstance(exc, PublishError) else logging.ERROR
        log.log(level, "metrics for channel %s postponed to %s: %s", batch.channel_id, until, exc)
        return 0
    with ctx.sessions.begin() as session:
        return record(session, batch, values, now=now)
