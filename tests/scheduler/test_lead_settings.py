"""Lead-form settings: embedding sites as origins only, a bounded merge window, optional consent texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lead_settings import (
    DEFAULT_MERGE_WINDOW_DAYS,
    KEY,
    LeadFormSettings,
    LeadSettingsProblems,
    lead_form_settings,
    parse_origins,
    save_lead_form_settings,
)
from scheduler.models import AuditEvent, CompanySetting

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_nothing_stored_means_no_embedding_site_and_the_default_window(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert lead_form_settings(session) == LeadFormSettings((), DEFAULT_MERGE_WINDOW_DAYS, {})


def test_origins_are_lower_cased_deduplicated_and_anything_else_is_named() -> None:
    origins, bad = parse_origins("https://WWW.Example.com/\nhttp://127.0.0.1:8080, https://*.acme.at "
                                 "https://www.example.com https://x.com/path javascript:alert(1) 'none' *")
    assert origins == ("https://www.example.com", "http://127.0.0.1:8080", "https://*.acme.at")
    assert bad == ["https://x.com/path", "javascript:alert(1)", "'none'", "*"]


def test_saved_settings_are_read_back_and_audited(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        save_lead_form_settings(session, frame_ancestors="https://www.acme.at\nhttps://shop.acme.at",
                                merge_window_days=14, consent_texts={"de": " Ich willige ein. ", "en": ""},
                                user_id=None, now=NOW)
    with sessions() as session:
        assert lead_form_settings(session) == LeadFormSettings(
            ("https://www.acme.at", "https://shop.acme.at"), 14, {"de": "Ich willige ein."})
        assert session.scalar(select(AuditEvent.action)) == "settings.lead_form"


@pytest.mark.parametrize(("values", "field"), [
    ({"frame_ancestors": "https://acme.at/kontakt"}, "frame_ancestors"),
    ({"frame_ancestors": "https://acme.at; script-src *"}, "frame_ancestors"),
    ({"merge_window_days": 0}, "merge_window_days"),
    ({"merge_window_days": 366}, "merge_window_days"),
    ({"merge_window_days": None}, "merge_window_days"),
    ({"consent_texts": {"en": "x" * 2001}}, "consent_en"),
])
def test_bad_settings_are_refused_and_nothing_changes(sessions: sessionmaker[Session], values: dict[str, object],
                                                      field: str) -> None:
    good: dict[str, object] = {"frame_ancestors": "", "merge_window_days": 30, "consent_texts": {}}
    with sessions.begin() as session:
        with pytest.raises(LeadSettingsProblems) as caught:
            save_lead_form_settings(session, **{**good, **values}, user_id=None, now=NOW)  # type: ignore[arg-type]
        assert list(caught.value.problems) == [field]
        assert session.get(CompanySetting, KEY) is None


def test_an_unreadable_stored_value_falls_back_to_the_defaults(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(CompanySetting(key=KEY, value='{"frame_ancestors": "https://a.at", "merge_window_days": true}',
                                   updated_at=NOW))
    with sessions() as session:
        assert lead_form_settings(session) == LeadFormSettings()
