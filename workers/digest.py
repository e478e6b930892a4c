"""Report digests by e-mail: the dispatcher plans one run per due digest and period, a background thread mails it.

A run is a row first (unique per digest and period start, so a period is mailed at most once, whatever
two dispatchers do), an e-mail second. While a run is ``pending``, ``sent_at`` holds the time of its
latest try (as ``Notification.mailed_at`` does); with ``attempts`` it decides when the next try is due.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import formataddr

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from scheduler.clock import utcnow
from scheduler.jobads import company_name
from scheduler.models import ReportDigest, ReportDigestRun, User
from scheduler.reporting.model import Period
from scheduler.reporting.queries import dashboard
from workers.background import BackgroundRound
from workers.context import JobContext
from workers.digest_mail import digest_message
from workers.digest_schedule import REPORT_ROLES, last_complete_period, next_due
from workers.report_pdf import build_pdf
from workers.smtp import MailConfigError, SmtpTarget

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
#: Wait after the n-th failed try (n = 1..3) before the next.
RETRY_DELAYS = (timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
TIMEOUT_S = 30.0


def plan_runs(ctx: JobContext, now: datetime) -> int:
    """Create a pending run for every active digest that is due; advance its next due time. Return runs made."""
    made = 0
    with ctx.sessions() as session:
        due = session.execute(select(ReportDigest.id, ReportDigest.frequency, ReportDigest.next_due_at, User.tz_name)
                              .join(User, User.id == ReportDigest.user_id)
                              .where(ReportDigest.active.is_(True), ReportDigest.next_due_at <= now,
                                     User.active.is_(True), User.role.in_(REPORT_ROLES))).all()
    for digest_id, frequency, due_at, tz_name in due:
        period = last_complete_period(frequency, now, tz_name)
        try:
            with ctx.sessions.begin() as session:
                # Compare-and-set on the due time: of two dispatchers only one plans this digest.
                won = session.execute(update(ReportDigest).where(ReportDigest.id == digest_id,
                                                                 ReportDigest.next_due_at == due_at)
                                      .values(next_due_at=next_due(frequency, now, tz_name))
                                      .execution_options(synchronize_session=False))
                if getattr(won, "rowcount", 0) != 1:
                    continue
                session.add(ReportDigestRun(digest_id=digest_id, period_start=period.start, period_end=period.end))
        except IntegrityError:  # this period was already mailed (e.g. the subscription was switched off and on)
            with ctx.sessions.begin() as session:
                session.execute(update(ReportDigest).where(ReportDigest.id == digest_id)
                                .values(next_due_at=next_due(frequency, now, tz_name)))
            continue
        made += 1
    return made


def _claim(ctx: JobContext, now: datetime) -> list[int]:
    due = [ReportDigestRun.attempts == 0]
    due += [(ReportDigestRun.attempts == n) & (ReportDigestRun.sent_at <= now - delay)
            for n, delay in enumerate(RETRY_DELAYS, start=1)]
    claimed = []
    with ctx.sessions.begin() as session:
        for run_id, attempts in session.execute(select(ReportDigestRun.id, ReportDigestRun.attempts)
                                                .where(ReportDigestRun.state == "pending", or_(*due))
                                                .order_by(ReportDigestRun.id).limit(20)).all():
            won = session.execute(update(ReportDigestRun).where(ReportDigestRun.id == run_id,
                                                                ReportDigestRun.state == "pending",
                                                                ReportDigestRun.attempts == attempts)
                                  .values(attempts=attempts + 1, sent_at=now)
                                  .execution_options(synchronize_session=False))
            if getattr(won, "rowcount", 0) == 1:
                claimed.append(run_id)
    return claimed


def send_due(ctx: JobContext, *, now: datetime | None = None) -> dict[str, int]:
    """Mail the runs whose try is due; return counts of sent, retrying and failed."""
    now = now or utcnow()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    try:
        target = SmtpTarget.parse(ctx.settings.smtp_url) if ctx.settings.smtp_url else None
    except MailConfigError as exc:
        log.error("report digests are not mailed: %s", exc)
        return counts
    for run_id in _claim(ctx, now):
        try:
            if target is None:
                raise MailConfigError("no mail server is configured (POSTILLON_SMTP_URL)")
            _send_one(ctx, target, run_id, now)
        except (OSError, smtplib.SMTPException, MailConfigError) as exc:
            counts[_failed(ctx, target, run_id, exc)] += 1
            continue
        counts["sent"] += 1
    return counts


def _send_one(ctx: JobContext, target: SmtpTarget, run_id: int, now: datetime) -> None:
    with ctx.sessions() as session:
        run = session.get_one(ReportDigestRun, run_id)
        digest = session.get_one(ReportDigest, run.digest_id)
        person = session.get_one(User, digest.user_id)
        report = dashboard(session, Period(run.period_start, run.period_end))
        pdf = build_pdf(report, lang=person.locale, tz_name=person.tz_name, generated_at=now,
                        company=company_name(session))
        message = digest_message(report, lang=person.locale, tz_name=person.tz_name, frequency=digest.frequency,
                                 base_url=ctx.settings.base_url, sender=ctx.settings.mail_from,
                                 to=formataddr((person.name, person.email)), pdf=pdf)
    conn = target.connect(TIMEOUT_S)
    try:
        conn.send_message(message)
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    _record(ctx, run_id, state="sent", sent_at=now, error="")


def _failed(ctx: JobContext, target: SmtpTarget | None, run_id: int, exc: BaseException) -> str:
    with ctx.sessions() as session:
        attempts = session.get_one(ReportDigestRun, run_id).attempts
    permanent = isinstance(exc, MailConfigError) or (
        isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
        and not isinstance(exc, smtplib.SMTPAuthenticationError))
    give_up = permanent or attempts >= MAX_ATTEMPTS
    error = f"try {attempts}: {type(exc).__name__}: {exc}"
    error = (target.redact(error) if target else error)[:2000]
    _record(ctx, run_id, state="failed" if give_up else "pending", error=error)
    log.warning("report digest run %s not mailed (%s)%s", run_id, error, "; giving up" if give_up else "; will retry")
    return "failed" if give_up else "retrying"


def _record(ctx: JobContext, run_id: int, **values: object) -> None:
    with ctx.sessions.begin() as session:
        session.execute(update(ReportDigestRun).where(ReportDigestRun.id == run_id).values(**values)
                        .execution_options(synchronize_session=False))


def digest_sweep(ctx: JobContext, *, background: bool = True) -> int:
    """Plan the due digests and mail pending runs (in a background thread); return how many runs were planned.

    Building a report and its PDF takes a while; the thread keeps that away from due posts.
    """
    planned = plan_runs(ctx, utcnow())
    with ctx.sessions() as session:
        waiting = session.scalar(select(ReportDigestRun.id).where(ReportDigestRun.state == "pending").limit(1))
    if waiting is None:  # the usual case: no thread, no report built
        return planned
    if background:
        _sender.start(ctx)
    else:
        send_due(ctx)
    return planned


def wait_for_sender(timeout_s: float = 60.0) -> None:
    """Wait until the background sender (if any) has finished its round (shutdown and tests)."""
    _sender.wait(timeout_s)


_sender = BackgroundRound("postillon-digest", send_due)
