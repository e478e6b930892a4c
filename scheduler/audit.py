"""The audit log: who did what, one row per action a person causes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scheduler.models import AuditEvent


def audit(session: Session, user_id: int | None, action: str, subject: str, detail: str = "") -> None:
    """Append one audit event."""
    session.add(AuditEvent(user_id=user_id, action=action, subject=subject, detail=detail))
