"""The publish job: claim (committed first), call the network, record the outcome. Ids in, never ORM objects."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from scheduler.clock import utcnow
from scheduler.crypto import CredentialKeyError
from scheduler.errors import AuthExpiredError
from scheduler.lifecycle import DeliveryState
from scheduler.publishing import Claim, claim, record_failure, record_success
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
        claims = claim(session, delivery_ids, now=utcnow(), lease_s=ctx.settings.lease_s, worker=ctx.worker_name)
    counts: dict[str, int] = {"skipped": len(delivery_ids) - len(claims)}
    if not claims:
        return counts
    if len(claims) == 1:
        outcomes = [_publish_one(ctx, claims[0])]
    else:
        futures = [_pool(ctx).submit(_publish_one, ctx, item) for item in claims]
        wait(futures)
        outcomes = [future.result() for future in futures]
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _publish_one(ctx: JobContext, item: Claim) -> str:
    """Publish one claimed delivery and record the result; return the new state's name."""
    try:
        credentials = ctx.box.open(item.sealed_credentials)
        if item.handle and "handle" not in credentials.extra:
            credentials = replace(credentials, extra={**credentials.extra, "handle": item.handle})
        receipt = ctx.adapter(item.network).publish(credentials, item.content)
    except CredentialKeyError as exc:
        return _record_error(ctx, item, AuthExpiredError(f"Stored credentials are unusable: {exc}"))
    except Exception as exc:  # noqa: BLE001 - every failure is classified; unknown ones become `unknown`
        return _record_error(ctx, item, exc)
    now = utcnow()

    def write() -> bool:
        with ctx.sessions.begin() as session:
            return record_success(session, item, receipt, now=now)

    _with_db_retries(write)
    log.info("delivery %s published as %s", item.delivery_id, receipt.external_id)
    return DeliveryState.PUBLISHED.value


def _record_error(ctx: JobContext, item: Claim, error: BaseException) -> str:
    now = utcnow()
    jitter = random.random()
    if not hasattr(error, "kind"):
        log.exception("unexpected error publishing delivery %s", item.delivery_id, exc_info=error)

    def write() -> DeliveryState | None:
        with ctx.sessions.begin() as session:
            return record_failure(session, item, error, now=now, policy=ctx.retry_policy, jitter=jitter)

    state = _with_db_retries(write)
    log.info("delivery %s: %s -> %s", item.delivery_id, type(error).__name__, state)
    return state.value if state else "lost_claim"


def _with_db_retries(write: Callable[[], T], attempts: int = 5) -> T:
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


def _pool(ctx: JobContext) -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=ctx.settings.publish_concurrency, thread_name_prefix="publish")
    return _executor
