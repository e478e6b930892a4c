"""The words of job ads: default templates, gender markers, salary statements, X's length (data, no database)."""

from __future__ import annotations

import re
import unicodedata

from scheduler.jobrules import has_gender_marker  # the same test the job-ad rules apply
from scheduler.models import EmploymentType
from scheduler.networks import RULES, Network

_LINKEDIN = {
    "de": ("Wir suchen: {title}\n"
           "Werde Teil von {company}!\n\n"
           "Ort: {location} · {employment_type}\n\n"
           "{description}\n\n"
           "{salary}\n\n"
           "Jetzt bewerben: {apply_url}\n\n"
           "#Jobs #Karriere #{location_tag}"),
    "en": ("We are hiring: {title}\n"
           "Join {company}!\n\n"
           "Location: {location} · {employment_type}\n\n"
           "{description}\n\n"
           "{salary}\n\n"
           "Apply now: {apply_url}\n\n"
           "#Jobs #Hiring #{location_tag}"),
}
_X = {
    "de": "Wir suchen: {title} in {location} ({employment_type}). Jetzt bewerben: {apply_url} #Jobs #Karriere",
    "en": "We are hiring: {title} in {location} ({employment_type}). Apply now: {apply_url} #Jobs #Hiring",
}
_INSTAGRAM = {
    "de": ("Wir suchen: {title}\n"
           "{location} · {employment_type}\n\n"
           "{salary}\n\n"
           "Bewerbung: {apply_url}\n\n"
           "#Jobs #Karriere #Stellenangebot #{location_tag}"),
    "en": ("We are hiring: {title}\n"
           "{location} · {employment_type}\n\n"
           "{salary}\n\n"
           "Apply: {apply_url}\n\n"
           "#Jobs #Hiring #Career #{location_tag}"),
}

#: The template each network starts with, per language; people edit them on the templates page.
DEFAULT_TEMPLATES: dict[tuple[str, Network], str] = {
    **{(lang, Network.LINKEDIN): body for lang, body in _LINKEDIN.items()},
    **{(lang, Network.XING): body for lang, body in _LINKEDIN.items()},
    **{(lang, Network.FACEBOOK): body for lang, body in _LINKEDIN.items()},
    **{(lang, Network.X): body for lang, body in _X.items()},
    **{(lang, Network.INSTAGRAM): body for lang, body in _INSTAGRAM.items()},
}

#: What each placeholder stands for (shown on the templates page).
PLACEHOLDERS: dict[str, str] = {
    "title": "job title, with a gender marker such as (m/w/d) when it has none",
    "location": "where the job is",
    "location_tag": "the location as a hashtag word (without #)",
    "employment_type": "full-time, part-time, …",
    "salary": "the salary statement (in Austria the collective-agreement minimum)",
    "description": "the vacancy's description",
    "apply_url": "the application link",
    "company": "the company name (company settings)",
    "reference": "the reference number",
    "valid_through": "the last day of the ad",
}

GENDER_MARKERS = {"de": "(m/w/d)", "en": "(m/f/d)"}
# "(m/w/d)", "(w/m/d)", "(m/f/x)", "(d/m/w)", "(all genders)", "(alle Geschlechter)", "Entwickler*in", "Berater:innen".
_MARKER = re.compile(
    r"\(\s*(?:[mwfdxi]|div)(?:\s*/\s*(?:[mwfdxi]|div)){2,3}\s*\)"
    r"|\(\s*(?:all genders|alle geschlechter|gn\*?)\s*\)"
    r"|\w[*:_]in(?:nen)?\b",
    re.IGNORECASE,
)

EMPLOYMENT_LABELS: dict[str, dict[EmploymentType, str]] = {
    "de": {EmploymentType.FULL_TIME: "Vollzeit", EmploymentType.PART_TIME: "Teilzeit",
           EmploymentType.CONTRACTOR: "Freie Mitarbeit", EmploymentType.TEMPORARY: "Befristet",
           EmploymentType.INTERN: "Praktikum", EmploymentType.APPRENTICESHIP: "Lehre",
           EmploymentType.OTHER: "Sonstige Anstellung"},
    "en": {EmploymentType.FULL_TIME: "Full-time", EmploymentType.PART_TIME: "Part-time",
           EmploymentType.CONTRACTOR: "Contractor", EmploymentType.TEMPORARY: "Temporary",
           EmploymentType.INTERN: "Internship", EmploymentType.APPRENTICESHIP: "Apprenticeship",
           EmploymentType.OTHER: "Other employment"},
}
_PERIODS = {"de": {"HOUR": "Stunde", "MONTH": "Monat", "YEAR": "Jahr"},
            "en": {"HOUR": "per hour", "MONTH": "per month", "YEAR": "per year"}}


def with_gender_marker(title: str, language: str) -> str:
    """Return ``title`` with the language's gender marker appended unless it has one."""
    title = title.strip()
    return title if has_gender_marker(title) else f"{title} {GENDER_MARKERS.get(language, GENDER_MARKERS['de'])}"


def euros(amount: int, language: str) -> str:
    """Return a whole euro amount as written in ``language`` ("€ 2.450" or "EUR 2,450")."""
    grouped = f"{amount:,}"
    return f"€ {grouped.replace(',', '.')}" if language == "de" else f"EUR {grouped}"


def salary_text(*, statement: str, salary_min: int | None, period: str, overpay: bool, country: str,
                language: str) -> str:
    """Return the ad's salary sentence: the vacancy's own statement, else one built from its minimum."""
    if statement.strip():
        return statement.strip()
    if salary_min is None:
        return ""
    amount, unit = euros(salary_min, language), _PERIODS.get(language, _PERIODS["de"]).get(period, "")
    if language == "de":
        # GlBG §9(2): Austrian ads state the collective-agreement minimum and any willingness to pay more.
        head = "Mindestgehalt laut Kollektivvertrag" if country == "AT" else "Gehalt ab"
        sentence = f"{head}: {amount} brutto/{unit}" if country == "AT" else f"{head} {amount} brutto/{unit}"
        return sentence + (", Bereitschaft zur Überzahlung." if overpay else ".")
    head = "Minimum salary under the collective agreement: " if country == "AT" else "Salary from "
    return f"{head}{amount} gross {unit}" + ("; we are willing to pay more." if overpay else ".")


def hashtag_word(location: str) -> str:
    """Return the first part of a location as one hashtag word ("Graz, Steiermark" -> "Graz")."""
    first = re.split(r"[,/(|]", location, maxsplit=1)[0]
    return re.sub(r"\W", "", first)


_SLUG_MAP = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: str, max_len: int = 60) -> str:
    """Return ``text`` as a lower-case ASCII slug without gender markers ("Köchin (m/w/d)" -> "koechin")."""
    plain = _MARKER.sub(" ", text).lower().translate(_SLUG_MAP)
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_len].rstrip("-")


def _weight(char: str) -> int:
    # twitter-text v3: these ranges count 1, everything else (emoji, CJK, "€") counts 2.
    code = ord(char)
    light = code <= 0x10FF or 0x2000 <= code <= 0x200D or 0x2010 <= code <= 0x201F or 0x2032 <= code <= 0x2037
    return 1 if light else 2


def x_length(text: str, link: str | None) -> int:
    """Return X's weighted length of ``text``, counting ``link`` as X's link weight (an estimate for templates)."""
    text = unicodedata.normalize("NFC", text)
    links = text.count(link) if link else 0
    if link:
        text = text.replace(link, "")
    return sum(_weight(c) for c in text) + links * (RULES[Network.X].link_weight or 23)


def counted_length(network: Network, text: str, link: str | None) -> int:
    """Return the length ``network`` counts for ``text``."""
    return x_length(text, link) if network is Network.X else len(text)
