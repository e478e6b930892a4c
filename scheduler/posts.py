"""Compose and schedule posts; cancel, retry and resolve deliveries (use-cases for the UI)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.lifecycle import CANCELLABLE, DeliveryState
from scheduler.media import attach, media_problems, owned_unattached, preview_items
from scheduler.models import Channel, ChannelStatus, Delivery, Media, Post, PostKind, PostText
from scheduler.networks import Network
from scheduler.ports import InputError, PostContent, Problem, params
from scheduler.rendering import render_text
from scheduler.tracking import drop_links, ensure_links
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
    texts: Mapping[Network, str] = field(default_factory=dict)  # the post's own text per network
    due_by_channel: Mapping[int, datetime] = field(default_factory=dict)  # "add to queue": each channel's slot
    as_draft: bool = False  # keep it as a draft: nothing goes out until it is scheduled
    accept_warnings: bool = False  # the author read the warnings (non-blocking problems) and goes ahead
    vacancy_id: int | None = None


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

    def stops(self, accept_warnings: bool) -> bool:
        """Tell whether these problems stop the post: any blocking one, or warnings not accepted yet."""
        found = self.all()
        return any(p.blocking for p in found) or (bool(found) and not accept_warnings)


def text_for(draft_text: str, texts: Mapping[Network, str], network: Network) -> str:
    """Return the text a network gets before rendering: its own text if the author wrote one."""
    own = texts.get(network, "").strip()
    return own or draft_text


def schedule_post(session: Session, draft: PostDraft, *, author_id: int | None, now: datetime,
                  validate: Validator) -> Post:
    """Create a post and one delivery per channel, or raise DraftProblems and change nothing.

    Deliveries are `scheduled`, or `draft` when the author keeps it as a draft (the caller hands
    drafts that need approval on to ``scheduler.approval``).
    """
    link = (draft.link or "").strip() or None
    media = owned_unattached(session, draft.media_ids, author_id)
    channels = _channels(session, draft.channel_ids)
    problems = _general_problems(draft, link, media, channels, now)
    for channel in channels:
        if channel.status is ChannelStatus.DISABLED:
            problems.by_channel[channel.id] = [Problem("channels", "disabled", f"{channel.name} is disabled.",
                                                       params=params(channel=channel.name))]
            continue
        text = render_text(text_for(draft.text, draft.texts, channel.network), link, channel.network)
        content = PostContent(delivery_id=0, text=text, link=link, media=preview_items(media, channel.network))
        found = validate(channel.network, content)
        if found:
            problems.by_channel[channel.id] = found
    # A draft is work in progress: only problems that make it meaningless stop it; the rest are
    # checked again when it is scheduled.
    if (DraftProblems(general=problems.general).stops(True) if draft.as_draft
            else problems.stops(draft.accept_warnings)):
        raise problems
    post = Post(kind=draft.kind, text=draft.text.strip(), link=link, campaign=draft.campaign.strip(),
                author_id=author_id, created_at=now, vacancy_id=draft.vacancy_id)
    session.add(post)
    session.flush()
    attach(session, post.id, [m.id for m in media], author_id)
    networks = {channel.network for channel in channels}
    for network, own in draft.texts.items():
        if own.strip() and network in networks:
            session.add(PostText(post_id=post.id, network=network, text=own.strip()))
    state = S.DRAFT if draft.as_draft else S.SCHEDULED
    for channel in channels:
        due_at = draft.due_by_channel.get(channel.id) or draft.due_at or now
        session.add(Delivery(post_id=post.id, channel_id=channel.id, state=state, due_at=due_at,
                             run_at=due_at, created_at=now, updated_at=now))
    audit(session, author_id, "post.drafted" if draft.as_draft else "post.scheduled", f"post:{post.id}",
          f"{len(channels)} channel(s)" + ("" if draft.as_draft else f" at {(draft.due_at or now):%Y-%m-%dT%H:%MZ}"))
    session.flush()
    ensure_links(session, session.scalars(select(Delivery.id).where(Delivery.post_id == post.id)).all())
    return post


def _general_problems(draft: PostDraft, link: str | None, media: Sequence[Media], channels: Sequence[Channel],
                      now: datetime) -> DraftProblems:
    problems = DraftProblems()
    if len(media) != len(set(draft.media_ids)):
        problems.general.append(Problem("media", "unknown", "An image is no longer available; add it again."))
    if not draft.text.strip() and not any(t.strip() for t in draft.texts.values()) and not link and not media:
        problems.general.append(Problem("text", "empty", "Write a text, add a link or add an image."))
    if link and not _is_web_url(link):
        problems.general.append(Problem("link", "bad_url", "The link must start with https:// or http://."))
    problems.general.extend(media_problems(draft.kind, media))
    due_times = [draft.due_at or now, *draft.due_by_channel.values()]
    if not draft.as_draft and min(due_times) < now - PAST_GRACE:
        problems.general.append(Problem("due_at", "in_past", "The time lies in the past; pick a later time."))
    if not draft.channel_ids:
        problems.general.append(Problem("channels", "none", "Choose at least one channel."))
    elif len(channels) != len(set(draft.channel_ids)):
        problems.general.append(Problem("channels", "unknown", "One of the chosen channels does not exist."))
    return problems


def discard_draft(session: Session, post_id: int, *, user_id: int | None) -> bool:
    """Remove the author's draft post so an edited version can take its place; False if it is no draft.

    Its images are detached (kept for the new version) and nothing of it has reached a network.
    """
    post = session.get(Post, post_id)
    if post is None or post.author_id != user_id:
        return False
    states = set(session.scalars(select(Delivery.state).where(Delivery.post_id == post_id)))
    if states - {S.DRAFT}:
        return False
    session.execute(update(Media).where(Media.post_id == post_id).values(post_id=None))
    session.execute(delete(PostText).where(PostText.post_id == post_id))
    drop_links(session, session.scalars(select(Delivery.id).where(Delivery.post_id == post_id)).all())
    session.execute(delete(Delivery).where(Delivery.post_id == post_id, Delivery.state == S.DRAFT))
    session.execute(delete(Post).where(Post.id == post_id))
    session.expire_all()
    audit(session, user_id, "post.draft_replaced", f"post:{post_id}")
    return True


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
        raise InputError("The post URL must start with https:// or http://.", code="post.url_bad")
    moved = move(session, delivery_id, S.UNKNOWN, S.PUBLISHED, external_url=url or None, published_at=now,
                 last_error_kind=None, last_error_message=None, reconcile_at=None)
    if moved:
        audit(session, user_id, "delivery.marked_published", f"delivery:{delivery_id}", url)
    return moved


def _channels(session: Session, ids: Sequence[int]) -> list[Channel]:
    if not ids:
        return []
    return list(session.scalars(select(Channel).where(Channel.id.in_(list(ids))).order_by(Channel.id)))


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value
