"""Where mail goes: ``POSTILLON_SMTP_URL`` parsed once, and an SMTP connection to it (stdlib smtplib).

Accepted forms (user and password are URL-encoded and optional):

* ``smtp://user:password@host:25`` – plain SMTP (a local relay); add ``?starttls=1`` to upgrade with STARTTLS;
* ``smtp+starttls://user:password@host:587`` – the same as ``smtp://…?starttls=1`` (submission port);
* ``smtps://user:password@host:465`` – TLS from the first byte (implicit TLS).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Security = Literal["plain", "starttls", "tls"]
DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "tls": 465}
_SCHEMES: dict[str, Security] = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}
_TRUE = ("1", "true", "yes", "on")


class MailConfigError(ValueError):
    """The SMTP URL cannot be used; the message never contains the password."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """An SMTP server and how to talk to it; the password is kept out of repr and logs."""

    host: str
    port: int
    security: Security = "plain"
    username: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """Parse an SMTP URL (see the module docstring); raise MailConfigError when it is not usable."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise MailConfigError("the SMTP URL is malformed (check the port)") from None
        security = _SCHEMES.get(parts.scheme.lower())
        if security is None:
            raise MailConfigError(f"the SMTP URL must start with smtp://, smtp+starttls:// or smtps://, "
                                  f"not {parts.scheme or 'nothing'}://")
        if not parts.hostname:
            raise MailConfigError("the SMTP URL names no host")
        if security == "plain" and parse_qs(parts.query).get("starttls", [""])[0].lower() in _TRUE:
            security = "starttls"
        return cls(host=parts.hostname, port=port or DEFAULT_PORTS[security], security=security,
                   username=unquote(parts.username or ""), password=unquote(parts.password or ""))

    @property
    def display(self) -> str:
        """Return the target for logs: scheme, user, host and port, never the password."""
        scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"

    def connect(self, timeout_s: float) -> smtplib.SMTP:
        """Open a connection, secure it as configured and log in; the caller closes it (``quit``)."""
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if self.security == "tls":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout_s, context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=timeout_s)
        try:
            if self.security == "starttls":
                conn.starttls(context=context)
            if self.username:
                conn.login(self.username, self.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def redact(self, text: str) -> str:
        """Return ``text`` with the password (should a server echo it) replaced by ***."""
        return text.replace(self.password, "***") if self.password else text
