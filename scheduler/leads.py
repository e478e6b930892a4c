"""Sales leads: take a contact request in (lead form or CRM webhook), merge repeats, move it through its statuses.

A repeat request from the same e-mail address within the merge window (company setting, 30 days by
default, counted from the lead's latest request) is the same lead: it counts one more submission and
its message is appended with its date, while the first touch's attribution is kept. Statuses form the
funnel new → qualified → opportunity → customer, with junk possible from any of them; each status
keeps the moment it was reached (see ``set_status``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.applications import normal_email
from scheduler.attribution import Attribution
from scheduler.audit import audit
from scheduler.lead_settings import lead_form_settings
from scheduler.models import Lead, LeadStatus

#: The funnel in order; JUNK stands beside it.
FUNNEL = (LeadStatus.NEW, LeadStatus.QUALIFIED, LeadStatus.OPPORTUNITY, LeadStatus.CUSTOMER)
FORM = "form"
MAX_NAME, MAX_COMPANY, MAX_EMAIL, MAX_MESSAGE = 200, 200, 254, 5000
#: Merged messages stop being appended beyond this, so a script posting the form cannot grow a row forever.
MAX_HISTORY = 50_000
# Each appended message starts with this line, e.g. "--- 2026-03-01T12:00Z ---".
_STAMP = "--- {:%Y-%m-%dT%H:%MZ} ---"
_STAMP_LINE = re.compile(r"^--- (\d{4}-\d{2}-\d{2}T\d{2}:\d{2})Z ---$", re.M)


class LeadError(ValueError):
    """A lead that cannot be taken or changed as asked: a stable ``code``, plain words and the field."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Message:
    """One request's message in a lead's history; ``at`` is None when it predates dated history."""

    at: datetime | None
    text: str


def email_key(email: str) -> str:
    """Return the key that finds duplicates: the address trimmed and lower-cased."""
    return email.strip().lower()


def lead_problems(*, name: str, company: str, email: str, message: str, consent_text: str,
                  source: str = FORM) -> list[LeadError]:
    """Return every reason ``submit_lead`` would refuse these values (empty: it takes them)."""
    found: list[LeadError] = []
    if not name.strip():
        found.append(LeadError("name_missing", "Enter your name.", "name"))
    elif len(name.strip()) > MAX_NAME:
        found.append(LeadError("name_too_long", f"The name may have at most {MAX_NAME} characters.", "name"))
    if len(company.strip()) > MAX_COMPANY:
        found.append(LeadError("company_too_long", f"The company may have at most {MAX_COMPANY} characters.",
                               "company"))
    if not email.strip():
        found.append(LeadError("email_missing", "Enter your e-mail address.", "email"))
    elif len(email.strip()) > MAX_EMAIL or normal_email(email) is None:
        found.append(LeadError("email_invalid", "Enter a valid e-mail address, e.g. name@example.com.", "email"))
    if len(message.strip()) > MAX_MESSAGE:
        found.append(LeadError("message_too_long", f"The message may have at most {MAX_MESSAGE} characters.",
                               "message"))
    # The form asks for consent itself; a CRM answers for the consent it collected.
    if source == FORM and not consent_text.strip():
        found.append(LeadError("no_consent", "Please agree to the processing of your data.", "consent"))
    return found


def submit_lead(session: Session, *, name: str, company: str, email: str, message: str, consent_text: str,
                attribution: Attribution, now: datetime, source: str = FORM, integration_id: int | None = None,
                external_id: str | None = None) -> Lead:
    """Store a new lead or merge the request into the same person's recent lead; raise LeadError and store nothing.

    ``consent_text`` is the text the person agreed to (empty: no consent given). A CRM's record
    (``integration_id`` + ``external_id``) always finds its own lead; a CRM record that differs from the
    one an e-mail match is already linked to stays a lead of its own, because the CRM keeps them apart.
    """
    problems = lead_problems(name=name, company=company, email=email, message=message, consent_text=consent_text,
                             source=source)
    if problems:
        raise problems[0]
    address = normal_email(email) or email.strip()
    key = email_key(address)
    _lock(session, key)
    existing = _same_lead(session, key, integration_id, external_id, now)
    if existing is None:
        lead = Lead(name=name.strip(), company=company.strip(), email=address, email_key=key,
                    message=message.strip(), consent_text=consent_text.strip(),
                    consented_at=now if consent_text.strip() else None, status=LeadStatus.NEW, submissions=1,
                    last_submitted_at=now, source=source, integration_id=integration_id, external_id=external_id,
                    created_at=now, **attribution.columns())
        session.add(lead)
        session.flush()
        return lead
    _merge(existing, company=company, message=message, consent_text=consent_text, attribution=attribution, now=now)
    if existing.integration_id is None and integration_id is not None:
        existing.integration_id, existing.external_id = integration_id, external_id
    session.flush()
    return existing


def set_status(session: Session, lead_id: int, status: LeadStatus, *, now: datetime, user_id: int | None) -> Lead:
    """Move a lead to ``status`` and audit it.

    Reaching a funnel status stamps it and every earlier one not yet stamped (a customer was qualified);
    moving back down the funnel clears the later stamps (they were not really reached); junk keeps
    the funnel stamps (a qualified lead that turned out junk was still qualified) and leaving junk clears it.
    """
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LeadError("not_found", "This lead does not exist.")
    if lead.anonymized_at is not None:
        raise LeadError("anonymized", "This lead was anonymised and can no longer change.")
    current = lead.status
    if status is current:
        return lead
    if status is LeadStatus.JUNK:
        lead.junk_at = now
    else:
        lead.junk_at = None
        rank = FUNNEL.index(status)
        for earlier in FUNNEL[1 : rank + 1]:
            if getattr(lead, _column(earlier)) is None:
                setattr(lead, _column(earlier), now)
        for later in FUNNEL[rank + 1 :]:
            setattr(lead, _column(later), None)
    lead.status = status
    session.flush()
    audit(session, user_id, "lead.status", f"lead:{lead_id}", f"{current.value} -> {status.value}")
    return lead


def message_history(lead: Lead) -> list[Message]:
    """Return the lead's messages oldest first; the first is dated with the lead's creation."""
    parts = _STAMP_LINE.split(lead.message)
    history = [Message(lead.created_at, parts[0].strip())] if parts[0].strip() else []
    for stamp, text in zip(parts[1::2], parts[2::2], strict=True):
        history.append(Message(datetime.fromisoformat(stamp + "+00:00"), text.strip()))
    return history


def status_counts(session: Session) -> dict[LeadStatus, int]:
    """Return how many leads stand in each status (every status present)."""
    counts = {LeadStatus(status): int(n) for status, n in
              session.execute(select(Lead.status, func.count(Lead.id)).group_by(Lead.status))}
    return {status: counts.get(status, 0) for status in (*FUNNEL, LeadStatus.JUNK)}


def _same_lead(session: Session, key: str, integration_id: int | None, external_id: str | None,
               now: datetime) -> Lead | None:
    if integration_id is not None and external_id:
        linked = session.scalar(select(Lead).where(Lead.integration_id == integration_id,
                                                   Lead.external_id == external_id))
        if linked is not None:
            return linked
    window = timedelta(days=lead_form_settings(session).merge_window_days)
    recent = session.scalar(
        select(Lead).where(Lead.email_key == key, Lead.anonymized_at.is_(None), Lead.last_submitted_at >= now - window)
        .order_by(Lead.last_submitted_at.desc(), Lead.id.desc()).limit(1))
    if recent is not None and integration_id is not None and recent.integration_id == integration_id:
        return None  # the same CRM with another record id: the CRM says these are two leads
    return recent


def _merge(lead: Lead, *, company: str, message: str, consent_text: str, attribution: Attribution,
           now: datetime) -> None:
    lead.submissions += 1
    lead.last_submitted_at = now
    if message.strip() and len(lead.message) < MAX_HISTORY:
        entry = f"{_STAMP.format(now)}\n{message.strip()}"
        lead.message = f"{lead.message}\n\n{entry}" if lead.message else entry
    if not lead.company and company.strip():
        lead.company = company.strip()
    if not lead.consent_text and consent_text.strip():
        lead.consent_text, lead.consented_at = consent_text.strip(), now
    # First touch: the campaign that brought the person first keeps the credit.
    touched = lead.delivery_id is not None or any((lead.utm_source, lead.utm_medium, lead.utm_campaign,
                                                   lead.utm_content))
    if not touched:
        for column, value in attribution.columns().items():
            setattr(lead, column, value)


def _lock(session: Session, key: str) -> None:
    """Serialize requests for one address, so two at once cannot both create a lead."""
    # SQLite takes the write lock at BEGIN (scheduler.db); PostgreSQL needs a lock per address.
    if session.get_bind().dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(b"lead:" + key.encode()).digest()[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(number)))


def _column(status: LeadStatus) -> str:
    return f"{status.value}_at"
