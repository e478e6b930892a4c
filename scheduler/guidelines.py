"""Company guidelines checked when a post is saved: banned words, hashtags, legal footer, imprint link."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.company_settings import put_setting, read_setting
from scheduler.models import CompanySetting, Guideline, PostKind
from scheduler.networks import Network
from scheduler.ports import Problem, params
from scheduler.rendering import render_text

IMPRINT_KEY = "imprint_url"

# A hashtag starts after a space or punctuation (not inside a URL like /page#top) and holds a letter.
_HASHTAG = re.compile(r"(?<![\w&/#])#(\w*[^\W\d_]\w*)")
# People write "Muell" for "Müll" to slip past a list; a banned word matches either spelling.
_UMLAUTS = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)"}


def check_guidelines(session: Session, kind: PostKind, network: Network, text: str,
                     link: str | None) -> list[Problem]:
    """Return every guideline the text breaks, checked as ``network`` receives it (one query)."""
    rows = session.execute(
        select(Guideline, CompanySetting.value)
        .outerjoin(CompanySetting, CompanySetting.key == literal(IMPRINT_KEY))
        .where(or_(Guideline.kind == kind, Guideline.kind.is_(None)))
        .order_by(Guideline.id)
    ).all()
    if not rows:
        return []
    guidelines = [row[0] for row in rows]
    body = _normal(render_text(text, link, network))
    folded = _flat(body).casefold()  # casefold: "ß" and "ss" compare equal, as do "Ä" and "ä"
    problems: list[Problem] = []
    banned = {w.strip() for g in guidelines for w in g.banned_words.splitlines() if w.strip()}
    for word in sorted(banned, key=str.casefold):
        if _word_pattern(word).search(folded):
            problems.append(Problem("text", "banned_word", f"“{word}” must not appear in company posts.",
                                    params=params(word=word)))
    tags = [tag.casefold() for tag in _HASHTAG.findall(body)]
    required = {t.lstrip("#") for g in guidelines for t in g.required_hashtags.split() if t.lstrip("#")}
    for tag in sorted(required, key=str.casefold):
        if _normal(tag).casefold() not in tags:
            problems.append(Problem("text", "hashtag_missing", f"Add the hashtag #{tag}.", params=params(tag=tag)))
    limits = [g.max_hashtags for g in guidelines if g.max_hashtags is not None]
    if limits and len(tags) > min(limits):
        problems.append(Problem("text", "too_many_hashtags",
                                f"Use at most {min(limits)} hashtags; this text has {len(tags)}.",
                                params=params(limit=min(limits), count=len(tags))))
    for footer in dict.fromkeys(g.legal_footer.strip() for g in guidelines if g.legal_footer.strip()):
        if _flat(_normal(footer)).casefold() not in folded:
            problems.append(Problem("text", "footer_missing", f"End the text with the legal footer: {footer}",
                                    params=params(footer=footer)))
    if any(g.require_imprint_link for g in guidelines):
        problems.extend(_imprint_problems(rows[0][1], body))
    return problems


@dataclass(frozen=True, slots=True)
class GuidelineValues:
    """What an admin sets for one kind (or, with kind None, for every kind)."""

    banned_words: str = ""
    required_hashtags: str = ""
    max_hashtags: int | None = None
    legal_footer: str = ""
    require_imprint_link: bool = False
    requires_approval: bool = False


def guidelines_by_kind(session: Session) -> dict[PostKind | None, Guideline]:
    """Return the stored guideline rows by kind (None: the one for every kind)."""
    return {row.kind: row for row in session.scalars(select(Guideline).order_by(Guideline.id.desc()))}


def save_guideline(session: Session, kind: PostKind | None, values: GuidelineValues, *, user_id: int | None,
                   now: datetime) -> Guideline:
    """Store the guideline for ``kind`` (None: every kind) and audit it; the caller commits."""
    row = guidelines_by_kind(session).get(kind)
    if row is None:
        row = Guideline(kind=kind)
        session.add(row)
    words = "\n".join(dict.fromkeys(w.strip() for w in values.banned_words.splitlines() if w.strip()))
    tags = " ".join(dict.fromkeys("#" + t.lstrip("#") for t in values.required_hashtags.split() if t.lstrip("#")))
    row.banned_words, row.required_hashtags, row.max_hashtags = words, tags, values.max_hashtags
    row.legal_footer, row.require_imprint_link = values.legal_footer.strip(), values.require_imprint_link
    row.requires_approval, row.updated_at = values.requires_approval, now
    audit(session, user_id, "settings.guideline", f"guideline:{kind.value if kind else 'all'}",
          f"approval {'required' if values.requires_approval else 'not required'}")
    session.flush()
    return row


def save_imprint_url(session: Session, url: str, *, user_id: int | None, now: datetime) -> None:
    """Store the company's imprint URL ("" removes it) and audit it; the caller commits."""
    put_setting(session, IMPRINT_KEY, json.dumps(url.strip()), now=now)
    audit(session, user_id, "settings.imprint_url", f"setting:{IMPRINT_KEY}", url.strip())
    session.flush()


def imprint_url(session: Session) -> str:
    """Return the company's imprint URL ("" when not set)."""
    value = read_setting(session, IMPRINT_KEY)
    return value.strip() if isinstance(value, str) else ""


def _imprint_problems(raw: str | None, body: str) -> list[Problem]:
    url = _decode(raw)
    if not url:
        return [Problem("text", "imprint_unset", "Posts need a link to the imprint, but no imprint address is "
                                                 "set; ask an administrator to add it under Guidelines.")]
    bare = re.sub(r"^https?://(www\.)?", "", url.strip(), flags=re.IGNORECASE).rstrip("/").casefold()
    if bare and bare in body.casefold():
        return []
    return [Problem("text", "imprint_missing", f"Add the link to the imprint: {url}", params=params(url=url))]


def _decode(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return ""
    return value.strip() if isinstance(value, str) else ""


def _normal(value: str) -> str:
    # NFC: an "ü" typed as u + combining diaeresis must match a list entry typed as one character.
    return unicodedata.normalize("NFC", value)


def _flat(value: str) -> str:
    return " ".join(value.split())


def _word_pattern(word: str) -> re.Pattern[str]:
    parts: list[str] = []
    for char in _normal(word).casefold():
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(_UMLAUTS.get(char, re.escape(char)))
    # Whole words only: str patterns treat ä, ö, ü and ß as word characters, so "Müll" is not in "Müllabfuhr".
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")
