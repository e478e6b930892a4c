"""How Meta's Graph API (Facebook Pages and Instagram) reports errors, mapped to our typed errors.

The one place that knows the Graph error envelope (networks.md §4.4 and §5.5)::

    {"error": {"message", "type", "code", "error_subcode", "error_user_msg", "fbtrace_id", ...}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
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

MAX_MESSAGE = 500
SERVICE_UNAVAILABLE = 503

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 341})
AUTH_CODES = frozenset({190, 102, 10})  # plus 200-299 (permission removed)
TRANSIENT_CODES = frozenset({1, 2})
BLOCKED_CODE = 368
DUPLICATE_CODE = 506
PUBLISH_LIMIT_SUBCODE = 2207042  # Instagram: content publishing quota used up
AUTH_SUBCODES = frozenset({33, 458, 459, 460, 463, 464, 467, 492, 1404078})
TRANSIENT_SUBCODES = frozenset({2207027, 2207003, 2207052, 2207053, 2207032, 2207082, 1363047, 1609010})

#: Waits when Meta does not say how long: codes 4/17/32/80001 are short windows; 613 counts per hour.
RATE_LIMIT_FALLBACK = timedelta(minutes=15)
HOURLY_LIMIT_WAIT = timedelta(hours=1)
PUBLISH_LIMIT_WAIT = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class GraphError:
    """The fields of a Graph error envelope we act on."""

    message: str
    code: int | None
    subcode: int | None
    user_message: str
    transient: bool


def parse_error(body: Any) -> GraphError | None:
    """Return the Graph error in ``body`` (a decoded JSON answer), or None when it holds none."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    return GraphError(
        message=str(error.get("message") or error.get("error_user_msg") or ""),
        code=_int(error.get("code")),
        subcode=_int(error.get("error_subcode")),
        user_message=str(error.get("error_user_msg") or ""),
        transient=bool(error.get("is_transient")),
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def regain_at(response: requests.Response | None, code: int | None, now: datetime | None = None) -> datetime:
    """Return when Meta lets the caller in again.

    Reads ``estimated_time_to_regain_access`` (minutes) from the error body or from
    ``X-Business-Use-Case-Usage``; without it, 1 hour for code 613 and 15 minutes otherwise.
    """
    now = now or utcnow()
    minutes: list[float] = []
    if response is not None:
        error = json_object(response).get("error")
        if isinstance(error, dict):
            minutes += _minutes(error.get("estimated_time_to_regain_access"))
        try:
            usage = json.loads(response.headers.get("X-Business-Use-Case-Usage") or "{}")
        except ValueError:
            usage = {}
        if isinstance(usage, dict):
            for entries in usage.values():
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict):
                        minutes += _minutes(entry.get("estimated_time_to_regain_access"))
    wait = max(minutes, default=0.0)
    if wait > 0:
        return now + timedelta(minutes=wait)
    return now + (HOURLY_LIMIT_WAIT if code == 613 else RATE_LIMIT_FALLBACK)


def _minutes(value: Any) -> list[float]:
    try:
        return [float(value)]
    except (TypeError, ValueError):
        return []


def translate(exc: requests.RequestException, *, network: str, mutation: bool) -> PublishError:
    """Map a failed Graph call to a typed error.

    ``exc`` is a transport error, or an ``HTTPError`` carrying the response. ``mutation`` is True for
    calls that create a post: a 5xx other than 503 then means the post may exist (OutcomeUnknownError).
    """
    response = exc.response if isinstance(exc, requests.HTTPError) else None
    if not isinstance(response, requests.Response):
        return classify_transport_error(exc, network=network, mutation=mutation)
    return from_response(response, network=network, mutation=mutation)


def from_response(response: requests.Response, *, network: str, mutation: bool) -> PublishError:
    """Map an unsuccessful Graph answer to a typed error (see networks.md §4.4 / §5.5)."""
    status = response.status_code
    error = parse_error(json_object(response))
    detail = truncate(response.text)
    text = truncate(error.message if error and error.message else f"HTTP {status}", MAX_MESSAGE)
    code, subcode = (error.code, error.subcode) if error else (None, None)
    if subcode == PUBLISH_LIMIT_SUBCODE or (code == 9 and subcode in (None, PUBLISH_LIMIT_SUBCODE)):
        return RateLimitedError(f"{network} publishing limit reached: {text}",
                                retry_at=utcnow() + PUBLISH_LIMIT_WAIT, status=status, detail=detail)
    if code in RATE_LIMIT_CODES:
        return RateLimitedError(f"{network} rate limit reached (#{code}): {text}",
                                retry_at=regain_at(response, code), status=status, detail=detail)
    if code in AUTH_CODES or subcode in AUTH_SUBCODES or (code is not None and 200 <= code <= 299):
        return AuthExpiredError(f"{network} no longer accepts this channel's token ({text}); connect it again.",
                                status=status, detail=detail)
    if code == DUPLICATE_CODE:
        return RejectedError(f"{network} refused a duplicate post: {text}", status=status, detail=detail)
    if code == BLOCKED_CODE:
        return RejectedError(f"{network} has temporarily blocked this account from posting: {text}",
                             status=status, detail=detail)
    if code in TRANSIENT_CODES or subcode in TRANSIENT_SUBCODES or status == SERVICE_UNAVAILABLE:
        if mutation and status >= 500 and status != SERVICE_UNAVAILABLE:
            return OutcomeUnknownError(f"{network} failed after the post was sent ({status}): {text}; it may be live.",
                                       status=status, detail=detail)
        return TransientError(f"{network} is unavailable right now ({status}): {text}", status=status, detail=detail)
    if status >= 500:
        if mutation:
            return OutcomeUnknownError(f"{network} failed after the post was sent ({status}): {text}; it may be live.",
                                       status=status, detail=detail)
        return TransientError(f"{network} is unavailable ({status}): {text}", status=status, detail=detail)
    if status in (401,) and error is None:
        return AuthExpiredError(f"{network} no longer accepts this channel's token; connect it again.",
                                status=status, detail=detail)
    shown = error.user_message if error and error.user_message else text
    return RejectedError(f"{network} refused the request: {truncate(shown, MAX_MESSAGE)}", status=status,
                         detail=detail)
