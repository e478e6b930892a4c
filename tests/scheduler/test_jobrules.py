"""Job-ad rules for Austria and Germany: salary statement, overpay, gender-inclusive titles; warn or block."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.jobrules import (
    JobRuleSettings,
    RuleLevel,
    check_job_ad,
    has_gender_marker,
    job_rule_settings,
    save_job_rule_settings,
    states_overpay,
    states_salary,
    title_line,
)
from scheduler.models import AuditEvent, CompanySetting, Vacancy
from scheduler.networks import Network

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
AT_OK = ("Buchhalter (m/w/d) in Wien\nDas KV-Mindestgehalt beträgt € 2.500 brutto pro Monat; "
         "Bereitschaft zur Überzahlung je nach Qualifikation.")


@pytest.mark.parametrize("title", [
    "Buchhalter (m/w/d)", "Software Engineer (m/f/d)", "Verkäufer (w/m/x)", "Koch (d/m/w)", "Lagerist (m/w/divers)",
    "Lagerist [m|w|d]", "Projektleiter m/w/d", "Techniker ( m / w / d )", "Elektriker (w/m/div.)", "Koch (m,w,d)",
    "Lehrling Einzelhandel (m/w/x)", "Entwickler*in", "Entwickler:in", "Entwickler_in", "Mitarbeiter*innen",
    "EntwicklerIn", "MitarbeiterInnen im Vertrieb", "Verkäufer/-in", "Verkäufer/in", "Bürokaufmann/-frau",
    "Sales Manager (all genders)", "Developer (any gender)", "Controller (gn*)", "Pflegefachkraft",
    "Teamleitung Vertrieb", "Küchenhilfe", "Teamassistenz",
])
def test_common_gender_inclusive_titles_are_accepted(title: str) -> None:
    assert has_gender_marker(title)


@pytest.mark.parametrize("title", [
    "Buchhalter", "Software Engineer", "Verkäufer (m/w)", "Koch m/w", "Kellner (m)", "Leiter Marketing",
    "Sachbearbeiter Einkauf", "Social Media Manager for LinkedIn", "Login Specialist", "Jobs in Wien",
    "Ort: Linz", "Standorte Wien/Innsbruck",
])
def test_titles_without_a_marker_are_caught(title: str) -> None:
    assert not has_gender_marker(title)


@pytest.mark.parametrize("text", [
    "Das Mindestgehalt laut KV beträgt € 2.500 brutto pro Monat.",
    "KV-Gehalt: 2.800,- EUR brutto/Monat",
    "Für diese Position gilt ein Bruttojahresgehalt ab EUR 45.000.",
    "The minimum salary under the collective agreement is EUR 3,000 gross per month.",
    "Stundenlohn 14,50 € brutto laut Kollektivvertrag",
    "Entlohnung: mind. 3.000 Euro brutto",
    "Salary from €52,000 p.a.",
])
def test_salary_statements_with_amount_and_salary_word_count(text: str) -> None:
    assert states_salary(text)


@pytest.mark.parametrize("text", [
    "Wir bieten ein attraktives Gehalt.", "Gehalt nach Vereinbarung", "Wir zahlen 2.500 pro Monat",
    "Ticket € 20 für das Event", "Competitive salary", "Bewirb dich bis 31.12.!",
])
def test_statements_without_an_amount_or_a_salary_word_do_not(text: str) -> None:
    assert not states_salary(text)


@pytest.mark.parametrize("text", [
    "Bereitschaft zur Überzahlung", "Eine Überzahlung ist je nach Qualifikation möglich.",
    "Wir sind bereit, marktkonform zu überzahlen.", "Überbezahlung möglich", "Bezahlung über KV",
    "We are willing to pay more depending on experience.", "Willingness to pay above the minimum.",
    "A higher salary is possible depending on qualifications.",
])
def test_overpay_phrasings_count(text: str) -> None:
    assert states_overpay(text)


@pytest.mark.parametrize("text", ["Wir zahlen nach KV.", "Gehalt laut Kollektivvertrag", "Pay as agreed."])
def test_paying_the_minimum_is_no_overpay_statement(text: str) -> None:
    assert not states_overpay(text)


def test_the_title_line_is_where_the_ad_names_the_job() -> None:
    text = "Wir wachsen!\nBuchhalter in Wien (m/w/d)\nMitarbeiterInnen-Rabatt"
    assert title_line("Buchhalter in Wien", text) == "Buchhalter in Wien (m/w/d)"
    assert title_line("Controller", "Wir suchen: CONTROLLER (m/w/d)") == "CONTROLLER (m/w/d)"
    assert title_line("Nicht erwähnt", "ganz anderer Text") == "ganz anderer Text"


def _vacancy(country: str = "AT", overpay: bool = True, title: str = "Buchhalter") -> Vacancy:
    return Vacancy(title=title, location="Wien", country=country, overpay=overpay)


def _codes(sessions: sessionmaker[Session], vacancy: Vacancy, text: str,
           network: Network = Network.LINKEDIN) -> dict[str, bool]:
    with sessions() as session:
        return {p.code: p.blocking for p in check_job_ad(session, vacancy, text, network)}


def test_an_austrian_ad_with_salary_overpay_and_marker_is_fine(sessions: sessionmaker[Session]) -> None:
    assert _codes(sessions, _vacancy(), AT_OK) == {}


def test_austrian_ads_warn_about_missing_salary_overpay_and_marker(sessions: sessionmaker[Session]) -> None:
    assert _codes(sessions, _vacancy(), "Buchhalter gesucht! Attraktives Gehalt.") == {
        "salary_missing": False, "overpay_missing": False, "gender_marker_missing": False}


def test_overpay_is_asked_for_only_when_the_vacancy_pays_more(sessions: sessionmaker[Session]) -> None:
    text = "Buchhalter (m/w/d): KV-Gehalt € 2.500 brutto/Monat."
    assert _codes(sessions, _vacancy(overpay=False), text) == {}
    assert _codes(sessions, _vacancy(overpay=True), text) == {"overpay_missing": False}


def test_german_ads_need_the_marker_but_no_salary_and_other_countries_have_no_rules(
        sessions: sessionmaker[Session]) -> None:
    assert _codes(sessions, _vacancy("DE"), "Buchhalter in Berlin") == {"gender_marker_missing": False}
    assert _codes(sessions, _vacancy("de"), "Buchhalter (w/m/d) in Berlin") == {}
    assert _codes(sessions, _vacancy("CH"), "Buchhalter in Zürich") == {}


def test_a_marker_elsewhere_in_the_text_does_not_excuse_the_title(sessions: sessionmaker[Session]) -> None:
    text = "Buchhalter in Wien\nAlle MitarbeiterInnen (m/w/d) willkommen. KV € 2.500 brutto, Überzahlung möglich."
    assert _codes(sessions, _vacancy(), text) == {"gender_marker_missing": False}


def test_the_message_suggests_the_title_with_a_marker_and_a_short_example_on_x(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        problems = check_job_ad(session, _vacancy(title="Koch"), "Koch gesucht", Network.X)
    messages = {p.code: p.message for p in problems}
    assert "“Koch (m/w/d)”" in messages["gender_marker_missing"]
    assert "KV € 2.500 brutto/Monat" in messages["salary_missing"] and "GlBG §9(2)" in messages["salary_missing"]


def test_an_admin_can_make_each_rule_blocking(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        save_job_rule_settings(session, JobRuleSettings(salary=RuleLevel.BLOCK), user_id=None, now=NOW)
    assert _codes(sessions, _vacancy(), "Buchhalter gesucht") == {
        "salary_missing": True, "overpay_missing": True, "gender_marker_missing": False}
    with sessions.begin() as session:
        save_job_rule_settings(session, JobRuleSettings(gender_marker=RuleLevel.BLOCK), user_id=None, now=NOW)
    assert _codes(sessions, _vacancy(), "Buchhalter gesucht") == {
        "salary_missing": False, "overpay_missing": False, "gender_marker_missing": True}
    with sessions() as session:
        assert job_rule_settings(session) == JobRuleSettings(RuleLevel.WARN, RuleLevel.BLOCK)
        assert [e.action for e in session.scalars(select(AuditEvent))] == ["settings.job_rules"] * 2


@pytest.mark.parametrize("stored", ["{broken", "[1, 2]", '{"salary": "stop", "gender_marker": 3}'])
def test_settings_that_cannot_be_read_fall_back_to_warnings(sessions: sessionmaker[Session], stored: str) -> None:
    with sessions.begin() as session:
        session.add(CompanySetting(key="job_rules", value=stored))
    with sessions() as session:
        assert job_rule_settings(session) == JobRuleSettings()
