"""Company-wide settings: one JSON value per key in ``company_setting``, read and written in one place."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.models import CompanySetting


def read_setting(session: Session, key: str) -> object | None:
    """Return the decoded JSON value stored under ``key``; None when nothing (readable) is stored."""
    raw = session.scalar(select(CompanySetting.value).where(CompanySetting.key == key))
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def put_setting(session: Session, key: str, value: str, *, now: datetime) -> None:
    """Store one company setting (JSON text), also when another process creates the same key meanwhile."""
    row = session.get(CompanySetting, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(CompanySetting(key=key, value=value, updated_at=now))
            return
        except IntegrityError:
            row = session.get(CompanySetting, key, populate_existing=True)
    if row is not None and row.value != value:
        row.value, row.updated_at = value, now
