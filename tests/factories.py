"""Test data builders (CTFd ``gen_*`` style): plain functions that add a row, flush, and return it.

Each takes the Session first and never commits: the test owns the transaction
(``with sessions.begin() as session: delivery = make_delivery(session)``). Keyword arguments
override any column. Import as ``from tests.factories import make_delivery``.
"""

from __future__ import annotations

import functools
import itertools
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery, Post, PostKind, Role, User
from scheduler.networks import Network
from scheduler.users import hash_password

DEFAULT_PASSWORD = "correct horse battery staple"

_serial = itertools.count(1)


@functools.cache
def _default_hash() -> str:
    # Argon2id is deliberately slow; hash the shared default password once per test run.
    return hash_password(DEFAULT_PASSWORD)


def make_user(session: Session, *, email: str | None = None, name: str = "Test User",
              password: str | None = None, role: Role = Role.MARKETER, **values: Any) -> User:
    """Add a user (password ``DEFAULT_PASSWORD``, English UI unless given) and return it."""
    n = next(_serial)
    values.setdefault("locale", "en")  # most tests read English text; the product default stays German
    user = User(
        email=email or f"user{n}@example.com",
        name=name,
        password_hash=hash_password(password) if password is not None else _default_hash(),
        role=role,
        **values,
    )
    session.add(user)
    session.flush()
    return user


def make_channel(session: Session, *, network: Network = Network.X, name: str | None = None,
                 status: ChannelStatus = ChannelStatus.CONNECTED, **values: Any) -> Channel:
    """Add a channel (connected, no credentials unless given) and return it."""
    n = next(_serial)
    values.setdefault("account_id", f"acct-{n}")
    values.setdefault("handle", f"@channel{n}")
    channel = Channel(network=network, name=name or f"Channel {n}", status=status, **values)
    session.add(channel)
    session.flush()
    return channel


def make_post(session: Session, *, text: str = "Wir suchen Verstärkung!", link: str | None = None,
              kind: PostKind = PostKind.PRODUCT_NEWS, author: User | None = None, **values: Any) -> Post:
    """Add a post and return it."""
    post = Post(text=text, link=link, kind=kind, author_id=author.id if author else None, **values)
    session.add(post)
    session.flush()
    return post


def make_delivery(session: Session, *, post: Post | None = None, channel: Channel | None = None,
                  state: DeliveryState = DeliveryState.SCHEDULED, due_at: datetime | None = None,
                  run_at: datetime | None = None, **values: Any) -> Delivery:
    """Add a delivery (a new post and channel unless given; due now; run_at = due_at) and return it."""
    post = post or make_post(session)
    channel = channel or make_channel(session)
    due_at = due_at or utcnow()
    delivery = Delivery(post_id=post.id, channel_id=channel.id, state=state, due_at=due_at,
                        run_at=run_at or due_at, **values)
    session.add(delivery)
    session.flush()
    return delivery
