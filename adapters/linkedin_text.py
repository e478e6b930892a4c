"""LinkedIn's "little" text format: escaping plain text for ``commentary`` and reading it back (networks.md §3.6)."""

from __future__ import annotations

import re

from twitter_text import extract_urls_with_indices

# Reserved by the little text format; each must be backslash-escaped to appear literally.
RESERVED = "\\|{}@[]()<>#*_~"
_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")
_HASHTAG = re.compile(r"#(?=\w)")  # "#word" stays unescaped so the hashtag stays clickable
_ESCAPED = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")


def _escape_plain(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = match.group()
        return char if char == "#" and _HASHTAG.match(text, match.start()) else "\\" + char

    return _RESERVED.sub(one, text)


def escape_commentary(text: str) -> str:
    """Return ``text`` with every reserved character backslash-escaped, except inside URLs and in ``#word``.

    LinkedIn silently cuts a post at an unescaped reserved character, so nothing is refused: the
    author's text goes out as written. URLs stay untouched so that they still link.
    """
    out, last = [], 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        out.append(_escape_plain(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def unescape_commentary(commentary: str) -> str:
    """Return the plain text of an escaped ``commentary`` (the inverse of :func:`escape_commentary`)."""
    return _ESCAPED.sub(r"\1", commentary)
