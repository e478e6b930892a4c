"""What each webhook event type does: applications from an ATS, leads from a CRM, attributed by UTM or source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.crypto import CredentialBox
from scheduler.models import Application, ApplicationStage, Integration, Lead, LeadStatus, Vacancy, VacancyStatus
from scheduler.networks import Network
from scheduler.webhook_integrations import create_integration
from scheduler.webhook_payloads import HANDLERS, PayloadError, attribution_of, source_of
from tests.factories import make_channel, make_delivery

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
BOX = CredentialBox([CredentialBox.new_key()])


def _integration(session: Session, kind: str, name: str = "Personio") -> Integration:
    return create_integration(session, BOX, name=name, kind=kind, now=NOW, user_id=None)[0]


def _run(session: Session, integration: Integration, event_type: str, **data: object) -> str:
    """Apply ``data`` as an event of ``event_type``; ``at=`` sets the moment (default NOW)."""
    now = data.pop("at", NOW)
    assert isinstance(now, datetime)
    return HANDLERS[event_type].apply(session, integration, data, now)


def _error(session: Session, integration: Integration, event_type: str, **data: object) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        _run(session, integration, event_type, **data)
    return caught.value


def _vacancy(session: Session, **values: object) -> Vacancy:
    vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", **values)
    session.add(vacancy)
    session.flush()
    return vacancy


APPLICANT = {"external_id": "a-1", "name": "Max Muster", "email": "max@example.com"}


def test_an_ats_application_is_stored_for_the_vacancy_its_reference_names(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        _vacancy(session, reference="REQ-7")
        newest = _vacancy(session, reference="REQ-7", status=VacancyStatus.CLOSED)
        outcome = _run(session, ats, "application.created", vacancy_reference="REQ-7", message="Hallo", **APPLICANT)
        application = session.scalars(select(Application)).one()
        assert outcome == f"application:{application.id}"
        assert (application.vacancy_id, application.name, application.email, application.message) == (
            newest.id, "Max Muster", "max@example.com", "Hallo")  # a closed vacancy still takes what the ATS reports
        assert (application.source, application.integration_id, application.external_id) == (
            "webhook:Personio", ats.id, "a-1")
        assert application.stage is ApplicationStage.RECEIVED and application.received_at == NOW


def test_an_ats_source_field_attributes_like_utm_source(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        vacancy = _vacancy(session)
        delivery = make_delivery(session, channel=make_channel(session, network=Network.X))
        _run(session, ats, "application.created", vacancy_id=str(vacancy.id), source="Twitter",
             utm_content=f"d{delivery.id}", **APPLICANT)
        application = session.scalars(select(Application)).one()
        assert (application.utm_source, application.delivery_id, application.channel_id) == (
            "x", delivery.id, delivery.channel_id)


def test_utm_source_wins_over_the_source_field(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert attribution_of(session, {"utm_source": "LinkedIn", "source": "Indeed"}).utm_source == "linkedin"
        assert attribution_of(session, {"source": " XING "}).utm_source == "xing"


def test_an_application_the_ats_reported_before_is_not_stored_twice(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        vacancy = _vacancy(session)
        first = _run(session, ats, "application.created", vacancy_id=vacancy.id, **APPLICANT)
        again = _run(session, ats, "application.created", vacancy_id=vacancy.id, **APPLICANT)
        assert again == f"{first} (already known)"
        assert len(session.scalars(select(Application)).all()) == 1


@pytest.mark.parametrize(("data", "code"), [
    ({"vacancy_id": 999}, "unknown_vacancy"),
    ({"vacancy_id": "seven"}, "invalid_field"),
    ({"vacancy_id": True}, "invalid_field"),
    ({}, "missing_field"),
    ({"vacancy_reference": "REQ-unknown"}, "unknown_vacancy"),
])
def test_an_application_without_a_known_vacancy_is_refused(sessions: sessionmaker[Session],
                                                           data: dict[str, object], code: str) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        _vacancy(session)
        assert _error(session, ats, "application.created", **data, **APPLICANT).code == code


def test_the_applicants_own_problems_are_passed_on(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        vacancy = _vacancy(session)
        error = _error(session, ats, "application.created", vacancy_id=vacancy.id,
                       **{**APPLICANT, "email": "max@"})
        assert error.code == "email_invalid" and "email" in error.message


def test_a_stage_change_moves_the_application_the_ats_named(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        vacancy = _vacancy(session)
        _run(session, ats, "application.created", vacancy_id=vacancy.id, **APPLICANT)
        later = NOW + timedelta(days=5)
        outcome = _run(session, ats, "application.stage_changed", at=later, external_id="a-1", stage="Interview")
        application = session.scalars(select(Application)).one()
        assert outcome == f"application:{application.id} interview"
        assert (application.stage, application.interview_at) == (ApplicationStage.INTERVIEW, later)
        _run(session, ats, "application.stage_changed", external_id="a-1", stage="rejected")
        _run(session, ats, "application.stage_changed", external_id="a-1", stage="offer")  # the ATS reopened it
        assert (application.stage, application.rejected_at) == (ApplicationStage.OFFER, None)


def test_a_stage_change_for_an_unknown_application_or_stage_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ats = _integration(session, "ats")
        other = _integration(session, "ats", name="Other ATS")
        vacancy = _vacancy(session)
        _run(session, ats, "application.created", vacancy_id=vacancy.id, **APPLICANT)
        assert _error(session, other, "application.stage_changed", external_id="a-1",
                      stage="interview").code == "unknown_application"
        error = _error(session, ats, "application.stage_changed", external_id="a-1", stage="interviewing")
        assert error.code == "invalid_field" and "received, screening" in error.message


def test_a_crm_lead_is_stored_and_a_repeat_merged(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        crm = _integration(session, "crm", name="HubSpot")
        first = _run(session, crm, "lead.created", external_id="h-1", name="Maria", email="maria@example.com",
                     company="Huber GmbH", utm_campaign="Herbst")
        lead = session.scalars(select(Lead)).one()
        assert first == f"lead:{lead.id}"
        assert (lead.source, lead.integration_id, lead.external_id, lead.utm_campaign, lead.consent_text) == (
            "webhook:HubSpot", crm.id, "h-1", "herbst", "")
        assert _run(session, crm, "lead.created", external_id="h-1", name="Maria", email="maria@example.com",
                    at=NOW + timedelta(days=1)) == f"lead:{lead.id} (merged)"
        assert lead.submissions == 2


def test_a_crm_status_change_moves_its_lead(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        crm = _integration(session, "crm")
        _run(session, crm, "lead.created", external_id=42, name="Maria", email="maria@example.com")
        outcome = _run(session, crm, "lead.status_changed", external_id="42", status="customer")
        lead = session.scalars(select(Lead)).one()
        assert outcome == f"lead:{lead.id} customer"
        assert (lead.status, lead.qualified_at, lead.customer_at) == (LeadStatus.CUSTOMER, NOW, NOW)
        assert _error(session, crm, "lead.status_changed", external_id="43", status="junk").code == "unknown_lead"
        assert _error(session, crm, "lead.status_changed", external_id="42", status="won").code == "invalid_field"


def test_every_handler_belongs_to_one_kind_and_sources_fit_the_column() -> None:
    assert {name: handler.kind for name, handler in HANDLERS.items()} == {
        "application.created": "ats", "application.stage_changed": "ats", "lead.created": "crm",
        "lead.status_changed": "crm"}
    assert len(source_of(Integration(name="x" * 120, kind="crm", secret=""))) == 64
