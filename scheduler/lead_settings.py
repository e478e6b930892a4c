"""Company settings of the lead form: which sites may embed it, how long repeat requests merge, its consent text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.company_settings import put_setting, read_setting

#: The CompanySetting row holding these settings as one JSON object.
KEY = "lead_form"
#: A second request from the same e-mail address within this many days counts as the same lead.
DEFAULT_MERGE_WINDOW_DAYS = 30
MAX_MERGE_WINDOW_DAYS = 365
MAX_CONSENT_TEXT = 2000
LANGUAGES = ("de", "en")
# An origin as CSP's frame-ancestors takes it: scheme, host (optionally "*." for subdomains), optional port.
_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$")


@dataclass(frozen=True, slots=True)
class LeadFormSettings:
    """How the lead form behaves; empty ``frame_ancestors`` means no other site may embed it yet."""

    frame_ancestors: tuple[str, ...] = ()
    merge_window_days: int = DEFAULT_MERGE_WINDOW_DAYS
    consent_texts: Mapping[str, str] = field(default_factory=dict)  # language -> the company's own text


class LeadSettingsProblems(Exception):
    """Settings that cannot be saved: field name -> (code, plain-words message)."""

    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _code, message in problems.values()))
        self.problems = problems


def parse_origins(text: str) -> tuple[tuple[str, ...], list[str]]:
    """Split ``text`` (one site per line, or separated by spaces/commas) into origins and entries that are not."""
    origins: list[str] = []
    bad: list[str] = []
    for entry in re.split(r"[\s,]+", text.strip()):
        if not entry:
            continue
        origin = entry.lower().rstrip("/")
        if _ORIGIN.match(origin):
            if origin not in origins:
                origins.append(origin)
        else:
            bad.append(entry)
    return tuple(origins), bad


def lead_form_settings(session: Session) -> LeadFormSettings:
    """Return the stored settings; anything missing or unreadable falls back to its default."""
    data = read_setting(session, KEY)
    if not isinstance(data, dict):
        data = {}
    raw_origins = data.get("frame_ancestors")
    origins, _bad = parse_origins(" ".join(o for o in raw_origins if isinstance(o, str))
                                  if isinstance(raw_origins, list) else "")
    days = data.get("merge_window_days")
    window = DEFAULT_MERGE_WINDOW_DAYS
    if isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= MAX_MERGE_WINDOW_DAYS:
        window = days
    texts = data.get("consent_texts")
    consent = ({lang: text.strip() for lang, text in texts.items()
                if lang in LANGUAGES and isinstance(text, str) and text.strip()} if isinstance(texts, dict) else {})
    return LeadFormSettings(frame_ancestors=origins, merge_window_days=window, consent_texts=consent)


def save_lead_form_settings(session: Session, *, frame_ancestors: str, merge_window_days: int | None,
                            consent_texts: Mapping[str, str], user_id: int | None, now: datetime) -> LeadFormSettings:
    """Validate and store the settings (audited), or raise LeadSettingsProblems and change nothing."""
    problems: dict[str, tuple[str, str]] = {}
    origins, bad = parse_origins(frame_ancestors)
    if bad:
        problems["frame_ancestors"] = ("origin_invalid", "Enter each site as its address without a path, e.g. "
                                       f"https://www.example.com (not: {', '.join(bad[:3])}).")
    if merge_window_days is None or not 1 <= merge_window_days <= MAX_MERGE_WINDOW_DAYS:
        problems["merge_window_days"] = ("window_invalid",
                                         f"Enter a number of days from 1 to {MAX_MERGE_WINDOW_DAYS}.")
    texts = {lang: (consent_texts.get(lang) or "").strip() for lang in LANGUAGES}
    for lang, text in texts.items():
        if len(text) > MAX_CONSENT_TEXT:
            problems[f"consent_{lang}"] = ("consent_too_long",
                                           f"The consent text may have at most {MAX_CONSENT_TEXT} characters.")
    if problems:
        raise LeadSettingsProblems(problems)
    assert merge_window_days is not None  # checked above
    settings = LeadFormSettings(frame_ancestors=origins, merge_window_days=merge_window_days,
                                consent_texts={lang: text for lang, text in texts.items() if text})
    value = json.dumps({"frame_ancestors": list(settings.frame_ancestors),
                        "merge_window_days": settings.merge_window_days,
                        "consent_texts": dict(settings.consent_texts)})
    put_setting(session, KEY, value, now=now)
    audit(session, user_id, "settings.lead_form", f"setting:{KEY}",
          f"embedding sites: {' '.join(origins) or '-'}; merge window {merge_window_days} days")
    session.flush()
    return settings
