"""Mail notifications: each one is claimed by one sender, sent once by SMTP, retried with backoff, then given up.

``mailed_at`` holds the time of the latest try while a notification is ``pending`` and the sending
time once it is ``sent``; with ``mail_attempts`` it decides when the next try is due.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sqlalchemy import or_, select, update

from scheduler.clock import utcnow
from scheduler.models import Notification, User
from scheduler.notifications import SweepParams, sweep
from workers.background import BackgroundRound
from workers.context import JobContext
from workers.smtp import MailConfigError, SmtpTarget

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: Wait after the n-th failed try (n = 1..4) before the next; a short outage loses no mail.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
BATCH = 50
TIMEOUT_S = 20.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One claimed notification with its recipient."""

    id: int
    attempt: int
    to: str
    subject: str
    body: str


def send_pending(ctx: JobContext, *, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send the notifications whose try is due; return counts of sent, retrying, failed and off."""
    now = now or utcnow()
    counts = {"sent": 0, "retrying": 0, "failed": 0, "off": 0}
    if not ctx.settings.smtp_url:
        # No mail configured: the UI shows them; nothing piles up waiting for a server.
        with ctx.sessions.begin() as session:
            off = session.execute(update(Notification).where(Notification.mail_state == "pending")
                                  .values(mail_state="off").execution_options(synchronize_session=False))
        counts["off"] = int(getattr(off, "rowcount", 0) or 0)
        return counts
    try:
        target = SmtpTarget.parse(ctx.settings.smtp_url)
    except MailConfigError as exc:
        log.error("mail is not sent: %s", exc)
        return counts
    batch = _claim(ctx, now, limit, counts)
    if batch:
        _send(ctx, target, batch, now, counts)
        log.info("mail via %s: %s", target.display, counts)
    return counts


def _claim(ctx: JobContext, now: datetime, limit: int, counts: dict[str, int]) -> list[Outgoing]:
    due = [Notification.mail_attempts == 0]
    due += [(Notification.mail_attempts == n) & (Notification.mailed_at <= now - delay)
            for n, delay in enumerate(RETRY_DELAYS, start=1)]
    claimed: list[Outgoing] = []
    with ctx.sessions.begin() as session:
        rows = session.execute(select(Notification, User).join(User, User.id == Notification.user_id)
                               .where(Notification.mail_state == "pending", or_(*due))
                               .order_by(Notification.id).limit(limit)).all()
        for note, user in rows:
            if not user.active or not user.email:
                note.mail_state, note.mail_error = "off", "the person is inactive or has no e-mail address"
                counts["off"] += 1
                continue
            # Compare-and-set on the attempt count: with two dispatchers only one sends each mail.
            won = session.execute(update(Notification).where(Notification.id == note.id,
                                                             Notification.mail_state == "pending",
                                                             Notification.mail_attempts == note.mail_attempts)
                                  .values(mail_attempts=note.mail_attempts + 1, mailed_at=now)
                                  .execution_options(synchronize_session=False))
            if getattr(won, "rowcount", 0) == 1:
                claimed.append(Outgoing(note.id, note.mail_attempts + 1, formataddr((user.name, user.email)),
                                        note.subject, _body(ctx, note)))
    return claimed


def _body(ctx: JobContext, note: Notification) -> str:
    link = f"\n\n{ctx.settings.base_url.rstrip('/')}{note.link}" if note.link else ""
    return f"{note.body}{link}\n\n-- \nPostillon. All your notifications: {ctx.settings.base_url.rstrip('/')}" \
           "/notifications\n"


def _message(ctx: JobContext, item: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ctx.settings.mail_from
    message["To"] = item.to
    message["Subject"] = item.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("postillon")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to these
    message.set_content(item.body)
    return message


def _send(ctx: JobContext, target: SmtpTarget, batch: list[Outgoing], now: datetime,
          counts: dict[str, int]) -> None:
    try:
        conn = target.connect(TIMEOUT_S)
    except (OSError, smtplib.SMTPException) as exc:
        for item in batch:
            _failed(ctx, target, item, exc, counts)
        return
    try:
        for index, item in enumerate(batch):
            try:
                conn.send_message(_message(ctx, item))
            except smtplib.SMTPResponseException as exc:  # this message was refused; the connection lives on
                _failed(ctx, target, item, exc, counts)
                continue
            except (OSError, smtplib.SMTPException) as exc:  # the connection broke: the rest fail alike
                for rest in batch[index:]:
                    _failed(ctx, target, rest, exc, counts)
                return
            _record(ctx, item.id, mail_state="sent", mailed_at=now, mail_error="")
            counts["sent"] += 1
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()


def _failed(ctx: JobContext, target: SmtpTarget, item: Outgoing, exc: BaseException, counts: dict[str, int]) -> None:
    permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500 and not isinstance(
        exc, smtplib.SMTPAuthenticationError)  # a wrong password is fixed by an admin, then mail flows again
    give_up = permanent or item.attempt >= MAX_ATTEMPTS
    error = target.redact(f"try {item.attempt}: {type(exc).__name__}: {exc}")[:2000]
    _record(ctx, item.id, mail_state="failed" if give_up else "pending", mail_error=error)
    counts["failed" if give_up else "retrying"] += 1
    log.warning("notification %s not mailed via %s (%s)%s", item.id, target.display, error,
                "; giving up" if give_up else "; will retry")


def _record(ctx: JobContext, notification_id: int, **values: object) -> None:
    with ctx.sessions.begin() as session:
        session.execute(update(Notification).where(Notification.id == notification_id).values(**values)
                        .execution_options(synchronize_session=False))


def notify_sweep(ctx: JobContext, *, background: bool = True) -> int:
    """Create the notifications people are owed, then mail them; return how many were created.

    The dispatcher calls this every sweep; mail goes out in a background thread so that a slow
    SMTP server never delays a due post.
    """
    now = utcnow()
    with ctx.sessions.begin() as session:
        params = SweepParams(task_overdue_after_s=ctx.settings.task_overdue_after_s, base_url=ctx.settings.base_url)
        created = sweep(session, now, params)
    if background:
        _sender.start(ctx)
    else:
        send_pending(ctx)
    return created


def wait_for_sender(timeout_s: float = 30.0) -> None:
    """Wait until the background sender (if any) has finished its round (shutdown and tests)."""
    _sender.wait(timeout_s)


def _send_all(ctx: JobContext) -> None:
    while sum(send_pending(ctx).values()) >= BATCH:
        pass  # a full batch: there may be more due right now


_sender = BackgroundRound("postillon-mail", _send_all)
