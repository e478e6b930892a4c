"""Inbound webhooks from ATS and CRM systems: check the signature and timestamp, then apply the event once.

The sender signs ``f"{timestamp}.".encode() + raw_body`` with HMAC-SHA256 and the integration's secret
and sends ``X-Postillon-Timestamp: <unix seconds>`` and ``X-Postillon-Signature: sha256=<hex>``. The
event id is the body's ``id`` (inside what is signed). docs/webhooks.md describes the payloads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.models import Integration, WebhookEvent
from scheduler.webhook_payloads import HANDLERS, PayloadError

TIMESTAMP_HEADER = "X-Postillon-Timestamp"
SIGNATURE_HEADER = "X-Postillon-Signature"
#: How far a timestamp may lie from our clock, either way, before the request counts as a replay.
WINDOW_S = 300
MAX_EVENT_ID = 200
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


class WebhookRejected(Exception):
    """A webhook request that changes nothing: a stable ``code``, a message the sender can log, the HTTP status."""

    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What an accepted request did: ``accepted`` (with what it changed) or ``duplicate`` (nothing)."""

    status: str
    event_id: str
    outcome: str


def sign(secret: bytes, raw_body: bytes, timestamp: str) -> str:
    """Return the ``X-Postillon-Signature`` value for ``raw_body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: bytes, raw_body: bytes, timestamp: str | None, signature: str | None, *, now: datetime,
           window_s: int = WINDOW_S) -> None:
    """Raise WebhookRejected unless the signature is the secret's over this body and timestamp, sent recently."""
    if not timestamp:
        raise WebhookRejected("missing_timestamp", f"The {TIMESTAMP_HEADER} header is missing.", 401)
    if not signature:
        raise WebhookRejected("missing_signature", f"The {SIGNATURE_HEADER} header is missing.", 401)
    if not _TIMESTAMP.match(timestamp):
        raise WebhookRejected("malformed_timestamp",
                              f"{TIMESTAMP_HEADER} must be the Unix time in whole seconds.", 400)
    age_s = now.timestamp() - int(timestamp)
    if age_s > window_s:
        raise WebhookRejected("stale_timestamp", f"The timestamp is more than {window_s} seconds old; sign the "
                                                 "request again with the current time.", 401)
    if age_s < -window_s:
        raise WebhookRejected("future_timestamp", f"The timestamp is more than {window_s} seconds in the future; "
                                                  "check the sender's clock.", 401)
    match = _SIGNATURE.match(signature.strip())
    expected = sign(secret, raw_body, timestamp)
    # Constant-time comparison, also when the header is malformed, so timing tells nothing about the secret.
    given = f"sha256={match.group(1).lower()}" if match else "sha256=" + "0" * 64
    if not hmac.compare_digest(given.encode(), expected.encode()) or match is None:
        raise WebhookRejected("bad_signature", "The signature does not match the body and timestamp.", 401)


def parse_event(raw_body: bytes) -> dict[str, object]:
    """Return the JSON event in ``raw_body``, or raise WebhookRejected when it is no JSON object with id and type."""
    try:
        event = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookRejected("malformed_json", "The body is not valid JSON (UTF-8).", 400) from None
    if not isinstance(event, dict):
        raise WebhookRejected("malformed_json", "The body must be a JSON object.", 400)
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > MAX_EVENT_ID:
        raise WebhookRejected("missing_event_id", f"The event needs an \"id\": a string of 1 to {MAX_EVENT_ID} "
                                                  "characters, the same on every redelivery.", 422)
    if not isinstance(event.get("type"), str):
        raise WebhookRejected("missing_type", "The event needs a \"type\", e.g. \"lead.created\".", 422)
    if not isinstance(event.get("data"), dict):
        raise WebhookRejected("missing_data", "The event needs a \"data\" object.", 422)
    return event


def process(session: Session, integration: Integration, event: dict[str, object], *, now: datetime) -> WebhookResult:
    """Apply a parsed event once per (integration, event id); the caller commits, or rolls back on WebhookRejected.

    The event row is inserted first, so a redelivery racing this one waits on the unique constraint
    and then answers "duplicate"; an event that fails validation raises and, rolled back, leaves no trace.
    """
    event_id, event_type, data = str(event["id"]).strip(), str(event["type"]), event["data"]
    assert isinstance(data, dict)  # parse_event checked it
    known = session.scalar(select(WebhookEvent.outcome).where(WebhookEvent.integration_id == integration.id,
                                                              WebhookEvent.event_id == event_id))
    if known is not None:
        return WebhookResult("duplicate", event_id, known)
    handler = HANDLERS.get(event_type)
    if handler is None:
        raise WebhookRejected("unknown_type", f"Unknown event type {event_type[:64]!r}; see docs/webhooks.md.", 422)
    if handler.kind != integration.kind:
        raise WebhookRejected("wrong_kind", f"{event_type} events come from {handler.kind.upper()} integrations; "
                                            f"this one is a {integration.kind.upper()}.", 422)
    row = WebhookEvent(integration_id=integration.id, event_id=event_id, event_type=event_type, received_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same event, delivered twice at once: the other request has it
        return WebhookResult("duplicate", event_id, "")
    try:
        outcome = handler.apply(session, integration, data, now)
    except PayloadError as error:
        raise WebhookRejected(error.code, error.message, 422) from None
    row.outcome = outcome
    integration.last_event_at = now
    session.flush()
    return WebhookResult("accepted", event_id, outcome)
