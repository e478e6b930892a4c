"""Every delivery state write: a compare-and-set through the lifecycle table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState, assert_transition
from scheduler.models import Delivery


def move(
    session: Session,
    delivery_id: int,
    expected: DeliveryState | Iterable[DeliveryState],
    new: DeliveryState,
    *,
    fence: int | None = None,
    **values: Any,
) -> bool:
    """Move one delivery from an expected state to ``new``; False if someone else moved it first.

    ``fence`` (the claim_count of the caller's claim) makes a stale worker's write a no-op.
    """
    olds = (expected,) if isinstance(expected, DeliveryState) else tuple(expected)
    for old in olds:
        assert_transition(old, new)
    stmt = (
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state.in_(olds))
        .values(state=new, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if fence is not None:
        stmt = stmt.where(Delivery.claim_count == fence)
    result: CursorResult[Any] = session.execute(stmt)  # type: ignore[assignment]
    return result.rowcount == 1


def move_many(
    session: Session,
    delivery_ids: Iterable[int],
    expected: DeliveryState,
    new: DeliveryState,
    **values: Any,
) -> list[int]:
    """Move every listed delivery that is still in ``expected``; return the ids that moved."""
    assert_transition(expected, new)
    ids = list(delivery_ids)
    if not ids:
        return []
    stmt = (
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.state == expected)
        .values(state=new, updated_at=utcnow(), **values)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(stmt))
