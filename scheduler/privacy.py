"""Data-subject requests by e-mail address: find, export (Art. 15/20 GDPR) and erase (Art. 17) a person's data.

The export is every stored column of every application and lead of the address, plus the vacancy and
channel they refer to, as JSON. CV files are listed (name, type) but not embedded: the person sent them
and a JSON of base64 PDFs is neither readable nor small; the notes say they are available on request.
Erasure anonymizes the rows like the retention purge (counts for reports stay) and deletes the CVs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.anonymize import anonymize_applications, anonymize_leads, delete_cv_files
from scheduler.audit import audit
from scheduler.models import Application, Channel, Lead, Vacancy

EXPORT_FORMAT = "postillon-personal-data/1"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class InvalidEmailError(ValueError):
    """The search needs one whole e-mail address; anything else would find other people's data."""


@dataclass(frozen=True, slots=True)
class Person:
    """What is stored under one e-mail address (anonymized rows no longer carry it)."""

    email: str
    applications: list[Application]
    leads: list[Lead]

    @property
    def found(self) -> bool:
        """Tell whether anything is stored for this address."""
        return bool(self.applications or self.leads)

    @property
    def cv_count(self) -> int:
        """Return how many CV files are stored for this address."""
        return sum(1 for app in self.applications if app.cv_key)


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """Which rows an erasure anonymized and how many CV files it deleted (ids only, no personal data)."""

    application_ids: list[int]
    lead_ids: list[int]
    cv_files: int


def normalize_email(email: str) -> str:
    """Return the address trimmed and lower-cased; raise InvalidEmailError unless it is one whole address."""
    value = email.strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise InvalidEmailError("Enter one complete e-mail address, e.g. name@example.at.")
    return value


def find_person(session: Session, email: str) -> Person:
    """Return the applications and leads stored under ``email`` (in any letter case), oldest first."""
    key = normalize_email(email)
    applications = list(session.scalars(select(Application).where(func.lower(func.trim(Application.email)) == key)
                                        .order_by(Application.received_at, Application.id)))
    same = or_(Lead.email_key == key, func.lower(func.trim(Lead.email)) == key)
    leads = list(session.scalars(select(Lead).where(same).order_by(Lead.created_at, Lead.id)))
    return Person(email=key, applications=applications, leads=leads)


def export_person(session: Session, email: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Return everything stored about ``email`` as JSON-ready data (every column, plus what it refers to)."""
    person = find_person(session, email)
    vacancies = {row.id: row for row in session.scalars(
        select(Vacancy).where(Vacancy.id.in_({app.vacancy_id for app in person.applications})))}
    channel_ids = {app.channel_id for app in person.applications} | {lead.channel_id for lead in person.leads}
    channels = {row.id: row for row in session.scalars(select(Channel).where(Channel.id.in_(channel_ids - {None})))}
    applications = []
    for app in person.applications:
        vacancy = vacancies[app.vacancy_id]
        record = _columns(app)
        record["vacancy"] = {"id": vacancy.id, "title": vacancy.title, "reference": vacancy.reference,
                             "location": vacancy.location, "status": _json(vacancy.status)}
        record["channel"] = _channel(channels, app.channel_id)
        record["cv_file"] = {"filename": app.cv_filename, "type": app.cv_mime} if app.cv_key else None
        applications.append(record)
    leads = [{**_columns(lead), "channel": _channel(channels, lead.channel_id)} for lead in person.leads]
    return {
        "format": EXPORT_FORMAT,
        "email": person.email,
        "exported_at": _json(now) if now else None,
        "applications": applications,
        "leads": leads,
        "notes": {
            "cv_files": "CV files are listed by name, not included; a copy is available on request.",
            "attribution": "utm_* and channel tell which post or network led to the application or enquiry.",
            "stages": "Each *_at field is when the application or lead reached that stage (UTC).",
        },
    }


def audit_export(session: Session, export: dict[str, Any], *, user_id: int | None) -> None:
    """Record who exported which rows (ids, never the address); the caller commits."""
    rows = [f"application:{row['id']}" for row in export["applications"]] + \
           [f"lead:{row['id']}" for row in export["leads"]]
    audit(session, user_id, "privacy.exported", "person", ",".join(rows) or "nothing stored")


def erase_person(session: Session, email: str, *, now: datetime, user_id: int | None,
                 data_dir: Path | str) -> ErasureReport:
    """Anonymize every application and lead of ``email`` and delete their CV files; the caller commits.

    Files go before the commit (as in the purge): a failed commit leaves the rows to erase again, never a
    CV behind a row that says it was erased. The audit event names row ids, not the address.
    """
    person = find_person(session, email)
    app_ids, cv_keys = anonymize_applications(session, [app.id for app in person.applications], now=now)
    lead_ids = anonymize_leads(session, [lead.id for lead in person.leads], now=now)
    session.flush()
    report = ErasureReport(application_ids=app_ids, lead_ids=lead_ids, cv_files=delete_cv_files(data_dir, cv_keys))
    audit(session, user_id, "privacy.erased", "person",
          f"applications {_ids(app_ids)}; leads {_ids(lead_ids)}; cv files {report.cv_files}")
    return report


def _ids(ids: list[int]) -> str:
    return ",".join(map(str, ids)) or "none"


def _columns(row: Application | Lead) -> dict[str, Any]:
    # Every mapped column, so a column added later is exported without anyone remembering to.
    return {attr.key: _json(getattr(row, attr.key)) for attr in type(row).__mapper__.column_attrs}


def _channel(channels: dict[int, Channel], channel_id: int | None) -> dict[str, Any] | None:
    channel = channels.get(channel_id) if channel_id is not None else None
    return None if channel is None else {"id": channel.id, "network": _json(channel.network), "name": channel.name}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
