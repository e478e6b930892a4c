"""Applications: what the careers form and a webhook may submit, attribution, talent pool, the stage pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.applications import (
    ApplicationError,
    add_months,
    application_problems,
    move_stage,
    pipeline_counts,
    stage_times,
    submit_application,
    time_to_hire,
)
from scheduler.attribution import Attribution
from scheduler.cv import PDF_MIME, StoredCv
from scheduler.models import Application, AuditEvent, CompanySetting, Vacancy, VacancyStatus
from scheduler.models import ApplicationStage as Stage
from tests.factories import make_delivery, make_user

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PRIVACY = "Ich willige ein, dass ACME meine Daten für diese Bewerbung verarbeitet."


def _vacancy(session: Session, **values: Any) -> Vacancy:
    vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", **values)
    session.add(vacancy)
    session.flush()
    return vacancy


def _submit(session: Session, vacancy_id: int, **changes: Any) -> Application:
    values: dict[str, Any] = {"vacancy_id": vacancy_id, "name": "Anna Muster", "email": "anna@example.at",
                              "message": "Hallo!", "cv": None, "privacy_text": PRIVACY, "talent_pool": False,
                              "attribution": Attribution(), "now": NOW}
    return submit_application(session, **{**values, **changes})


def test_a_careers_application_is_stored_received_with_consent_cv_and_attribution(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session)
        vacancy_id = _vacancy(session).id
        cv = StoredCv(key="0" * 32 + ".pdf", filename="Lebenslauf.pdf", mime_type=PDF_MIME, size_bytes=1234)
        attribution = Attribution(utm_source="x", utm_medium="social", utm_campaign="job-koch", utm_content="d1",
                                  delivery_id=delivery.id, channel_id=delivery.channel_id)
        application_id = _submit(session, vacancy_id, name="  Anna Muster ", email="Anna@EXAMPLE.at", cv=cv,
                                 attribution=attribution).id
    with sessions() as session:
        stored = session.get_one(Application, application_id)
        assert (stored.stage, stored.received_at, stored.source) == (Stage.RECEIVED, NOW, "careers")
        assert (stored.name, stored.email) == ("Anna Muster", "Anna@example.at")
        assert (stored.cv_key, stored.cv_filename, stored.cv_mime) == (cv.key, "Lebenslauf.pdf", PDF_MIME)
        assert (stored.privacy_text, stored.consented_at) == (PRIVACY, NOW)
        assert (stored.delivery_id, stored.channel_id) == (delivery.id, delivery.channel_id)
        assert (stored.utm_source, stored.utm_campaign, stored.utm_content) == ("x", "job-koch", "d1")
        assert (stored.talent_pool, stored.talent_pool_until) == (False, None)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "application.received")).one()
        assert event.subject == f"application:{application_id}"
        assert "anna" not in event.detail.lower()  # the audit log outlives the retention period


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"name": "  "}, "name_missing", "name"),
    ({"name": "x" * 201}, "name_too_long", "name"),
    ({"email": ""}, "email_missing", "email"),
    ({"email": "anna.example.at"}, "email_invalid", "email"),
    ({"email": "anna@"}, "email_invalid", "email"),
    ({"message": "x" * 5001}, "message_too_long", "message"),
    ({"privacy_text": ""}, "no_consent", "privacy"),
])
def test_each_bad_value_is_refused_with_its_code_and_nothing_is_stored(
        sessions: sessionmaker[Session], changes: dict[str, Any], code: str, field: str) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session).id
    with sessions.begin() as session, pytest.raises(ApplicationError) as raised:
        _submit(session, vacancy_id, **changes)
    assert (raised.value.code, raised.value.field) == (code, field)
    with sessions() as session:
        assert session.scalar(select(func.count(Application.id))) == 0


@pytest.mark.parametrize("vacancy", [
    {"status": VacancyStatus.FILLED}, {"status": VacancyStatus.CLOSED}, {"valid_through": NOW},
])
def test_the_careers_form_cannot_apply_to_a_filled_closed_or_expired_vacancy(
        sessions: sessionmaker[Session], vacancy: dict[str, Any]) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session, **vacancy).id
        with pytest.raises(ApplicationError) as raised:
            _submit(session, vacancy_id)
    assert raised.value.code == "vacancy_closed"


def test_an_ats_may_report_an_application_to_a_closed_vacancy_without_consent_text(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session, status=VacancyStatus.CLOSED).id
        application = _submit(session, vacancy_id, privacy_text="", source="webhook:personio", external_id="p-7")
        assert (application.source, application.external_id, application.consented_at) == ("webhook:personio",
                                                                                           "p-7", None)


def test_a_vacancy_with_an_external_ats_takes_no_form_applications(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session, apply_url="https://ats.example.at/jobs/7").id
        assert [p.code for p in application_problems(session, vacancy_id=vacancy_id, name="A", email="a@b.at",
                                                     privacy_text=PRIVACY, now=NOW)] == ["applies_elsewhere"]


def test_an_unknown_vacancy_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(ApplicationError) as raised:
        _submit(session, 404, source="webhook:x")
    assert raised.value.code == "no_vacancy"


def test_all_problems_are_listed_at_once_for_the_form(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = _vacancy(session).id
        problems = application_problems(session, vacancy_id=vacancy_id, name="", email="nope", privacy_text="",
                                        now=NOW)
    assert [p.field for p in problems] == ["name", "email", "privacy"]


def test_talent_pool_consent_keeps_the_data_for_the_default_24_months(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        application = _submit(session, _vacancy(session).id, talent_pool=True)
        assert application.talent_pool_until == datetime(2028, 5, 4, 9, 0, tzinfo=UTC)


def test_the_company_setting_changes_the_talent_pool_period(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(CompanySetting(key="retention_talent_pool_months", value=json.dumps(12), updated_at=NOW))
        application = _submit(session, _vacancy(session).id, talent_pool=True)
        assert application.talent_pool_until == datetime(2027, 5, 4, 9, 0, tzinfo=UTC)


def test_adding_months_lands_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 14) == datetime(2028, 1, 15, tzinfo=UTC)


def test_moving_forward_stamps_each_stage_and_hiring_gives_the_time_to_hire(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        recruiter = make_user(session)
        application_id = _submit(session, _vacancy(session).id).id
        for days, stage in enumerate((Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED), start=1):
            move_stage(session, application_id, stage, now=NOW + timedelta(days=days), user_id=recruiter.id)
    with sessions() as session:
        application = session.get_one(Application, application_id)
        assert stage_times(application) == [
            (Stage.RECEIVED, NOW), (Stage.SCREENING, NOW + timedelta(days=1)),
            (Stage.INTERVIEW, NOW + timedelta(days=2)), (Stage.OFFER, NOW + timedelta(days=3)),
            (Stage.HIRED, NOW + timedelta(days=4)), (Stage.REJECTED, None)]
        assert time_to_hire(application) == timedelta(days=4)
        details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "application.stage")
                                  .order_by(AuditEvent.id)).all()
        assert details == ["received -> screening", "screening -> interview", "interview -> offer", "offer -> hired"]
        assert set(session.scalars(select(AuditEvent.user_id).where(AuditEvent.action == "application.stage"))) \
            == {recruiter.id}


def test_moving_back_keeps_the_earlier_timestamps(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        application_id = _submit(session, _vacancy(session).id).id
        move_stage(session, application_id, Stage.INTERVIEW, now=NOW + timedelta(days=1), user_id=None)
        back = move_stage(session, application_id, Stage.SCREENING, now=NOW + timedelta(days=2), user_id=None)
        again = move_stage(session, application_id, Stage.INTERVIEW, now=NOW + timedelta(days=3), user_id=None)
        assert back.screening_at == NOW + timedelta(days=2)
        assert (again.stage, again.interview_at) == (Stage.INTERVIEW, NOW + timedelta(days=1))
        assert time_to_hire(again) is None


def test_hired_and_rejected_are_final_until_reopened(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        application_id = _submit(session, _vacancy(session).id).id
        move_stage(session, application_id, Stage.REJECTED, now=NOW + timedelta(days=1), user_id=None)
        with pytest.raises(ApplicationError) as raised:
            move_stage(session, application_id, Stage.INTERVIEW, now=NOW + timedelta(days=2), user_id=None)
        assert raised.value.code == "final"
        reopened = move_stage(session, application_id, Stage.INTERVIEW, now=NOW + timedelta(days=2), user_id=None,
                              reopen=True)
        # The final stamp goes (retention counts from rejected_at); the audit log keeps the history.
        assert (reopened.stage, reopened.rejected_at, reopened.interview_at) == (
            Stage.INTERVIEW, None, NOW + timedelta(days=2))
        assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "application.reopened")) == 1


def test_moving_to_the_current_stage_changes_and_audits_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        application_id = _submit(session, _vacancy(session).id).id
        move_stage(session, application_id, Stage.RECEIVED, now=NOW + timedelta(days=1), user_id=None)
        assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("application.s%"))) == 0


def test_an_unknown_or_anonymised_application_cannot_move(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        application = _submit(session, _vacancy(session).id)
        application.anonymized_at = NOW
        with pytest.raises(ApplicationError) as gone:
            move_stage(session, application.id, Stage.SCREENING, now=NOW, user_id=None)
        with pytest.raises(ApplicationError) as missing:
            move_stage(session, 999, Stage.SCREENING, now=NOW, user_id=None)
    assert (gone.value.code, missing.value.code) == ("anonymized", "not_found")


def test_pipeline_counts_cover_every_stage_of_one_vacancy(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id, other_id = _vacancy(session).id, _vacancy(session).id
        first, _second = _submit(session, vacancy_id), _submit(session, vacancy_id)
        _submit(session, other_id)
        move_stage(session, first.id, Stage.REJECTED, now=NOW, user_id=None)
        counts = pipeline_counts(session, vacancy_id)
    assert counts == {Stage.RECEIVED: 1, Stage.SCREENING: 0, Stage.INTERVIEW: 0, Stage.OFFER: 0, Stage.HIRED: 0,
                      Stage.REJECTED: 1}
