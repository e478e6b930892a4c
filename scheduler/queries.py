"""Read-only queries the UI needs: delivery lists, one delivery with its log, channels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from scheduler.lifecycle import NEEDS_ATTENTION, DeliveryState
from scheduler.models import (
    Attempt,
    AuditEvent,
    Channel,
    ChannelStatus,
    Delivery,
    Media,
    MetricSnapshot,
    Post,
    PostKind,
    User,
)
from scheduler.networks import Network

S = DeliveryState

#: A list page shows at most this many deliveries (paging comes later).
DEFAULT_LIMIT = 200


class StateGroup(StrEnum):
    """The filters of the delivery list."""

    UPCOMING = "upcoming"
    ATTENTION = "attention"
    PUBLISHED = "published"
    ALL = "all"


#: States still on their way to the network.
UPCOMING = frozenset({S.DRAFT, S.AWAITING_APPROVAL, S.SCHEDULED, S.QUEUED, S.PUBLISHING, S.PROCESSING,
                      S.RETRY_WAIT, S.AWAITING_OWNER})

GROUP_STATES: dict[StateGroup, frozenset[DeliveryState] | None] = {
    StateGroup.UPCOMING: UPCOMING,
    StateGroup.ATTENTION: NEEDS_ATTENTION,
    StateGroup.PUBLISHED: frozenset({S.PUBLISHED}),
    StateGroup.ALL: None,
}


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One delivery with what the list shows of its post and channel."""

    id: int
    state: DeliveryState
    due_at: datetime
    attempts: int
    external_url: str | None
    published_at: datetime | None
    last_error_kind: str | None
    last_error_message: str | None
    updated_at: datetime
    post_id: int
    text: str
    link: str | None
    kind: PostKind
    campaign: str
    channel_id: int
    network: Network
    channel_name: str
    handle: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event with the name of the person who caused it."""

    at: datetime
    action: str
    subject: str
    detail: str
    user_name: str | None


@dataclass(frozen=True, slots=True)
class DeliveryDetail:
    """One delivery, its attempt log (oldest first) and the audit events of it and its post."""

    row: DeliveryRow
    attempts: list[Attempt]
    events: list[AuditEntry]
    metrics: list[MetricSnapshot]  # newest first
    media: list[Media] = field(default_factory=list)  # the post's images, in order


_ROW_COLUMNS = (
    Delivery.id, Delivery.state, Delivery.due_at, Delivery.attempts, Delivery.external_url, Delivery.published_at,
    Delivery.last_error_kind, Delivery.last_error_message, Delivery.updated_at,
    Post.id, Post.text, Post.link, Post.kind, Post.campaign,
    Channel.id, Channel.network, Channel.name, Channel.handle,
)


def _rows_select() -> Select[*tuple[Any, ...]]:
    # One query joins post and channel: the list never loads them row by row.
    return (
        select(*_ROW_COLUMNS)
        .join(Post, Post.id == Delivery.post_id)
        .join(Channel, Channel.id == Delivery.channel_id)
    )


def list_deliveries(session: Session, group: StateGroup = StateGroup.ALL, *,
                    limit: int = DEFAULT_LIMIT) -> list[DeliveryRow]:
    """Return the deliveries of ``group`` with post and channel, in one query.

    Upcoming deliveries and those needing attention come soonest first; published ones and the
    full list newest first.
    """
    stmt = _rows_select()
    states = GROUP_STATES[group]
    if states is not None:
        stmt = stmt.where(Delivery.state.in_(sorted(states)))
    if group in (StateGroup.UPCOMING, StateGroup.ATTENTION):
        stmt = stmt.order_by(Delivery.due_at, Delivery.id)
    else:
        stmt = stmt.order_by(Delivery.due_at.desc(), Delivery.id.desc())
    return [DeliveryRow(*row) for row in session.execute(stmt.limit(limit))]


def count_by_group(session: Session) -> dict[StateGroup, int]:
    """Return how many deliveries each group holds (one GROUP BY query)."""
    by_state = {state: count for state, count in
                session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))}
    return {
        group: sum(n for state, n in by_state.items() if states is None or state in states)
        for group, states in GROUP_STATES.items()
    }


def get_delivery(session: Session, delivery_id: int) -> DeliveryDetail | None:
    """Return one delivery with its attempts and audit events, or None if there is no such delivery."""
    found = session.execute(_rows_select().where(Delivery.id == delivery_id)).first()
    if found is None:
        return None
    row = DeliveryRow(*found)
    attempts = list(session.scalars(select(Attempt).where(Attempt.delivery_id == delivery_id)
                                    .order_by(Attempt.id)))
    metrics = list(session.scalars(select(MetricSnapshot).where(MetricSnapshot.delivery_id == delivery_id)
                                   .order_by(MetricSnapshot.taken_at.desc())))
    media = list(session.scalars(select(Media).where(Media.post_id == row.post_id)
                                 .order_by(Media.position, Media.id)))
    return DeliveryDetail(row=row, attempts=attempts,
                          events=audit_entries(session, [f"delivery:{delivery_id}", f"post:{row.post_id}"]),
                          metrics=metrics, media=media)


def audit_entries(session: Session, subjects: Sequence[str]) -> list[AuditEntry]:
    """Return the audit events about any of ``subjects``, oldest first, with the person's name."""
    stmt = (
        select(AuditEvent.at, AuditEvent.action, AuditEvent.subject, AuditEvent.detail, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.subject.in_(list(subjects)))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [AuditEntry(*row) for row in session.execute(stmt)]


def list_channels(session: Session) -> list[Channel]:
    """Return every channel, by network and name."""
    return list(session.scalars(select(Channel).order_by(Channel.network, Channel.name, Channel.id)))


def postable_channels(session: Session) -> list[Channel]:
    """Return the channels a post can be scheduled on (every channel that is not disabled)."""
    return list(session.scalars(select(Channel).where(Channel.status != ChannelStatus.DISABLED)
                                .order_by(Channel.network, Channel.name, Channel.id)))


def count_channels_needing_reconnect(session: Session) -> int:
    """Return how many channels cannot publish until someone reconnects them."""
    return int(session.scalar(select(func.count(Channel.id)).where(Channel.status == ChannelStatus.NEEDS_RECONNECT))
               or 0)
