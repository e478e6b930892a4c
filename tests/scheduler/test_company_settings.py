"""Company settings: one JSON value per key, read back as written, unreadable rows read as unset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.company_settings import put_setting, read_setting
from scheduler.models import CompanySetting

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_a_stored_value_reads_back_decoded_and_a_missing_key_as_none(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        put_setting(session, "company_name", '"Murtaler Maschinenbau GmbH"', now=NOW)
    with sessions() as session:
        assert read_setting(session, "company_name") == "Murtaler Maschinenbau GmbH"
        assert read_setting(session, "nothing_here") is None


def test_an_unreadable_row_reads_as_unset(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(CompanySetting(key="broken", value="{not json", updated_at=NOW))
    with sessions() as session:
        assert read_setting(session, "broken") is None


def test_writing_the_same_value_again_keeps_the_time_of_the_change(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        put_setting(session, "imprint_url", '"https://acme.example/impressum"', now=NOW)
    with sessions.begin() as session:
        put_setting(session, "imprint_url", '"https://acme.example/impressum"', now=NOW + timedelta(days=1))
        put_setting(session, "company_name", '"ACME"', now=NOW + timedelta(days=1))
    with sessions.begin() as session:
        put_setting(session, "company_name", '"ACME GmbH"', now=NOW + timedelta(days=2))
    with sessions() as session:
        assert session.get_one(CompanySetting, "imprint_url").updated_at == NOW
        changed = session.get_one(CompanySetting, "company_name")
        assert (changed.value, changed.updated_at) == ('"ACME GmbH"', NOW + timedelta(days=2))
