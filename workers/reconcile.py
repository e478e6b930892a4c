"""The reconcile job: look for the posts of `unknown` deliveries on their networks (read-only calls)."""

from __future__ import annotations

import logging
from dataclasses import replace

from rq.timeouts import JobTimeoutException

from scheduler.clock import utcnow
from scheduler.reconcile import ReconcileTask, load_tasks, record_absent, record_check_failed, record_found
from workers.context import JobContext, get_context
from workers.jobs import publish_pool

log = logging.getLogger(__name__)


def reconcile_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """RQ job: check each unknown delivery against its network; adopt posts that exist."""
    return reconcile_batch(get_context(), delivery_ids)


def reconcile_batch(ctx: JobContext, delivery_ids: list[int]) -> dict[str, int]:
    """Check the deliveries concurrently (read-only calls); count the results."""
    with ctx.sessions() as session:
        tasks = load_tasks(session, delivery_ids, media=ctx.media, now=utcnow())
    counts = {"found": 0, "absent": 0, "check_failed": 0}
    for result in publish_pool(ctx).map(lambda task: _check(ctx, task), tasks):
        counts[result] += 1
    return counts


def _check(ctx: JobContext, task: ReconcileTask) -> str:
    now = utcnow()
    try:
        credentials = ctx.box.open(task.sealed_credentials)
        if task.handle and "handle" not in credentials.extra:
            credentials = replace(credentials, extra={**credentials.extra, "handle": task.handle})
        receipt = ctx.adapter(task.network).find_existing(credentials, task.content, task.since)
    except JobTimeoutException:
        raise  # the job ran out of time; the check stays claimed and comes round again
    except Exception as exc:  # noqa: BLE001 - a failed check changes nothing but the note
        with ctx.sessions.begin() as session:
            record_check_failed(session, task, exc, now=now)
        log.info("delivery %s: reconciliation failed: %s", task.delivery_id, exc)
        return "check_failed"
    with ctx.sessions.begin() as session:
        if receipt is None:
            record_absent(session, task, now=now)
            return "absent"
        record_found(session, task, receipt, now=now)
    log.info("delivery %s: found on the network as %s; published", task.delivery_id, receipt.external_id)
    return "found"
