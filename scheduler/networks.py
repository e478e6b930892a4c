"""The networks Postillon publishes to, and their rules as data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Network(StrEnum):
    """A social network (or assisted channel) a Channel belongs to."""

    X = "x"
    LINKEDIN = "linkedin"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    XING = "xing"

    @property
    def label(self) -> str:
        """Return the name people know the network by."""
        return NETWORK_LABELS[self]


NETWORK_LABELS: dict[Network, str] = {
    Network.X: "X",
    Network.LINKEDIN: "LinkedIn",
    Network.FACEBOOK: "Facebook",
    Network.INSTAGRAM: "Instagram",
    Network.XING: "XING",
}


@dataclass(frozen=True, slots=True)
class NetworkRules:
    """Limits a post must meet on one network; numbers are configuration, not constants."""

    max_text: int
    max_media: int
    link_weight: int | None = None  # X counts every URL as this many characters


RULES: dict[Network, NetworkRules] = {
    Network.X: NetworkRules(max_text=280, max_media=4, link_weight=23),
    Network.LINKEDIN: NetworkRules(max_text=3000, max_media=20),
    Network.FACEBOOK: NetworkRules(max_text=63206, max_media=10),
    Network.INSTAGRAM: NetworkRules(max_text=2200, max_media=10),
    Network.XING: NetworkRules(max_text=3000, max_media=1),
}

#: Networks whose tokens Postillon cannot renew by itself: Facebook Page and Instagram (Facebook
#: Login) tokens are long-lived and end with a new consent, so their owners are warned ahead.
NO_TOKEN_REFRESH: frozenset[Network] = frozenset({Network.FACEBOOK, Network.INSTAGRAM})
