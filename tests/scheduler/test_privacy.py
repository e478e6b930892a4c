"""Data-subject requests: finding a person's rows by address, the JSON export, and erasure without a trace."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, Table, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.cv import CV_DIR, store_cv
from scheduler.models import Application, ApplicationStage, AuditEvent, Lead, LeadStatus, Vacancy
from scheduler.privacy import InvalidEmailError, erase_person, export_person, find_person
from tests.cvfiles import pdf_bytes
from tests.factories import make_delivery

NOW = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)
# Everything that identifies the person in these tests; none of it may survive an erasure.
PERSONAL = ("Anna Muster", "Anna.Muster@Example.at", "anna.muster@example.at", "Ich koche seit 10 Jahren",
            "Lebenslauf_Anna_Muster.pdf", "ats-4711", "Muster Catering e.U.", "crm-0815", "Bitte rufen Sie an")
PRIVACY = "Ich willige ein, dass die ACME GmbH meine Bewerbung verarbeitet."
CONSENT = "Ja, die ACME GmbH darf mich zu meiner Anfrage kontaktieren."


def _anna(session: Session, data_dir: Path) -> dict[str, int]:
    """Add Anna's two applications (one with a CV) and her lead, and someone else's application."""
    delivery = make_delivery(session)
    vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", reference="REQ-9")
    session.add(vacancy)
    session.flush()
    cv = store_cv(data_dir, pdf_bytes(), "Lebenslauf_Anna_Muster.pdf", max_bytes=10**6)
    common: dict[str, Any] = {"vacancy_id": vacancy.id, "privacy_text": PRIVACY, "consented_at": NOW}
    first = Application(name="Anna Muster", email="Anna.Muster@Example.at", message="Ich koche seit 10 Jahren",
                        cv_key=cv.key, cv_filename=cv.filename, cv_mime=cv.mime_type, received_at=NOW,
                        stage=ApplicationStage.INTERVIEW, screening_at=NOW + timedelta(days=2),
                        interview_at=NOW + timedelta(days=9), talent_pool=True,
                        talent_pool_until=NOW + timedelta(days=365), utm_source="linkedin", utm_medium="social",
                        utm_campaign="koch", utm_content=f"d{delivery.id}", delivery_id=delivery.id,
                        channel_id=delivery.channel_id, **common)
    second = Application(name="Anna Muster", email="anna.muster@example.at", message="", source="webhook:ats",
                         external_id="ats-4711", received_at=NOW - timedelta(days=40),
                         stage=ApplicationStage.REJECTED, rejected_at=NOW - timedelta(days=20), **common)
    other = Application(name="Berta Beispiel", email="berta@example.at", message="Hallo", received_at=NOW, **common)
    lead = Lead(name="Anna Muster", company="Muster Catering e.U.", email="anna.muster@example.at",
                email_key="anna.muster@example.at", message="Bitte rufen Sie an", consent_text=CONSENT,
                consented_at=NOW, status=LeadStatus.QUALIFIED, qualified_at=NOW + timedelta(days=1),
                last_submitted_at=NOW, external_id="crm-0815", utm_source="x", delivery_id=delivery.id,
                channel_id=delivery.channel_id)
    session.add_all([first, second, other, lead])
    session.flush()
    return {"first": first.id, "second": second.id, "other": other.id, "lead": lead.id, "vacancy": vacancy.id,
            "channel": delivery.channel_id, "delivery": delivery.id}


def test_a_person_is_found_by_address_in_any_letter_case_and_no_one_else(sessions: sessionmaker[Session],
                                                                         tmp_path: Path) -> None:
    with sessions.begin() as session:
        ids = _anna(session, tmp_path)
    with sessions() as session:
        person = find_person(session, "  ANNA.muster@example.AT ")
        assert [app.id for app in person.applications] == [ids["second"], ids["first"]]  # oldest first
        assert [lead.id for lead in person.leads] == [ids["lead"]]
        assert person.cv_count == 1 and person.found
        assert not find_person(session, "muster@example.at").found


@pytest.mark.parametrize("address", ["", "   ", "anna", "@example.at", "anna@", "a b@example.at"])
def test_a_search_for_less_than_one_whole_address_is_refused(sessions: sessionmaker[Session], address: str) -> None:
    with sessions() as session, pytest.raises(InvalidEmailError):
        find_person(session, address)


def test_the_export_holds_every_stored_field_the_vacancy_the_channel_and_the_cv_name(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        ids = _anna(session, tmp_path)
    with sessions() as session:
        data = export_person(session, "anna.muster@example.at", now=NOW)
    data = json.loads(json.dumps(data))  # JSON-ready as it is
    assert (data["format"], data["email"], data["exported_at"]) == \
        ("postillon-personal-data/1", "anna.muster@example.at", NOW.isoformat())
    columns = {column.key for column in Application.__table__.columns}
    second, first = data["applications"]
    assert columns <= set(first) and columns <= set(second)
    assert (first["id"], first["name"], first["message"]) == (ids["first"], "Anna Muster", "Ich koche seit 10 Jahren")
    assert (first["privacy_text"], first["consented_at"]) == (PRIVACY, NOW.isoformat())
    assert (first["stage"], first["interview_at"]) == ("interview", (NOW + timedelta(days=9)).isoformat())
    assert (first["talent_pool"], first["talent_pool_until"]) == (True, (NOW + timedelta(days=365)).isoformat())
    assert (first["utm_source"], first["utm_campaign"], first["delivery_id"]) == ("linkedin", "koch", ids["delivery"])
    assert first["vacancy"] == {"id": ids["vacancy"], "title": "Koch (m/w/d)", "reference": "REQ-9",
                                "location": "Wien", "status": "open"}
    assert first["channel"]["id"] == ids["channel"] and first["channel"]["network"] == "x"
    assert first["cv_file"] == {"filename": "Lebenslauf_Anna_Muster.pdf", "type": "application/pdf"}
    assert (second["external_id"], second["rejected_at"], second["cv_file"]) == \
        ("ats-4711", (NOW - timedelta(days=20)).isoformat(), None)
    [lead] = data["leads"]
    assert {column.key for column in Lead.__table__.columns} <= set(lead)
    assert (lead["company"], lead["consent_text"], lead["qualified_at"], lead["status"]) == \
        ("Muster Catering e.U.", CONSENT, (NOW + timedelta(days=1)).isoformat(), "qualified")
    assert "Berta" not in json.dumps(data)
    assert "CV files" in data["notes"]["cv_files"]


def _text_columns(session: Session, table: Table) -> list[str]:
    """Return every text value stored in ``table`` (all rows, all string columns)."""
    columns = [column for column in table.columns if isinstance(column.type, String)]
    return [value for row in session.execute(select(*columns)) for value in row if value]


def test_erasure_leaves_no_personal_data_in_any_text_column_and_deletes_the_cv(sessions: sessionmaker[Session],
                                                                              tmp_path: Path) -> None:
    with sessions.begin() as session:
        ids = _anna(session, tmp_path)
    with sessions.begin() as session:
        report = erase_person(session, "Anna.Muster@example.at", now=NOW, user_id=None, data_dir=tmp_path)
    assert (report.application_ids, report.lead_ids, report.cv_files) == \
        (sorted([ids["first"], ids["second"]]), [ids["lead"]], 1)
    assert list((tmp_path / CV_DIR).iterdir()) == []
    with sessions() as session:
        stored = _text_columns(session, Application.__table__) + _text_columns(session, Lead.__table__)  # type: ignore[arg-type]
        stored += _text_columns(session, AuditEvent.__table__)  # type: ignore[arg-type]
        leaks = [value for value in stored for secret in PERSONAL if secret.lower() in value.lower()]
        assert leaks == []
        assert "Berta Beispiel" in stored  # someone else's application is untouched
        first = session.get_one(Application, ids["first"])
        assert (first.anonymized_at, first.stage, first.interview_at, first.utm_campaign, first.privacy_text) == \
            (NOW, ApplicationStage.INTERVIEW, NOW + timedelta(days=9), "koch", PRIVACY)
        lead = session.get_one(Lead, ids["lead"])
        assert (lead.anonymized_at, lead.status, lead.consent_text) == (NOW, LeadStatus.QUALIFIED, CONSENT)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).one()
        assert str(ids["first"]) in event.detail and str(ids["lead"]) in event.detail


def test_erasing_again_finds_nothing_and_changes_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        _anna(session, tmp_path)
    with sessions.begin() as session:
        erase_person(session, "anna.muster@example.at", now=NOW, user_id=None, data_dir=tmp_path)
    with sessions.begin() as session:
        again = erase_person(session, "anna.muster@example.at", now=NOW + timedelta(hours=1), user_id=None,
                             data_dir=tmp_path)
        assert (again.application_ids, again.lead_ids, again.cv_files) == ([], [], 0)
    with sessions() as session:
        assert not find_person(session, "anna.muster@example.at").found
        assert set(session.scalars(select(Application.anonymized_at).where(Application.name == ""))) == {NOW}
