"""X's text rules (twitter-text v3), light enough for the composer's live counter to import.

Counting is done by the maintained ``twitter-text-parser`` package (X's own algorithm: NFC, every
URL counts as the configured link weight, emoji and CJK count 2); the limits come from
``scheduler.networks.RULES``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.config import config as _twitter_text_config
from twitter_text.has_invalid_characters import has_invalid_characters
from twitter_text.regexp.punct import punct
from twitter_text.regexp.spaces_group import spaces_group

from scheduler.networks import RULES, Network
from scheduler.ports import Problem, params

_X_RULES = RULES[Network.X]
_OPTIONS: dict[str, Any] = {
    **_twitter_text_config["defaults"],
    "max_weighted_tweet_length": _X_RULES.max_text,
    "transformed_url_length": _X_RULES.link_weight or _twitter_text_config["defaults"]["transformed_url_length"],
}

# twitter-text's cashtag rule: "$" + 1-6 letters (+ optional ".xx"/"_xx"), after a space or the start.
_CASHTAG = re.compile(
    rf"(?:^|[{spaces_group}])\$([a-z]{{1,6}}(?:[._][a-z]{{1,2}})?)(?=$|\s|[{punct}])", re.IGNORECASE
)
URL_PLACEHOLDER = "\x00URL\x00"  # NUL never occurs in a post, so it cannot collide with text


def weighted_length(text: str) -> int:
    """Return the length X counts for ``text`` (URLs count the link weight, emoji and CJK count 2)."""
    return int(parse_tweet(text, _OPTIONS).weightedLength)


def cashtags(text: str) -> list[str]:
    """Return the cashtags (``$AAPL``) in ``text`` as X recognises them, in order."""
    return ["$" + symbol for symbol in _CASHTAG.findall(unicodedata.normalize("NFC", text))]


def has_invalid_chars(text: str) -> bool:
    """Tell whether ``text`` holds characters X refuses (BOM, non-characters, direction overrides)."""
    return bool(has_invalid_characters(text))


def comparable_text(text: str) -> str:
    """Return ``text`` reduced to what survives X's rewriting, for matching a post we sent.

    X wraps every URL in a t.co link, so each URL becomes one placeholder; Unicode is NFC-normalised
    and runs of whitespace become single spaces.
    """
    text = unicodedata.normalize("NFC", text)
    for url in reversed(extract_urls_with_indices(text)):
        start, end = url["indices"]
        text = text[:start] + URL_PLACEHOLDER + text[end:]
    return " ".join(text.split())


def text_problems(text: str) -> list[Problem]:
    """Return what X would refuse in ``text``: too long, invisible characters, more than one cashtag."""
    problems = []
    length = weighted_length(text)
    if length > _X_RULES.max_text:
        problems.append(Problem(
            "text", "too_long", f"X takes at most {_X_RULES.max_text:,} characters; this text has {length:,}.",
            params=params(network=Network.X, limit=_X_RULES.max_text, length=length),
        ))
    if has_invalid_chars(text):
        problems.append(Problem(
            "text", "invalid_characters",
            "The text holds invisible characters X refuses (such as a byte-order mark); retype it.",
        ))
    tags = cashtags(text)
    if len(tags) > 1:
        problems.append(Problem(
            "text", "too_many_cashtags",
            f"X allows one cashtag per post; this one has {len(tags)} ({', '.join(tags)}).",
            params=params(count=len(tags), tags=", ".join(tags)),
        ))
    return problems
