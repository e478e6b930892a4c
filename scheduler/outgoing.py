"""The text a delivery publishes: its network's text, rendered, every link replaced by its tracked short link.

Publishing, reconciliation (which must search for exactly what was published) and the XING task all use
``delivery_texts``, so the three can never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import TrackedLink
from scheduler.networks import RULES, Network
from scheduler.tracking import Source, create_links, find_urls, is_own_url, short_link, sources

log = logging.getLogger(__name__)


class Outgoing(NamedTuple):
    """A delivery's text as the network receives it, and the post's link (short when tracked)."""

    text: str
    link: str | None


def delivery_texts(session: Session, delivery_ids: Iterable[int], base_url: str) -> dict[int, Outgoing]:
    """Return each delivery's published text and link, with the short links of its tracked links.

    Links without a tracked link (created before tracking, or too long to track) stay as written. A text
    that only the short links would push over the network's limit keeps the author's links (logged):
    a post that goes out untracked beats one the network refuses.
    """
    return texts_of(session, sources(session, delivery_ids), base_url)


def publishable_texts(session: Session, delivery_ids: Iterable[int], base_url: str) -> dict[int, Outgoing]:
    """Track the deliveries' links (creating what is missing), then return their texts as delivery_texts."""
    found = sources(session, delivery_ids)
    create_links(session, found, base_url=base_url)
    return texts_of(session, found, base_url)


def texts_of(session: Session, found: Sequence[Source], base_url: str) -> dict[int, Outgoing]:
    """Like delivery_texts, for deliveries whose sources the caller has already loaded."""
    codes: dict[int, dict[str, str]] = {}
    for d_id, original, code in session.execute(
            select(TrackedLink.delivery_id, TrackedLink.original, TrackedLink.code)
            .where(TrackedLink.delivery_id.in_([s.delivery_id for s in found]))
            .order_by(TrackedLink.id.desc())):  # the oldest wins if two were ever made for one link
        codes.setdefault(d_id, {})[original] = code
    return {source.delivery_id: _outgoing(source, codes.get(source.delivery_id, {}), base_url) for source in found}


def rewrite(text: str, short: dict[str, str]) -> str:
    """Return ``text`` with each link found in ``short`` replaced by its short link (exact matches only)."""
    pieces, last = [], 0
    for start, end in find_urls(text):
        url = text[start:end]
        if url in short:
            pieces += [text[last:start], short[url]]
            last = end
    return "".join(pieces) + text[last:] if pieces else text


def counted_length(network: Network, text: str) -> int:
    """Return the length ``network`` counts for ``text`` (X: twitter-text's weighted length)."""
    if network is not Network.X:
        return len(text)
    from twitter_text import parse_tweet  # only X needs it; loaded on first use
    from twitter_text.config import config

    options = {**config["defaults"], "max_weighted_tweet_length": RULES[Network.X].max_text,
               "transformed_url_length": RULES[Network.X].link_weight or 23}
    return int(parse_tweet(text, options).weightedLength)


def _outgoing(source: Source, codes: dict[str, str], base_url: str) -> Outgoing:
    short = {url: short_link(base_url, code) for url, code in codes.items() if not is_own_url(url, base_url)}
    if not short:
        return Outgoing(source.text, source.link)
    text = rewrite(source.text, short)
    link = short.get(source.link, source.link) if source.link else None
    limit = RULES[source.network].max_text
    if counted_length(source.network, text) > limit >= counted_length(source.network, source.text):
        log.warning("delivery %s: short links would make the text too long for %s; publishing it untracked",
                    source.delivery_id, source.network.label)
        return Outgoing(source.text, source.link)
    return Outgoing(text, link)
