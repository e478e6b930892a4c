"""Vacancies: create and edit them, and fill or close them (which cancels their pending deliveries)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.lifecycle import CANCELLABLE, DeliveryState
from scheduler.models import Delivery, EmploymentType, Post, Vacancy, VacancyStatus
from scheduler.ports import Problem, params
from scheduler.transitions import move

COUNTRIES = ("AT", "DE")
LANGUAGES = ("de", "en")
SALARY_PERIODS = ("HOUR", "MONTH", "YEAR")
MAX_REPOST_DAYS = 90
MAX_NAME = 200  # characters of a title or location


@dataclass(frozen=True, slots=True)
class VacancyInput:
    """What a person enters for a vacancy; ``valid_through`` already in aware UTC."""

    title: str
    location: str
    country: str = "AT"
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    salary_statement: str = ""
    salary_min: int | None = None
    salary_period: str = "MONTH"
    overpay: bool = False
    description: str = ""
    apply_url: str | None = None
    language: str = "de"
    valid_through: datetime | None = None
    hiring_manager_id: int | None = None
    repost_every_days: int | None = None
    reference: str = ""


@dataclass(slots=True)
class VacancyProblems(Exception):
    """The vacancy cannot be saved as entered; problems in plain words, each naming its field."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)

    def by_field(self) -> dict[str, list[str]]:
        """Return the messages grouped by field name."""
        found: dict[str, list[str]] = {}
        for problem in self.problems:
            found.setdefault(problem.field, []).append(problem.message)
        return found


class VacancyNotFoundError(LookupError):
    """No vacancy has that id."""


def validate(data: VacancyInput, *, now: datetime, previous_valid_through: datetime | None = None) -> list[Problem]:
    """Return every problem with ``data`` (empty when it can be saved)."""
    problems: list[Problem] = []
    if not data.title.strip():
        problems.append(Problem("title", "required", "Enter the job title."))
    elif len(data.title.strip()) > MAX_NAME:
        problems.append(Problem("title", "too_long", f"The job title may have at most {MAX_NAME} characters.",
                                params=params(limit=MAX_NAME)))
    if not data.location.strip():
        problems.append(Problem("location", "required", "Enter where the job is, e.g. “Wien”."))
    elif len(data.location.strip()) > MAX_NAME:
        problems.append(Problem("location", "too_long", f"The location may have at most {MAX_NAME} characters.",
                                params=params(limit=MAX_NAME)))
    apply_url = (data.apply_url or "").strip()
    if apply_url and not _is_web_url(apply_url):
        problems.append(Problem("apply_url", "bad_url", "The application link must start with https:// or http://."))
    # An unchanged date may lie in the past by now; only a newly entered one must be ahead.
    if data.valid_through is not None and data.valid_through != previous_valid_through and data.valid_through <= now:
        problems.append(Problem("valid_through", "in_past", "“Valid through” must lie in the future."))
    if data.salary_min is not None and data.salary_min < 0:
        problems.append(Problem("salary_min", "negative", "The minimum salary cannot be negative."))
    if data.salary_period not in SALARY_PERIODS:
        problems.append(Problem("salary_period", "unknown", "Choose per hour, per month or per year."))
    if data.country not in COUNTRIES:
        problems.append(Problem("country", "unknown", "Choose Austria (AT) or Germany (DE)."))
    if data.language not in LANGUAGES:
        problems.append(Problem("language", "unknown", "Choose German (de) or English (en)."))
    days = data.repost_every_days
    if days is not None and not 1 <= days <= MAX_REPOST_DAYS:
        problems.append(Problem("repost_every_days", "out_of_range",
                                f"Repeat every 1 to {MAX_REPOST_DAYS} days, or leave it empty for no repeats.",
                                params=params(limit=MAX_REPOST_DAYS)))
    return problems


def create_vacancy(session: Session, data: VacancyInput, *, user_id: int | None, now: datetime) -> Vacancy:
    """Add an open vacancy, or raise VacancyProblems and add nothing."""
    problems = validate(data, now=now)
    if problems:
        raise VacancyProblems(problems)
    vacancy = Vacancy(created_by_id=user_id, created_at=now, updated_at=now, status=VacancyStatus.OPEN)
    _apply(vacancy, data)
    session.add(vacancy)
    session.flush()
    audit(session, user_id, "vacancy.created", f"vacancy:{vacancy.id}", vacancy.title)
    return vacancy


def update_vacancy(session: Session, vacancy_id: int, data: VacancyInput, *, user_id: int | None,
                   now: datetime) -> Vacancy:
    """Change a vacancy, or raise VacancyProblems and change nothing."""
    vacancy = get_vacancy(session, vacancy_id)
    problems = validate(data, now=now, previous_valid_through=vacancy.valid_through)
    if problems:
        raise VacancyProblems(problems)
    before = as_input(vacancy)
    _apply(vacancy, data)
    vacancy.updated_at = now
    changed = sorted(name for name, value in asdict(as_input(vacancy)).items() if asdict(before)[name] != value)
    session.flush()
    audit(session, user_id, "vacancy.updated", f"vacancy:{vacancy.id}", ", ".join(changed))
    return vacancy


def get_vacancy(session: Session, vacancy_id: int) -> Vacancy:
    """Return the vacancy or raise VacancyNotFoundError."""
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise VacancyNotFoundError(vacancy_id)
    return vacancy


def as_input(vacancy: Vacancy) -> VacancyInput:
    """Return a vacancy's editable fields (to fill the edit form)."""
    return VacancyInput(
        title=vacancy.title, location=vacancy.location, country=vacancy.country,
        employment_type=EmploymentType(vacancy.employment_type), salary_statement=vacancy.salary_statement,
        salary_min=vacancy.salary_min, salary_period=vacancy.salary_period, overpay=vacancy.overpay,
        description=vacancy.description, apply_url=vacancy.apply_url, language=vacancy.language,
        valid_through=vacancy.valid_through, hiring_manager_id=vacancy.hiring_manager_id,
        repost_every_days=vacancy.repost_every_days, reference=vacancy.reference,
    )


def pending_delivery_ids(session: Session, vacancy_id: int) -> list[int]:
    """Return the ids of the vacancy's deliveries that can still be cancelled."""
    stmt = (select(Delivery.id).join(Post, Post.id == Delivery.post_id)
            .where(Post.vacancy_id == vacancy_id, Delivery.state.in_(CANCELLABLE)).order_by(Delivery.id))
    return list(session.scalars(stmt))


def pending_count(session: Session, vacancy_id: int) -> int:
    """Return how many deliveries filling or closing the vacancy would cancel."""
    stmt = (select(func.count(Delivery.id)).join(Post, Post.id == Delivery.post_id)
            .where(Post.vacancy_id == vacancy_id, Delivery.state.in_(CANCELLABLE)))
    return int(session.scalar(stmt) or 0)


def set_status(session: Session, vacancy_id: int, status: VacancyStatus, user_id: int | None, now: datetime) -> int:
    """Set the vacancy's status; filling or closing cancels its pending deliveries. Return how many were cancelled."""
    vacancy = get_vacancy(session, vacancy_id)
    if vacancy.status is status:
        return 0
    old = vacancy.status
    vacancy.status = status
    vacancy.updated_at = now
    vacancy.closed_at = None if status is VacancyStatus.OPEN else now
    cancelled = 0
    if status is not VacancyStatus.OPEN:
        # Re-posts stop by themselves: plan_reposts only looks at open vacancies.
        for delivery_id in pending_delivery_ids(session, vacancy_id):
            if move(session, delivery_id, CANCELLABLE, DeliveryState.CANCELLED):
                cancelled += 1
                audit(session, user_id, "delivery.cancelled", f"delivery:{delivery_id}",
                      f"vacancy {vacancy_id} {status.value}")
    audit(session, user_id, f"vacancy.{status.value}", f"vacancy:{vacancy_id}",
          f"was {old.value}; {cancelled} pending deliveries cancelled")
    session.flush()
    return cancelled


def _apply(vacancy: Vacancy, data: VacancyInput) -> None:
    vacancy.title = data.title.strip()
    vacancy.location = data.location.strip()
    vacancy.country = data.country
    vacancy.employment_type = data.employment_type
    vacancy.salary_statement = data.salary_statement.strip()
    vacancy.salary_min = data.salary_min
    vacancy.salary_period = data.salary_period
    vacancy.overpay = data.overpay
    vacancy.description = data.description.strip()
    vacancy.apply_url = (data.apply_url or "").strip() or None
    vacancy.language = data.language
    vacancy.valid_through = data.valid_through
    vacancy.hiring_manager_id = data.hiring_manager_id
    vacancy.repost_every_days = data.repost_every_days
    vacancy.reference = data.reference.strip()


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value
