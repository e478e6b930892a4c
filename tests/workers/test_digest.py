"""Report digests: due times in the recipient's zone, one run per period, mailed once by real SMTP with the PDF."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy import func, select

from adapters.sandbox.mailbox import free_port
from scheduler.config import Settings
from scheduler.models import ReportDigest, ReportDigestRun, Role
from tests.factories import make_user
from tests.web.report_rows import seed
from workers.context import JobContext
from workers.digest import MAX_ATTEMPTS, RETRY_DELAYS, digest_sweep, plan_runs, send_due
from workers.digest_schedule import BadFrequencyError, last_complete_period, next_due, subscribe

#: Monday 2 March 2026, 07:30 in Vienna: a weekly digest (due 07:00) is due, the week before is complete.
NOW = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
VIENNA = "Europe/Vienna"


class Keeper:
    """An aiosmtpd handler that keeps every message whole (the sandbox mailbox keeps only the text)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        """Keep one message."""
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Keeper, int]]:
    """A real SMTP server on a free port: (what it received, its port)."""
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=free_port(), ready_timeout=5.0)
    controller.start()
    yield keeper, controller.port
    controller.stop()


@pytest.fixture
def contexts() -> Iterator[list[JobContext]]:
    """Contexts built by a test, disposed afterwards."""
    made: list[JobContext] = []
    yield made
    for ctx in made:
        ctx.engine.dispose()


def _ctx(contexts: list[JobContext], database_url: str, tmp_path: Any, smtp_url: str) -> JobContext:
    ctx = JobContext(Settings(database_url=database_url, data_dir=str(tmp_path), smtp_url=smtp_url,
                              mail_from="Postillon <noreply@acme.example>", base_url="https://postillon.acme.example",
                              testing=True))
    contexts.append(ctx)
    return ctx


def _subscriber(ctx: JobContext, locale: str, frequency: str = "weekly", email: str = "maria@acme.example") -> int:
    with ctx.sessions.begin() as session:
        seed(session, NOW - timedelta(days=1))  # published, clicked and applied to during the week before
        person = make_user(session, role=Role.MANAGER, email=email, name="Maria Huber", locale=locale,
                           tz_name=VIENNA)
        subscribe(session, person.id, frequency, VIENNA, NOW - timedelta(days=10))
        return person.id


# --- Schedule ---------------------------------------------------------------------------------


def test_weekly_digests_are_due_monday_0700_and_monthly_on_the_first_in_the_local_zone() -> None:
    assert next_due("weekly", datetime(2026, 3, 25, 12, 0, tzinfo=UTC), VIENNA) == datetime(2026, 3, 30, 5, 0,
                                                                                             tzinfo=UTC)  # CEST
    assert next_due("weekly", datetime(2026, 3, 23, 5, 59, tzinfo=UTC), VIENNA) == datetime(2026, 3, 23, 6, 0,
                                                                                             tzinfo=UTC)  # CET
    assert next_due("monthly", datetime(2026, 3, 31, 12, 0, tzinfo=UTC), VIENNA) == datetime(2026, 4, 1, 5, 0,
                                                                                              tzinfo=UTC)
    assert next_due("monthly", datetime(2026, 12, 1, 6, 0, tzinfo=UTC), VIENNA) == datetime(2027, 1, 1, 6, 0,
                                                                                             tzinfo=UTC)
    with pytest.raises(BadFrequencyError):
        next_due("daily", NOW, VIENNA)


def test_a_digest_reports_the_last_whole_week_or_month_before_it() -> None:
    week = last_complete_period("weekly", datetime(2026, 3, 30, 5, 0, tzinfo=UTC), VIENNA)
    assert (week.start, week.end) == (datetime(2026, 3, 22, 23, 0, tzinfo=UTC),
                                      datetime(2026, 3, 29, 22, 0, tzinfo=UTC))  # Mon–Sun, across the DST change
    month = last_complete_period("monthly", datetime(2026, 1, 1, 6, 0, tzinfo=UTC), VIENNA)
    assert (month.start, month.end) == (datetime(2025, 11, 30, 23, 0, tzinfo=UTC),
                                        datetime(2025, 12, 31, 23, 0, tzinfo=UTC))


# --- Runs and mail ------------------------------------------------------------------------------


def test_a_due_digest_arrives_once_in_the_recipients_language_with_the_pdf(
        smtp: tuple[Keeper, int], contexts: list[JobContext], database_url: str, tmp_path: Any) -> None:
    keeper, port = smtp
    ctx = _ctx(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    _subscriber(ctx, "de")
    assert plan_runs(ctx, NOW) == 1
    assert send_due(ctx, now=NOW) == {"sent": 1, "retrying": 0, "failed": 0}
    assert plan_runs(ctx, NOW + timedelta(minutes=5)) == 0  # the next is due next Monday
    assert send_due(ctx, now=NOW + timedelta(hours=1))["sent"] == 0
    [mail] = keeper.messages
    assert mail["To"] == "Maria Huber <maria@acme.example>"
    assert mail["Subject"] == "Wöchentlicher Social-Media-Bericht: 23.02.2026 – 01.03.2026"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Klicks von Menschen: 10 (Vorzeitraum: 0; ▲ neu)" in body
    assert "https://postillon.acme.example/reports?preset=custom&from=2026-02-23&to=2026-03-01" in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "social-media-bericht-2026-02-23.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    assert "Kennzahlen" in pdf.pages[0].extract_text()
    with ctx.sessions() as session:
        run = session.scalars(select(ReportDigestRun)).one()
        digest = session.scalars(select(ReportDigest)).one()
    assert (run.state, run.attempts, run.sent_at) == ("sent", 1, NOW)
    assert digest.next_due_at == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


def test_an_english_reader_gets_english_words(smtp: tuple[Keeper, int], contexts: list[JobContext],
                                              database_url: str, tmp_path: Any) -> None:
    keeper, port = smtp
    ctx = _ctx(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    _subscriber(ctx, "en")
    plan_runs(ctx, NOW)
    send_due(ctx, now=NOW)
    [mail] = keeper.messages
    assert mail["Subject"] == "Weekly social media report: Feb 23, 2026 – Mar 1, 2026"
    assert "Human clicks: 10 (previous period: 0; ▲ new)" in mail.get_body(("plain",)).get_content()  # type: ignore


def test_two_dispatchers_planning_at_once_make_one_run(contexts: list[JobContext], database_url: str,
                                                      tmp_path: Any) -> None:
    first = _ctx(contexts, database_url, tmp_path, "")
    second = _ctx(contexts, database_url, tmp_path, "")
    _subscriber(first, "de")
    assert plan_runs(first, NOW) + plan_runs(second, NOW) == 1
    with first.sessions() as session:
        assert session.scalar(select(func.count(ReportDigestRun.id))) == 1


def test_a_period_already_mailed_is_not_planned_again_after_switching_off_and_on(
        contexts: list[JobContext], database_url: str, tmp_path: Any) -> None:
    ctx = _ctx(contexts, database_url, tmp_path, "")
    person = _subscriber(ctx, "de")
    plan_runs(ctx, NOW)
    with ctx.sessions.begin() as session:
        subscribe(session, person, None, VIENNA, NOW)
        subscribe(session, person, "weekly", VIENNA, NOW)
        session.get_one(ReportDigest, session.scalar(select(ReportDigest.id))).next_due_at = NOW  # due again
    assert plan_runs(ctx, NOW + timedelta(minutes=1)) == 0
    with ctx.sessions() as session:
        assert session.scalar(select(func.count(ReportDigestRun.id))) == 1
        assert session.scalar(select(ReportDigest.next_due_at)) == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


def test_a_refused_connection_is_retried_with_the_error_kept_then_given_up(
        contexts: list[JobContext], database_url: str, tmp_path: Any) -> None:
    ctx = _ctx(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    _subscriber(ctx, "en")
    plan_runs(ctx, NOW)
    when = NOW
    assert send_due(ctx, now=when) == {"sent": 0, "retrying": 1, "failed": 0}
    assert send_due(ctx, now=when + RETRY_DELAYS[0] - timedelta(seconds=1))["retrying"] == 0  # not due yet
    for delay in RETRY_DELAYS[:-1]:
        when += delay
        assert send_due(ctx, now=when)["retrying"] == 1
    when += RETRY_DELAYS[-1]
    assert send_due(ctx, now=when) == {"sent": 0, "retrying": 0, "failed": 1}
    with ctx.sessions() as session:
        run = session.scalars(select(ReportDigestRun)).one()
    assert (run.state, run.attempts) == ("failed", MAX_ATTEMPTS)
    assert run.error.startswith(f"try {MAX_ATTEMPTS}: ConnectionRefusedError")


def test_without_a_mail_server_the_run_fails_with_a_plain_reason(contexts: list[JobContext], database_url: str,
                                                                 tmp_path: Any) -> None:
    ctx = _ctx(contexts, database_url, tmp_path, "")
    _subscriber(ctx, "de")
    plan_runs(ctx, NOW)
    assert send_due(ctx, now=NOW) == {"sent": 0, "retrying": 0, "failed": 1}
    with ctx.sessions() as session:
        assert "no mail server is configured" in session.scalars(select(ReportDigestRun.error)).one()


def test_the_sweep_plans_and_mails_in_the_background_and_does_nothing_when_nothing_is_due(
        smtp: tuple[Keeper, int], contexts: list[JobContext], database_url: str, tmp_path: Any) -> None:
    keeper, port = smtp
    ctx = _ctx(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    assert digest_sweep(ctx, background=False) == 0
    with ctx.sessions.begin() as session:
        person = make_user(session, role=Role.MANAGER, locale="en")
        subscribe(session, person.id, "monthly", VIENNA, datetime(2020, 1, 1, tzinfo=UTC))  # long overdue
    assert digest_sweep(ctx, background=False) == 1
    assert digest_sweep(ctx, background=False) == 0
    assert len(keeper.messages) == 1 and keeper.messages[0]["Subject"].startswith("Monthly social media report")
