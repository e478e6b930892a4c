"""Job applications: take one in (careers form or ATS webhook) and move it through the recruiting pipeline.

The pipeline is received → screening → interview → offer → hired, with rejected possible from any
stage. Each stage keeps the moment it was first reached, so moving back keeps earlier timestamps and
time-to-hire (received → hired) stays computable. Hired and rejected are final: leaving them takes an
explicit reopen, which clears that final timestamp (retention and reports key on it) while the audit
log keeps the history. Audit details never name the applicant: the log outlives the retention period.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.attribution import Attribution
from scheduler.audit import audit
from scheduler.careers import is_open
from scheduler.company import company_profile
from scheduler.cv import StoredCv
from scheduler.models import Application, ApplicationStage, Vacancy

Stage = ApplicationStage
#: The forward path; REJECTED can follow any stage that is not final.
PIPELINE = (Stage.RECEIVED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)
FINAL = frozenset({Stage.HIRED, Stage.REJECTED})
CAREERS = "careers"
MAX_NAME, MAX_EMAIL, MAX_MESSAGE = 200, 254, 5000


class ApplicationError(ValueError):
    """An application that cannot be taken or moved as asked: a stable ``code``, plain words, the field."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def application_problems(session: Session, *, vacancy_id: int, name: str, email: str, message: str = "",
                         privacy_text: str, now: datetime, source: str = CAREERS) -> list[ApplicationError]:
    """Return every reason ``submit_application`` would refuse these values (empty: it takes them)."""
    found: list[ApplicationError] = []
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        return [ApplicationError("no_vacancy", "This vacancy does not exist.", "vacancy")]
    # An ATS reports what happened in its own system, also after the vacancy closed; the form may not.
    if source == CAREERS and not is_open(vacancy, now):
        found.append(ApplicationError("vacancy_closed", "This position is no longer open.", "vacancy"))
    elif source == CAREERS and vacancy.apply_url:
        found.append(ApplicationError("applies_elsewhere", "Applications for this position go through "
                                                           "the company's application system.", "vacancy"))
    if not name.strip():
        found.append(ApplicationError("name_missing", "Enter your name.", "name"))
    elif len(name.strip()) > MAX_NAME:
        found.append(ApplicationError("name_too_long", f"The name may have at most {MAX_NAME} characters.", "name"))
    if not email.strip():
        found.append(ApplicationError("email_missing", "Enter your e-mail address.", "email"))
    elif normal_email(email) is None:
        found.append(ApplicationError("email_invalid", "Enter a valid e-mail address, e.g. name@example.com.",
                                      "email"))
    if len(message.strip()) > MAX_MESSAGE:
        found.append(ApplicationError("message_too_long",
                                      f"The message may have at most {MAX_MESSAGE} characters.", "message"))
    if source == CAREERS and not privacy_text.strip():
        found.append(ApplicationError("no_consent", "Please agree to the processing of your data.", "privacy"))
    return found


def normal_email(email: str) -> str | None:
    """Return the e-mail address in its normal form (domain lower-cased), or None when it is not well-formed."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)  # no DNS: the domain layer stays offline
    except EmailNotValidError:
        return None
    return checked.normalized if len(checked.normalized) <= MAX_EMAIL else None


def submit_application(session: Session, *, vacancy_id: int, name: str, email: str, message: str,
                       cv: StoredCv | None = None, privacy_text: str, talent_pool: bool, attribution: Attribution,
                       now: datetime, source: str = CAREERS, integration_id: int | None = None,
                       external_id: str | None = None) -> Application:
    """Store a new application in stage `received`, or raise the first ApplicationError and store nothing.

    ``privacy_text`` is the consent text the applicant agreed to (empty: no consent given); talent-pool
    consent keeps the data for the company's talent-pool period from now.
    """
    problems = application_problems(session, vacancy_id=vacancy_id, name=name, email=email, message=message,
                                    privacy_text=privacy_text, now=now, source=source)
    if problems:
        raise problems[0]
    until = add_months(now, company_profile(session).talent_pool_months) if talent_pool else None
    application = Application(
        vacancy_id=vacancy_id, name=name.strip(), email=normal_email(email) or "", message=message.strip(),
        cv_key=cv.key if cv else None, cv_filename=cv.filename if cv else "", cv_mime=cv.mime_type if cv else "",
        privacy_text=privacy_text.strip(), consented_at=now if privacy_text.strip() else None,
        talent_pool=talent_pool, talent_pool_until=until, stage=Stage.RECEIVED, received_at=now, source=source,
        integration_id=integration_id, external_id=external_id, created_at=now, **attribution.columns())
    session.add(application)
    session.flush()
    audit(session, None, "application.received", f"application:{application.id}",
          f"vacancy:{vacancy_id} source={source} delivery={attribution.delivery_id or '-'}")
    return application


def move_stage(session: Session, application_id: int, stage: ApplicationStage, *, now: datetime,
               user_id: int | None, reopen: bool = False) -> Application:
    """Move an application to ``stage`` and stamp it; leaving hired/rejected needs ``reopen=True``."""
    application = session.get(Application, application_id)
    if application is None:
        raise ApplicationError("not_found", "This application does not exist.")
    if application.anonymized_at is not None:
        raise ApplicationError("anonymized", "This application was anonymised and can no longer change.")
    current = application.stage
    if stage is current:
        return application
    if current in FINAL:
        if not reopen:
            raise ApplicationError("final", "This application is closed; reopen it to change its stage.")
        setattr(application, _column(current), None)
    if stage in FINAL or getattr(application, _column(stage)) is None:
        setattr(application, _column(stage), now)
    application.stage = stage
    session.flush()
    audit(session, user_id, "application.reopened" if current in FINAL else "application.stage",
          f"application:{application_id}", f"{current.value} -> {stage.value}")
    return application


def stage_times(application: Application) -> list[tuple[ApplicationStage, datetime | None]]:
    """Return each stage with the moment the application reached it (None: not reached)."""
    return [(stage, getattr(application, _column(stage))) for stage in (*PIPELINE, Stage.REJECTED)]


def time_to_hire(application: Application) -> timedelta | None:
    """Return the time from receipt to hire, or None while the applicant is not hired."""
    if application.stage is not Stage.HIRED or application.hired_at is None:
        return None
    return application.hired_at - application.received_at


def pipeline_counts(session: Session, vacancy_id: int) -> dict[ApplicationStage, int]:
    """Return how many of the vacancy's applications stand in each stage (every stage present)."""
    rows = session.execute(select(Application.stage, func.count(Application.id))
                           .where(Application.vacancy_id == vacancy_id).group_by(Application.stage)).all()
    counts = {Stage(stage): int(n) for stage, n in rows}
    return {stage: counts.get(stage, 0) for stage in (*PIPELINE, Stage.REJECTED)}


def add_months(moment: datetime, months: int) -> datetime:
    """Return the same time ``months`` calendar months later (the 31st becomes the month's last day)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _column(stage: ApplicationStage) -> str:
    return f"{stage.value}_at"
