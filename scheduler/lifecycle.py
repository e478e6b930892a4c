"""The delivery state machine: the one table of allowed transitions (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    PublishError,
    RateLimitedError,
    RejectedError,
    TransientError,
)


class DeliveryState(StrEnum):
    """Where one post on one channel stands."""

    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    PUBLISHING = "publishing"
    PROCESSING = "processing"  # the network accepted the media and is still processing it (Instagram)
    AWAITING_OWNER = "awaiting_owner"  # assisted channel (XING): the owner posts it by hand
    PUBLISHED = "published"
    RETRY_WAIT = "retry_wait"
    FAILED = "failed"
    NEEDS_RECONNECT = "needs_reconnect"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


S = DeliveryState

ALLOWED: Mapping[DeliveryState, frozenset[DeliveryState]] = {
    S.DRAFT: frozenset({S.AWAITING_APPROVAL, S.SCHEDULED, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED}),
    # scheduled -> awaiting_owner: an assisted channel's task is handed to its owner at the due time.
    S.SCHEDULED: frozenset({S.QUEUED, S.AWAITING_OWNER, S.DRAFT, S.AWAITING_APPROVAL, S.CANCELLED}),
    # queued -> scheduled / needs_reconnect: the channel is rate limited or disconnected, found
    # before any network call, so nothing was sent.
    S.QUEUED: frozenset({S.PUBLISHING, S.SCHEDULED, S.NEEDS_RECONNECT, S.CANCELLED}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.PROCESSING, S.RETRY_WAIT, S.SCHEDULED, S.FAILED, S.NEEDS_RECONNECT,
                             S.UNKNOWN}),
    # processing: only reads happen until the network says the media is ready; then exactly one
    # publish call, whose unclear outcome is `unknown` like any other.
    S.PROCESSING: frozenset({S.PUBLISHED, S.RETRY_WAIT, S.FAILED, S.NEEDS_RECONNECT, S.UNKNOWN}),
    # The owner posted it and pasted the URL, postponed it, or it was called off.
    S.AWAITING_OWNER: frozenset({S.PUBLISHED, S.SCHEDULED, S.CANCELLED}),
    S.RETRY_WAIT: frozenset({S.QUEUED, S.CANCELLED}),
    S.NEEDS_RECONNECT: frozenset({S.SCHEDULED, S.CANCELLED}),
    # unknown leaves only by evidence (reconciliation found the post) or by a person's decision.
    S.UNKNOWN: frozenset({S.PUBLISHED, S.SCHEDULED, S.FAILED}),
    S.FAILED: frozenset({S.SCHEDULED}),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset(),
}

#: States a person may cancel from: everything before the network could have been called.
CANCELLABLE = frozenset(state for state, targets in ALLOWED.items() if S.CANCELLED in targets)
#: States the dispatcher picks up when their run time has come.
DISPATCHABLE = (S.SCHEDULED, S.RETRY_WAIT)
#: States that need a person's attention.
NEEDS_ATTENTION = frozenset({S.FAILED, S.NEEDS_RECONNECT, S.UNKNOWN})
#: States no automation will ever leave.
TERMINAL = frozenset({S.PUBLISHED, S.CANCELLED})


class InvalidTransitionError(ValueError):
    """A state change the lifecycle table does not allow."""

    def __init__(self, old: DeliveryState, new: DeliveryState) -> None:
        super().__init__(f"delivery cannot move from {old.value} to {new.value}")
        self.old, self.new = old, new


def can_transition(old: DeliveryState, new: DeliveryState) -> bool:
    """Tell whether the table allows ``old -> new``."""
    return new in ALLOWED[old]


def assert_transition(old: DeliveryState, new: DeliveryState) -> None:
    """Raise InvalidTransitionError unless ``old -> new`` is allowed."""
    if not can_transition(old, new):
        raise InvalidTransitionError(old, new)


def backoff(attempts_spent: int, *, base_s: float, cap_s: float, jitter: float) -> timedelta:
    """Capped exponential backoff; ``jitter`` in [0, 1) spreads retries (passed in, so this stays pure)."""
    # Clamp the exponent: a float times 2**1024 or more raises OverflowError instead of hitting the cap.
    raw = min(cap_s, base_s * 2.0 ** min(max(0, attempts_spent - 1), 1000))
    return timedelta(seconds=raw * (0.75 + 0.5 * jitter))


def state_after_error(
    error: BaseException,
    *,
    attempts_spent: int,
    max_attempts: int,
) -> DeliveryState:
    """Return the state a publishing delivery moves to after ``error``.

    ``attempts_spent`` already counts this attempt when the error spends one. Anything that is
    not one of our typed errors may have happened after the request left, so it is ``unknown``.
    """
    if isinstance(error, RateLimitedError):
        return S.SCHEDULED
    if isinstance(error, AuthExpiredError):
        return S.NEEDS_RECONNECT
    if isinstance(error, RejectedError):
        return S.FAILED
    if isinstance(error, TransientError):
        return S.RETRY_WAIT if attempts_spent < max_attempts else S.FAILED
    if isinstance(error, OutcomeUnknownError):
        return S.UNKNOWN
    if isinstance(error, PublishError):
        return S.FAILED
    return S.UNKNOWN


def run_at_after_error(
    error: BaseException, *, now: datetime, attempts_spent: int, base_s: float, cap_s: float, jitter: float
) -> datetime | None:
    """Return when the dispatcher should act again after ``error`` (None: it should not)."""
    if isinstance(error, RateLimitedError):
        return max(error.retry_at, now)
    if isinstance(error, TransientError):
        return now + backoff(attempts_spent, base_s=base_s, cap_s=cap_s, jitter=jitter)
    return None
