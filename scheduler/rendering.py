"""Turn a post into the text each network receives."""

from __future__ import annotations

from scheduler.networks import Network


def render_text(text: str, link: str | None, network: Network) -> str:
    """Return the post's text for ``network``, with the link appended unless the text has it."""
    body = text.strip()
    if link and link not in body:
        body = f"{body}\n{link}" if body else link
    return body
