"""Notifications: tell people once what needs them (reconnect, expiring access, failures, XING tasks).

``notify`` stores one row per person; its dedupe key makes "once" a database constraint, so a sweep
that runs every few seconds, in several dispatchers at once, never tells anybody twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery, Notification, Post, Role, User
from scheduler.networks import NO_TOKEN_REFRESH
from scheduler.notification_texts import channel_name, expiry_text, failed_text, reconnect_text, task_text
from scheduler.outgoing import delivery_texts

#: Warn this long before a token that Postillon cannot refresh expires.
EXPIRY_WARNING = timedelta(days=7)
#: Failures older than this are not looked at again (keeps the sweep's scan short).
FAILED_LOOKBACK = timedelta(days=7)
#: Rows one sweep looks at per rule; the rest come round in the next sweep.
SWEEP_LIMIT = 200


@dataclass(frozen=True, slots=True)
class SweepParams:
    """What the sweep needs from Settings."""

    task_overdue_after_s: float
    expiry_warning: timedelta = EXPIRY_WARNING
    base_url: str = ""  # Postillon's address: task texts carry its short links


def notify(session: Session, user_ids: Iterable[int], kind: str, dedupe_key: str, subject: str, body: str,
           link: str = "", *, now: datetime | None = None, german: tuple[str, str] | None = None) -> int:
    """Store the notification for each person unless they already have it; return how many rows were added.

    ``subject`` and ``body`` are English; people who work in German get ``german`` when it is given.
    """
    now = now or utcnow()
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    locales: dict[int, str] = {} if german is None else {
        uid: locale for uid, locale in session.execute(select(User.id, User.locale).where(User.id.in_(ids)))}

    rows = []
    for uid in ids:
        title, text = german if german is not None and locales.get(uid) == "de" else (subject, body)
        rows.append({"user_id": uid, "kind": kind, "dedupe_key": f"{dedupe_key}:u{uid}"[:160], "subject": title[:200],
                     "body": text, "link": link[:500], "created_at": now, "mail_state": "pending",
                     "mail_attempts": 0, "mail_error": ""})
    # Look first: a PostgreSQL insert that ends in a conflict still uses up a sequence value.
    existing = set(session.scalars(select(Notification.dedupe_key)
                                   .where(Notification.dedupe_key.in_([row["dedupe_key"] for row in rows]))))
    fresh = [row for row in rows if row["dedupe_key"] not in existing]
    if not fresh:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # ON CONFLICT covers the race with another dispatcher between the look and the insert.
    stmt = (insert(Notification).values(fresh).on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.id))
    return len(session.execute(stmt).all())  # rowcount is -1 for multi-row inserts on psycopg


def recipients(session: Session, owner_id: int | None) -> list[int]:
    """Return the owner when they are active, else every active admin."""
    return _Recipients(session).of(owner_id)


class _Recipients:
    """Who hears about a thing, looked up once per sweep (the sweep runs every few seconds)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._admins: list[int] | None = None
        self._active: dict[int, bool] = {}

    def of(self, owner_id: int | None) -> list[int]:
        if owner_id is not None:
            if owner_id not in self._active:
                self._active[owner_id] = bool(self.session.scalar(select(User.active).where(User.id == owner_id)))
            if self._active[owner_id]:
                return [owner_id]
        if self._admins is None:
            self._admins = list(self.session.scalars(
                select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)))
        return self._admins


def _told(session: Session, wanted: dict[str, list[int]]) -> set[str]:
    """Return the base keys of ``wanted`` whose every person already has the notification (one query)."""
    keys = [f"{base}:u{uid}" for base, uids in wanted.items() for uid in uids]
    if not keys:
        return set()
    found = set(session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))))
    return {base for base, uids in wanted.items() if all(f"{base}:u{uid}" in found for uid in uids)}


def sweep(session: Session, now: datetime, params: SweepParams) -> int:
    """Create the notifications people are owed now; return how many rows were added (idempotent)."""
    who = _Recipients(session)
    return (_reconnects(session, now, who) + _expiring_tokens(session, now, params, who)
            + _failures(session, now, who) + _tasks(session, now, params, who))


def _reconnects(session: Session, now: datetime, who: _Recipients) -> int:
    added = 0
    channels = session.scalars(select(Channel).where(Channel.status == ChannelStatus.NEEDS_RECONNECT,
                                                     Channel.reconnect_notified_at.is_(None)).limit(SWEEP_LIMIT))
    for channel in list(channels):
        # Claim the channel first: with two dispatchers only the one whose update hit tells people.
        claimed = session.execute(update(Channel).where(Channel.id == channel.id,
                                                        Channel.reconnect_notified_at.is_(None))
                                  .values(reconnect_notified_at=now).execution_options(synchronize_session=False))
        if not getattr(claimed, "rowcount", 0):
            continue
        waiting = session.scalar(select(func.count(Delivery.id)).where(
            Delivery.channel_id == channel.id, Delivery.state == DeliveryState.NEEDS_RECONNECT)) or 0
        subject, body = reconnect_text(channel, waiting)
        german = reconnect_text(channel, waiting, lang="de")
        # Each episode (connected again in between) gets its own key: the claim above makes it "once".
        key = f"reconnect:{channel.id}:{int(now.timestamp())}"
        added += notify(session, who.of(channel.owner_id), "needs_reconnect", key, subject, body, "/channels/",
                        now=now, german=german)
    return added


def _expiring_tokens(session: Session, now: datetime, params: SweepParams, who: _Recipients) -> int:
    soon = Channel.network.in_(NO_TOKEN_REFRESH) & (Channel.token_expires_at <= now + params.expiry_warning)
    query = select(Channel).where(Channel.status == ChannelStatus.CONNECTED, Channel.token_expires_at.is_not(None),
                                  soon | (Channel.token_expires_at <= now)).limit(SWEEP_LIMIT)
    channels = {f"token:{c.id}:{c.token_expires_at:%Y%m%dT%H%M%S}": c for c in session.scalars(query)}
    told = _told(session, {key: who.of(c.owner_id) for key, c in channels.items()})
    added = 0
    for key, channel in channels.items():
        if key in told or channel.token_expires_at is None:
            continue
        subject, body = expiry_text(channel, channel.token_expires_at, now)
        german = expiry_text(channel, channel.token_expires_at, now, lang="de")
        added += notify(session, who.of(channel.owner_id), "token_expiring", key, subject, body, "/channels/",
                        now=now, german=german)
    return added


def _failures(session: Session, now: datetime, who: _Recipients) -> int:
    query = (select(Delivery, Post.author_id).join(Post, Post.id == Delivery.post_id)
             .where(Delivery.state == DeliveryState.FAILED, Delivery.updated_at >= now - FAILED_LOOKBACK)
             .order_by(Delivery.updated_at.desc()).limit(SWEEP_LIMIT))
    # claim_count tells failures apart: "publish again" and a second failure is a new message.
    found = {f"failed:{d.id}:{d.claim_count}": (d, author_id) for d, author_id in session.execute(query)}
    told = _told(session, {key: who.of(author_id) for key, (_, author_id) in found.items()})
    added = 0
    for key, (delivery, author_id) in found.items():
        if key not in told:
            subject, body = failed_text(delivery)
            german = failed_text(delivery, lang="de")
            added += notify(session, who.of(author_id), "delivery_failed", key, subject, body,
                            f"/deliveries/{delivery.id}", now=now, german=german)
    return added


def _tasks(session: Session, now: datetime, params: SweepParams, who: _Recipients) -> int:
    rows = session.execute(select(Delivery, Channel.owner_id).join(Channel, Channel.id == Delivery.channel_id)
                           .where(Delivery.state == DeliveryState.AWAITING_OWNER)
                           .order_by(Delivery.due_at).limit(SWEEP_LIMIT)).all()
    overdue_before = now - timedelta(seconds=params.task_overdue_after_s)
    wanted: dict[str, tuple[Delivery, bool, list[int]]] = {}
    for delivery, owner_id in rows:
        # The due time is part of the key: a postponed task is announced again when it comes back.
        due = int(delivery.due_at.timestamp())
        wanted[f"task:{delivery.id}:{due}"] = (delivery, False, who.of(owner_id))
        if delivery.due_at < overdue_before:
            wanted[f"task-overdue:{delivery.id}:{due}"] = (delivery, True, who.of(owner_id))
    told = _told(session, {key: people for key, (_, _, people) in wanted.items()})
    untold = [delivery.id for key, (delivery, _, _) in wanted.items() if key not in told]
    # The text the owner pastes is the published one: the network's own text, with the tracked links.
    ready = {d_id: out.text for d_id, out in delivery_texts(session, untold, params.base_url).items()}
    added = 0
    for key, (delivery, overdue, people) in wanted.items():
        if key not in told:
            text = ready.get(delivery.id)
            subject, body = task_text(delivery, overdue=overdue, ready=text)
            german = task_text(delivery, overdue=overdue, lang="de", ready=text)
            added += notify(session, people, "task_overdue" if overdue else "task_due", key, subject, body,
                            "/tasks", now=now, german=german)
    return added


__all__ = ["EXPIRY_WARNING", "SweepParams", "channel_name", "notify", "recipients", "sweep"]
