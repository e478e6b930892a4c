"""Webhook verification and idempotent processing: a bad signature, an old or future timestamp, a replayed
event id or a bad event is rejected and stores nothing; a good event is applied once."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from scheduler.crypto import CredentialBox
from scheduler.models import Application, Integration, Lead, Vacancy, WebhookEvent
from scheduler.webhook_integrations import create_integration, signing_key
from scheduler.webhooks import WebhookRejected, WebhookResult, parse_event, process, sign, verify

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SECRET = b"5e6f" * 16
BODY = b'{"id": "evt-1", "type": "lead.created", "data": {}}'
TS = str(int(NOW.timestamp()))
BOX = CredentialBox([CredentialBox.new_key()])


def _rejected(**changes: object) -> WebhookRejected:
    values: dict[str, object] = {"secret": SECRET, "raw_body": BODY, "timestamp": TS,
                                 "signature": sign(SECRET, BODY, TS), "now": NOW}
    values.update(changes)
    with pytest.raises(WebhookRejected) as caught:
        verify(**values)  # type: ignore[arg-type]
    return caught.value


def test_a_correct_signature_and_fresh_timestamp_pass() -> None:
    verify(SECRET, BODY, TS, sign(SECRET, BODY, TS), now=NOW)
    verify(SECRET, BODY, str(int(NOW.timestamp()) - 300), sign(SECRET, BODY, str(int(NOW.timestamp()) - 300)),
           now=NOW)


def test_the_signature_is_the_worked_example_of_the_documentation() -> None:
    # docs/webhooks.md; the same value comes out of: printf '%s' "$TS.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
    secret = b"7d5f3c0a9b8e4f1d2c6a5b4e3f2d1c0b9a8e7f6d5c4b3a2e1f0d9c8b7a6e5f4d"
    body = (b'{"id":"evt_0001","type":"lead.created","data":{"external_id":"crm-4711","name":"Maria Huber",'
            b'"email":"maria.huber@example.com"}}')
    assert sign(secret, body, "1777885200") == (
        "sha256=39c334f0d5f0b4946d2a14acf704bbd67bc4f14e4746d327c59183b46009636c")


def test_an_upper_case_hex_signature_passes() -> None:
    verify(SECRET, BODY, TS, sign(SECRET, BODY, TS).upper().replace("SHA256=", "sha256="), now=NOW)


@pytest.mark.parametrize(("changes", "code", "status"), [
    ({"signature": None}, "missing_signature", 401),
    ({"timestamp": ""}, "missing_timestamp", 401),
    ({"timestamp": "2026-05-04T09:00:00Z"}, "malformed_timestamp", 400),
    ({"timestamp": "-5"}, "malformed_timestamp", 400),
    ({"signature": "sha256=" + "0" * 64}, "bad_signature", 401),
    ({"signature": "v1=abc"}, "bad_signature", 401),
    ({"signature": sign(b"another secret", BODY, TS)}, "bad_signature", 401),
    ({"raw_body": BODY + b" "}, "bad_signature", 401),
    ({"now": NOW + timedelta(seconds=301)}, "stale_timestamp", 401),
    ({"now": NOW - timedelta(seconds=301)}, "future_timestamp", 401),
])
def test_a_request_that_is_not_signed_now_with_the_secret_is_rejected(changes: dict[str, object], code: str,
                                                                      status: int) -> None:
    rejected = _rejected(**changes)
    assert (rejected.code, rejected.http_status) == (code, status)
    assert rejected.message


def test_the_same_signature_with_another_timestamp_is_rejected() -> None:
    later = str(int(NOW.timestamp()) + 60)
    assert _rejected(timestamp=later, now=NOW + timedelta(seconds=60)).code == "bad_signature"


@pytest.mark.parametrize(("body", "code", "status"), [
    (b"{not json", "malformed_json", 400),
    (b"\xff\xfe", "malformed_json", 400),
    (b"[1, 2]", "malformed_json", 400),
    (b'{"type": "lead.created", "data": {}}', "missing_event_id", 422),
    (b'{"id": "", "type": "lead.created", "data": {}}', "missing_event_id", 422),
    (b'{"id": 7, "type": "lead.created", "data": {}}', "missing_event_id", 422),
    (b'{"id": "e", "data": {}}', "missing_type", 422),
    (b'{"id": "e", "type": "lead.created", "data": []}', "missing_data", 422),
])
def test_a_body_that_is_no_event_is_rejected(body: bytes, code: str, status: int) -> None:
    with pytest.raises(WebhookRejected) as caught:
        parse_event(body)
    assert (caught.value.code, caught.value.http_status) == (code, status)


@pytest.fixture
def crm(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        integration, _secret = create_integration(session, BOX, name="Pipedrive", kind="crm", now=NOW, user_id=None)
    return integration.id


def _lead_event(event_id: str = "evt-1", **data: object) -> dict[str, object]:
    return {"id": event_id, "type": "lead.created", "data": {"external_id": "p-1", "name": "Maria Huber",
                                                              "email": "maria@example.com", **data}}


def _apply(sessions: sessionmaker[Session], integration_id: int, event: dict[str, object],
           now: datetime = NOW) -> WebhookResult | WebhookRejected:
    """Process ``event`` the way the web view does: commit when accepted, roll back when rejected."""
    with sessions() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None
        try:
            result = process(session, integration, parse_event(json.dumps(event).encode()), now=now)
        except WebhookRejected as rejected:
            session.rollback()
            return rejected
        session.commit()
        return result


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[return-value]
                     for model in (WebhookEvent, Lead, Application))


def test_a_good_event_is_applied_and_recorded_with_what_it_changed(sessions: sessionmaker[Session],
                                                                   crm: int) -> None:
    result = _apply(sessions, crm, _lead_event())
    assert isinstance(result, WebhookResult)
    with sessions() as session:
        lead = session.scalars(select(Lead)).one()
        assert result == WebhookResult("accepted", "evt-1", f"lead:{lead.id}")
        event = session.scalars(select(WebhookEvent)).one()
        assert (event.integration_id, event.event_id, event.event_type, event.outcome) == (
            crm, "evt-1", "lead.created", f"lead:{lead.id}")
        integration = session.get(Integration, crm)
        assert integration is not None and integration.last_event_at == NOW


def test_a_replayed_event_id_is_a_duplicate_and_changes_nothing(sessions: sessionmaker[Session], crm: int) -> None:
    first = _apply(sessions, crm, _lead_event())
    replay = _apply(sessions, crm, _lead_event(name="Someone Else", message="again"),
                    now=NOW + timedelta(minutes=1))
    assert isinstance(first, WebhookResult) and isinstance(replay, WebhookResult)
    assert (replay.status, replay.outcome) == ("duplicate", first.outcome)
    assert _counts(sessions) == (1, 1, 0)
    with sessions() as session:
        lead = session.scalars(select(Lead)).one()
        assert (lead.name, lead.submissions, lead.message) == ("Maria Huber", 1, "")
        integration = session.get(Integration, crm)
        assert integration is not None and integration.last_event_at == NOW


def test_the_same_event_id_from_another_integration_is_another_event(sessions: sessionmaker[Session],
                                                                     crm: int) -> None:
    with sessions.begin() as session:
        other, _ = create_integration(session, BOX, name="HubSpot", kind="crm", now=NOW, user_id=None)
    _apply(sessions, crm, _lead_event())
    result = _apply(sessions, other.id, _lead_event(external_id="h-1"))
    assert isinstance(result, WebhookResult) and result.status == "accepted"
    assert _counts(sessions)[0] == 2


@pytest.mark.parametrize(("event", "code"), [
    (_lead_event(email="not-an-address"), "email_invalid"),
    (_lead_event(external_id=""), "missing_field"),
    (_lead_event(name=["Maria"]), "invalid_field"),
    ({"id": "e", "type": "lead.deleted", "data": {}}, "unknown_type"),
    ({"id": "e", "type": "application.created", "data": {"external_id": "a"}}, "wrong_kind"),
])
def test_a_bad_event_is_rejected_with_a_clear_error_and_stores_nothing(
        sessions: sessionmaker[Session], crm: int, event: dict[str, object], code: str) -> None:
    rejected = _apply(sessions, crm, event)
    assert isinstance(rejected, WebhookRejected)
    assert (rejected.code, rejected.http_status) == (code, 422)
    assert _counts(sessions) == (0, 0, 0)
    with sessions() as session:
        integration = session.get(Integration, crm)
        assert integration is not None and integration.last_event_at is None


def test_an_event_for_an_unknown_vacancy_is_rejected_and_stores_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats, _ = create_integration(session, BOX, name="Personio", kind="ats", now=NOW, user_id=None)
        session.add(Vacancy(title="Koch (m/w/d)", location="Wien", reference="REQ-1"))
    rejected = _apply(sessions, ats.id, {"id": "e-1", "type": "application.created", "data": {
        "external_id": "a-1", "vacancy_reference": "REQ-2", "name": "Max", "email": "max@example.com"}})
    assert isinstance(rejected, WebhookRejected) and rejected.code == "unknown_vacancy"
    assert _counts(sessions) == (0, 0, 0)


def test_a_rejected_event_can_be_sent_again_once_fixed(sessions: sessionmaker[Session], crm: int) -> None:
    assert isinstance(_apply(sessions, crm, _lead_event(email="nope")), WebhookRejected)
    result = _apply(sessions, crm, _lead_event())
    assert isinstance(result, WebhookResult) and result.status == "accepted"


def test_the_signing_key_is_the_secret_shown_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        integration, secret = create_integration(session, BOX, name="CRM", kind="crm", now=NOW, user_id=None)
        assert secret not in integration.secret  # stored sealed
        assert signing_key(BOX, integration) == secret.encode()


def test_the_same_event_delivered_twice_at_once_is_applied_once_on_postgresql(
        sessions: sessionmaker[Session], crm: int, db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite serialises the two at BEGIN; the race needs PostgreSQL")
    first = sessions()
    integration = first.get(Integration, crm)
    assert integration is not None
    assert process(first, integration, _lead_event(), now=NOW).status == "accepted"  # not committed yet
    results: list[WebhookResult | WebhookRejected] = []
    thread = threading.Thread(target=lambda: results.append(_apply(sessions, crm, _lead_event())))
    thread.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock(sessions):
        assert time.monotonic() < deadline and not results, "the second delivery did not wait for the first"
        time.sleep(0.02)
    first.commit()
    first.close()
    thread.join(30)
    assert [getattr(r, "status", r) for r in results] == ["duplicate"]
    assert _counts(sessions) == (1, 1, 0)


def _waiting_on_a_lock(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return bool(session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        "AND query LIKE 'INSERT INTO webhook_event%'")))
