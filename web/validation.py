"""Per-network checks of a post, through the network's adapter where there is one.

Networks without an adapter yet fall back to their plain text limit from ``scheduler.networks.RULES``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapters.registry import UnsupportedNetworkError, adapter_for
from adapters.textcount import weighted_length
from scheduler.media import preview_items
from scheduler.models import Channel, Media
from scheduler.networks import RULES, Network
from scheduler.ports import AdapterConfig, PostContent, Problem, params
from scheduler.posts import Validator, text_for
from scheduler.rendering import render_text


def validate_content(config: AdapterConfig, network: Network, content: PostContent) -> list[Problem]:
    """Return every problem ``network`` would have with ``content`` (empty when it is fine)."""
    try:
        adapter = adapter_for(network, config)  # imports the network's SDK on first use only
    except UnsupportedNetworkError:
        return _plain_length(network, content)
    return list(adapter.validate(content))


def validator(config: AdapterConfig) -> Validator:
    """Return the validate callback ``scheduler.posts.schedule_post`` takes."""
    return lambda network, content: validate_content(config, network, content)


def counted_length(network: Network, text: str) -> int:
    """Return the length ``network`` counts for ``text`` (X weighs links and some characters)."""
    return weighted_length(text) if network is Network.X else len(text)


#: Characters a network shows before it folds a post behind "… more" (feed view, desktop; X shows it all).
FOLDS: dict[Network, int | None] = {Network.X: None, Network.LINKEDIN: 210, Network.FACEBOOK: 480,
                                    Network.INSTAGRAM: 125, Network.XING: 250}


@dataclass(frozen=True, slots=True)
class Preview:
    """How a post will look on a network's feed: the visible part of the text, whether it folds, images."""

    visible: str
    folded: bool
    images: int
    link: str | None


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    """What the composer shows for one channel while the text is typed."""

    channel_id: int
    length: int
    max_length: int
    problems: list[Problem]
    preview: Preview


def preview(network: Network, rendered: str, link: str | None, images: int) -> Preview:
    """Return the feed view of ``rendered`` on ``network``."""
    fold = FOLDS.get(network)
    if fold is None or len(rendered) <= fold:
        return Preview(rendered, False, images, link)
    cut = rendered[:fold].rsplit(" ", 1)[0] if " " in rendered[:fold] else rendered[:fold]
    return Preview(cut.rstrip(), True, images, link)


def check_channels(config: AdapterConfig, channels: Sequence[Channel], text: str,
                   link: str | None, media: Sequence[Media] = (),
                   texts: Mapping[Network, str] | None = None, extra: Validator | None = None) -> list[ChannelCheck]:
    """Render the post (its own text per network, with its images) for each channel's network and check it there."""
    link = (link or "").strip() or None
    checks = []
    for channel in channels:
        rendered = render_text(text_for(text, texts or {}, channel.network), link, channel.network)
        content = PostContent(delivery_id=0, text=rendered, link=link, media=preview_items(media, channel.network))
        found = validate_content(config, channel.network, content)
        if extra is not None:
            found += extra(channel.network, content)
        checks.append(ChannelCheck(channel.id, counted_length(channel.network, rendered),
                                   RULES[channel.network].max_text, found,
                                   preview(channel.network, rendered, link, len(media))))
    return checks


def _plain_length(network: Network, content: PostContent) -> list[Problem]:
    limit = RULES[network].max_text
    if len(content.text) <= limit:
        return []
    length = len(content.text)
    return [Problem("text", "too_long", f"{network.label} takes at most {limit:,} characters; this text has "
                                        f"{length:,}.", params=params(network=network, limit=limit, length=length))]
