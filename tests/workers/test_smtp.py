"""The SMTP URL: schemes, ports, STARTTLS and credentials, with the password kept out of every display."""

from __future__ import annotations

import pytest

from workers.smtp import MailConfigError, SmtpTarget


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.acme.example", ("mail.acme.example", 25, "plain", "", "")),
    ("smtp://mail.acme.example:2525?starttls=1", ("mail.acme.example", 2525, "starttls", "", "")),
    ("smtp+starttls://anna%40acme.example:p%40ss@mail.acme.example", ("mail.acme.example", 587, "starttls",
                                                                      "anna@acme.example", "p@ss")),
    ("smtps://anna:pw@mail.acme.example", ("mail.acme.example", 465, "tls", "anna", "pw")),
    ("SMTP://127.0.0.1:8026?starttls=0", ("127.0.0.1", 8026, "plain", "", "")),
])
def test_smtp_urls_are_parsed(url: str, expected: tuple[str, int, str, str, str]) -> None:
    target = SmtpTarget.parse(url)
    assert (target.host, target.port, target.security, target.username, target.password) == expected


@pytest.mark.parametrize("url", ["http://mail.acme.example", "smtp://", "smtp://host:notaport", "mail.acme.example"])
def test_unusable_urls_are_refused_with_a_clear_error(url: str) -> None:
    with pytest.raises(MailConfigError):
        SmtpTarget.parse(url)


def test_the_password_is_in_no_display_repr_or_error() -> None:
    target = SmtpTarget.parse("smtp+starttls://anna:hunter2-secret@mail.acme.example:587")
    assert target.display == "smtp+starttls://anna@mail.acme.example:587"
    assert "hunter2-secret" not in repr(target)
    assert target.redact("535 bad login anna hunter2-secret") == "535 bad login anna ***"
    with pytest.raises(MailConfigError) as error:
        SmtpTarget.parse("ftp://anna:hunter2-secret@mail.acme.example")
    assert "hunter2-secret" not in str(error.value)
