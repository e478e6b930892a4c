"""Retention: what the daily purge anonymizes when, what it keeps, its files, its record, and its daily claim."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.anonymize import CvDeletionError
from scheduler.applications import add_months
from scheduler.cv import CV_DIR, store_cv
from scheduler.models import (
    Application,
    ApplicationStage,
    AuditEvent,
    Click,
    CompanySetting,
    Lead,
    LeadStatus,
    TrackedLink,
    Vacancy,
    VacancyStatus,
)
from scheduler.retention import (
    RetentionPolicy,
    claim_purge_day,
    expires_at,
    last_purge,
    purge_expired,
    retention_start,
)
from tests.cvfiles import pdf_bytes
from tests.factories import make_delivery

NOW = datetime(2026, 9, 15, 3, 0, tzinfo=UTC)
PRIVACY = "Ich willige ein, dass die ACME GmbH meine Bewerbung verarbeitet."


def _vacancy(session: Session, *, closed_at: datetime | None = None,
             status: VacancyStatus = VacancyStatus.OPEN) -> Vacancy:
    vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", status=status, closed_at=closed_at)
    session.add(vacancy)
    session.flush()
    return vacancy


def _application(session: Session, vacancy: Vacancy, **values: Any) -> Application:
    defaults: dict[str, Any] = {
        "name": "Anna Muster", "email": "anna@example.at", "message": "Ich koche gern.", "privacy_text": PRIVACY,
        "consented_at": NOW - timedelta(days=500), "received_at": NOW - timedelta(days=500),
        "utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "koch", "external_id": "ats-17",
    }
    application = Application(vacancy_id=vacancy.id, **{**defaults, **values})
    session.add(application)
    session.flush()
    return application


def _rejected(session: Session, months_ago: int, *, days: int = 0, **values: Any) -> int:
    rejected_at = add_months(NOW, -months_ago) + timedelta(days=days)
    return _application(session, _vacancy(session), stage=ApplicationStage.REJECTED, rejected_at=rejected_at,
                        **values).id


def _lead(session: Session, *, last: datetime, **values: Any) -> int:
    lead = Lead(name="Bernd Kunde", company="Kunde KG", email="bernd@kunde.de", email_key="bernd@kunde.de",
                message="Bitte um Angebot", consent_text="Ja, kontaktieren Sie mich.", last_submitted_at=last,
                created_at=values.pop("created_at", last), **values)
    session.add(lead)
    session.flush()
    return lead.id


def _anonymized(sessions: sessionmaker[Session], model: type[Application] | type[Lead], row_id: int) -> bool:
    with sessions() as session:
        return session.scalar(select(model.anonymized_at).where(model.id == row_id)) is not None


def test_a_rejected_applicant_is_anonymized_seven_months_after_the_rejection_not_a_day_before(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        due = _rejected(session, 7)
        not_yet = _rejected(session, 7, days=1)
    with sessions.begin() as session:
        report = purge_expired(session, now=NOW, data_dir=tmp_path)
    assert (report.applications, report.leads) == (1, 0)
    assert _anonymized(sessions, Application, due) and not _anonymized(sessions, Application, not_yet)


def test_anonymizing_blanks_the_person_and_keeps_consent_text_stages_and_attribution(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session)
        app_id = _rejected(session, 8, delivery_id=delivery.id, channel_id=delivery.channel_id,
                           screening_at=NOW - timedelta(days=400), cv_filename="Lebenslauf Anna Muster.pdf")
    with sessions.begin() as session:
        purge_expired(session, now=NOW, data_dir=tmp_path)
    with sessions() as session:
        row = session.get_one(Application, app_id)
        assert (row.name, row.email, row.message, row.cv_key, row.cv_filename, row.external_id) == \
            ("", "", "", None, "", None)
        assert row.anonymized_at == NOW
        assert (row.privacy_text, row.utm_source, row.utm_campaign, row.delivery_id, row.channel_id) == \
            (PRIVACY, "linkedin", "koch", delivery.id, delivery.channel_id)
        assert (row.stage, row.screening_at, row.rejected_at) == \
            (ApplicationStage.REJECTED, NOW - timedelta(days=400), add_months(NOW, -8))


def test_applicants_of_a_closed_vacancy_expire_months_after_it_closed_and_open_procedures_never(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        closed_long_ago = _vacancy(session, status=VacancyStatus.FILLED, closed_at=add_months(NOW, -7))
        closed_lately = _vacancy(session, status=VacancyStatus.CLOSED, closed_at=add_months(NOW, -6))
        still_open = _vacancy(session)
        expired = _application(session, closed_long_ago, stage=ApplicationStage.INTERVIEW).id
        recent = _application(session, closed_lately, stage=ApplicationStage.RECEIVED).id
        running = _application(session, still_open, stage=ApplicationStage.SCREENING,
                               received_at=NOW - timedelta(days=5 * 365)).id
    with sessions.begin() as session:
        assert purge_expired(session, now=NOW, data_dir=tmp_path).applications == 1
    assert _anonymized(sessions, Application, expired)
    assert not _anonymized(sessions, Application, recent) and not _anonymized(sessions, Application, running)


def test_a_rejection_before_the_vacancy_closed_counts_from_the_closing() -> None:
    vacancy = Vacancy(title="Koch", location="Wien", status=VacancyStatus.CLOSED, closed_at=add_months(NOW, -2))
    rejected = Application(stage=ApplicationStage.REJECTED, rejected_at=add_months(NOW, -8), talent_pool=False)
    assert retention_start(rejected, vacancy) == add_months(NOW, -2)
    assert expires_at(RetentionPolicy(), rejected, vacancy) == add_months(NOW, 5)


def test_a_rejection_after_the_vacancy_closed_counts_from_the_rejection() -> None:
    vacancy = Vacancy(title="Koch", location="Wien", status=VacancyStatus.FILLED, closed_at=add_months(NOW, -3))
    rejected = Application(stage=ApplicationStage.REJECTED, rejected_at=add_months(NOW, -1), talent_pool=False)
    assert retention_start(rejected, vacancy) == add_months(NOW, -1)


def test_a_rejection_on_a_vacancy_that_stays_open_counts_from_the_rejection() -> None:
    vacancy = Vacancy(title="Koch", location="Wien", status=VacancyStatus.OPEN)
    rejected = Application(stage=ApplicationStage.REJECTED, rejected_at=add_months(NOW, -8), talent_pool=False)
    assert retention_start(rejected, vacancy) == add_months(NOW, -8)
    assert expires_at(RetentionPolicy(), rejected, vacancy) == add_months(NOW, -1)


def test_talent_pool_consent_keeps_the_data_until_the_consent_ends(sessions: sessionmaker[Session],
                                                                  tmp_path: Path) -> None:
    with sessions.begin() as session:
        pooled = _rejected(session, 8, talent_pool=True, talent_pool_until=NOW + timedelta(days=1))
        pool_ended = _rejected(session, 8, talent_pool=True, talent_pool_until=NOW - timedelta(days=1))
        # Consent without a date of its own (e.g. from an ATS): the talent-pool months count from the rejection.
        undated_kept = _rejected(session, 8, talent_pool=True)
        undated_ended = _rejected(session, 30, talent_pool=True)
    with sessions.begin() as session:
        assert purge_expired(session, now=NOW, data_dir=tmp_path).applications == 2
    assert [_anonymized(sessions, Application, i) for i in (pooled, pool_ended, undated_kept, undated_ended)] == \
        [False, True, False, True]


def test_hired_applicants_are_anonymized_the_same_months_after_the_hire(sessions: sessionmaker[Session],
                                                                       tmp_path: Path) -> None:
    with sessions.begin() as session:
        vacancy = _vacancy(session)
        old_hire = _application(session, vacancy, stage=ApplicationStage.HIRED, hired_at=add_months(NOW, -7)).id
        new_hire = _application(session, vacancy, stage=ApplicationStage.HIRED, hired_at=add_months(NOW, -3)).id
    with sessions.begin() as session:
        purge_expired(session, now=NOW, data_dir=tmp_path)
    assert _anonymized(sessions, Application, old_hire) and not _anonymized(sessions, Application, new_hire)


def test_the_configured_months_replace_the_default(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        session.add(CompanySetting(key="retention_applicant_months", value=json.dumps(6)))
        six_months = _rejected(session, 6)
    with sessions.begin() as session:
        purge_expired(session, now=NOW, data_dir=tmp_path)
    assert _anonymized(sessions, Application, six_months)


def test_cv_files_are_deleted_with_their_rows_and_a_missing_file_is_no_obstacle(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    kept_cv = store_cv(tmp_path, pdf_bytes("Kept"), "kept.pdf", max_bytes=10**6)
    expired_cv = store_cv(tmp_path, pdf_bytes("Expired"), "Lebenslauf.pdf", max_bytes=10**6)
    with sessions.begin() as session:
        _rejected(session, 8, cv_key=expired_cv.key, cv_filename="Lebenslauf.pdf")
        gone = _rejected(session, 8, cv_key="f" * 32 + ".pdf", cv_filename="weg.pdf")  # deleted by hand earlier
        _rejected(session, 1, cv_key=kept_cv.key, cv_filename="kept.pdf")
    with sessions.begin() as session:
        report = purge_expired(session, now=NOW, data_dir=tmp_path)
    assert (report.applications, report.cv_files) == (2, 1)
    assert sorted(p.name for p in (tmp_path / CV_DIR).iterdir()) == [kept_cv.key]
    assert _anonymized(sessions, Application, gone)


def test_a_cv_that_cannot_be_deleted_leaves_the_row_unchanged_for_the_next_run(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    stuck = "a" * 32 + ".pdf"
    (tmp_path / CV_DIR / stuck).mkdir(parents=True)  # a directory where the file should be: unlink fails
    with sessions.begin() as session:
        app_id = _rejected(session, 8, cv_key=stuck)
    with pytest.raises(CvDeletionError), sessions.begin() as session:
        purge_expired(session, now=NOW, data_dir=tmp_path)
    with sessions() as session:
        row = session.get_one(Application, app_id)
        assert (row.name, row.cv_key, row.anonymized_at) == ("Anna Muster", stuck, None)


def test_leads_are_anonymized_months_after_their_last_activity(sessions: sessionmaker[Session],
                                                               tmp_path: Path) -> None:
    with sessions.begin() as session:
        quiet = _lead(session, last=add_months(NOW, -24))
        asked_again = _lead(session, last=add_months(NOW, -23), created_at=add_months(NOW, -40))
        became_customer = _lead(session, last=add_months(NOW, -30), status=LeadStatus.CUSTOMER,
                                customer_at=add_months(NOW, -2))
    with sessions.begin() as session:
        assert purge_expired(session, now=NOW, data_dir=tmp_path).leads == 1
    with sessions() as session:
        row = session.get_one(Lead, quiet)
        assert (row.name, row.company, row.email, row.email_key, row.message) == ("", "", "", "", "")
        assert row.consent_text == "Ja, kontaktieren Sie mich." and row.anonymized_at == NOW
    assert not _anonymized(sessions, Lead, asked_again) and not _anonymized(sessions, Lead, became_customer)


def test_visitor_hashes_older_than_two_days_are_blanked(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session)
        link = TrackedLink(code="abc123", delivery_id=delivery.id, original="https://acme.at",
                           destination="https://acme.at?utm_source=x")
        session.add(link)
        session.flush()
        for age_h, visitor in ((49, "old1"), (72, "old2"), (47, "fresh"), (100, "")):
            session.add(Click(link_id=link.id, delivery_id=delivery.id, channel_id=delivery.channel_id,
                              at=NOW - timedelta(hours=age_h), visitor=visitor))
    with sessions.begin() as session:
        assert purge_expired(session, now=NOW, data_dir=tmp_path).visitor_hashes == 2
    with sessions() as session:
        assert sorted(session.scalars(select(Click.visitor))) == ["", "", "", "fresh"]


def test_a_second_run_changes_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    cv = store_cv(tmp_path, pdf_bytes(), "cv.pdf", max_bytes=10**6)
    with sessions.begin() as session:
        app_id = _rejected(session, 9, cv_key=cv.key)
        _lead(session, last=add_months(NOW, -25))
    with sessions.begin() as session:
        first = purge_expired(session, now=NOW, data_dir=tmp_path)
    with sessions.begin() as session:
        second = purge_expired(session, now=NOW + timedelta(days=1), data_dir=tmp_path)
    assert (first.applications, first.leads, first.cv_files) == (1, 1, 1)
    assert second.total == 0
    with sessions() as session:
        assert session.get_one(Application, app_id).anonymized_at == NOW  # the first run's time stays


def test_each_run_is_audited_and_recorded_with_counts_and_nothing_about_the_person(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions.begin() as session:
        _rejected(session, 8)
    with sessions.begin() as session:
        purge_expired(session, now=NOW, data_dir=tmp_path)
    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged")).one()
        assert json.loads(event.detail) == {"applications": 1, "leads": 0, "cv_files": 0, "visitor_hashes": 0}
        assert (event.user_id, event.subject) == (None, "retention")
        assert "anna" not in (event.detail + event.subject).lower()
        assert last_purge(session) == {"at": NOW, "applications": 1, "leads": 0, "cv_files": 0,
                                       "visitor_hashes": 0}


def test_the_daily_claim_lets_one_caller_run_per_utc_day(sessions: sessionmaker[Session]) -> None:
    claims = []
    for moment in (NOW, NOW + timedelta(hours=20), NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1)):
        with sessions.begin() as session:
            claims.append(claim_purge_day(session, now=moment))
    assert claims == [True, False, True, False]


def test_two_dispatchers_claiming_at_the_same_moment_run_the_purge_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:  # yesterday's run: the row exists, so both race on the update
        assert claim_purge_day(session, now=NOW - timedelta(days=1))
    results: list[bool] = []
    first = sessions()
    first.begin()
    results.append(claim_purge_day(first, now=NOW))

    def second() -> None:
        with sessions.begin() as session:
            results.append(claim_purge_day(session, now=NOW))

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.2)  # let the second claim reach the row while the first is still uncommitted
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert results == [True, False]
