"""Job ads: render a vacancy through the per-network templates into the texts the composer starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from string import Formatter

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.careers import careers_url
from scheduler.clock import to_local
from scheduler.company_settings import read_setting
from scheduler.jobads_text import (
    DEFAULT_TEMPLATES,
    EMPLOYMENT_LABELS,
    PLACEHOLDERS,
    counted_length,
    hashtag_word,
    salary_text,
    slug,
    with_gender_marker,
)
from scheduler.models import EmploymentType, JobAdTemplate, PostKind, Vacancy
from scheduler.networks import RULES, Network
from scheduler.ports import Problem, params
from scheduler.vacancies import LANGUAGES, get_vacancy

#: The network whose (longer) text becomes the post's common text.
COMMON_NETWORK = Network.LINKEDIN
#: Values cut first when a text is too long for its network, longest first.
_SHRINKABLE = ("description", "title", "location", "company")


@dataclass(frozen=True)
class JobAdDraft:
    """The texts a vacancy's job ad starts with: the common text plus each other network's own text."""

    text: str
    link: str | None
    per_network: dict[Network, str]
    campaign: str
    kind: PostKind


class TemplateProblems(ValueError):
    """A template cannot be saved; the problems say why in plain words."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def template_problems(body: str) -> list[Problem]:
    """Return what is wrong with a template body: unmatched braces, unknown or unusable placeholders."""
    if not body.strip():
        return [Problem("body", "empty", "The template is empty.")]
    try:
        fields = [name for _, name, _, _ in Formatter().parse(body) if name is not None]
    except ValueError:
        return [Problem("body", "braces", "A brace is not closed; write placeholders as {title}, "
                                          "and a literal brace as {{ or }}.")]
    problems = []
    for name in dict.fromkeys(fields):
        if name not in PLACEHOLDERS:
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            problems.append(Problem("body", "unknown_placeholder",
                                    f"{{{name}}} is not a placeholder; use one of {known}.",
                                    params=params(name=f"{{{name}}}", known=known)))
    return problems


def ensure_default_templates(session: Session) -> int:
    """Add the default template of every language and network that has none; return how many were added."""
    rows = session.execute(select(JobAdTemplate.language, JobAdTemplate.network))
    have = {(lang, Network(net)) for lang, net in rows}
    missing = [key for key in DEFAULT_TEMPLATES if key not in have]
    for lang, net in missing:
        session.add(JobAdTemplate(language=lang, network=net, body=DEFAULT_TEMPLATES[(lang, net)]))
    session.flush()
    return len(missing)


def templates(session: Session, language: str) -> dict[Network, str]:
    """Return the body of every network's template in ``language`` (stored, else the default)."""
    stored = {Network(t.network): t.body for t in session.scalars(
        select(JobAdTemplate).where(JobAdTemplate.language == language))}
    return {net: stored.get(net, DEFAULT_TEMPLATES[(language, net)]) for net in Network}


def save_template(session: Session, language: str, network: Network, body: str, *, user_id: int | None,
                  now: datetime) -> None:
    """Store a template, or raise TemplateProblems and store nothing."""
    if language not in LANGUAGES:
        raise TemplateProblems([Problem("language", "unknown", "Choose German (de) or English (en).")])
    problems = template_problems(body)
    if problems:
        raise TemplateProblems(problems)
    found = session.scalar(select(JobAdTemplate).where(JobAdTemplate.language == language,
                                                       JobAdTemplate.network == network))
    if found is None:
        session.add(JobAdTemplate(language=language, network=network, body=body, updated_at=now))
    else:
        found.body, found.updated_at = body, now
    audit(session, user_id, "jobad_template.saved", f"jobad_template:{language}:{network.value}")
    session.flush()


def company_name(session: Session) -> str:
    """Return the company name from the company settings ("" when unset)."""
    value = read_setting(session, "company_name")
    return value.strip() if isinstance(value, str) else ""


def placeholder_values(vacancy: Vacancy, language: str, company: str, *, base_url: str = "") -> dict[str, str]:
    """Return the text each placeholder stands for, for ``vacancy`` in ``language``.

    ``{apply_url}`` is the external ATS address, else (given ``base_url``) the vacancy's careers page.
    """
    valid = vacancy.valid_through
    return {
        "title": with_gender_marker(vacancy.title, language),
        "location": vacancy.location.strip(),
        "location_tag": hashtag_word(vacancy.location),
        "employment_type": EMPLOYMENT_LABELS[language][EmploymentType(vacancy.employment_type)],
        "salary": salary_text(statement=vacancy.salary_statement, salary_min=vacancy.salary_min,
                              period=vacancy.salary_period, overpay=vacancy.overpay, country=vacancy.country,
                              language=language),
        "description": vacancy.description.strip(),
        "apply_url": apply_link(vacancy, base_url),
        "company": company,
        "reference": vacancy.reference,
        "valid_through": "" if valid is None else to_local(valid, "Europe/Vienna").strftime(
            "%d.%m.%Y" if language == "de" else "%Y-%m-%d"),
    }


def apply_link(vacancy: Vacancy, base_url: str) -> str:
    """Return where a job ad sends applicants: the external ATS, else the careers page ("" without base_url)."""
    if vacancy.apply_url:
        return vacancy.apply_url
    # Tracked links wrap this address and add the UTM parameters when the post goes out.
    return careers_url(base_url, vacancy.id, vacancy.title) if base_url and vacancy.id else ""


def render(body: str, values: dict[str, str]) -> str:
    """Fill ``body``'s placeholders; a line whose placeholders are all empty is left out.

    Parsed by hand rather than with str.format_map so a template cannot reach attributes
    ("{title.__class__}"); unknown placeholders stay as written (template_problems reports them).
    """
    lines = []
    for line in body.split("\n"):
        parts, used = [], []
        try:
            parsed = list(Formatter().parse(line))
        except ValueError:  # a stray brace in a template stored before it was checked: keep the line as written
            parsed = [(line, None, None, None)]
        for literal, name, _spec, _conv in parsed:
            parts.append(literal)
            if name is not None:
                value = values.get(name, f"{{{name}}}")
                used.append(value)
                parts.append(value)
        if used and not any(v.strip() for v in used):
            continue
        lines.append("".join(parts).rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render_for(network: Network, body: str, values: dict[str, str]) -> str:
    """Render ``body`` and, when it is too long for ``network``, shorten the longest free-text values."""
    link = values.get("apply_url") or None
    limit = RULES[network].max_text
    values = dict(values)
    present = {name for _, name, _, _ in Formatter().parse(body) if name in _SHRINKABLE}
    text = render(body, values)
    for _ in range(8):
        excess = counted_length(network, text, link) - limit
        candidates = [n for n in _SHRINKABLE if n in present and values.get(n)]
        if excess <= 0 or not candidates:
            break
        name = max(candidates, key=lambda n: len(values[n]))
        value = values[name]
        keep = max(0, len(value) - excess - 1)  # "€" and emoji weigh 2 on X: cut one more each round
        values[name] = value[:keep].rstrip() + "…" if keep else ""
        text = render(body, values)
    return text


def job_ad_draft(session: Session, vacancy_id: int, *, language: str | None = None,
                 base_url: str = "") -> JobAdDraft:
    """Return the job-ad texts of a vacancy for the composer (the LinkedIn text is the common text).

    The link is the external ATS address, else (given ``base_url``) the vacancy's careers page.
    """
    vacancy = get_vacancy(session, vacancy_id)
    lang = language if language in LANGUAGES else vacancy.language if vacancy.language in LANGUAGES else "de"
    bodies = templates(session, lang)
    values = placeholder_values(vacancy, lang, company_name(session), base_url=base_url)
    texts = {net: render_for(net, body, values) for net, body in bodies.items()}
    common = texts.pop(COMMON_NETWORK)
    return JobAdDraft(text=common, link=values["apply_url"] or None, per_network=texts,
                      campaign=f"job-{vacancy.id}-{slug(vacancy.title)}".rstrip("-"), kind=PostKind.JOB_AD)
