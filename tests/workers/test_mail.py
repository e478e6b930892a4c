"""Mailing notifications by real SMTP to the sandbox mailbox: sent once, retried with backoff, then given up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.sandbox.mailbox import Mailbox, free_port, start_smtp
from scheduler.config import Settings
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Notification, Role
from scheduler.notifications import notify
from tests.factories import make_channel, make_delivery, make_user
from workers.context import JobContext
from workers.mail import MAX_ATTEMPTS, RETRY_DELAYS, notify_sweep, send_pending, wait_for_sender

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PASSWORD = "s3cr3t-Pa55word"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """The sandbox mailbox listening on a free port: (its mail, the port)."""
    box = Mailbox()
    controller = start_smtp(box, "127.0.0.1")
    yield box, controller.port
    controller.stop()


def _ctx(database_url: str, tmp_path: Any, smtp_url: str) -> JobContext:
    return JobContext(Settings(database_url=database_url, data_dir=str(tmp_path), smtp_url=smtp_url,
                               mail_from="Postillon <noreply@acme.example>", base_url="https://postillon.acme.example",
                               testing=True))


@pytest.fixture
def contexts(database_url: str, tmp_path: Any) -> Iterator[list[JobContext]]:
    """Contexts built by the test, disposed afterwards."""
    made: list[JobContext] = []
    yield made
    for ctx in made:
        ctx.engine.dispose()


def _context(contexts: list[JobContext], database_url: str, tmp_path: Any, smtp_url: str) -> JobContext:
    ctx = _ctx(database_url, tmp_path, smtp_url)
    contexts.append(ctx)
    return ctx


def _note(ctx: JobContext, email: str = "anna@acme.example", **user: Any) -> int:
    with ctx.sessions.begin() as session:
        person = make_user(session, email=email, name="Anna Berger", **user)
        notify(session, [person.id], "delivery_failed", "failed:1:1", "Not published on X @jobs",
               "The network said: duplicate.", "/deliveries/1", now=NOW)
        return int(session.scalars(select(Notification.id)).one())


def _row(ctx: JobContext, notification_id: int) -> Notification:
    with ctx.sessions() as session:
        return session.get_one(Notification, notification_id)


def test_a_pending_notification_is_mailed_once(mailbox: tuple[Mailbox, int], contexts: list[JobContext],
                                               database_url: str, tmp_path: Any) -> None:
    box, port = mailbox
    ctx = _context(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    note_id = _note(ctx)
    assert send_pending(ctx, now=NOW) == {"sent": 1, "retrying": 0, "failed": 0, "off": 0}
    assert send_pending(ctx, now=NOW + timedelta(hours=1))["sent"] == 0
    [mail] = box.mails()
    assert (mail.mail_from, mail.to, mail.subject) == ("noreply@acme.example", ("anna@acme.example",),
                                                       "Not published on X @jobs")
    assert "The network said: duplicate." in mail.body
    assert "https://postillon.acme.example/deliveries/1" in mail.body
    row = _row(ctx, note_id)
    assert (row.mail_state, row.mail_attempts, row.mailed_at, row.mail_error) == ("sent", 1, NOW, "")


def test_a_refused_connection_is_retried_with_backoff_then_given_up_after_five_tries(
        contexts: list[JobContext], database_url: str, tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ctx = _context(contexts, database_url, tmp_path, f"smtp://postillon:{PASSWORD}@127.0.0.1:{free_port()}")
    note_id = _note(ctx)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = send_pending(ctx, now=now)
        row = _row(ctx, note_id)
        assert row.mail_attempts == attempt
        assert "ConnectionRefusedError" in row.mail_error
        if attempt < MAX_ATTEMPTS:
            assert (row.mail_state, counts["retrying"]) == ("pending", 1)
            delay = RETRY_DELAYS[attempt - 1]
            assert send_pending(ctx, now=now + delay - timedelta(seconds=1))["retrying"] == 0  # not yet due
            now += delay
    assert (row.mail_state, counts["failed"]) == ("failed", 1)
    assert send_pending(ctx, now=now + timedelta(days=1)) == {"sent": 0, "retrying": 0, "failed": 0, "off": 0}
    assert "smtp://postillon@127.0.0.1" in caplog.text
    assert PASSWORD not in caplog.text and PASSWORD not in row.mail_error


def test_credentials_log_in_and_never_reach_the_log(mailbox: tuple[Mailbox, int], contexts: list[JobContext],
                                                    database_url: str, tmp_path: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    box, port = mailbox
    ctx = _context(contexts, database_url, tmp_path, f"smtp://postillon:{PASSWORD}@127.0.0.1:{port}")
    _note(ctx)
    assert send_pending(ctx, now=NOW)["sent"] == 1
    assert len(box.mails()) == 1
    assert f"smtp://postillon@127.0.0.1:{port}" in caplog.text and PASSWORD not in caplog.text


def test_without_an_smtp_url_notifications_are_marked_off(contexts: list[JobContext], database_url: str,
                                                          tmp_path: Any) -> None:
    ctx = _context(contexts, database_url, tmp_path, "")
    note_id = _note(ctx)
    assert send_pending(ctx, now=NOW)["off"] == 1
    assert _row(ctx, note_id).mail_state == "off"
    assert send_pending(ctx, now=NOW)["off"] == 0


def test_an_inactive_person_gets_no_mail(mailbox: tuple[Mailbox, int], contexts: list[JobContext],
                                         database_url: str, tmp_path: Any) -> None:
    box, port = mailbox
    ctx = _context(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    note_id = _note(ctx, active=False)
    assert send_pending(ctx, now=NOW)["off"] == 1
    assert _row(ctx, note_id).mail_state == "off" and box.mails() == []


def test_the_notify_sweep_creates_and_mails_what_people_must_know(
        mailbox: tuple[Mailbox, int], contexts: list[JobContext], database_url: str, tmp_path: Any) -> None:
    box, port = mailbox
    ctx = _context(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    with ctx.sessions.begin() as session:
        admin = make_user(session, role=Role.ADMIN, email="admin@acme.example")
        channel = make_channel(session, handle="@jobs", status=ChannelStatus.NEEDS_RECONNECT)
        make_delivery(session, channel=channel, state=DeliveryState.NEEDS_RECONNECT)
        channel_id = channel.id
    assert notify_sweep(ctx, background=False) == 1
    assert notify_sweep(ctx, background=False) == 0
    [mail] = box.mails()
    assert (mail.to, mail.subject) == (("admin@acme.example",), "Reconnect X @jobs")
    assert "1 post(s) wait" in mail.body and "https://postillon.acme.example/channels/" in mail.body
    with ctx.sessions() as session:
        assert session.get_one(Channel, channel_id).reconnect_notified_at is not None
        assert session.scalars(select(Notification.user_id)).all() == [admin.id]


def test_the_dispatcher_sweep_mails_in_the_background(mailbox: tuple[Mailbox, int], contexts: list[JobContext],
                                                       database_url: str, tmp_path: Any) -> None:
    box, port = mailbox
    ctx = _context(contexts, database_url, tmp_path, f"smtp://127.0.0.1:{port}")
    with ctx.sessions.begin() as session:
        make_user(session, role=Role.ADMIN, email="admin@acme.example")
        make_channel(session, handle="@news", status=ChannelStatus.NEEDS_RECONNECT)
    assert notify_sweep(ctx) == 1
    wait_for_sender(10)
    assert [mail.subject for mail in box.mails()] == ["Reconnect X @news"]
    with ctx.sessions() as session:
        assert session.scalars(select(Notification.mail_state)).all() == ["sent"]
