"""How LinkedIn reports errors, mapped to Postillon's typed errors (the one place that knows its error bodies)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

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
_DUPLICATE_URN = re.compile(r"urn:li:(?:share|ugcPost|activity):\d+")


def duplicate_urn(text: str) -> str | None:
    """Return the URN in LinkedIn's "Content is a duplicate of urn:li:share:N" (from a message or detail)."""
    if "duplicate" not in text.lower():
        return None
    match = _DUPLICATE_URN.search(text)
    return match.group() if match else None


def next_midnight_utc(now: datetime | None = None) -> datetime:
    """Return the next 00:00 UTC, when LinkedIn's daily rate windows start again."""
    now = now or utcnow()
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def body_message(response: requests.Response) -> str:
    """Return the human text of a LinkedIn error body (REST ``message`` or OAuth ``error_description``)."""
    body = json_object(response)
    if isinstance(body.get("error"), str):
        return " — ".join(str(part) for part in (body["error"], body.get("error_description")) if part)
    parts = [str(body[key]) for key in ("code", "message") if body.get(key)]
    return ": ".join(parts)


def translate(exc: requests.RequestException | requests.Response, *, mutation: bool) -> PublishError:
    """Map a LinkedIn error answer (or a transport failure) to our typed errors.

    ``mutation`` is True for ``POST /rest/posts``: a 5xx other than 503 or a lost answer then means
    the post may exist, so it is OutcomeUnknownError (reconcile with ``find_existing``), not TransientError.
    """
    if isinstance(exc, requests.RequestException):
        response = exc.response
        if response is None:
            return classify_transport_error(exc, network="LinkedIn", mutation=mutation)
    else:
        response = exc
    status = response.status_code
    text = truncate(body_message(response) or f"HTTP {status}", MAX_MESSAGE)
    detail = truncate(response.text)
    body = json_object(response)
    if status == 401 or body.get("serviceErrorCode") in (65600, 65601, 65602):
        return AuthExpiredError(f"LinkedIn no longer accepts this channel's token ({text}); connect it again.",
                                status=status, detail=detail)
    if status == 426:
        return RejectedError(
            f"LinkedIn no longer serves the API version Postillon asks for ({text}); the operator must update "
            "the LinkedIn-Version setting to a current month.", status=status, detail=detail)
    if status == 429:
        return RateLimitedError(f"LinkedIn's daily limit is reached ({text}); posting resumes after 00:00 UTC.",
                                retry_at=next_midnight_utc(), status=status, detail=detail)
    if status == 422 and (urn := duplicate_urn(text)):
        return RejectedError(f"LinkedIn refused a repeat: Content is a duplicate of {urn}.", status=status,
                             detail=truncate(f"duplicate of {urn}; {response.text}"))
    if status == 403:
        return RejectedError(f"LinkedIn refused access ({text}); check that the connected member still "
                             "administers this page and that the app has the needed products.",
                             status=status, detail=detail)
    what = "post" if mutation else "request"
    if 400 <= status < 500:
        return RejectedError(f"LinkedIn refused the {what} ({status}): {text}", status=status, detail=detail)
    if status == SERVICE_UNAVAILABLE:
        return TransientError(f"LinkedIn is unavailable right now ({status}): {text}; nothing was posted.",
                              status=status, detail=detail)
    if mutation:
        return OutcomeUnknownError(f"LinkedIn failed after the post was sent ({status}): {text}; it may be live.",
                                   status=status, detail=detail)
    return TransientError(f"LinkedIn is unavailable ({status}): {text}", status=status, detail=detail)
