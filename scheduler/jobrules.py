"""Job-ad rules for Austria and Germany: salary statement (AT) and gender-inclusive job titles (AT, DE).

Each rule is a warning the author may accept unless an admin made it blocking (CompanySetting
"job_rules"). These are starting points, not legal advice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.company_settings import put_setting, read_setting
from scheduler.models import Vacancy
from scheduler.networks import Network
from scheduler.ports import Problem, params

SETTINGS_KEY = "job_rules"
#: Countries whose job-ad rules Postillon knows.
RULE_COUNTRIES = frozenset({"AT", "DE"})


class RuleLevel(StrEnum):
    """How a broken job-ad rule stops the author."""

    WARN = "warn"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class JobRuleSettings:
    """Whether each job-ad rule warns or blocks."""

    salary: RuleLevel = RuleLevel.WARN
    gender_marker: RuleLevel = RuleLevel.WARN


# ---- salary (AT) ----------------------------------------------------------------------------
_AMOUNT = re.compile(r"(?:€|\bEUR\b|\bEuro\b)\s?\d|\d(?:[\d.,' \u202f]*\d)?(?:,-+|,–)?\s?(?:€|EUR\b|Euro\b)",
                     re.IGNORECASE)
_SALARY_WORD = re.compile(r"gehalt|lohn|entgelt|bezahlung|vergütung|brutto|\bkv\b|kollektivvertrag|salary|\bwage|"
                          r"\bgross\b|\bpay\b", re.IGNORECASE)
_OVERPAY = re.compile(r"überzahl|überbezahl|ueberzahl|über\s+(?:dem\s+)?(?:kv|kollektivvertrag)|"
                      r"overpay|pay\s+(?:you\s+)?more|willing(?:ness)?\s+to\s+pay|above\s+the\s+(?:minimum|"
                      r"collective)|higher\s+(?:salary|pay)|mehr\s+zu\s+zahlen|höhere[sn]?\s+(?:gehalt|bezahlung)",
                      re.IGNORECASE)

# ---- gender marker (AT, DE) ------------------------------------------------------------------
# Letter lists like (m/w/d), (w/m/x), [d|m|w], m/w/div.: at least three entries, one of them beyond
# "m" and "w"/"f". "(m/w)" names two genders and leaves out the third option recognised in both
# countries since 2018/2019, so it does not count.
_TOKEN = r"(?:m|w|f|d|x|i|t|\*|div\.?|divers|diverse)"
_LIST = re.compile(rf"(?<![\w/]){_TOKEN}(?:\s*[/|,]\s*{_TOKEN}){{2,}}(?![\w/])", re.IGNORECASE)
_THIRD = re.compile(r"^(?:d|x|i|t|\*|div\.?|divers|diverse)$", re.IGNORECASE)
_PHRASE = re.compile(r"\((?:all|any|alle)\s+genders?\)|\(alle\s+geschlechter\)|\(gn\*?\)|\(genderneutral\)|"
                     r"\(gender[- ]neutral\)|\(geschlechtsneutral\)", re.IGNORECASE)
# Written-in forms: Entwickler*in, Entwickler:in, Entwickler_innen, Verkäufer/-in, Kaufmann/-frau.
_WRITTEN = re.compile(r"[^\W\d_][*:_·]in(?:nen)?\b|[^\W\d_]\s?/\s?-?in(?:nen)?\b|"
                      r"(?:mann\s?/\s?-?\s?frau|frau\s?/\s?-?\s?mann)\b", re.IGNORECASE)
# Binnen-I (EntwicklerIn) is case-sensitive; product words that end in "In" are not one.
_BINNEN_I = re.compile(r"\b([A-ZÄÖÜ]?[a-zäöüß]{2,}I(?:n|nnen))\b")
_NOT_BINNEN_I = frozenset({"linkedin", "login", "checkin", "plugin", "signin", "optin", "addin", "builtin",
                           "walkin", "dropin", "loggedin"})
# Nouns that name no gender at all (Pflegefachkraft, Teamleitung, Küchenhilfe, Teamassistenz).
_NEUTRAL = re.compile(r"[^\W\d_]*(?:kraft|kräfte|leitung|hilfe|assistenz|person|personal)\b", re.IGNORECASE)


def has_gender_marker(title: str) -> bool:
    """Tell whether a job title carries a gender-inclusive marker or names no gender."""
    for found in _LIST.finditer(title):
        if any(_THIRD.match(token.strip()) for token in re.split(r"[/|,]", found.group(0))):
            return True
    if _PHRASE.search(title) or _WRITTEN.search(title) or _NEUTRAL.search(title):
        return True
    return any(word.casefold() not in _NOT_BINNEN_I for word in _BINNEN_I.findall(title))


def states_salary(text: str) -> bool:
    """Tell whether ``text`` names a euro amount together with a salary word."""
    return bool(_AMOUNT.search(text) and _SALARY_WORD.search(text))


def states_overpay(text: str) -> bool:
    """Tell whether ``text`` states the willingness to pay more than the minimum."""
    return bool(_OVERPAY.search(text))


def title_line(title: str, text: str) -> str:
    """Return where the ad names the job: the line with the vacancy's title from it on, else the whole text."""
    start = text.casefold().find(title.strip().casefold()) if title.strip() else -1
    if start < 0:
        return text
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def check_job_ad(session: Session, vacancy: Vacancy, text: str, network: Network) -> list[Problem]:
    """Return the job-ad rules ``text`` breaks for the vacancy's country (warnings unless an admin blocks).

    Austria (GlBG §9(2)): the ad states the minimum pay under the collective agreement, i.e. a euro
    amount next to a salary word ("KV-Mindestgehalt € 2.500 brutto"). The law asks for the
    willingness to pay more only where it exists, so the overpay phrase ("Bereitschaft zur
    Überzahlung") is required only when the vacancy is marked ``overpay``.
    Austria and Germany (GlBG §9(1), AGG §11): the job title carries a gender-inclusive marker.
    """
    country = (vacancy.country or "").upper()
    if country not in RULE_COUNTRIES:
        return []
    levels = job_rule_settings(session)
    salary_blocks = levels.salary is RuleLevel.BLOCK
    problems: list[Problem] = []
    if country == "AT" and not states_salary(text):
        example = "KV € 2.500 brutto/Monat" if network is Network.X else \
            "Das KV-Mindestgehalt beträgt € 2.500 brutto pro Monat"
        problems.append(Problem("text", "salary_missing", "Austrian job ads must state the minimum salary under "
                                f"the collective agreement in euros, e.g. “{example}” (GlBG §9(2)).",
                                blocking=salary_blocks, params=params(example=example)))
    if country == "AT" and vacancy.overpay and not states_overpay(text):
        problems.append(Problem("text", "overpay_missing", "This vacancy pays more than the minimum: say so, "
                                "e.g. “Bereitschaft zur Überzahlung je nach Qualifikation” (GlBG §9(2)).",
                                blocking=salary_blocks))
    if not has_gender_marker(title_line(vacancy.title, text)):
        law, title = ("GlBG §9" if country == "AT" else "AGG"), vacancy.title.strip() or "Buchhalter"
        problems.append(Problem("text", "gender_marker_missing", "The job title needs a gender-inclusive marker, "
                                f"e.g. “{title} (m/w/d)” ({law}).",
                                blocking=levels.gender_marker is RuleLevel.BLOCK, params=params(title=title, law=law)))
    return problems


def job_rule_settings(session: Session) -> JobRuleSettings:
    """Return whether each job-ad rule warns or blocks (warn where nothing valid is stored)."""
    stored = read_setting(session, SETTINGS_KEY)
    if not isinstance(stored, dict):
        stored = {}
    return JobRuleSettings(salary=_level(stored.get("salary")), gender_marker=_level(stored.get("gender_marker")))


def save_job_rule_settings(session: Session, settings: JobRuleSettings, *, user_id: int | None,
                           now: datetime) -> None:
    """Store whether each job-ad rule warns or blocks, and audit it (the caller commits)."""
    value = json.dumps({"salary": settings.salary.value, "gender_marker": settings.gender_marker.value})
    put_setting(session, SETTINGS_KEY, value, now=now)
    audit(session, user_id, "settings.job_rules", f"setting:{SETTINGS_KEY}", value)
    session.flush()


def _level(value: object) -> RuleLevel:
    return RuleLevel.BLOCK if value == RuleLevel.BLOCK.value else RuleLevel.WARN
