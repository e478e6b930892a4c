"""The sandbox mailbox: an SMTP server (aiosmtpd, in its own thread) that keeps the mail it receives in memory.

Any login is accepted, without TLS; nothing is ever relayed. The admin API (``/_sandbox/mail``) and
the page ``/_sandbox/mailbox`` show what arrived. Each SandboxState has its own mailbox.
"""

from __future__ import annotations

import logging
import socket
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import escape
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from werkzeug.wrappers import Request, Response

from adapters.sandbox.pages import html_page
from adapters.sandbox.records import iso
from adapters.sandbox.state import SandboxState
from scheduler.clock import utcnow

MAX_MAILS = 500  # oldest mail is dropped beyond this: the sandbox runs for days in `postillon run`
MAX_MAIL_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Mail:
    """One received message, as the admin API shows it."""

    mail_from: str
    to: tuple[str, ...]
    subject: str
    body: str
    received_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"from": self.mail_from, "to": list(self.to), "subject": self.subject, "body": self.body,
                "received_at": iso(self.received_at)}


class Mailbox:
    """Thread-safe, bounded store of received mail, newest last."""

    def __init__(self, limit: int = MAX_MAILS) -> None:
        self._mails: deque[Mail] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, mail: Mail) -> None:
        """Keep ``mail`` (dropping the oldest when full)."""
        with self._lock:
            self._mails.append(mail)

    def mails(self) -> list[Mail]:
        """Return every kept mail, newest first."""
        with self._lock:
            return list(reversed(self._mails))

    def clear(self) -> int:
        """Forget every mail; return how many there were."""
        with self._lock:
            count = len(self._mails)
            self._mails.clear()
            return count

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        """aiosmtpd hook: parse and keep one message."""
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "replace")
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)  # guaranteed by policy.default
        part = parsed.get_body(preferencelist=("plain", "html"))
        body = str(part.get_content() if part is not None else "").replace("\r\n", "\n")
        self.add(Mail(mail_from=str(envelope.mail_from or ""), to=tuple(envelope.rcpt_tos),
                      subject=str(parsed.get("Subject", "")), body=body, received_at=utcnow()))
        return "250 OK: kept in the sandbox mailbox"


_mailboxes: weakref.WeakKeyDictionary[SandboxState, Mailbox] = weakref.WeakKeyDictionary()
_mailboxes_lock = threading.Lock()


def mailbox_for(state: SandboxState) -> Mailbox:
    """Return the mailbox belonging to ``state`` (created on first use)."""
    with _mailboxes_lock:
        found = _mailboxes.get(state)
        if found is None:
            found = _mailboxes[state] = Mailbox()
        return found


def _accept_any_login(*_args: Any) -> AuthResult:
    return AuthResult(success=True)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port on ``host`` where nothing listens right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_smtp(mailbox: Mailbox, host: str = "127.0.0.1", port: int = 0) -> Controller:
    """Start the SMTP server for ``mailbox`` on ``host:port`` (0: a free port) in a thread; stop it with ``stop()``.

    The port it listens on is ``controller.port``.
    """
    # aiosmtpd logs every SMTP command at INFO, AUTH lines (base64 credentials) included.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    # aiosmtpd checks readiness by connecting to the configured port, so port 0 is resolved first.
    controller = Controller(mailbox, hostname=host, port=port or free_port(host), auth_require_tls=False,
                            authenticator=_accept_any_login, data_size_limit=MAX_MAIL_BYTES, ready_timeout=5.0)
    controller.start()
    return controller


def mailbox_page(state: SandboxState, request: Request) -> Response:
    """``GET /_sandbox/mailbox``: the received mail, newest first (reloads every 5 s unless ``?refresh=0``)."""
    refresh = request.args.get("refresh") != "0"
    mails = mailbox_for(state).mails()
    parts = ['<p><a href="/">← What was posted</a></p><h1>Sandbox mailbox</h1>',
             f'<p class="muted">{len(mails)} mail(s) received by the sandbox SMTP server; nothing is delivered '
             'further. ' + ('<a href="?refresh=0">Stop reloading</a>.' if refresh else
                            '<a href="?">Reload every 5 seconds</a>.') + "</p>"]
    if not mails:
        parts.append("<p>No mail yet.</p>")
    for mail in mails:
        when = iso(mail.received_at)
        parts.append(
            f'<article><h2>{escape(mail.subject) or "(no subject)"}</h2><dl>'
            f"<dt>From</dt><dd>{escape(mail.mail_from)}</dd><dt>To</dt><dd>{escape(', '.join(mail.to))}</dd>"
            f'<dt>Received (UTC)</dt><dd><time datetime="{when}">{when}</time></dd></dl>'
            f'<p class="text">{escape(mail.body)}</p></article><hr>'
        )
    return html_page("Sandbox mailbox", "".join(parts), refresh)
