"""Record many publish outcomes in one transaction (the burst path of the publish job)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.metrics import first_collection
from scheduler.models import Attempt, Delivery
from scheduler.ports import Receipt
from scheduler.publishing import Claim, RetryPolicy, record_failure, record_pending, record_success

S = DeliveryState
Outcome = tuple[Claim, Receipt | BaseException]

# Core statements on the tables (not the ORM-enabled bulk path): compiled once, sent as one
# pipelined executemany. The WHERE clause is the same compare-and-set with fence as transitions.move.
_DELIVERY: Table = Delivery.__table__  # type: ignore[assignment]
_ATTEMPT: Table = Attempt.__table__  # type: ignore[assignment]
_PUBLISH = (
    update(_DELIVERY)
    .where(_DELIVERY.c.id == bindparam("d_id"), _DELIVERY.c.state == S.PUBLISHING.value,
           _DELIVERY.c.claim_count == bindparam("fence"))
    .values(state=S.PUBLISHED.value, external_id=bindparam("ext_id"), external_url=bindparam("ext_url"),
            published_at=bindparam("now"), updated_at=bindparam("now"), lease_until=None,
            metrics_due_at=bindparam("metrics_at"), metrics_round=0,
            attempts=_DELIVERY.c.attempts + 1, last_error_kind=None, last_error_message=None)
)
_FINISH_ATTEMPT = (
    update(_ATTEMPT)
    .where(_ATTEMPT.c.id == bindparam("a_id"))
    .values(finished_at=bindparam("now"), outcome="published", detail=bindparam("detail"))
)


class _LostClaimError(Exception):
    """A fenced update matched fewer rows than it had outcomes."""


def record_outcomes(session: Session, outcomes: Sequence[Outcome], *, now: datetime, policy: RetryPolicy,
                    jitter: Callable[[], float]) -> dict[int, DeliveryState | None]:
    """Record every outcome; return each delivery's new state (None where its claim was lost)."""
    states: dict[int, DeliveryState | None] = {}
    published = [(c, r) for c, r in outcomes if isinstance(r, Receipt) and not r.pending]
    if published:
        rows: list[dict[str, Any]] = [
            {"d_id": c.delivery_id, "fence": c.fence, "ext_id": r.external_id, "ext_url": r.url, "now": now,
             "metrics_at": first_collection(now)}
            for c, r in published
        ]
        try:
            with session.begin_nested():
                if session.connection().execute(_PUBLISH, rows).rowcount != len(rows):
                    raise _LostClaimError
                session.connection().execute(_FINISH_ATTEMPT, [
                    {"a_id": c.attempt_id, "now": now, "detail": f"id={r.external_id} url={r.url or ''}"}
                    for c, r in published
                ])
        except _LostClaimError:
            # Some claim was lost meanwhile (lease expired): rare, so sort it out row by row.
            return _one_by_one(session, outcomes, now=now, policy=policy, jitter=jitter)
        states.update((c.delivery_id, S.PUBLISHED) for c, _ in published)
    for claim_, result in outcomes:
        if isinstance(result, Receipt) and result.pending:
            states[claim_.delivery_id] = S.PROCESSING if record_pending(session, claim_, result, now=now) else None
        elif not isinstance(result, Receipt):
            states[claim_.delivery_id] = record_failure(session, claim_, result, now=now, policy=policy,
                                                        jitter=jitter())
    return states


def _one_by_one(session: Session, outcomes: Sequence[Outcome], *, now: datetime, policy: RetryPolicy,
                jitter: Callable[[], float]) -> dict[int, DeliveryState | None]:
    states: dict[int, DeliveryState | None] = {}
    for claim_, result in outcomes:
        if isinstance(result, Receipt) and result.pending:
            states[claim_.delivery_id] = S.PROCESSING if record_pending(session, claim_, result, now=now) else None
        elif isinstance(result, Receipt):
            states[claim_.delivery_id] = S.PUBLISHED if record_success(session, claim_, result, now=now) else None
        else:
            states[claim_.delivery_id] = record_failure(session, claim_, result, now=now, policy=policy,
                                                        jitter=jitter())
    return states
