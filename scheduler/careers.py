"""The careers site's rules without Flask: which vacancies are open to applicants, and their page addresses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.jobads_text import slug
from scheduler.models import Vacancy, VacancyStatus
from scheduler.utm import UTM_KEYS


def is_open(vacancy: Vacancy, now: datetime) -> bool:
    """Tell whether the vacancy takes applicants: open and not past ``valid_through``."""
    return vacancy.status is VacancyStatus.OPEN and (vacancy.valid_through is None or vacancy.valid_through > now)


def open_vacancies(session: Session, now: datetime) -> list[Vacancy]:
    """Return the vacancies the careers site lists and the job feed carries, newest first."""
    return list(session.scalars(
        select(Vacancy).where(Vacancy.status == VacancyStatus.OPEN,
                              or_(Vacancy.valid_through.is_(None), Vacancy.valid_through > now))
        .order_by(Vacancy.created_at.desc(), Vacancy.id.desc())))


def vacancy_slug(title: str) -> str:
    """Return the readable part of a vacancy's address ("job" when the title has no letters to use)."""
    return slug(title) or "job"


def careers_path(vacancy_id: int, title: str) -> str:
    """Return the path of the vacancy's public page, e.g. ``/careers/7-koch``."""
    return f"/careers/{vacancy_id}-{vacancy_slug(title)}"


def careers_url(base_url: str, vacancy_id: int, title: str, query: Mapping[str, str] | None = None) -> str:
    """Return the absolute address of the vacancy's public page, with ``query`` parameters if given."""
    url = base_url.rstrip("/") + careers_path(vacancy_id, title)
    return with_query(url, query or {})


def with_query(url: str, query: Mapping[str, str]) -> str:
    """Return ``url`` with the non-empty ``query`` values added (existing parameters of the same name replaced)."""
    values = {k: v for k, v in query.items() if v}
    if not values:
        return url
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in values]
    return urlunsplit(parts._replace(query="&".join([*kept, urlencode(values)])))


def utm_only(values: Mapping[str, str]) -> dict[str, str]:
    """Return just the UTM parameters of ``values`` that are set, in the usual order."""
    return {key: values[key] for key in UTM_KEYS if values.get(key)}
