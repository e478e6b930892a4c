"""Calendar data: deliveries in a time range, and moving a delivery to another time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.clock import ensure_utc
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, Channel, Delivery, Post
from scheduler.networks import Network
from scheduler.posts import PAST_GRACE

S = DeliveryState

#: States whose time a person may still change: nothing has been handed to a worker yet. A state
#: cannot move to itself in the lifecycle table, so the move is a CAS update on these states.
MOVABLE = frozenset({S.DRAFT, S.AWAITING_APPROVAL, S.SCHEDULED, S.RETRY_WAIT})
#: Characters of the post's text an entry carries (cut in SQL: long posts stay in the database).
SNIPPET = 120


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One delivery as the calendar shows it."""

    delivery_id: int
    post_id: int
    snippet: str
    channel_id: int
    channel_name: str
    channel_handle: str
    network: Network
    state: DeliveryState
    approval: ApprovalState
    due_at: datetime

    @property
    def movable(self) -> bool:
        """Tell whether a person may still move this delivery."""
        return self.state in MOVABLE


class MoveError(ValueError):
    """A delivery cannot be moved; the subclass says why."""


class DeliveryNotFoundError(MoveError):
    """No delivery has that id."""


class NotMovableError(MoveError):
    """The delivery is past the point where its time can change (queued, published, …)."""

    def __init__(self, state: DeliveryState) -> None:
        super().__init__(f"a {state.value} delivery cannot be moved")
        self.state = state


class MoveToPastError(MoveError):
    """The new time lies in the past."""


class TimeTakenError(MoveError):
    """The same post is already planned on the same channel at that time."""


def calendar_entries(session: Session, start: datetime, end: datetime,
                     channel_ids: Iterable[int] | None = None, *, include_cancelled: bool = False,
                     ) -> list[CalendarEntry]:
    """Return the deliveries due in [start, end), by time; cancelled ones only when asked for."""
    # A plain range on due_at (and channel_id IN …) lets the database use an index on those columns.
    stmt = (
        select(Delivery.id, Delivery.post_id, func.substr(Post.text, 1, SNIPPET), Channel.id, Channel.name,
               Channel.handle, Channel.network, Delivery.state, Post.approval, Delivery.due_at)
        .join(Post, Post.id == Delivery.post_id)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.due_at >= ensure_utc(start), Delivery.due_at < ensure_utc(end))
        .order_by(Delivery.due_at, Delivery.id)
    )
    if channel_ids is not None:
        stmt = stmt.where(Delivery.channel_id.in_(list(channel_ids)))
    if not include_cancelled:
        stmt = stmt.where(Delivery.state != S.CANCELLED)
    return [CalendarEntry(*row) for row in session.execute(stmt)]


def move_delivery(session: Session, delivery_id: int, *, new_due_at: datetime, user_id: int | None,
                  now: datetime) -> None:
    """Give a not yet dispatched delivery a new time (state unchanged); raise a MoveError and change nothing."""
    new_due_at = ensure_utc(new_due_at).replace(microsecond=0)
    found = session.execute(select(Delivery.post_id, Delivery.channel_id, Delivery.state, Delivery.due_at)
                            .where(Delivery.id == delivery_id)).first()
    if found is None:
        raise DeliveryNotFoundError(f"no delivery {delivery_id}")
    post_id, channel_id, state, old_due_at = found
    if state not in MOVABLE:
        raise NotMovableError(state)
    if new_due_at < ensure_utc(now) - PAST_GRACE:
        raise MoveToPastError(f"{new_due_at:%Y-%m-%d %H:%M}Z lies in the past")
    clash = session.scalar(select(Delivery.id).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id,
                                                     Delivery.due_at == new_due_at, Delivery.id != delivery_id))
    if clash is not None:
        raise TimeTakenError("the post is already planned on this channel at that time")
    # Compare-and-set on the state: a dispatcher that claimed it meanwhile wins and nothing is written.
    stmt = (
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state.in_(MOVABLE))
        .values(due_at=new_due_at, run_at=new_due_at, updated_at=ensure_utc(now))
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = session.execute(stmt)  # type: ignore[assignment]
    if result.rowcount != 1:
        current = session.scalar(select(Delivery.state).where(Delivery.id == delivery_id))
        raise NotMovableError(current or state)
    audit(session, user_id, "delivery.moved", f"delivery:{delivery_id}",
          f"{ensure_utc(old_due_at):%Y-%m-%dT%H:%MZ} -> {new_due_at:%Y-%m-%dT%H:%MZ}")
    session.flush()
