"""What each webhook event type does, with its payload checked field by field (docs/webhooks.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.applications import ApplicationError, move_stage, submit_application
from scheduler.attribution import Attribution, attribute
from scheduler.leads import LeadError, set_status, submit_lead
from scheduler.models import Application, ApplicationStage, Integration, Lead, LeadStatus, Vacancy
from scheduler.utm import UTM_KEYS

Data = Mapping[str, object]
E = TypeVar("E", ApplicationStage, LeadStatus)
MAX_EXTERNAL_ID = 200
#: ATS "source" values that name a network differently from Postillon's utm_source.
SOURCE_ALIASES = {"twitter": "x", "x (twitter)": "x", "x.com": "x", "linked in": "linkedin", "fb": "facebook",
                  "meta": "facebook", "ig": "instagram"}


class PayloadError(Exception):
    """An event whose data cannot be applied: a stable ``code`` and a message the sender can log."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Handler:
    """One event type: the integration kind that may send it and what it does (returns what it changed)."""

    kind: str
    apply: Callable[[Session, Integration, Data, datetime], str]


def source_of(integration: Integration) -> str:
    """Return the ``source`` stored on what an integration creates, e.g. ``webhook:Personio``."""
    return f"webhook:{integration.name}"[:64]


def text(data: Data, key: str, *, required: bool = False, max_length: int = 5000) -> str:
    """Return ``data[key]`` as trimmed text ("" when absent), or raise PayloadError naming the field."""
    value = data.get(key)
    if value is None:
        value = ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # ids sent as numbers are fine
    if not isinstance(value, str):
        raise PayloadError("invalid_field", f"data.{key} must be a string.")
    value = value.strip()
    if required and not value:
        raise PayloadError("missing_field", f"data.{key} is required.")
    if len(value) > max_length:
        raise PayloadError("invalid_field", f"data.{key} may have at most {max_length} characters.")
    return value


def attribution_of(session: Session, data: Data) -> Attribution:
    """Attribute by the UTM fields the event carries; an ATS ``source`` stands in for a missing utm_source."""
    values: dict[str, object] = {key: text(data, key, max_length=200) for key in UTM_KEYS}
    if not values["utm_source"]:
        source = text(data, "source", max_length=100).lower()
        values["utm_source"] = SOURCE_ALIASES.get(source, source)
    return attribute(session, values)


def _application_created(session: Session, integration: Integration, data: Data, now: datetime) -> str:
    external_id = text(data, "external_id", required=True, max_length=MAX_EXTERNAL_ID)
    known = _application_id(session, integration, external_id)
    if known is not None:
        return f"application:{known} (already known)"
    try:
        application = submit_application(
            session, vacancy_id=_vacancy_id(session, data), name=text(data, "name", required=True),
            email=text(data, "email", required=True), message=text(data, "message"), cv=None,
            privacy_text=text(data, "privacy_text"), talent_pool=False, attribution=attribution_of(session, data),
            now=now, source=source_of(integration), integration_id=integration.id, external_id=external_id)
    except ApplicationError as error:
        raise PayloadError(error.code, f"{error.message} ({error.field or 'data'})") from None
    return f"application:{application.id}"


def _application_stage_changed(session: Session, integration: Integration, data: Data, now: datetime) -> str:
    external_id = text(data, "external_id", required=True, max_length=MAX_EXTERNAL_ID)
    stage = _choice(data, "stage", ApplicationStage)
    application_id = _application_id(session, integration, external_id)
    if application_id is None:
        raise PayloadError("unknown_application", f"No application with external_id {external_id!r} came from "
                                                  "this integration; send application.created first.")
    try:
        # The ATS is the system of record: a hire or rejection it reopens is reopened here too.
        move_stage(session, application_id, stage, now=now, user_id=None, reopen=True)
    except ApplicationError as error:
        raise PayloadError(error.code, error.message) from None
    return f"application:{application_id} {stage.value}"


def _lead_created(session: Session, integration: Integration, data: Data, now: datetime) -> str:
    try:
        lead = submit_lead(
            session, name=text(data, "name", required=True, max_length=200), company=text(data, "company"),
            email=text(data, "email", required=True), message=text(data, "message"),
            consent_text=text(data, "consent_text"), attribution=attribution_of(session, data), now=now,
            source=source_of(integration), integration_id=integration.id,
            external_id=text(data, "external_id", required=True, max_length=MAX_EXTERNAL_ID))
    except LeadError as error:
        raise PayloadError(error.code, f"{error.message} ({error.field or 'data'})") from None
    return f"lead:{lead.id}" + (" (merged)" if lead.submissions > 1 else "")


def _lead_status_changed(session: Session, integration: Integration, data: Data, now: datetime) -> str:
    external_id = text(data, "external_id", required=True, max_length=MAX_EXTERNAL_ID)
    status = _choice(data, "status", LeadStatus)
    lead_id = session.scalar(select(Lead.id).where(Lead.integration_id == integration.id,
                                                   Lead.external_id == external_id))
    if lead_id is None:
        raise PayloadError("unknown_lead", f"No lead with external_id {external_id!r} came from this "
                                           "integration; send lead.created first.")
    try:
        set_status(session, lead_id, status, now=now, user_id=None)
    except LeadError as error:
        raise PayloadError(error.code, error.message) from None
    return f"lead:{lead_id} {status.value}"


def _vacancy_id(session: Session, data: Data) -> int:
    raw = data.get("vacancy_id")
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit():
            raise PayloadError("invalid_field", "data.vacancy_id must be a whole number.")
        found = session.scalar(select(Vacancy.id).where(Vacancy.id == int(raw)))
    else:
        reference = text(data, "vacancy_reference", max_length=64)
        if not reference:
            raise PayloadError("missing_field", "data.vacancy_id or data.vacancy_reference is required.")
        # A reference reused for a later requisition means the newest vacancy.
        found = session.scalar(select(Vacancy.id).where(Vacancy.reference == reference)
                               .order_by(Vacancy.id.desc()).limit(1))
    if found is None:
        raise PayloadError("unknown_vacancy", "No vacancy has this vacancy_id or vacancy_reference.")
    return found


def _application_id(session: Session, integration: Integration, external_id: str) -> int | None:
    return session.scalar(select(Application.id).where(Application.integration_id == integration.id,
                                                       Application.external_id == external_id))


def _choice(data: Data, key: str, kind: type[E]) -> E:
    value = text(data, key, required=True, max_length=32).lower()
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise PayloadError("invalid_field", f"data.{key} must be one of: {allowed}.") from None


HANDLERS: dict[str, Handler] = {
    "application.created": Handler("ats", _application_created),
    "application.stage_changed": Handler("ats", _application_stage_changed),
    "lead.created": Handler("crm", _lead_created),
    "lead.status_changed": Handler("crm", _lead_status_changed),
}
