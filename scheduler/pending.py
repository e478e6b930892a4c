"""Follow `processing` deliveries (Instagram containers) until the network has published them.

Each check only reads, except that the adapter's ``check_pending`` calls the publish step exactly
once when the network reports the media ready; its outcome is recorded like a publish attempt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from scheduler.errors import AuthExpiredError, RateLimitedError, RejectedError, TransientError
from scheduler.lifecycle import DeliveryState
from scheduler.metrics import first_collection
from scheduler.models import Attempt, Channel, ChannelStatus, Delivery
from scheduler.networks import Network
from scheduler.ports import Receipt
from scheduler.publishing import FIRST_CHECK, RetryPolicy, describe
from scheduler.transitions import move

S = DeliveryState
#: A claimed check that never reported back (job lost with Redis) comes round again after this.
CHECK_LEASE = timedelta(minutes=5)
#: Checks slow down as a post stays in processing, up to this interval.
MAX_CHECK_INTERVAL = timedelta(minutes=5)
#: Instagram containers expire 24 hours after they were created; then there is nothing to publish.
PENDING_DEADLINE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PendingCheck:
    """What the worker needs to look at one processing delivery again."""

    delivery_id: int
    fence: int
    channel_id: int
    network: Network
    sealed_credentials: str
    handle: str
    receipt: Receipt
    accepted_at: datetime  # when the network took the media (the publish claim)
    started_at: datetime  # when this check was loaded, for the attempt row


def claim_checks(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Pick processing deliveries whose check is due; push their next check out and bump their fence."""
    due = (
        select(Delivery.id)
        .where(Delivery.state == S.PROCESSING, Delivery.check_at <= now)
        .order_by(Delivery.check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    # The new fence makes the writes of an older, overtaken check of the same delivery no-ops.
    return list(session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(due), Delivery.state == S.PROCESSING, Delivery.check_at <= now)
        .values(check_at=now + CHECK_LEASE, claim_count=Delivery.claim_count + 1)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ))


def load_checks(session: Session, delivery_ids: list[int], *, now: datetime) -> list[PendingCheck]:
    """Return a check per delivery that is still processing."""
    rows = session.execute(
        select(Delivery.id, Delivery.claim_count, Channel.id, Channel.network, Channel.credentials, Channel.handle,
               Delivery.pending_data, Delivery.claimed_at, Delivery.due_at)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.id.in_(delivery_ids), Delivery.state == S.PROCESSING)
    ).all()
    return [PendingCheck(d_id, fence, channel_id, network, sealed, handle, pending_receipt(data),
                         accepted_at=claimed_at or due_at, started_at=now)
            for d_id, fence, channel_id, network, sealed, handle, data, claimed_at, due_at in rows]


def pending_receipt(data: str | None) -> Receipt:
    """Rebuild the pending receipt stored by scheduler.publishing.record_pending."""
    stored: dict[str, Any] = json.loads(data or "{}")
    return Receipt(external_id=str(stored.get("external_id") or ""), url=stored.get("url"), pending=True,
                   pending_data={str(k): str(v) for k, v in (stored.get("data") or {}).items()})


def next_check(check: PendingCheck, now: datetime) -> datetime:
    """Look again after a quarter of the time processing has taken so far (10 s up to 5 min)."""
    wait = min(max((now - check.accepted_at) / 4, FIRST_CHECK), MAX_CHECK_INTERVAL)
    return now + wait


def record_check(session: Session, check: PendingCheck, outcome: Receipt | BaseException, *, now: datetime,
                 policy: RetryPolicy, worker: str = "") -> DeliveryState | None:
    """Record what a look at a processing delivery found; return its state (None if the check was overtaken)."""
    if isinstance(outcome, Receipt) and not outcome.pending:
        moved = move(session, check.delivery_id, S.PROCESSING, S.PUBLISHED, fence=check.fence,
                     external_id=outcome.external_id, external_url=outcome.url, published_at=now, check_at=None,
                     last_error_kind=None, last_error_message=None, metrics_due_at=first_collection(now))
        return _finish(session, check, moved, S.PUBLISHED, "published",
                       f"id={outcome.external_id} url={outcome.url or ''}", now, worker)
    kind, message = describe(outcome) if isinstance(outcome, BaseException) else ("processing", "")
    stay: dict[str, Any] | None = None
    if isinstance(outcome, Receipt):  # still processing
        stay = {"check_at": next_check(check, now), "last_error_kind": None, "last_error_message": None,
                "pending_data": json.dumps({"external_id": outcome.external_id, "url": outcome.url,
                                            "data": dict(outcome.pending_data)})}
    elif isinstance(outcome, RateLimitedError):
        session.execute(update(Channel).where(Channel.id == check.channel_id)
                        .values(rate_limited_until=outcome.retry_at))
        stay = {"check_at": max(outcome.retry_at, now), "last_error_kind": kind, "last_error_message": message}
    elif isinstance(outcome, TransientError):
        stay = {"check_at": next_check(check, now), "last_error_kind": kind, "last_error_message": message}
    if stay is not None:
        if now - check.accepted_at < PENDING_DEADLINE:
            return _stay(session, check, **stay)
        message = (f"{check.network.label} did not finish processing the media within 24 hours, so it expired "
                   "there. Publish the post again.")
        moved = move(session, check.delivery_id, S.PROCESSING, S.FAILED, fence=check.fence, check_at=None,
                     last_error_kind="expired", last_error_message=message)
        return _finish(session, check, moved, S.FAILED, "expired", message, now, worker)
    if isinstance(outcome, AuthExpiredError):
        moved = move(session, check.delivery_id, S.PROCESSING, S.NEEDS_RECONNECT, fence=check.fence, check_at=None,
                     last_error_kind=kind, last_error_message=message)
        session.execute(update(Channel).where(Channel.id == check.channel_id,
                                              Channel.status == ChannelStatus.CONNECTED)
                        .values(status=ChannelStatus.NEEDS_RECONNECT, status_detail=message))
        return _finish(session, check, moved, S.NEEDS_RECONNECT, kind, message, now, worker)
    if isinstance(outcome, RejectedError):  # the container failed (ERROR / EXPIRED): nothing was published
        moved = move(session, check.delivery_id, S.PROCESSING, S.FAILED, fence=check.fence, check_at=None,
                     last_error_kind=kind, last_error_message=message)
        return _finish(session, check, moved, S.FAILED, kind, message, now, worker)
    # The publish step may have gone through: only the network can tell (reconciliation asks it).
    moved = move(session, check.delivery_id, S.PROCESSING, S.UNKNOWN, fence=check.fence, check_at=None,
                 last_error_kind=kind, last_error_message=message,
                 reconcile_at=now + timedelta(seconds=policy.reconcile_after_s))
    return _finish(session, check, moved, S.UNKNOWN, kind, message, now, worker)


def _stay(session: Session, check: PendingCheck, **values: Any) -> DeliveryState | None:
    # Still processing: no state change, so a fenced update rather than transitions.move.
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Delivery)
        .where(Delivery.id == check.delivery_id, Delivery.state == S.PROCESSING, Delivery.claim_count == check.fence)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return S.PROCESSING if result.rowcount == 1 else None


def _finish(session: Session, check: PendingCheck, moved: bool, state: DeliveryState, outcome: str, detail: str,
            now: datetime, worker: str) -> DeliveryState | None:
    # The check that ended processing is logged like a publish attempt: it made the publish call.
    if not moved:
        detail += " (check overtaken: the delivery had moved on)"
    session.add(Attempt(delivery_id=check.delivery_id, number=check.fence, started_at=check.started_at,
                        finished_at=now, outcome=outcome, detail=detail[:2000], worker=worker))
    return state if moved else None
