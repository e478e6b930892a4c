"""The company's privacy settings: retention months, the privacy contact, the company name and address.

Stored as JSON in ``company_setting`` under keys shared with the careers site's privacy page:
``company_name``, ``company_address``, ``privacy_contact_email`` (strings) and
``retention_applicant_months``, ``retention_talent_pool_months``, ``retention_lead_months`` (integers).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.company import DEFAULT_TALENT_POOL_MONTHS  # one default for the consent text and the purge
from scheduler.company_settings import put_setting
from scheduler.models import CompanySetting

MIN_MONTHS, MAX_MONTHS = 1, 120
DEFAULT_APPLICANT_MONTHS = 7  # Austrian practice (DSB 2018: GlBG 6 months + 1); Germany often 6
DEFAULT_LEAD_MONTHS = 24  # after the last contact
#: The CompanySetting key of each field of PrivacySettings.
KEYS = {"company_name": "company_name", "company_address": "company_address",
        "privacy_contact_email": "privacy_contact_email", "applicant_months": "retention_applicant_months",
        "talent_pool_months": "retention_talent_pool_months", "lead_months": "retention_lead_months"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"company_name": 200, "company_address": 500, "privacy_contact_email": 254}


class PrivacySettingsError(ValueError):
    """Settings that cannot be stored; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in problems.items()))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """Who is responsible, how to reach them, and how long personal data is kept (months)."""

    company_name: str = ""
    company_address: str = ""
    privacy_contact_email: str = ""
    applicant_months: int = DEFAULT_APPLICANT_MONTHS
    talent_pool_months: int = DEFAULT_TALENT_POOL_MONTHS
    lead_months: int = DEFAULT_LEAD_MONTHS


def privacy_settings(session: Session) -> PrivacySettings:
    """Return the stored settings; a missing or invalid value falls back to its default."""
    stored = dict(session.execute(select(CompanySetting.key, CompanySetting.value)
                                  .where(CompanySetting.key.in_(list(KEYS.values())))).all())
    default = PrivacySettings()
    values: dict[str, str | int] = {}
    for field in fields(PrivacySettings):
        fallback = getattr(default, field.name)
        try:
            value = json.loads(stored[KEYS[field.name]])
        except (KeyError, ValueError):
            value = fallback
        values[field.name] = value if _valid(fallback, value) else fallback
    return PrivacySettings(**values)  # type: ignore[arg-type]


def _valid(fallback: object, value: object) -> bool:
    if isinstance(fallback, int):
        return isinstance(value, int) and not isinstance(value, bool) and MIN_MONTHS <= value <= MAX_MONTHS
    return isinstance(value, str)


def problems_of(settings: PrivacySettings) -> dict[str, str]:
    """Return what is wrong with ``settings``, field by field (empty when they can be stored)."""
    problems: dict[str, str] = {}
    for field in fields(PrivacySettings):
        value = getattr(settings, field.name)
        if isinstance(value, int) and not MIN_MONTHS <= value <= MAX_MONTHS:
            problems[field.name] = f"Enter a number of months from {MIN_MONTHS} to {MAX_MONTHS}."
        elif isinstance(value, str) and len(value.strip()) > _LIMITS[field.name]:
            problems[field.name] = f"Use at most {_LIMITS[field.name]} characters."
    email = settings.privacy_contact_email.strip()
    if email and not _EMAIL.match(email) and "privacy_contact_email" not in problems:
        problems["privacy_contact_email"] = "Enter an e-mail address like datenschutz@example.at."
    return problems


def save_privacy_settings(session: Session, settings: PrivacySettings, *, user_id: int | None,
                          now: datetime) -> None:
    """Validate and store the settings, and audit it; raise PrivacySettingsError and change nothing if invalid."""
    problems = problems_of(settings)
    if problems:
        raise PrivacySettingsError(problems)
    for field in fields(PrivacySettings):
        value = getattr(settings, field.name)
        put_setting(session, KEYS[field.name], json.dumps(value.strip() if isinstance(value, str) else value),
                    now=now)
    months = f"applicants {settings.applicant_months}, talent pool {settings.talent_pool_months}, " \
             f"leads {settings.lead_months} months"
    audit(session, user_id, "settings.privacy", "setting:privacy", months)
    session.flush()
