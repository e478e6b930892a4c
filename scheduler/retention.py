"""Retention: how long applicant and lead data is kept, and the daily purge that anonymizes what expired.

When the clock starts for an application (``retention_start``):
- closed or filled vacancy: when it closed (``closed_at``), as the product promises ("7 months after
  the vacancy closes"); a rejection or hire dated after the closing starts it then instead.
- open vacancy: at the rejection (``rejected_at``) or the hire (``hired_at``). The period exists to
  defend equal-treatment claims (AT GlBG §29(1): 6 months + 1 for the court route, DSB 2018; DE AGG
  §15(4) + ArbGG §61b), and those deadlines run from the rejection the person received, so a vacancy
  that stays open does not keep a rejected applicant's data for ever. Hired people's data moves to the
  HR system; Postillon keeps only the counts. Anyone else's procedure is still running: nothing expires
  (a rejection or hire without its date counts as none).
The data is anonymized ``applicant_months`` after the start (default 7, AT practice; DE users may set
6). Talent-pool consent keeps it until ``talent_pool_until`` if that is later (or, without a stored
date, ``talent_pool_months`` after the start). A lead is anonymized ``lead_months`` (default 24) after
its last activity (submission or status change). A click's visitor hash only serves de-duplication
within the hour under a daily salt, so it is blanked after two days.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.anonymize import anonymize_applications, anonymize_leads, delete_cv_files
from scheduler.applications import add_months
from scheduler.audit import audit
from scheduler.company_settings import put_setting
from scheduler.models import Application, ApplicationStage, Click, CompanySetting, Lead, Vacancy, VacancyStatus
from scheduler.privacy_settings import (
    DEFAULT_APPLICANT_MONTHS,
    DEFAULT_LEAD_MONTHS,
    DEFAULT_TALENT_POOL_MONTHS,
    privacy_settings,
)

log = logging.getLogger(__name__)

LAST_PURGE_KEY = "retention_last_purge"  # {"at": ISO time, counts…} of the last completed purge
PURGE_DAY_KEY = "retention_purge_day"  # the UTC day whose purge a dispatcher has claimed
VISITOR_HASH_KEPT = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How many months applicant, talent-pool and lead data is kept."""

    applicant_months: int = DEFAULT_APPLICANT_MONTHS
    talent_pool_months: int = DEFAULT_TALENT_POOL_MONTHS
    lead_months: int = DEFAULT_LEAD_MONTHS


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge anonymized or cleared; counts only, never anything about a person."""

    applications: int = 0
    leads: int = 0
    cv_files: int = 0
    visitor_hashes: int = 0

    @property
    def total(self) -> int:
        """Return how many rows and files the purge changed."""
        return self.applications + self.leads + self.cv_files + self.visitor_hashes


def retention_policy(session: Session) -> RetentionPolicy:
    """Return the retention months stored in the company's privacy settings (defaults where unset)."""
    stored = privacy_settings(session)
    return RetentionPolicy(applicant_months=stored.applicant_months, talent_pool_months=stored.talent_pool_months,
                           lead_months=stored.lead_months)


def retention_start(application: Application, vacancy: Vacancy) -> datetime | None:
    """Return when the retention period of ``application`` starts, or None while its procedure runs."""
    ended: datetime | None = None  # when this person's own procedure ended
    if application.stage is ApplicationStage.REJECTED:
        ended = application.rejected_at
    elif application.stage is ApplicationStage.HIRED:
        ended = application.hired_at
    if vacancy.status is not VacancyStatus.OPEN:
        closed = vacancy.closed_at or vacancy.updated_at
        return max(closed, ended) if ended is not None else closed
    return ended


def expires_at(policy: RetentionPolicy, application: Application, vacancy: Vacancy) -> datetime | None:
    """Return when the personal data of ``application`` is due for anonymization (None: not yet known)."""
    start = retention_start(application, vacancy)
    if start is None:
        return None
    until = add_months(start, policy.applicant_months)
    if application.talent_pool:
        pool_until = application.talent_pool_until or add_months(start, policy.talent_pool_months)
        until = max(until, pool_until)
    return until


def purge_expired(session: Session, *, now: datetime, data_dir: Path | str) -> PurgeReport:
    """Anonymize expired applications and leads, delete their CV files, blank old visitor hashes.

    Order: rows are updated (flushed), then the files deleted, then the caller commits. A crash before
    the commit leaves files gone but rows unchanged, so the next run anonymizes them again (missing files
    are fine); the reverse order could commit "deleted" while a CV stayed on disk for good.
    """
    policy = retention_policy(session)
    app_ids, cv_keys = anonymize_applications(session, _expired_applications(session, policy, now), now=now)
    lead_ids = anonymize_leads(session, _expired_leads(session, policy, now), now=now)
    cleared: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Click).where(Click.at < now - VISITOR_HASH_KEPT, Click.visitor != "").values(visitor="")
        .execution_options(synchronize_session=False))
    session.flush()
    report = PurgeReport(applications=len(app_ids), leads=len(lead_ids), cv_files=delete_cv_files(data_dir, cv_keys),
                         visitor_hashes=max(cleared.rowcount, 0))
    counts = asdict(report)
    put_setting(session, LAST_PURGE_KEY, json.dumps({"at": now.isoformat(), **counts}), now=now)
    audit(session, None, "retention.purged", "retention", json.dumps(counts))
    log.info("retention purge: %s", " ".join(f"{name}={n}" for name, n in counts.items()))
    return report


def _expired_applications(session: Session, policy: RetentionPolicy, now: datetime) -> list[int]:
    rows = session.execute(
        select(Application, Vacancy).join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(Application.anonymized_at.is_(None),
               or_(Application.stage.in_([ApplicationStage.REJECTED, ApplicationStage.HIRED]),
                   Vacancy.status != VacancyStatus.OPEN))
    ).all()
    return [app.id for app, vacancy in rows if (until := expires_at(policy, app, vacancy)) is not None and until <= now]


def _expired_leads(session: Session, policy: RetentionPolicy, now: datetime) -> list[int]:
    cutoff = add_months(now, -policy.lead_months)
    quiet = [or_(column.is_(None), column <= cutoff) for column in
             (Lead.qualified_at, Lead.opportunity_at, Lead.customer_at, Lead.junk_at)]
    return list(session.scalars(select(Lead.id).where(
        Lead.anonymized_at.is_(None), Lead.created_at <= cutoff, Lead.last_submitted_at <= cutoff, and_(*quiet))))


def claim_purge_day(session: Session, *, now: datetime) -> bool:
    """Claim today's (UTC) purge; True for exactly one caller a day, however many dispatchers ask."""
    today = json.dumps(now.date().isoformat())
    if session.get(CompanySetting, PURGE_DAY_KEY) is None:
        try:
            with session.begin_nested():
                session.add(CompanySetting(key=PURGE_DAY_KEY, value=json.dumps(""), updated_at=now))
        except IntegrityError:
            pass  # another dispatcher created it just now; the update below decides
    # Compare-and-set: of two concurrent updates only one changes the row (the other then sees today).
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(CompanySetting).where(CompanySetting.key == PURGE_DAY_KEY, CompanySetting.value != today)
        .values(value=today, updated_at=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def last_purge(session: Session) -> dict[str, Any] | None:
    """Return the time (aware datetime under "at") and counts of the last completed purge, or None."""
    raw = session.scalar(select(CompanySetting.value).where(CompanySetting.key == LAST_PURGE_KEY))
    try:
        found = json.loads(raw) if raw else None
        return {**found, "at": datetime.fromisoformat(found["at"])} if isinstance(found, dict) else None
    except (ValueError, KeyError, TypeError):
        return None
