"""Typed publish errors; the reaction to each lives on its class, not in string checks."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

MAX_DETAIL = 2000


class PublishError(Exception):
    """A publish (or reconcile) call failed; subclasses say what the engine does next."""

    kind: ClassVar[str] = "error"
    # True when the attempt counts against the delivery's retry budget.
    spends_attempt: ClassVar[bool] = True

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail[:MAX_DETAIL]


class TransientError(PublishError):
    """The request did not reach the network or was refused before acting (5xx before send, refused
    connection): safe to try again after a backoff."""

    kind = "transient"


class RateLimitedError(PublishError):
    """The network asks us to wait until ``retry_at``; this costs no attempt."""

    kind = "rate_limited"
    spends_attempt = False

    def __init__(self, message: str, *, retry_at: datetime, status: int | None = 429, detail: str = "") -> None:
        super().__init__(message, status=status, detail=detail)
        self.retry_at = retry_at


class AuthExpiredError(PublishError):
    """The channel's token is expired or revoked: the channel needs to be reconnected."""

    kind = "auth_expired"


class RejectedError(PublishError):
    """The network refused the content (too long, duplicate, bad media); retrying will not help."""

    kind = "rejected"


class OutcomeUnknownError(PublishError):
    """The request was sent but no answer came (timeout, reset, 5xx after send): the post may be live.

    Never retried blindly; reconciliation asks the network first.
    """

    kind = "unknown"


class ReconciliationUnsupportedError(PublishError):
    """The adapter cannot look up existing posts on this network (or with this access level)."""

    kind = "reconcile_unsupported"
