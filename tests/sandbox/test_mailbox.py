"""The sandbox mailbox: real SMTP in, the admin API and the page out; bounded, clearable, any login accepted."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from adapters.sandbox.mailbox import Mail, Mailbox, mailbox_for, start_smtp
from adapters.sandbox.state import SandboxState
from tests.sandbox.support import Sandbox


@pytest.fixture
def smtp_port(sbx: Sandbox) -> Iterator[int]:
    """The sandbox's SMTP server on a free port, its mailbox empty."""
    mailbox_for(sbx.state).clear()
    controller = start_smtp(mailbox_for(sbx.state), "127.0.0.1")
    yield controller.port
    controller.stop()


def _send(port: int, subject: str, to: str = "anna@acme.example", body: str = "Hallo Anna,\nbitte reconnecten.",
          login: tuple[str, str] | None = None) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Postillon <noreply@acme.example>", to, subject
    message.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as conn:
        if login:
            conn.login(*login)
        conn.send_message(message)


def test_received_mail_is_listed_newest_first(sbx: Sandbox, smtp_port: int) -> None:
    _send(smtp_port, "Reconnect X @jobs")
    _send(smtp_port, "Post on XING: Komm zu uns", to="ben@acme.example", body="Grüße – ü ß €")
    data = sbx.admin("GET", "mail", 200)
    assert data["count"] == 2
    newest, oldest = data["mail"]
    assert (newest["subject"], newest["to"], newest["body"].strip()) == ("Post on XING: Komm zu uns",
                                                                        ["ben@acme.example"], "Grüße – ü ß €")
    assert (oldest["from"], oldest["subject"]) == ("noreply@acme.example", "Reconnect X @jobs")
    assert oldest["received_at"].endswith("Z")
    assert [m["subject"] for m in sbx.admin("GET", "mail?to=ben@", 200)["mail"]] == ["Post on XING: Komm zu uns"]


def test_any_login_is_accepted_without_tls(sbx: Sandbox, smtp_port: int) -> None:
    _send(smtp_port, "With a login", login=("postillon", "whatever"))
    assert [m["subject"] for m in sbx.admin("GET", "mail", 200)["mail"]] == ["With a login"]


def test_delete_and_reset_forget_the_mail(sbx: Sandbox, smtp_port: int) -> None:
    _send(smtp_port, "One")
    assert sbx.admin("DELETE", "mail", 200) == {"deleted": 1}
    assert sbx.admin("GET", "mail", 200)["count"] == 0
    _send(smtp_port, "Two")
    sbx.admin("POST", "reset", 200)
    assert sbx.admin("GET", "mail", 200)["count"] == 0


def test_the_mailbox_page_shows_mail_escaped(sbx: Sandbox, smtp_port: int) -> None:
    page = sbx.session.get(f"{sbx.url}/_sandbox/mailbox?refresh=0")
    assert page.status_code == 200 and "No mail yet." in page.text
    _send(smtp_port, "<b>Reconnect</b> X", body="<script>alert(1)</script>")
    page = sbx.session.get(f"{sbx.url}/_sandbox/mailbox")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "&lt;b&gt;Reconnect&lt;/b&gt; X" in page.text and "&lt;script&gt;" in page.text
    assert "<script>" not in page.text and '<meta http-equiv="refresh" content="5">' in page.text
    assert "anna@acme.example" in page.text and "1 mail(s) received" in page.text


def test_the_mailbox_keeps_only_the_newest_mail() -> None:
    box = Mailbox(limit=3)
    for n in range(5):
        box.add(Mail("a@b", ("c@d",), f"mail {n}", "", datetime(2026, 1, 1, tzinfo=UTC)))
    assert [mail.subject for mail in box.mails()] == ["mail 4", "mail 3", "mail 2"]


def test_each_sandbox_state_has_its_own_mailbox(sbx: Sandbox) -> None:
    assert mailbox_for(sbx.state) is mailbox_for(sbx.state)
    assert mailbox_for(SandboxState()) is not mailbox_for(sbx.state)
