"""Webhook integrations (an ATS or a CRM): create one with a fresh secret, rotate it, switch it off or on."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.crypto import CredentialBox
from scheduler.models import Integration
from scheduler.ports import Credentials

KINDS = ("ats", "crm")
MAX_NAME = 120


class IntegrationError(ValueError):
    """An integration that cannot be created or changed as asked: a stable ``code``, plain words, the field."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def new_secret() -> str:
    """Return a fresh signing secret: 32 random bytes as 64 hex characters (the key is its ASCII text)."""
    return secrets.token_hex(32)


def create_integration(session: Session, box: CredentialBox, *, name: str, kind: str, now: datetime,
                       user_id: int | None) -> tuple[Integration, str]:
    """Add an active integration and return it with its secret, which is stored sealed and never shown again."""
    name = name.strip()
    if not name:
        raise IntegrationError("name_missing", "Enter a name, e.g. the system's name.", "name")
    if len(name) > MAX_NAME:
        raise IntegrationError("name_too_long", f"The name may have at most {MAX_NAME} characters.", "name")
    if kind not in KINDS:
        raise IntegrationError("kind_invalid", "Choose whether it is an ATS or a CRM.", "kind")
    if session.scalar(select(Integration.id).where(func.lower(Integration.name) == name.lower())) is not None:
        raise IntegrationError("name_taken", "Another integration has this name.", "name")
    secret = new_secret()
    integration = Integration(name=name, kind=kind, secret=box.seal(Credentials(access_token=secret)), active=True,
                              created_at=now)
    session.add(integration)
    session.flush()
    audit(session, user_id, "integration.created", f"integration:{integration.id}", f"{kind} {name}")
    return integration, secret


def rotate_secret(session: Session, box: CredentialBox, integration_id: int, *, user_id: int | None) -> str:
    """Give the integration a new secret and return it; the old one stops working at once."""
    integration = get_integration(session, integration_id)
    secret = new_secret()
    integration.secret = box.seal(Credentials(access_token=secret))
    session.flush()
    audit(session, user_id, "integration.secret_rotated", f"integration:{integration_id}")
    return secret


def set_active(session: Session, integration_id: int, active: bool, *, user_id: int | None) -> Integration:
    """Switch the integration on or off (off: its webhooks answer 404 and change nothing)."""
    integration = get_integration(session, integration_id)
    if integration.active != active:
        integration.active = active
        session.flush()
        audit(session, user_id, "integration.activated" if active else "integration.deactivated",
              f"integration:{integration_id}")
    return integration


def get_integration(session: Session, integration_id: int) -> Integration:
    """Return the integration or raise IntegrationError("not_found")."""
    integration = session.get(Integration, integration_id)
    if integration is None:
        raise IntegrationError("not_found", "This integration does not exist.")
    return integration


def signing_key(box: CredentialBox, integration: Integration) -> bytes:
    """Return the HMAC key of the integration's webhooks."""
    return box.open(integration.secret).access_token.encode()
