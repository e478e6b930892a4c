"""The pending-check job: look at `processing` deliveries again (Instagram containers) and finish them."""

from __future__ import annotations

import logging
from dataclasses import replace

from rq.timeouts import JobTimeoutException

from scheduler.clock import utcnow
from scheduler.crypto import CredentialKeyError
from scheduler.errors import AuthExpiredError
from scheduler.pending import PendingCheck, load_checks, record_check
from scheduler.ports import Receipt
from workers.context import JobContext, get_context
from workers.jobs import publish_pool, with_db_retries

log = logging.getLogger(__name__)


def check_pending_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """RQ job: ask the network about each processing delivery; publish the ones that are ready."""
    return check_batch(get_context(), delivery_ids)


def check_batch(ctx: JobContext, delivery_ids: list[int]) -> dict[str, int]:
    """Check the deliveries concurrently; return a count per resulting state."""
    with ctx.sessions() as session:
        checks = load_checks(session, delivery_ids, now=utcnow())
    counts: dict[str, int] = {}
    for name in publish_pool(ctx).map(lambda check: _check(ctx, check), checks):
        counts[name] = counts.get(name, 0) + 1
    return counts


def _check(ctx: JobContext, check: PendingCheck) -> str:
    outcome: Receipt | BaseException
    try:
        credentials = ctx.box.open(check.sealed_credentials)
        if check.handle and "handle" not in credentials.extra:
            credentials = replace(credentials, extra={**credentials.extra, "handle": check.handle})
        outcome = ctx.adapter(check.network).check_pending(credentials, check.receipt)
    except JobTimeoutException:
        raise  # the check stays claimed and comes round again after its lease
    except CredentialKeyError as exc:
        outcome = AuthExpiredError(f"Stored credentials are unusable: {exc}")
    except Exception as exc:  # noqa: BLE001 - every failure is classified by record_check
        if not hasattr(exc, "kind"):
            log.exception("unexpected error checking delivery %s", check.delivery_id)
        outcome = exc
    now = utcnow()

    def write() -> str:
        with ctx.sessions.begin() as session:
            state = record_check(session, check, outcome, now=now, policy=ctx.retry_policy,
                                 worker=ctx.worker_name)
        return state.value if state else "lost_claim"

    # The publish step may just have happened: ride out a brief database outage rather than lose it.
    name = with_db_retries(write)
    log.info("delivery %s: pending check -> %s", check.delivery_id, name)
    return name
