"""The dispatcher's database work: claim due deliveries, find lost jobs, expire stale leases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.assisted import assisted_channel_ids
from scheduler.lifecycle import DISPATCHABLE, DeliveryState
from scheduler.models import Attempt, Delivery

S = DeliveryState

LEASE_EXPIRED_MESSAGE = (
    "The worker stopped answering while publishing, so Postillon cannot tell whether the post went out. "
    "It will not publish again on its own; it will look for the post on the network, or check the "
    "channel yourself, then mark it published or publish again."
)


@dataclass(frozen=True, slots=True)
class QueuedDelivery:
    """A delivery handed to the queue, with the sequence number that names its job."""

    delivery_id: int
    queue_seq: int
    job_id: str | None = None


def claim_due(session: Session, *, now: datetime, limit: int) -> list[QueuedDelivery]:
    """Move due deliveries to ``queued`` atomically and return them; the caller commits, then enqueues.

    PostgreSQL locks the picked rows with SKIP LOCKED so two dispatchers never pick the same row;
    SQLite renders no FOR UPDATE but serializes writers, and the state condition is repeated in the
    UPDATE so a row moved meanwhile is skipped either way. Deliveries on assisted channels (XING)
    are left for ``scheduler.assisted.hand_over_due``, which the dispatcher's sweep runs.
    """
    due = (
        select(Delivery.id)
        .where(Delivery.state.in_(DISPATCHABLE), Delivery.run_at <= now,
               Delivery.channel_id.not_in(assisted_channel_ids()))
        .order_by(Delivery.run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due), Delivery.state.in_(DISPATCHABLE))
        .values(state=S.QUEUED, queued_at=now, queue_seq=Delivery.queue_seq + 1, updated_at=now)
        .returning(Delivery.id, Delivery.queue_seq)
        .execution_options(synchronize_session=False)
    ).all()
    return [QueuedDelivery(d_id, seq) for d_id, seq in rows]


def assign_job(session: Session, job_id: str, items: list[QueuedDelivery]) -> None:
    """Record which queue job carries these queued deliveries (so a lost job can be detected)."""
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_([item.delivery_id for item in items]), Delivery.state == S.QUEUED)
        .values(job_id=job_id)
        .execution_options(synchronize_session=False)
    )


def stale_queued(session: Session, *, now: datetime, older_than_s: float, limit: int = 5000) -> list[QueuedDelivery]:
    """Return deliveries queued longer than ``older_than_s``: their job may be lost."""
    cutoff = now - timedelta(seconds=older_than_s)
    rows = session.execute(
        select(Delivery.id, Delivery.queue_seq, Delivery.job_id)
        .where(Delivery.state == S.QUEUED, Delivery.queued_at < cutoff)
        .order_by(Delivery.queued_at)
        .limit(limit)
    ).all()
    return [QueuedDelivery(d_id, seq, job_id) for d_id, seq, job_id in rows]


def requeue(session: Session, item: QueuedDelivery, *, now: datetime) -> QueuedDelivery | None:
    """Give a queued delivery whose job is gone a new sequence number (compare-and-set)."""
    row = session.execute(
        update(Delivery)
        .where(Delivery.id == item.delivery_id, Delivery.state == S.QUEUED, Delivery.queue_seq == item.queue_seq)
        .values(queue_seq=Delivery.queue_seq + 1, queued_at=now, updated_at=now)
        .returning(Delivery.queue_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if row is None else QueuedDelivery(item.delivery_id, row)


def expire_leases(session: Session, *, now: datetime, reconcile_after_s: float = 30.0) -> list[int]:
    """Move deliveries stuck in ``publishing`` past their lease to ``unknown``; return their ids."""
    expired = session.execute(
        update(Delivery)
        .where(Delivery.state == S.PUBLISHING, Delivery.lease_until < now)
        .values(state=S.UNKNOWN, last_error_kind="unknown", last_error_message=LEASE_EXPIRED_MESSAGE,
                lease_until=None, updated_at=now, reconcile_at=now + timedelta(seconds=reconcile_after_s))
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    if expired:
        session.execute(
            update(Attempt)
            .where(Attempt.delivery_id.in_(expired), Attempt.finished_at.is_(None))
            .values(finished_at=now, outcome="unknown", detail="lease expired: the worker stopped answering")
            .execution_options(synchronize_session=False)
        )
    return list(expired)
