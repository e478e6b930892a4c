"""When to collect network metrics for a published delivery, and storing what came back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, Delivery, MetricSnapshot
from scheduler.networks import Network
from scheduler.ports import MetricValues

#: Collect at these ages of a post: early reach, the first day, the week, the month.
COLLECT_AT = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7), timedelta(days=28))
#: A claimed collection that never reported back (job lost) comes round again after this.
COLLECT_LEASE = timedelta(minutes=15)


def first_collection(published_at: datetime) -> datetime:
    """Return when a post published at ``published_at`` is first measured."""
    return published_at + COLLECT_AT[0]


def next_collection(published_at: datetime, rounds_done: int) -> datetime | None:
    """Return when to collect after ``rounds_done`` collections, or None when the schedule is done."""
    return published_at + COLLECT_AT[rounds_done] if rounds_done < len(COLLECT_AT) else None


@dataclass(frozen=True, slots=True)
class ChannelBatch:
    """The published deliveries of one channel whose metrics are due, with what fetching needs."""

    channel_id: int
    network: Network
    sealed_credentials: str
    handle: str
    external_ids: Mapping[int, str]  # delivery id -> the network's post id


def claim_due(session: Session, *, now: datetime, limit: int = 500) -> list[int]:
    """Pick published deliveries whose collection is due; push their due time out by the lease."""
    due = (
        select(Delivery.id)
        .where(Delivery.metrics_due_at <= now, Delivery.state == DeliveryState.PUBLISHED,
               Delivery.external_id.is_not(None))
        .order_by(Delivery.metrics_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return list(session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(due), Delivery.metrics_due_at <= now)
        .values(metrics_due_at=now + COLLECT_LEASE)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ))


def load_batches(session: Session, delivery_ids: list[int]) -> list[ChannelBatch]:
    """Group deliveries by channel, so each channel's metrics come in one request."""
    rows = session.execute(
        select(Delivery.id, Delivery.external_id, Channel.id, Channel.network, Channel.credentials, Channel.handle)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.id.in_(delivery_ids), Delivery.external_id.is_not(None))
        .order_by(Channel.id, Delivery.id)
    ).all()
    grouped: dict[int, tuple[Network, str, str, dict[int, str]]] = {}
    for d_id, ext_id, channel_id, network, sealed, handle in rows:
        grouped.setdefault(channel_id, (network, sealed, handle, {}))[3][d_id] = str(ext_id)
    return [ChannelBatch(c, n, s, h, ids) for c, (n, s, h, ids) in grouped.items()]


def record(session: Session, batch: ChannelBatch, values: Mapping[str, MetricValues], *, now: datetime) -> int:
    """Store one snapshot per delivery (all None where the network said nothing) and advance each schedule."""
    rows = session.execute(
        select(Delivery.id, Delivery.published_at, Delivery.metrics_round)
        .where(Delivery.id.in_(list(batch.external_ids)))
    ).all()
    for d_id, published_at, rounds in rows:
        found = values.get(batch.external_ids[d_id], MetricValues())
        session.add(MetricSnapshot(delivery_id=d_id, taken_at=now, impressions=found.impressions,
                                   reactions=found.reactions, comments=found.comments, shares=found.shares,
                                   clicks=found.clicks))
        done = rounds + 1
        session.execute(update(Delivery).where(Delivery.id == d_id)
                        .values(metrics_round=done, metrics_due_at=next_collection(published_at or now, done))
                        .execution_options(synchronize_session=False))
    return len(rows)


def postpone(session: Session, batch: ChannelBatch, until: datetime) -> None:
    """Try this channel's collection again at ``until`` (rate limit, outage, expired token)."""
    session.execute(update(Delivery).where(Delivery.id.in_(list(batch.external_ids)))
                    .values(metrics_due_at=until).execution_options(synchronize_session=False))
