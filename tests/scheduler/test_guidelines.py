"""Company guidelines: banned words, hashtags, legal footer and imprint link, per kind and for all kinds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.guidelines import (
    GuidelineValues,
    check_guidelines,
    guidelines_by_kind,
    imprint_url,
    save_guideline,
    save_imprint_url,
)
from scheduler.models import AuditEvent, CompanySetting, Guideline, PostKind
from scheduler.networks import Network

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
JOB, NEWS = PostKind.JOB_AD, PostKind.PRODUCT_NEWS


def _guideline(sessions: sessionmaker[Session], kind: PostKind | None, **values: object) -> None:
    with sessions.begin() as session:
        session.add(Guideline(kind=kind, **values))


def _codes(sessions: sessionmaker[Session], kind: PostKind, text: str, link: str | None = None) -> list[str]:
    with sessions() as session:
        return [p.code for p in check_guidelines(session, kind, Network.LINKEDIN, text, link)]


def test_without_guidelines_nothing_is_reported(sessions: sessionmaker[Session]) -> None:
    assert _codes(sessions, NEWS, "Alles billig! #sale #sale #sale") == []


@pytest.mark.parametrize(("text", "hit"), [
    ("Das ist BILLIG.", True),
    ("Schnäppchen des Jahres", True),
    ("Schnaeppchen des Jahres", True),  # the umlaut spelled out
    ("SCHNÄPPCHEN!", True),
    ("Billiganbieter sind wir nicht", False),  # whole words only
    ("Die Schnäppchenjagd beginnt", False),
    ("Garantiert   sicher anlegen", True),  # a banned phrase across several spaces
    ("garantiert, sicher", False),
    ("Ein Gruß aus der Straße", True),  # ß and ss fold together
])
def test_banned_words_match_whole_words_ignoring_case_and_umlaut_spelling(
        sessions: sessionmaker[Session], text: str, hit: bool) -> None:
    _guideline(sessions, None, banned_words="billig\nSchnäppchen\ngarantiert sicher\nStrasse\n")
    assert ("banned_word" in _codes(sessions, NEWS, text)) is hit


def test_the_message_names_the_banned_word_and_blocks(sessions: sessionmaker[Session]) -> None:
    _guideline(sessions, JOB, banned_words="Rockstar")
    with sessions() as session:
        [problem] = check_guidelines(session, JOB, Network.X, "Wir suchen einen rockstar (m/w/d)", None)
    assert problem.field == "text" and problem.blocking and "“Rockstar”" in problem.message


def test_rules_of_one_kind_do_not_apply_to_another_but_all_kinds_rules_apply_to_each(
        sessions: sessionmaker[Session]) -> None:
    _guideline(sessions, JOB, banned_words="Ninja")
    _guideline(sessions, None, banned_words="gratis")
    assert _codes(sessions, NEWS, "Ninja-Angebot") == []
    assert _codes(sessions, JOB, "Ninja gesucht") == ["banned_word"]
    assert _codes(sessions, NEWS, "Gratis Kaffee") == ["banned_word"]


def test_required_hashtags_each_must_appear_in_any_case(sessions: sessionmaker[Session]) -> None:
    _guideline(sessions, JOB, required_hashtags="#Jobs karriere")
    _guideline(sessions, None, required_hashtags="#ACME")
    with sessions() as session:
        problems = check_guidelines(session, JOB, Network.LINKEDIN, "Neu: #jobs bei uns", None)
    assert sorted(p.message for p in problems) == ["Add the hashtag #ACME.", "Add the hashtag #karriere."]
    assert _codes(sessions, JOB, "#JOBS #Karriere #acme") == []
    # A link fragment is not a hashtag.
    assert "hashtag_missing" in _codes(sessions, JOB, "#jobs #karriere https://acme.at/seite#acme")


def test_the_smaller_maximum_of_hashtags_wins(sessions: sessionmaker[Session]) -> None:
    _guideline(sessions, None, max_hashtags=3)
    _guideline(sessions, NEWS, max_hashtags=2)
    assert _codes(sessions, NEWS, "#a1 #b #c") == ["too_many_hashtags"]
    assert _codes(sessions, NEWS, "#a1 #b und #1 (keine Zahl-Tags)") == []
    assert _codes(sessions, JOB, "#a #b #c") == []
    assert _codes(sessions, JOB, "#a #b #c #d") == ["too_many_hashtags"]


def test_the_legal_footer_must_appear_whatever_the_line_breaks(sessions: sessionmaker[Session]) -> None:
    _guideline(sessions, None, legal_footer="ACME GmbH, FN 12345a,\nHandelsgericht Wien")
    assert _codes(sessions, NEWS, "Neues Produkt!") == ["footer_missing"]
    assert _codes(sessions, NEWS, "Neues Produkt!\n\nACME GmbH, FN 12345a, Handelsgericht Wien") == []


def test_the_imprint_link_may_be_in_the_text_or_the_link(sessions: sessionmaker[Session]) -> None:
    _guideline(sessions, NEWS, require_imprint_link=True)
    assert _codes(sessions, NEWS, "Neu") == ["imprint_unset"]
    with sessions.begin() as session:
        save_imprint_url(session, "https://www.acme.at/impressum/", user_id=None, now=NOW)
    assert _codes(sessions, NEWS, "Neu") == ["imprint_missing"]
    assert _codes(sessions, NEWS, "Neu, Impressum: acme.at/Impressum") == []
    assert _codes(sessions, NEWS, "Neu", link="https://www.acme.at/impressum") == []
    assert _codes(sessions, JOB, "Neu") == []


def test_checking_uses_one_query(sessions: sessionmaker[Session], engine: object) -> None:
    _guideline(sessions, None, require_imprint_link=True, banned_words="x")
    _guideline(sessions, NEWS, max_hashtags=1)
    with sessions.begin() as session:
        save_imprint_url(session, "https://acme.at/impressum", user_id=None, now=NOW)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with sessions() as session:
        assert [p.code for p in check_guidelines(session, NEWS, Network.X, "#a #b", None)] == [
            "too_many_hashtags", "imprint_missing"]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_saving_a_guideline_tidies_the_lists_updates_in_place_and_audits(sessions: sessionmaker[Session]) -> None:
    values = GuidelineValues(banned_words=" billig \n\nbillig\ngratis", required_hashtags="jobs #jobs #ACME",
                             max_hashtags=4, legal_footer=" ACME GmbH ", requires_approval=True)
    with sessions.begin() as session:
        save_guideline(session, JOB, values, user_id=None, now=NOW)
        save_guideline(session, JOB, values, user_id=None, now=NOW)
        save_guideline(session, None, GuidelineValues(), user_id=None, now=NOW)
    with sessions() as session:
        rows = guidelines_by_kind(session)
        assert set(rows) == {JOB, None} and len(session.scalars(select(Guideline)).all()) == 2
        assert (rows[JOB].banned_words, rows[JOB].required_hashtags) == ("billig\ngratis", "#jobs #ACME")
        assert rows[JOB].legal_footer == "ACME GmbH" and rows[JOB].requires_approval
        assert [e.subject for e in session.scalars(select(AuditEvent))] == [
            "guideline:job_ad", "guideline:job_ad", "guideline:all"]


def test_the_imprint_url_is_stored_as_json_and_a_broken_value_reads_as_unset(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        save_imprint_url(session, " https://acme.at/impressum ", user_id=None, now=NOW)
    with sessions.begin() as session:
        assert json.loads(session.get(CompanySetting, "imprint_url").value) == "https://acme.at/impressum"  # type: ignore[union-attr]
        assert imprint_url(session) == "https://acme.at/impressum"
        session.get(CompanySetting, "imprint_url").value = "{not json"  # type: ignore[union-attr]
    with sessions() as session:
        assert imprint_url(session) == ""
