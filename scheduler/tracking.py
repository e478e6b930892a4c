"""Tracked links: find the links in a delivery's text, give each a short ``/r/<code>`` and a UTM destination."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from scheduler.jobads_text import slug
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, Click, Delivery, Post, PostKind, PostText, TrackedLink, Vacancy
from scheduler.networks import Network
from scheduler.rendering import render_text
from scheduler.utm import delivery_code, with_utm

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62**8 ≈ 2e14 codes: guessing a live one is hopeless, collisions are retried
CODE = re.compile(r"[A-Za-z0-9]{7,10}")
MAX_ORIGINAL = 2048  # TrackedLink.original
MAX_DESTINATION = 4096  # TrackedLink.destination

# A URL runs to the next white space or quote; trailing punctuation belongs to the sentence.
_URL = re.compile(r"""https?://[^\s<>"'`“”„‚‘’«»]+""", re.IGNORECASE)
_TRAILING = ".,;:!?*"
_PAIRS = {")": "(", "]": "[", "}": "{"}
# Postillon's own short links and signed image URLs, wherever they are served from.
_OWN_PATH = re.compile(r"/(?:r/[A-Za-z0-9]{7,10}|media/(?:r/)?\d+/\d+/[0-9a-f]{32}\.[a-z0-9]+)/?")


@dataclass(frozen=True, slots=True)
class Source:
    """What a delivery publishes before tracking: its network's text rendered with the author's links."""

    delivery_id: int
    state: DeliveryState
    network: Network
    text: str
    link: str | None
    campaign: str  # utm_campaign


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where a short link leads, and what its clicks are counted for."""

    link_id: int
    delivery_id: int
    channel_id: int
    destination: str


def find_urls(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of the http(s) links in ``text``, without trailing punctuation."""
    spans = []
    for match in _URL.finditer(text):
        url = match.group()
        while url:
            last = url[-1]
            if last in _TRAILING or (last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)):
                url = url[:-1]
            else:
                break
        if urlsplit(url).hostname:
            spans.append((match.start(), match.start() + len(url)))
    return spans


def is_own_url(url: str, base_url: str | None = None) -> bool:
    """Tell whether ``url`` is one of Postillon's own short links or image URLs (never tracked again)."""
    parts = urlsplit(url)
    if base_url:
        base = urlsplit(base_url)
        prefix = base.path.rstrip("/")
        if (parts.hostname, parts.port) == (base.hostname, base.port) and \
                parts.path.startswith((f"{prefix}/r/", f"{prefix}/media/")):
            return True
    return bool(_OWN_PATH.fullmatch(parts.path))


def short_link(base_url: str, code: str) -> str:
    """Return the public short link for ``code``."""
    return f"{base_url.rstrip('/')}/r/{code}"


def new_code() -> str:
    """Return a random, URL-safe link code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def campaign_slug(campaign: str, kind: PostKind, post_id: int, vacancy_id: int | None, vacancy_title: str) -> str:
    """Return utm_campaign: the post's campaign, else ``job-<vacancy>-<title>`` for job ads, else ``<kind>-<post>``."""
    named = slug(campaign, max_len=100)
    if named:
        return named
    if kind is PostKind.JOB_AD and vacancy_id is not None:
        return f"job-{vacancy_id}-{slug(vacancy_title)}".rstrip("-")
    return f"{kind.value.replace('_', '-')}-{post_id}"


def sources(session: Session, delivery_ids: Iterable[int]) -> list[Source]:
    """Return what each delivery publishes: its network's own text or the common one, link appended."""
    ids = list(delivery_ids)
    if not ids:
        return []
    rows = session.execute(
        select(Delivery.id, Delivery.state, Post.id, Post.kind, Post.text, Post.link, Post.campaign, Post.vacancy_id,
               Vacancy.title, Channel.network)
        .join(Post, Post.id == Delivery.post_id)
        .join(Channel, Channel.id == Delivery.channel_id)
        .outerjoin(Vacancy, Vacancy.id == Post.vacancy_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()
    own = {(post_id, network): text for post_id, network, text in session.execute(
        select(PostText.post_id, PostText.network, PostText.text).where(PostText.post_id.in_({r[2] for r in rows})))}
    found = []
    for d_id, state, post_id, kind, text, link, campaign, vacancy_id, title, network in rows:
        # The rule of scheduler.posts.text_for (not imported: scheduler.posts calls ensure_links).
        chosen = own.get((post_id, network), "").strip() or text
        found.append(Source(d_id, state, network, render_text(chosen, link, network), link,
                            campaign_slug(campaign, kind, post_id, vacancy_id, title or "")))
    return found


def ensure_links(session: Session, delivery_ids: Iterable[int], *, base_url: str | None = None) -> int:
    """Give every link the deliveries publish a tracked link (idempotent); return how many were created.

    Drafts get none: nothing of them is public yet (a post sent back to draft keeps its links until
    ``drop_links`` goes with the drafts). ``base_url``, Postillon's public address, also keeps links to
    Postillon's own short links and images untracked when they are served from an unusual path.
    """
    return create_links(session, sources(session, delivery_ids), base_url=base_url)


def create_links(session: Session, found: Sequence[Source], *, base_url: str | None = None) -> int:
    """Like ensure_links, for deliveries whose sources the caller has already loaded."""
    found = [s for s in found if s.state is not DeliveryState.DRAFT]
    if not found:
        return 0
    have = {(d_id, original) for d_id, original in session.execute(
        select(TrackedLink.delivery_id, TrackedLink.original)
        .where(TrackedLink.delivery_id.in_([s.delivery_id for s in found])))}
    rows = []
    for source in found:
        for start, end in find_urls(source.text):
            url = source.text[start:end]
            if (source.delivery_id, url) in have or len(url) > MAX_ORIGINAL or is_own_url(url, base_url):
                continue
            destination = with_utm(url, {"utm_source": source.network.value, "utm_medium": "social",
                                         "utm_campaign": source.campaign,
                                         "utm_content": delivery_code(source.delivery_id)})
            if len(destination) <= MAX_DESTINATION:
                have.add((source.delivery_id, url))
                rows.append({"delivery_id": source.delivery_id, "original": url, "destination": destination})
    for row, code in zip(rows, _fresh_codes(session, len(rows)), strict=True):
        row["code"] = code
    if rows:
        session.execute(insert(TrackedLink), rows)
    return len(rows)


def drop_links(session: Session, delivery_ids: Sequence[int]) -> None:
    """Delete the tracked links (and any clicks) of deliveries that are being deleted."""
    if not delivery_ids:
        return
    links = select(TrackedLink.id).where(TrackedLink.delivery_id.in_(list(delivery_ids))).scalar_subquery()
    session.execute(delete(Click).where(Click.link_id.in_(links)))
    session.execute(delete(TrackedLink).where(TrackedLink.delivery_id.in_(list(delivery_ids))))


def link_target(session: Session, code: str) -> LinkTarget | None:
    """Return where the short link ``code`` leads, or None for a code that does not exist."""
    if not CODE.fullmatch(code):
        return None
    row = session.execute(
        select(TrackedLink.id, TrackedLink.delivery_id, Delivery.channel_id, TrackedLink.destination)
        .join(Delivery, Delivery.id == TrackedLink.delivery_id)
        .where(TrackedLink.code == code)
    ).first()
    return LinkTarget(*row) if row else None


def _fresh_codes(session: Session, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        batch = {new_code() for _ in range(count - len(codes))} - codes
        taken = set(session.scalars(select(TrackedLink.code).where(TrackedLink.code.in_(batch))))
        codes |= batch - taken  # a collision simply draws again
    return list(codes)
