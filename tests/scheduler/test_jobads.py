"""Job ads: templates per language and network, placeholders, gender markers, salary statements, lengths."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.textcount import weighted_length
from scheduler.jobads import (
    JobAdDraft,
    TemplateProblems,
    ensure_default_templates,
    job_ad_draft,
    render,
    save_template,
    template_problems,
    templates,
)
from scheduler.jobads_text import (
    DEFAULT_TEMPLATES,
    has_gender_marker,
    salary_text,
    slug,
    with_gender_marker,
    x_length,
)
from scheduler.models import AuditEvent, CompanySetting, JobAdTemplate, PostKind, Vacancy
from scheduler.networks import RULES, Network
from scheduler.rendering import render_text

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
URL = "https://karriere.acme.at/jobs/softwareentwickler-wien-4711"


def _vacancy(session: Session, **values: object) -> int:
    fields: dict[str, object] = {"title": "Softwareentwickler", "location": "Wien, Landstraße", "salary_min": 2450,
                                 "overpay": True, "apply_url": URL, "description": "Du baust unsere Planungssoftware.",
                                 **values}
    vacancy = Vacancy(**fields)
    session.add(vacancy)
    session.flush()
    return vacancy.id


@pytest.mark.parametrize("title", ["Koch (m/w/d)", "Koch (w/m/d)", "Cook (m/f/d)", "Cook (all genders)",
                                   "Koch ( d / m / w )", "Entwickler*in", "Berater:innen", "Koch (alle Geschlechter)"])
def test_titles_with_a_gender_marker_are_kept(title: str) -> None:
    assert has_gender_marker(title)
    assert with_gender_marker(title, "de") == title


def test_titles_without_a_marker_get_the_languages_marker() -> None:
    assert with_gender_marker("Koch ", "de") == "Koch (m/w/d)"
    assert with_gender_marker("Cook", "en") == "Cook (m/f/d)"
    assert not has_gender_marker("Kochlehrling (Wien)")
    assert not has_gender_marker("Koch (m/w)")  # names two genders only


def test_austrian_minimum_salary_statement_mentions_overpay_only_when_offered() -> None:
    common = {"statement": "", "salary_min": 2450, "period": "MONTH", "country": "AT"}
    assert salary_text(**common, overpay=True, language="de") == (  # type: ignore[arg-type]
        "Mindestgehalt laut Kollektivvertrag: € 2.450 brutto/Monat, Bereitschaft zur Überzahlung.")
    assert salary_text(**common, overpay=False, language="de") == (  # type: ignore[arg-type]
        "Mindestgehalt laut Kollektivvertrag: € 2.450 brutto/Monat.")
    assert salary_text(**common, overpay=True, language="en") == (  # type: ignore[arg-type]
        "Minimum salary under the collective agreement: EUR 2,450 gross per month; we are willing to pay more.")


def test_an_own_salary_statement_wins_and_no_minimum_means_no_statement() -> None:
    assert salary_text(statement=" 48.000 € brutto/Jahr ", salary_min=2450, period="MONTH", overpay=True,
                       country="AT", language="de") == "48.000 € brutto/Jahr"
    assert salary_text(statement="", salary_min=None, period="MONTH", overpay=True, country="AT",
                       language="de") == ""
    assert salary_text(statement="", salary_min=52000, period="YEAR", overpay=False, country="DE",
                       language="de") == "Gehalt ab € 52.000 brutto/Jahr."


def test_unknown_placeholders_and_broken_braces_are_problems_not_crashes() -> None:
    assert [p.code for p in template_problems("Hallo {titel} in {location}")] == ["unknown_placeholder"]
    assert "{titel} is not a placeholder" in template_problems("{titel}")[0].message
    assert [p.code for p in template_problems("Hallo {title")] == ["braces"]
    assert [p.code for p in template_problems("{title.__class__}")] == ["unknown_placeholder"]
    assert [p.code for p in template_problems("  ")] == ["empty"]
    assert template_problems("{{literal}} {title}") == []


def test_render_never_reaches_attributes_and_drops_lines_whose_values_are_all_empty() -> None:
    values = {"title": "Koch (m/w/d)", "company": "", "salary": ""}
    rendered = render("{title.__class__}\nBei {company}!\n\n\n{salary}\n{title}", values)
    assert rendered == "{title.__class__}\n\nKoch (m/w/d)"


def test_every_language_and_network_has_a_valid_default_template() -> None:
    assert all(template_problems(body) == [] for body in DEFAULT_TEMPLATES.values())
    assert {lang for lang, _ in DEFAULT_TEMPLATES} == {"de", "en"}
    assert {net for _, net in DEFAULT_TEMPLATES} == set(Network)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_draft_has_a_linkedin_common_text_and_each_networks_own(sessions: sessionmaker[Session],
                                                                   language: str) -> None:
    with sessions.begin() as session:
        session.add(CompanySetting(key="company_name", value=json.dumps("ACME GmbH")))
        vacancy_id = _vacancy(session)
        draft = job_ad_draft(session, vacancy_id, language=language)
    assert isinstance(draft, JobAdDraft)
    assert draft.kind is PostKind.JOB_AD and draft.link == URL
    assert draft.campaign == f"job-{vacancy_id}-softwareentwickler"
    assert set(draft.per_network) == {Network.X, Network.FACEBOOK, Network.INSTAGRAM, Network.XING}
    marker = "(m/w/d)" if language == "de" else "(m/f/d)"
    assert f"Softwareentwickler {marker}" in draft.text
    assert "ACME GmbH" in draft.text and "Wien, Landstraße" in draft.text and URL in draft.text
    salary = "Bereitschaft zur Überzahlung" if language == "de" else "we are willing to pay more"
    assert salary in draft.text and salary in draft.per_network[Network.FACEBOOK]
    assert "#Wien" in draft.per_network[Network.INSTAGRAM]
    x_text = render_text(draft.per_network[Network.X], draft.link, Network.X)
    assert weighted_length(x_text) <= 280 and URL in x_text


def test_a_long_vacancy_is_shortened_to_each_networks_limit(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session, title="Leitung Qualitätssicherung € " + "Ä" * 150,
                              location="Wien " + "ö" * 150, description="Aufgaben. " * 500)
        draft = job_ad_draft(session, vacancy_id)
    x_text = render_text(draft.per_network[Network.X], draft.link, Network.X)
    assert weighted_length(x_text) <= 280 and URL in x_text
    assert x_length(x_text, URL) == weighted_length(x_text)
    assert len(draft.text) <= RULES[Network.LINKEDIN].max_text and URL in draft.text
    assert draft.text.count("…") == 1  # only the description was cut


def test_no_apply_link_and_no_company_leave_their_lines_out(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        draft = job_ad_draft(session, _vacancy(session, apply_url=None, salary_min=None, language="en"))
    assert draft.link is None
    assert "Apply now" not in draft.text and "Join" not in draft.text and "salary" not in draft.text.lower()
    assert "\n\n\n" not in draft.text


def test_without_an_external_ats_the_ad_links_to_the_vacancys_careers_page(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session, apply_url=None, title="Köchin (m/w/d)")
        draft = job_ad_draft(session, vacancy_id, base_url="https://jobs.acme.at/")
        external = job_ad_draft(session, _vacancy(session), base_url="https://jobs.acme.at/")
    page = f"https://jobs.acme.at/careers/{vacancy_id}-koechin"
    assert draft.link == page and page in draft.text and page in draft.per_network[Network.X]
    assert external.link == URL


def test_ensure_default_templates_adds_only_the_missing_ones(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(JobAdTemplate(language="de", network=Network.X, body="Eigene: {title} {apply_url}"))
        session.flush()
        assert ensure_default_templates(session) == len(DEFAULT_TEMPLATES) - 1
        assert ensure_default_templates(session) == 0
    with sessions() as session:
        assert session.scalar(select(func.count(JobAdTemplate.id))) == len(DEFAULT_TEMPLATES)
        assert templates(session, "de")[Network.X] == "Eigene: {title} {apply_url}"


def test_a_saved_template_is_used_and_a_bad_one_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        save_template(session, "de", Network.X, "Neu bei uns: {title} – {apply_url}", user_id=None, now=NOW)
        with pytest.raises(TemplateProblems) as raised:
            save_template(session, "de", Network.X, "{title} {gehalt}", user_id=None, now=NOW)
        assert raised.value.problems[0].code == "unknown_placeholder"
        draft = job_ad_draft(session, _vacancy(session))
    assert draft.per_network[Network.X] == f"Neu bei uns: Softwareentwickler (m/w/d) – {URL}"
    with sessions() as session:
        assert session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == "jobad_template.saved")) == 1


def test_campaign_slugs_are_ascii_without_gender_markers() -> None:
    assert slug("Köchin/Koch (m/w/d) – Großküche") == "koechin-koch-grosskueche"
