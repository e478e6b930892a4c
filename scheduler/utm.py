"""UTM parameters: the delivery code carried in ``utm_content`` and reading the parameters back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: The campaign parameters Postillon writes on tracked links and reads back from forms and webhooks.
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
_MAX_LENGTH = {"utm_source": 100, "utm_medium": 100, "utm_campaign": 200, "utm_content": 100}
_DELIVERY_CODE = re.compile(r"^d([1-9][0-9]{0,17})$")


def delivery_code(delivery_id: int) -> str:
    """Return the code a delivery's links carry in ``utm_content`` (e.g. ``d42``)."""
    return f"d{delivery_id}"


def parse_delivery_code(value: str | None) -> int | None:
    """Return the delivery id in a ``utm_content`` value, or None when it is not one of ours."""
    match = _DELIVERY_CODE.match((value or "").strip().lower())
    return int(match.group(1)) if match else None


def clean_utm(values: Mapping[str, object]) -> dict[str, str]:
    """Return the four UTM values from form or webhook data: strings, trimmed, lower-cased, cut to size."""
    cleaned: dict[str, str] = {}
    for key in UTM_KEYS:
        raw = values.get(key)
        text = raw.strip().lower() if isinstance(raw, str) else ""
        cleaned[key] = "".join(ch for ch in text if ch.isprintable())[: _MAX_LENGTH[key]]
    return cleaned


def with_utm(url: str, values: Mapping[str, str]) -> str:
    """Return ``url`` with the UTM ``values`` appended; its own parameters (UTM ones too) and fragment are kept."""
    parts = urlsplit(url)
    present = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    missing = [(key, value) for key, value in values.items() if key not in present]
    if not missing:
        return url
    # Appended to the query as written, so the author's own parameters keep their exact encoding.
    query = f"{parts.query}&{urlencode(missing)}" if parts.query else urlencode(missing)
    return urlunsplit(parts._replace(query=query))
