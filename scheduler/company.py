"""The company as the public careers site presents it, read from the company settings (JSON values)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import CompanySetting

#: CompanySetting keys the careers site reads (the privacy admin page writes most of them).
NAME_KEY = "company_name"
ADDRESS_KEY = "company_address"  # postal address, one line or several
WEBSITE_KEY = "company_url"  # the company's own website: JobPosting hiringOrganization.sameAs
LOGO_KEY = "company_logo_url"  # an absolute image URL: JobPosting hiringOrganization.logo
PRIVACY_EMAIL_KEY = "privacy_contact_email"
IMPRINT_KEY = "imprint_url"  # shared with scheduler.guidelines
TALENT_POOL_MONTHS_KEY = "retention_talent_pool_months"
#: How long talent-pool consent keeps an applicant's data when no admin set it (see docs/decisions.md).
DEFAULT_TALENT_POOL_MONTHS = 24

_KEYS = (NAME_KEY, ADDRESS_KEY, WEBSITE_KEY, LOGO_KEY, PRIVACY_EMAIL_KEY, IMPRINT_KEY, TALENT_POOL_MONTHS_KEY)


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    """What the careers pages, the JobPosting data and the job feed say about the employer ("" when unset)."""

    name: str = ""
    address: str = ""
    website: str = ""
    logo_url: str = ""
    privacy_email: str = ""
    imprint_url: str = ""
    talent_pool_months: int = DEFAULT_TALENT_POOL_MONTHS


def company_profile(session: Session) -> CompanyProfile:
    """Return the company profile from the company settings (one query)."""
    raw = dict(session.execute(select(CompanySetting.key, CompanySetting.value)
                               .where(CompanySetting.key.in_(_KEYS))).all())
    months = _months(raw.get(TALENT_POOL_MONTHS_KEY))
    return CompanyProfile(
        name=_text(raw.get(NAME_KEY)), address=_text(raw.get(ADDRESS_KEY)), website=_text(raw.get(WEBSITE_KEY)),
        logo_url=_text(raw.get(LOGO_KEY)), privacy_email=_text(raw.get(PRIVACY_EMAIL_KEY)),
        imprint_url=_text(raw.get(IMPRINT_KEY)),
        talent_pool_months=months or DEFAULT_TALENT_POOL_MONTHS,
    )


def _decode(raw: str | None) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _months(raw: str | None) -> int | None:
    value = _decode(raw)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
        return None
    return value


def _text(raw: str | None) -> str:
    value = _decode(raw)
    return value.strip() if isinstance(value, str) else ""
