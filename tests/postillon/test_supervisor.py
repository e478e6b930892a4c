"""`postillon run`: with the sandbox on and no SMTP server configured, mail goes to the sandbox mailbox."""

from __future__ import annotations

from postillon.supervisor import mail_target, with_sandbox_mailbox
from scheduler.config import Settings


def test_the_sandbox_mailbox_is_used_when_no_smtp_server_is_configured() -> None:
    settings = with_sandbox_mailbox(Settings(sandbox=True, sandbox_host="127.0.0.1", sandbox_smtp_port=8126))
    assert settings.smtp_url == "smtp://127.0.0.1:8126"
    assert Settings.from_env(settings.to_env()).smtp_url == "smtp://127.0.0.1:8126"  # what the children see
    assert "/_sandbox/mailbox" in mail_target(settings)


def test_a_configured_smtp_server_is_kept_and_its_password_never_shown() -> None:
    url = "smtp+starttls://anna:hunter2@mail.acme.example:587"
    settings = with_sandbox_mailbox(Settings(sandbox=True, smtp_url=url))
    assert settings.smtp_url == url
    assert mail_target(settings) == "SMTP server mail.acme.example:587"


def test_without_the_sandbox_and_without_smtp_mail_is_off() -> None:
    settings = with_sandbox_mailbox(Settings(sandbox=False))
    assert settings.smtp_url == "" and mail_target(settings).startswith("off")


def test_a_plain_smtp_url_is_shown_with_its_host() -> None:
    assert mail_target(Settings(sandbox=False, smtp_url="smtp://relay.acme.example:25")) == \
        "SMTP server relay.acme.example:25"
