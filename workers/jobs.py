"""The publish job: claim (committed first), call the network, record the outcome. Ids in, never ORM objects."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from scheduler.clock import utcnow
from scheduler.crypto import CredentialKeyError
from scheduler.errors import AuthExpiredError
from scheduler.lifecycle import DeliveryState
from scheduler.outcomes import Outcome, record_outcomes
from scheduler.ports import Receipt
from scheduler.publishing import Claim, claim
from workers.context import JobContext, get_context

log = logging.getLogger(__name__)
T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None


def publish_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """RQ job: publish these deliveries at most once each, concurrently. Safe to run twice."""
    return publish_batch(get_context(), delivery_ids)


def publish_delivery(delivery_id: int) -> dict[str, int]:
    """RQ job: publish one delivery at most once."""
    return publish_deliveries([delivery_id])


def publish_batch(ctx: JobContext, delivery_ids: Sequence[int]) -> dict[str, int]:
    """Claim, publish and record a batch; return a count per resulting state."""
    with ctx.sessions.begin() as session:
        # Committed before any network call: if this process dies after this point, the lease
        # expires and the delivery becomes `unknown`, never silently re-published.
        claims = claim(session, delivery_ids, now=utcnow(), lease_s=ctx.settings.lease_s, worker=ctx.worker_name,
                       media=ctx.media)
    counts: dict[str, int] = {"skipped": len(delivery_ids) - len(claims)}
    pending: set[Future[Outcome]] = {publish_pool(ctx).submit(_call_network, ctx, item) for item in claims}
    while pending:
        # Record whatever has finished in one transaction while the rest are still in flight:
        # one commit for many outcomes instead of one each.
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        for state in _record(ctx, [future.result() for future in done]).values():
            name = state.value if state else "lost_claim"
            counts[name] = counts.get(name, 0) + 1
    return counts


def _call_network(ctx: JobContext, item: Claim) -> Outcome:
    """Publish one claimed delivery; return the receipt or the error, never raise."""
    try:
        credentials = ctx.box.open(item.sealed_credentials)
        if item.handle and "handle" not in credentials.extra:
            credentials = replace(credentials, extra={**credentials.extra, "handle": item.handle})
        return item, ctx.adapter(item.network).publish(credentials, item.content)
    except CredentialKeyError as exc:
        return item, AuthExpiredError(f"Stored credentials are unusable: {exc}")
    except Exception as exc:  # noqa: BLE001 - every failure is classified; unknown ones become `unknown`
        if not hasattr(exc, "kind"):
            log.exception("unexpected error publishing delivery %s", item.delivery_id)
        return item, exc


def _record(ctx: JobContext, outcomes: list[Outcome]) -> dict[int, DeliveryState | None]:
    now = utcnow()

    def write() -> dict[int, DeliveryState | None]:
        # Pending receipts (Instagram containers still processing) go to `processing`, not `published`.
        with ctx.sessions.begin() as session:
            return record_outcomes(session, outcomes, now=now, policy=ctx.retry_policy, jitter=random.random)

    states = with_db_retries(write)
    for item, result in outcomes:
        if isinstance(result, Receipt) and result.pending:
            log.info("delivery %s accepted as %s; processing on the network", item.delivery_id, result.external_id)
        elif isinstance(result, Receipt):
            log.info("delivery %s published as %s", item.delivery_id, result.external_id)
        else:
            log.info("delivery %s: %s -> %s", item.delivery_id, type(result).__name__, states.get(item.delivery_id))
    return states


def with_db_retries(write: Callable[[], T], attempts: int = 5) -> T:
    """Run a database write that records a network call's result, retrying through brief outages."""
    # The network call already happened: losing its result would turn a known outcome into
    # `unknown`, so ride out a brief database outage before giving up.
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def publish_pool(ctx: JobContext) -> ThreadPoolExecutor:
    """Return the process's thread pool for network calls."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=ctx.settings.publish_concurrency, thread_name_prefix="publish")
    return _executor
