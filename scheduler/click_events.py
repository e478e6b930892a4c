"""A click as it travels from the redirect to the database: compact, and without the network address.

The redirect keeps the request's raw values only in its own memory; what leaves the process is a
``ClickEvent`` whose visitor is a keyed hash of the truncated address and the user agent, salted per
UTC day, so the same person can be recognised for an hour's de-duplication but never traced.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

#: The Redis stream the redirect appends click events to, and the click worker's consumer group.
CLICK_STREAM = "postillon:clicks"
CLICK_GROUP = "postillon-clicks"
#: Per UTC day (``<prefix>YYYY-MM-DD``): clicks redirected but dropped before they reached the stream.
LOST_KEY_PREFIX = "postillon:clicks:lost:"
MAX_USER_AGENT = 512
_COUNTRY = re.compile(r"[A-Z]{2}")
_NO_COUNTRY = frozenset({"XX", "ZZ", "T1"})  # Cloudflare: unknown, Tor


class BadClickEventError(ValueError):
    """A stream entry that is not a click event of ours (it is counted as lost, not retried)."""


@dataclass(frozen=True, slots=True)
class ClickEvent:
    """One request to a short link, ready for classification."""

    link_id: int
    delivery_id: int
    channel_id: int
    at: datetime
    method: str
    user_agent: str
    referrer_host: str
    visitor: str  # see visitor_hash
    country: str | None

    def encode(self) -> str:
        """Return the event as one compact JSON line."""
        return json.dumps([self.link_id, self.delivery_id, self.channel_id, round(self.at.timestamp() * 1000),
                           self.method, self.user_agent, self.referrer_host, self.visitor, self.country],
                          separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, raw: str | bytes) -> ClickEvent:
        """Read an encoded event back; raise BadClickEventError for anything else."""
        try:
            link_id, delivery_id, channel_id, ms, method, agent, referrer, visitor, country = json.loads(raw)
            return cls(int(link_id), int(delivery_id), int(channel_id), datetime.fromtimestamp(ms / 1000, UTC),
                       str(method), str(agent), str(referrer), str(visitor), country and str(country))
        except (ValueError, TypeError, OverflowError) as exc:
            raise BadClickEventError(f"not a click event: {raw[:80]!r}") from exc


def truncated_address(address: str) -> str:
    """Return the network of ``address`` (IPv4 /24, IPv6 /48), never the address itself; "" if unreadable."""
    parts = address.strip().split(".")
    if len(parts) == 4 and all(part.isascii() and part.isdigit() and int(part) <= 255 for part in parts):
        return f"{int(parts[0])}.{int(parts[1])}.{int(parts[2])}.0/24"  # the common case, without ipaddress
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def visitor_hash(secret: str, at: datetime, address: str, user_agent: str) -> str:
    """Return the visitor key: HMAC of truncated address and user agent, the key rotated every UTC day."""
    key = f"{secret}|{at.astimezone(UTC):%Y-%m-%d}".encode()
    message = f"{truncated_address(address)}|{user_agent}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


@lru_cache(maxsize=1024)  # runs in the web process for every click; referrers repeat
def referrer_host(referrer: str | None) -> str:
    """Return the host of a Referer header (lower case, at most 255 characters), or ""."""
    if not referrer:
        return ""
    try:
        host = urlsplit(referrer.strip()).hostname or ""
    except ValueError:
        return ""
    return host[:255]


def country_code(value: str | None) -> str | None:
    """Return the ISO country code a trusted proxy header gives, or None when it names none."""
    code = (value or "").strip().upper()
    return code if _COUNTRY.fullmatch(code) and code not in _NO_COUNTRY else None


def make_event(*, secret: str, link_id: int, delivery_id: int, channel_id: int, at: datetime, method: str,
               user_agent: str, referrer: str | None, address: str, country: str | None) -> ClickEvent:
    """Build the event for one request from its raw values; the address goes into the hash only."""
    agent = user_agent[:MAX_USER_AGENT]
    return ClickEvent(link_id, delivery_id, channel_id, at, method.upper(), agent, referrer_host(referrer),
                      visitor_hash(secret, at, address, agent), country_code(country))
