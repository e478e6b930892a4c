"""Assisted channels (XING): networks without a posting API, where the channel owner posts by hand.

At the due time the dispatcher hands the delivery to its channel's owner (``scheduled ->
awaiting_owner``) instead of queueing it; the owner posts the ready text, pastes the post's URL,
and that completes the delivery. Tracked links in the text attribute clicks as on any network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from scheduler.audit import audit
from scheduler.lifecycle import DISPATCHABLE, DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery, User
from scheduler.networks import Network
from scheduler.outgoing import Outgoing, delivery_texts
from scheduler.ports import ExplainedError, params
from scheduler.tracking import ensure_links, sources
from scheduler.transitions import move

S = DeliveryState

#: Networks Postillon cannot post to itself.
ASSISTED_NETWORKS = frozenset({Network.XING})
#: Where the owner can post: XING's start page has the "share an update" box for the signed-in person.
XING_SHARE_URL = "https://www.xing.com/"
#: Hosts a pasted post URL may have, per assisted network.
POST_URL_HOSTS = {Network.XING: ("xing.com",)}


class TaskError(ExplainedError, ValueError):
    """A task action Postillon cannot carry out; ``message`` is plain words for the person, ``code`` the reason."""


@dataclass(frozen=True, slots=True)
class Task:
    """One post an owner has to put on an assisted channel by hand."""

    delivery_id: int
    post_id: int
    channel_id: int
    channel_name: str
    network: Network
    owner_id: int | None
    owner_name: str
    text: str  # ready to paste: the link is already in it
    due_at: datetime
    overdue: bool
    share_url: str


def add_assisted_channel(session: Session, *, network: Network, name: str, profile_url: str,
                         owner_id: int, tz_name: str) -> Channel:
    """Create an assisted channel owned by ``owner_id``; it needs no credentials."""
    if network not in ASSISTED_NETWORKS:
        raise TaskError(f"{network.label} is not an assisted channel.", code="task.not_assisted",
                        params=params(network=network))
    if not name.strip():
        raise TaskError("Give the channel a name.", code="task.name_missing")
    if profile_url and not _url_on(profile_url, POST_URL_HOSTS[network]):
        raise TaskError(f"The profile address must be a {network.label} address (https://www.xing.com/…).",
                        code="task.profile_url_bad", params=params(network=network))
    if session.get(User, owner_id) is None:
        raise TaskError("Choose who posts on this channel.", code="task.owner_missing")
    channel = Channel(network=network, name=name.strip(), handle=profile_url.strip(), account_id="",
                      credentials="", status=ChannelStatus.CONNECTED, owner_id=owner_id, tz_name=tz_name)
    session.add(channel)
    session.flush()
    audit(session, owner_id, "channel.added", f"channel:{channel.id}", f"{network.value} (assisted)")
    return channel


def assisted_channel_ids() -> ScalarSelect[int]:
    """Return a subquery of the ids of assisted channels (for the dispatcher's hot query)."""
    return select(Channel.id).where(Channel.network.in_(ASSISTED_NETWORKS)).scalar_subquery()


def hand_over_due(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Give due deliveries on assisted channels to their owners (``-> awaiting_owner``); return their ids."""
    due = (
        select(Delivery.id)
        .where(Delivery.state.in_(DISPATCHABLE), Delivery.run_at <= now,
               Delivery.channel_id.in_(assisted_channel_ids()))
        .order_by(Delivery.run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due), Delivery.state.in_(DISPATCHABLE))
        .values(state=S.AWAITING_OWNER, queued_at=now, updated_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    ensure_links(session, rows)  # the owner pastes tracked links, like every network gets
    return list(rows)


def open_tasks(session: Session, *, now: datetime, overdue_after: timedelta, owner_id: int | None = None,
               limit: int = 200, base_url: str | None = None) -> list[Task]:
    """Return tasks waiting for their owners, oldest due first; ``owner_id`` narrows to one person's.

    Each task's text is what the owner posts: the XING text with Postillon's short links (``base_url``
    is Postillon's public address; without it the links stay as the author wrote them).
    """
    query = (
        select(Delivery.id, Delivery.post_id, Delivery.due_at, Channel.id, Channel.name,
               Channel.network, Channel.owner_id, User.name)
        .join(Channel, Channel.id == Delivery.channel_id)
        .outerjoin(User, User.id == Channel.owner_id)
        .where(Delivery.state == S.AWAITING_OWNER)
        .order_by(Delivery.due_at, Delivery.id)
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(or_(Channel.owner_id == owner_id, Channel.owner_id.is_(None)))
    rows = session.execute(query).all()
    ids = [row[0] for row in rows]
    texts = (delivery_texts(session, ids, base_url) if base_url
             else {source.delivery_id: Outgoing(source.text, source.link) for source in sources(session, ids)})
    return [
        Task(delivery_id=d_id, post_id=post_id, channel_id=c_id, channel_name=c_name, network=Network(network),
             owner_id=c_owner, owner_name=owner_name or "", text=texts[d_id].text,
             due_at=due_at, overdue=due_at + overdue_after < now, share_url=XING_SHARE_URL)
        for d_id, post_id, due_at, c_id, c_name, network, c_owner, owner_name in rows
    ]


def complete_task(session: Session, delivery_id: int, *, url: str, user_id: int | None, now: datetime) -> bool:
    """The owner posted it: record the post's URL and publish the delivery; False if it was not open.

    Raises:
        TaskError: the URL is not an address on the channel's network.
    """
    network = session.scalar(select(Channel.network).join(Delivery, Delivery.channel_id == Channel.id)
                             .where(Delivery.id == delivery_id))
    if network is None:
        return False
    url = url.strip()
    hosts = POST_URL_HOSTS.get(Network(network), ())
    if not _url_on(url, hosts):
        host = hosts[0] if hosts else ""
        raise TaskError(f"Paste the address of the post on {Network(network).label} "
                        f"(it starts with https://www.{host}/).",
                        code="task.post_url_bad", params=params(network=Network(network), host=host))
    moved = move(session, delivery_id, S.AWAITING_OWNER, S.PUBLISHED, external_url=url, published_at=now,
                 attempts=Delivery.attempts + 1, last_error_kind=None, last_error_message=None)
    if moved:
        audit(session, user_id, "task.completed", f"delivery:{delivery_id}", url)
    return moved


def postpone_task(session: Session, delivery_id: int, *, until: datetime, user_id: int | None,
                  now: datetime) -> bool:
    """Put an open task back on the schedule for ``until``; False if it was not open."""
    if until <= now:
        raise TaskError("Pick a time in the future.", code="task.time_in_past")
    moved = move(session, delivery_id, S.AWAITING_OWNER, S.SCHEDULED, due_at=until, run_at=until)
    if moved:
        audit(session, user_id, "task.postponed", f"delivery:{delivery_id}", f"{until:%Y-%m-%dT%H:%MZ}")
    return moved


def _url_on(url: str, hosts: tuple[str, ...]) -> bool:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    return (parts.scheme == "https" and " " not in url
            and any(host == h or host.endswith("." + h) for h in hosts))
