"""Signed webhooks from ATS and CRM systems: ``POST /hooks/<integration id>`` with a JSON event (docs/webhooks.md).

The answer is JSON and quick: the event is checked and applied in one transaction, so the sender
learns at once whether it was taken (200 ``accepted`` or ``duplicate``) or why not (4xx, nothing stored).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from scheduler.models import Integration
from scheduler.webhook_integrations import signing_key
from scheduler.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookRejected, parse_event, process, verify
from web.db import get_session
from web.errors import csrf
from web.services import services

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)  # machines post here without a session; the HMAC signature authenticates them

#: An event is a few kilobytes; anything far larger is refused before it is read.
MAX_BODY = 256 * 1024
log = logging.getLogger(__name__)


@bp.post("/<int:integration_id>")
def receive(integration_id: int) -> ResponseReturnValue:
    """Verify the signature and timestamp, then apply the event once; answer what happened as JSON."""
    db = get_session()
    integration = db.get(Integration, integration_id)
    if integration is None or not integration.active:
        # The same answer for unknown and switched-off integrations: a probe learns nothing.
        return _refused(WebhookRejected("unknown_integration", "There is no active integration here.", 404))
    if (request.content_length or 0) > MAX_BODY:
        return _refused(WebhookRejected("too_large", f"The body may have at most {MAX_BODY} bytes.", 413))
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return _refused(WebhookRejected("too_large", f"The body may have at most {MAX_BODY} bytes.", 413))
    now = services().clock()
    try:
        verify(signing_key(services().box, integration), raw, request.headers.get(TIMESTAMP_HEADER),
               request.headers.get(SIGNATURE_HEADER), now=now)
        result = process(db, integration, parse_event(raw), now=now)
    except WebhookRejected as rejected:
        db.rollback()  # nothing of a refused event stays, not even its id
        log.info("webhook refused: integration=%s code=%s", integration_id, rejected.code)
        return _refused(rejected)
    db.commit()
    return jsonify(status=result.status, event_id=result.event_id, outcome=result.outcome)


def _refused(rejected: WebhookRejected) -> tuple[Response, int]:
    return jsonify(status="rejected", error=rejected.code, message=rejected.message), rejected.http_status
