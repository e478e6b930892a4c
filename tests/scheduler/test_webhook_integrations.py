"""Webhook integrations: a fresh secret shown once and stored sealed, unique names, rotation, switching off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.crypto import CredentialBox
from scheduler.models import AuditEvent, Integration
from scheduler.webhook_integrations import (
    IntegrationError,
    create_integration,
    rotate_secret,
    set_active,
    signing_key,
)

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
BOX = CredentialBox([CredentialBox.new_key()])


def test_a_new_integration_is_active_with_a_random_sealed_secret(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first, secret = create_integration(session, BOX, name=" Personio ", kind="ats", now=NOW, user_id=None)
        _second, other = create_integration(session, BOX, name="HubSpot", kind="crm", now=NOW, user_id=None)
        assert (first.name, first.kind, first.active, first.last_event_at) == ("Personio", "ats", True, None)
        assert len(secret) == 64 and int(secret, 16) and secret != other
        assert secret not in first.secret and signing_key(BOX, first) == secret.encode()
        assert session.scalar(select(AuditEvent.action)) == "integration.created"


@pytest.mark.parametrize(("name", "kind", "code"), [
    ("", "ats", "name_missing"), ("x" * 121, "ats", "name_too_long"), ("ERP", "erp", "kind_invalid"),
    ("personio", "crm", "name_taken"),
])
def test_a_bad_integration_is_refused_and_nothing_is_added(sessions: sessionmaker[Session], name: str, kind: str,
                                                           code: str) -> None:
    with sessions.begin() as session:
        create_integration(session, BOX, name="Personio", kind="ats", now=NOW, user_id=None)
        with pytest.raises(IntegrationError) as caught:
            create_integration(session, BOX, name=name, kind=kind, now=NOW, user_id=None)
        assert caught.value.code == code
        assert session.scalar(select(func.count(Integration.id))) == 1


def test_rotation_replaces_the_secret_at_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        integration, old = create_integration(session, BOX, name="CRM", kind="crm", now=NOW, user_id=None)
        new = rotate_secret(session, BOX, integration.id, user_id=None)
        assert new != old and signing_key(BOX, integration) == new.encode()


def test_switching_off_and_on_is_audited_once_per_change(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        integration, _ = create_integration(session, BOX, name="CRM", kind="crm", now=NOW, user_id=None)
        set_active(session, integration.id, False, user_id=None)
        set_active(session, integration.id, False, user_id=None)
        assert integration.active is False
        set_active(session, integration.id, True, user_id=None)
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["integration.created", "integration.deactivated", "integration.activated"]
        with pytest.raises(IntegrationError):
            set_active(session, 999, True, user_id=None)
