"""Reconciliation: ask the network whether an `unknown` delivery's post exists, and adopt it if so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.errors import PublishError
from scheduler.lifecycle import DeliveryState
from scheduler.metrics import first_collection
from scheduler.models import Channel, Delivery, Post
from scheduler.networks import Network
from scheduler.outgoing import delivery_texts
from scheduler.ports import PostContent, Receipt
from scheduler.publishing import MediaLinks
from scheduler.transitions import move

S = DeliveryState
#: A claimed check that never reported back (job lost with Redis) is tried again after this.
CHECK_LEASE = timedelta(minutes=10)
#: The post can only have been created after the claim; the margin absorbs clock skew.
SINCE_MARGIN = timedelta(minutes=2)
#: How a check's note starts, so the next check can replace it.
NOTE_MARKERS = (" (Checked ", " (Could not check ")
#: Give up asking after this long; the delivery stays `unknown` for a person.
GIVE_UP_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ReconcileTask:
    """What the worker needs to look for one unknown delivery's post."""

    delivery_id: int
    network: Network
    sealed_credentials: str
    handle: str
    content: PostContent
    since: datetime
    fence: int


def claim_checks(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Pick unknown deliveries whose check is due; push their next check out by CHECK_LEASE."""
    due = (
        select(Delivery.id)
        .where(Delivery.state == S.UNKNOWN, Delivery.reconcile_at <= now)
        .order_by(Delivery.reconcile_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return list(session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(due), Delivery.state == S.UNKNOWN, Delivery.reconcile_at <= now)
        .values(reconcile_at=now + CHECK_LEASE)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ))


def load_tasks(session: Session, delivery_ids: list[int], *, media: MediaLinks, now: datetime) -> list[ReconcileTask]:
    """Return a task per delivery that is still unknown (content as it was published, images included)."""
    rows = session.execute(
        select(Delivery.id, Channel.network, Channel.credentials, Channel.handle, Post.id,
               Delivery.claimed_at, Delivery.due_at, Delivery.claim_count)
        .join(Post, Post.id == Delivery.post_id)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.id.in_(delivery_ids), Delivery.state == S.UNKNOWN)
    ).all()
    images = media.items(session, {(row[4], row[1]) for row in rows}, now)
    # Exactly what the claim published (its tracked links were made then), so the network's copy matches.
    texts = delivery_texts(session, [row[0] for row in rows], media.signer.base_url)
    return [
        ReconcileTask(d_id, network, sealed, handle,
                      PostContent(delivery_id=d_id, text=texts[d_id].text, link=texts[d_id].link,
                                  media=images.get((post_id, network), ())),
                      since=(claimed_at or due_at) - SINCE_MARGIN, fence=fence)
        for d_id, network, sealed, handle, post_id, claimed_at, due_at, fence in rows
    ]


def record_found(session: Session, task: ReconcileTask, receipt: Receipt, *, now: datetime) -> bool:
    """The network has the post: the delivery is published (the unknown claim did go through)."""
    moved = move(session, task.delivery_id, S.UNKNOWN, S.PUBLISHED, fence=task.fence,
                 external_id=receipt.external_id, external_url=receipt.url, published_at=now,
                 last_error_kind=None, last_error_message=None, reconcile_at=None,
                 metrics_due_at=first_collection(now))
    if moved:
        audit(session, None, "delivery.reconciled", f"delivery:{task.delivery_id}",
              f"found on {task.network.label} as {receipt.external_id}")
    return moved


def record_absent(session: Session, task: ReconcileTask, *, now: datetime) -> None:
    """The network shows no such post: say so, and leave the decision to publish again to a person."""
    note = (f"(Checked {task.network.label} at {now:%Y-%m-%d %H:%M} UTC: no such post found, "
            "so publishing again should not create a duplicate.)")
    _note(session, task, note, reconcile_at=None)


def record_check_failed(session: Session, task: ReconcileTask, error: BaseException, *, now: datetime) -> None:
    """The check itself failed: try again later unless it is old, and say what happened."""
    reason = error.message if isinstance(error, PublishError) else type(error).__name__
    retry = now + CHECK_LEASE if now - task.since < GIVE_UP_AFTER and _retryable(error) else None
    note = f"(Could not check {task.network.label} for the post: {reason})"
    _note(session, task, note, reconcile_at=retry)


def _retryable(error: BaseException) -> bool:
    return isinstance(error, PublishError) and error.kind in ("transient", "rate_limited", "unknown")


def _note(session: Session, task: ReconcileTask, note: str, *, reconcile_at: datetime | None) -> None:
    message = session.scalar(select(Delivery.last_error_message).where(Delivery.id == task.delivery_id)) or ""
    base = message
    for marker in NOTE_MARKERS:  # replace an earlier check's note, keep the reason
        base = base.split(marker, 1)[0]
    session.execute(
        update(Delivery)
        .where(Delivery.id == task.delivery_id, Delivery.state == S.UNKNOWN, Delivery.claim_count == task.fence)
        .values(last_error_message=f"{base} {note}".strip(), reconcile_at=reconcile_at)
        .execution_options(synchronize_session=False)
    )
