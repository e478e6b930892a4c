"""How X reports errors, mapped to Postillon's typed errors (the one place that knows X's error bodies)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from adapters._http import classify_transport_error, json_object, truncate
from scheduler.clock import utcnow
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    PublishError,
    RateLimitedError,
    RejectedError,
    TransientError,
)

RATE_LIMIT_FALLBACK = timedelta(minutes=15)  # X's window length when no reset header came
USAGE_CAP_WAIT = timedelta(hours=24)  # a used-up plan does not come back within a rate window
MAX_MESSAGE = 500


SERVICE_UNAVAILABLE = 503


def translate(exc: Exception, *, mutation: bool, action: str | None = None) -> PublishError:
    """Map a tweepy or requests exception to our typed errors (the one place that knows X's errors).

    ``mutation`` is True for ``POST /2/tweets``: a 5xx other than 503 or a lost answer then means
    the post may exist (X can fail after creating), so it is OutcomeUnknownError, not TransientError.
    ``action`` names the call in messages (e.g. "image upload"); media uploads are not mutations:
    an uploaded but unused image is visible to no one.
    """
    response = getattr(exc, "response", None)
    if not isinstance(response, requests.Response):
        if isinstance(exc, requests.RequestException):
            return classify_transport_error(exc, network="X", mutation=mutation)
        # A tweepy error without a response: raised while reading an answer X did send.
        kind = OutcomeUnknownError if mutation else TransientError
        return kind(f"X's answer could not be read: {truncate(str(exc), MAX_MESSAGE)}")
    status = response.status_code
    messages = list(getattr(exc, "api_messages", None) or body_messages(response))
    text = truncate(join_messages(messages) or f"HTTP {status}", MAX_MESSAGE)
    detail = truncate(response.text)
    what = action or ("post" if mutation else "request")
    if status == 402 or _problem_type(response) == "usage-capped":
        return RateLimitedError(
            "X says this app's plan has used up its credit (usage cap); posting resumes once the plan "
            "is topped up or the cap resets.",
            retry_at=utcnow() + USAGE_CAP_WAIT, status=status, detail=detail,
        )
    if status == 429:
        return RateLimitedError(f"X rate limit reached: {text}", retry_at=_reset_at(response), detail=detail)
    if status == 401:
        return AuthExpiredError("X no longer accepts this channel's token; connect it again.",
                                status=status, detail=detail)
    if status == 403 and any("duplicate" in str(m).lower() for m in messages):
        return RejectedError(text, status=status, detail=detail)
    if status == 403 and action:
        return RejectedError(f"X refused the {what} ({status}): {text}. If this channel was connected before "
                             "Postillon posted images, connect it again to allow media uploads.",
                             status=status, detail=detail)
    if 400 <= status < 500:
        return RejectedError(f"X refused the {what} ({status}): {text}", status=status, detail=detail)
    if status == SERVICE_UNAVAILABLE:
        # X (like Postiz's and networks.md's reading of it) answers 503 before doing any work:
        # safe to retry after a backoff, unlike 500/502/504 on a create.
        return TransientError(f"X is unavailable right now ({status}): {text}; nothing was posted.",
                              status=status, detail=detail)
    if mutation:
        return OutcomeUnknownError(f"X failed after the post was sent ({status}): {text}; it may be live.",
                                   status=status, detail=detail)
    return TransientError(f"X is unavailable ({status}): {text}", status=status, detail=detail)


def _reset_at(response: requests.Response) -> datetime:
    """Return when X's rate window resets (header ``x-rate-limit-reset``), else 15 minutes from now."""
    now = utcnow()
    try:
        reset = datetime.fromtimestamp(int(response.headers["x-rate-limit-reset"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        return now + RATE_LIMIT_FALLBACK
    return max(reset, now)


def _problem_type(response: requests.Response) -> str:
    """Return the last path segment of an RFC 7807 ``type`` (``usage-capped``), or ``""``."""
    return str(json_object(response).get("type", "")).rstrip("/").rsplit("/", 1)[-1]


def body_messages(response: requests.Response) -> list[str]:
    """Return the messages in an X or OAuth error body (tweepy's rules plus ``error_description``)."""
    body = json_object(response)
    messages = error_messages(body.get("errors", []))
    if isinstance(body.get("error"), str):
        messages.append(" — ".join(filter(None, [body["error"], body.get("error_description")])))
    if not messages and body.get("detail"):
        messages.append(str(body["detail"]))
    return messages


def error_messages(errors: Sequence[Any]) -> list[str]:
    """Return the human text of each entry of an ``errors`` array."""
    out = []
    for error in errors:
        if isinstance(error, dict):
            out.append(str(error.get("message") or error.get("detail") or error.get("title") or error))
        else:
            out.append(str(error))
    return out


def join_messages(messages: Sequence[str]) -> str:
    """Join non-empty messages into one line."""
    return "; ".join(m for m in messages if m)


def refused_private(errors: Sequence[Any]) -> bool:
    """Tell whether partial errors say the private metrics fields were not authorised."""
    return any(
        isinstance(e, dict)
        and (
            str(e.get("type", "")).endswith("/not-authorized-for-field")
            or "non_public_metrics" in (e.get("field"), e.get("parameter"))
        )
        for e in errors
    )
