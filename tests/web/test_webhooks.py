"""POST /hooks/<id> over HTTP with a computed signature: accepted once, and refused with nothing stored when the
signature, timestamp, event id or payload is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from scheduler.models import Application, ApplicationStage, Integration, Lead, Vacancy, WebhookEvent
from scheduler.networks import Network
from scheduler.webhook_integrations import create_integration, set_active
from scheduler.webhooks import sign
from tests.factories import make_channel, make_delivery
from tests.web.conftest import NOW, services_of
from web.webhooks import MAX_BODY

TS = str(int(NOW.timestamp()))


@pytest.fixture
def sender(app: Flask) -> FlaskClient:
    """An ATS or CRM posting events: no cookies, no CSRF token."""
    return app.test_client()


def _integration(app: Flask, kind: str = "ats", name: str = "Personio") -> tuple[int, bytes]:
    with services_of(app).sessions.begin() as session:
        integration, secret = create_integration(session, services_of(app).box, name=name, kind=kind, now=NOW,
                                                 user_id=None)
        return integration.id, secret.encode()


def _post(client: FlaskClient, integration_id: int, secret: bytes, event: Any, *, timestamp: str = TS,
          signature: str | None = None, body: bytes | None = None) -> TestResponse:
    raw = body if body is not None else json.dumps(event).encode()
    headers = {"X-Postillon-Timestamp": timestamp,
               "X-Postillon-Signature": signature or sign(secret, raw, timestamp)}
    return client.post(f"/hooks/{integration_id}", data=raw, headers=headers, content_type="application/json")


def _counts(db: sessionmaker[Session]) -> tuple[int, ...]:
    with db() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(model)) or 0)
                     for model in (WebhookEvent, Application, Lead))


def _vacancy(db: sessionmaker[Session]) -> int:
    with db.begin() as session:
        vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", reference="REQ-7")
        session.add(vacancy)
        session.flush()
        return vacancy.id


APPLICATION = {"id": "evt-1", "type": "application.created",
               "data": {"external_id": "a-1", "vacancy_reference": "REQ-7", "name": "Max Muster",
                        "email": "max@example.com", "source": "LinkedIn"}}


def test_a_signed_application_is_stored_attributed_and_answered_as_json(
        app: Flask, sender: FlaskClient, db: sessionmaker[Session]) -> None:
    integration_id, secret = _integration(app)
    vacancy_id = _vacancy(db)
    with db.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN))
        delivery_id = delivery.id
    event = {**APPLICATION, "data": {**APPLICATION["data"], "utm_content": f"d{delivery_id}"}}  # type: ignore[dict-item]
    response = _post(sender, integration_id, secret, event)
    assert response.status_code == 200, response.get_data(as_text=True)
    with db() as session:
        application = session.scalars(select(Application)).one()
        assert response.json == {"status": "accepted", "event_id": "evt-1",
                                 "outcome": f"application:{application.id}"}
        assert (application.vacancy_id, application.utm_source, application.delivery_id) == (
            vacancy_id, "linkedin", delivery_id)
        integration = session.get(Integration, integration_id)
        assert integration is not None and integration.last_event_at == NOW
    assert response.headers.getlist("Set-Cookie") == []


def test_a_stage_change_follows_the_application(app: Flask, sender: FlaskClient, db: sessionmaker[Session]) -> None:
    integration_id, secret = _integration(app)
    _vacancy(db)
    _post(sender, integration_id, secret, APPLICATION)
    response = _post(sender, integration_id, secret, {"id": "evt-2", "type": "application.stage_changed",
                                                      "data": {"external_id": "a-1", "stage": "hired"}})
    assert response.status_code == 200
    with db() as session:
        assert session.scalars(select(Application.stage)).one() is ApplicationStage.HIRED


def test_a_crm_lead_is_stored(app: Flask, sender: FlaskClient, db: sessionmaker[Session]) -> None:
    integration_id, secret = _integration(app, kind="crm", name="HubSpot")
    response = _post(sender, integration_id, secret, {"id": "h-1", "type": "lead.created", "data": {
        "external_id": "c-9", "name": "Maria", "email": "maria@example.com", "utm_campaign": "messe"}})
    assert (response.status_code, response.json["status"]) == (200, "accepted")  # type: ignore[index]
    with db() as session:
        assert session.scalars(select(Lead.utm_campaign)).one() == "messe"


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"signature": "sha256=" + "0" * 64}, 401, "bad_signature"),
    ({"secret": b"not the secret"}, 401, "bad_signature"),
    ({"timestamp": str(int(NOW.timestamp()) - 301)}, 401, "stale_timestamp"),
    ({"timestamp": str(int(NOW.timestamp()) + 3600)}, 401, "future_timestamp"),
    ({"body": b"{not json"}, 400, "malformed_json"),
    ({"event": {**APPLICATION, "data": {**APPLICATION["data"], "vacancy_reference": "REQ-8"}}},  # type: ignore[dict-item]
     422, "unknown_vacancy"),
])
def test_a_bad_request_is_rejected_and_nothing_is_stored(app: Flask, sender: FlaskClient, db: sessionmaker[Session],
                                                         changes: dict[str, Any], status: int, code: str) -> None:
    integration_id, secret = _integration(app)
    _vacancy(db)
    changes = dict(changes)  # the parameter is shared by the SQLite and PostgreSQL runs
    event = changes.pop("event", APPLICATION)
    secret = changes.pop("secret", secret)
    response = _post(sender, integration_id, secret, event, **changes)
    assert response.status_code == status
    assert response.json is not None and response.json["status"] == "rejected"
    assert response.json["error"] == code and response.json["message"]
    assert _counts(db) == (0, 0, 0)
    with db() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None and integration.last_event_at is None


def test_missing_headers_are_rejected(app: Flask, sender: FlaskClient, db: sessionmaker[Session]) -> None:
    integration_id, _secret = _integration(app)
    response = sender.post(f"/hooks/{integration_id}", data=json.dumps(APPLICATION),
                           content_type="application/json")
    assert (response.status_code, response.json["error"]) == (401, "missing_timestamp")  # type: ignore[index]
    assert _counts(db) == (0, 0, 0)


def test_a_replayed_event_id_is_answered_duplicate_and_stores_nothing_more(
        app: Flask, sender: FlaskClient, db: sessionmaker[Session]) -> None:
    integration_id, secret = _integration(app)
    _vacancy(db)
    first = _post(sender, integration_id, secret, APPLICATION)
    again = _post(sender, integration_id, secret, {**APPLICATION, "data": {**APPLICATION["data"],  # type: ignore[dict-item]
                                                                           "external_id": "a-2"}})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json == {"status": "duplicate", "event_id": "evt-1", "outcome": first.json["outcome"]}  # type: ignore[index]
    assert _counts(db) == (1, 1, 0)


def test_an_unknown_or_switched_off_integration_answers_not_found(app: Flask, sender: FlaskClient,
                                                                  db: sessionmaker[Session]) -> None:
    integration_id, secret = _integration(app)
    _vacancy(db)
    assert _post(sender, integration_id + 1, secret, APPLICATION).status_code == 404
    with db.begin() as session:
        set_active(session, integration_id, False, user_id=None)
    response = _post(sender, integration_id, secret, APPLICATION)
    assert (response.status_code, response.json["error"]) == (404, "unknown_integration")  # type: ignore[index]
    assert _counts(db) == (0, 0, 0)


def test_a_body_over_the_limit_is_refused_unread(app: Flask, sender: FlaskClient, db: sessionmaker[Session]) -> None:
    integration_id, secret = _integration(app)
    response = _post(sender, integration_id, secret, None, body=b" " * (MAX_BODY + 1))
    assert (response.status_code, response.json["error"]) == (413, "too_large")  # type: ignore[index]
    assert _counts(db) == (0, 0, 0)


def test_only_post_is_accepted(app: Flask, sender: FlaskClient) -> None:
    integration_id, _secret = _integration(app)
    assert sender.get(f"/hooks/{integration_id}").status_code == 405
