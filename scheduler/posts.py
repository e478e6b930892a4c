"""Compose and schedule posts; cancel, retry and resolve deliveries (use-cases for the UI)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.lifecycle import CANCELLABLE, DeliveryState
from scheduler.media import attach, owned_unattached, preview_items
from scheduler.models import AuditEvent, Channel, ChannelStatus, Delivery, Post, PostKind
from scheduler.networks import Network
from scheduler.ports import PostContent, Problem
from scheduler.rendering import render_text
from scheduler.transitions import move

S = DeliveryState
Validator = Callable[[Network, PostContent], list[Problem]]

#: A time this far in the past still counts as "now" (the form took a moment to submit).
PAST_GRACE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class PostDraft:
    """What the composer submits, already converted to UTC."""

    text: str
    channel_ids: Sequence[int]
    due_at: datetime | None  # None: as soon as possible
    link: str | None = None
    kind: PostKind = PostKind.PRODUCT_NEWS
    campaign: str = ""
    media_ids: Sequence[int] = ()  # uploaded images, in the order the author wants them


@dataclass(slots=True)
class DraftProblems(Exception):
    """The draft cannot be scheduled; problems by field and by channel, in plain words."""

    general: list[Problem] = field(default_factory=list)
    by_channel: dict[int, list[Problem]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.all())

    def all(self) -> list[Problem]:
        """Return every problem, general ones first."""
        return [*self.general, *(p for ps in self.by_channel.values() for p in ps)]


def schedule_post(session: Session, draft: PostDraft, *, author_id: int | None, now: datetime,
                  validate: Validator) -> Post:
    """Create a post and one scheduled delivery per channel, or raise DraftProblems and change nothing."""
    problems = DraftProblems()
    link = (draft.link or "").strip() or None
    media = owned_unattached(session, draft.media_ids, author_id)
    if len(media) != len(set(draft.media_ids)):
        problems.general.append(Problem("media", "unknown", "An image is no longer available; add it again."))
    if not draft.text.strip() and not link and not media:
        problems.general.append(Problem("text", "empty", "Write a text, add a link or add an image."))
    if link and not _is_web_url(link):
        problems.general.append(Problem("link", "bad_url", "The link must start with https:// or http://."))
    due_at = draft.due_at or now
    if due_at < now - PAST_GRACE:
        problems.general.append(Problem("due_at", "in_past", "The time lies in the past; pick a later time."))
    channels = _channels(session, draft.channel_ids)
    if not draft.channel_ids:
        problems.general.append(Problem("channels", "none", "Choose at least one channel."))
    elif len(channels) != len(set(draft.channel_ids)):
        problems.general.append(Problem("channels", "unknown", "One of the chosen channels does not exist."))
    for channel in channels:
        if channel.status is ChannelStatus.DISABLED:
            problems.by_channel[channel.id] = [Problem("channels", "disabled", f"{channel.name} is disabled.")]
            continue
        content = PostContent(delivery_id=0, text=render_text(draft.text, link, channel.network), link=link,
                              media=preview_items(media))
        found = validate(channel.network, content)
        if found:
            problems.by_channel[channel.id] = found
    if problems.all():
        raise problems
    post = Post(kind=draft.kind, text=draft.text.strip(), link=link, campaign=draft.campaign.strip(),
                author_id=author_id, created_at=now)
    session.add(post)
    session.flush()
    attach(session, post.id, [m.id for m in media], author_id)
    for channel in channels:
        session.add(Delivery(post_id=post.id, channel_id=channel.id, state=S.SCHEDULED, due_at=due_at,
                             run_at=due_at, created_at=now, updated_at=now))
    audit(session, author_id, "post.scheduled", f"post:{post.id}",
          f"{len(channels)} channel(s) at {due_at:%Y-%m-%dT%H:%MZ}")
    session.flush()
    return post


def cancel_delivery(session: Session, delivery_id: int, *, user_id: int | None) -> bool:
    """Cancel a delivery that has not reached the network; False if it is too late."""
    moved = move(session, delivery_id, CANCELLABLE, S.CANCELLED)
    if moved:
        audit(session, user_id, "delivery.cancelled", f"delivery:{delivery_id}")
    return moved


def publish_again(session: Session, delivery_id: int, *, user_id: int | None, now: datetime) -> bool:
    """A person decides a failed or unknown delivery should go out again now."""
    moved = move(session, delivery_id, (S.FAILED, S.UNKNOWN), S.SCHEDULED, run_at=now, attempts=0,
                 last_error_kind=None, last_error_message=None)
    if moved:
        audit(session, user_id, "delivery.publish_again", f"delivery:{delivery_id}")
    return moved


def mark_published(session: Session, delivery_id: int, *, user_id: int | None, url: str, now: datetime) -> bool:
    """A person confirms that an unknown delivery is live (they saw it on the network)."""
    if url and not _is_web_url(url):
        raise ValueError("The post URL must start with https:// or http://.")
    moved = move(session, delivery_id, S.UNKNOWN, S.PUBLISHED, external_url=url or None, published_at=now,
                 last_error_kind=None, last_error_message=None, reconcile_at=None)
    if moved:
        audit(session, user_id, "delivery.marked_published", f"delivery:{delivery_id}", url)
    return moved


def audit(session: Session, user_id: int | None, action: str, subject: str, detail: str = "") -> None:
    """Append one audit event."""
    session.add(AuditEvent(user_id=user_id, action=action, subject=subject, detail=detail))


def _channels(session: Session, ids: Sequence[int]) -> list[Channel]:
    if not ids:
        return []
    return list(session.scalars(select(Channel).where(Channel.id.in_(list(ids))).order_by(Channel.id)))


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value
