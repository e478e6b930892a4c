"""Staff application pages: the pipeline per vacancy, stage moves, CV download, who may see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.attribution import Attribution
from scheduler.cv import store_cv
from scheduler.models import Application, ApplicationStage, AuditEvent, Role, User, Vacancy
from scheduler.networks import Network
from tests.cvfiles import pdf_bytes
from tests.factories import make_channel, make_delivery
from tests.web.conftest import NOW, Browser, services_of, text_of

Stage = ApplicationStage


def _application(app: Flask, db: sessionmaker[Session], *, with_cv: bool = True, **vacancy: Any) -> tuple[int, int]:
    """Add a vacancy with one application from a LinkedIn post; return (vacancy id, application id)."""
    cv = store_cv(services_of(app).settings.data_path, pdf_bytes(), "Lebenslauf.pdf", max_bytes=10**6) \
        if with_cv else None
    with db.begin() as session:
        row = Vacancy(title="Köchin", location="Wien", **vacancy)
        session.add(row)
        session.flush()
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN, handle="acme-jobs"))
        application = Application(
            vacancy_id=row.id, name="Anna Muster", email="anna@example.at", message="Hallo", received_at=NOW,
            privacy_text="Ich willige ein.", consented_at=NOW, cv_key=cv.key if cv else None,
            cv_filename=cv.filename if cv else "", cv_mime=cv.mime_type if cv else "",
            **Attribution(utm_source="linkedin", utm_content=f"d{delivery.id}", delivery_id=delivery.id,
                          channel_id=delivery.channel_id).columns())
        session.add(application)
        session.flush()
        return row.id, application.id


def _move(browser: Browser, application_id: int, stage: Stage, reopen: bool = False) -> Any:
    data = {"stage": stage.value, **({"reopen": "yes"} if reopen else {})}
    return browser.post(f"/applications/{application_id}/stage", data)


def test_the_vacancy_list_shows_the_pipeline_counts_and_where_each_applicant_came_from(
        app: Flask, browser: Browser, db: sessionmaker[Session], login_as: Callable[..., User]) -> None:
    login_as(Role.RECRUITER)
    vacancy_id, application_id = _application(app, db)
    page = text_of(browser.get(f"/vacancies/{vacancy_id}/applications"))
    assert 'id="count-received">1</td>' in page and 'id="count-hired">0</td>' in page
    assert f'href="/applications/{application_id}"' in page and "Anna Muster" in page
    assert "LinkedIn (acme-jobs)" in page
    assert f"http://127.0.0.1:8000/careers/{vacancy_id}-koechin" in page  # the public page


def test_moving_through_the_pipeline_stamps_each_stage_and_shows_the_time_to_hire(
        app: Flask, browser: Browser, db: sessionmaker[Session], login_as: Callable[..., User]) -> None:
    recruiter = login_as(Role.RECRUITER)
    vacancy_id, application_id = _application(app, db)
    for stage in (Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED):
        response = _move(browser, application_id, stage)
        assert response.status_code == 303 and response.headers["Location"] == f"/applications/{application_id}"
    page = text_of(browser.get(f"/applications/{application_id}"))
    assert '<span class="state tone-success" id="application-stage">Hired</span>' in page
    assert 'id="time-to-hire">0 days</dd>' in page  # the app's clock stands still at NOW
    with db() as session:
        application = session.get_one(Application, application_id)
        assert (application.stage, application.hired_at, application.screening_at) == (Stage.HIRED, NOW, NOW)
        users = set(session.scalars(select(AuditEvent.user_id).where(AuditEvent.action == "application.stage")))
        assert users == {recruiter.id}
    counts = text_of(browser.get(f"/vacancies/{vacancy_id}/applications"))
    assert 'id="count-hired">1</td>' in counts and 'id="count-received">0</td>' in counts


def test_a_rejected_application_moves_only_when_reopened(app: Flask, browser: Browser, db: sessionmaker[Session],
                                                        login_as: Callable[..., User]) -> None:
    login_as(Role.MANAGER)
    _, application_id = _application(app, db)
    _move(browser, application_id, Stage.REJECTED)
    page = text_of(browser.get(f"/applications/{application_id}"))
    assert "Reopen at “Interview”" in page and 'name="reopen" value="yes"' in page
    refused = _move(browser, application_id, Stage.INTERVIEW)
    assert "This application is closed" in text_of(browser.get(refused.headers["Location"]))
    with db() as session:
        assert session.get_one(Application, application_id).stage is Stage.REJECTED
    _move(browser, application_id, Stage.INTERVIEW, reopen=True)
    with db() as session:
        application = session.get_one(Application, application_id)
        assert (application.stage, application.rejected_at) == (Stage.INTERVIEW, None)


def test_an_unknown_stage_is_a_bad_request(app: Flask, browser: Browser, db: sessionmaker[Session],
                                           login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    _, application_id = _application(app, db)
    assert browser.post(f"/applications/{application_id}/stage", {"stage": "promoted"}).status_code == 400
    assert browser.client.post(f"/applications/{application_id}/stage", data={"stage": "hired"}).status_code == 400


def test_the_cv_downloads_as_an_attachment_that_browsers_do_not_sniff(
        app: Flask, browser: Browser, db: sessionmaker[Session], login_as: Callable[..., User]) -> None:
    reader = login_as(Role.RECRUITER)
    _, application_id = _application(app, db)
    response = browser.get(f"/applications/{application_id}/cv")
    assert response.status_code == 200 and response.data == pdf_bytes()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Lebenslauf.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    with db() as session:
        assert session.scalars(select(AuditEvent.user_id).where(
            AuditEvent.action == "application.cv_downloaded")).all() == [reader.id]


def test_an_application_without_a_cv_has_no_download(app: Flask, browser: Browser, db: sessionmaker[Session],
                                                     login_as: Callable[..., User]) -> None:
    login_as(Role.RECRUITER)
    _, application_id = _application(app, db, with_cv=False)
    assert browser.get(f"/applications/{application_id}/cv").status_code == 404


@pytest.mark.parametrize("role", [Role.MARKETER, Role.VIEWER, Role.AMBASSADOR])
def test_other_roles_may_not_see_applications_or_cvs(app: Flask, browser: Browser, db: sessionmaker[Session],
                                                     login_as: Callable[..., User], role: Role) -> None:
    login_as(role)
    vacancy_id, application_id = _application(app, db)
    for path in (f"/vacancies/{vacancy_id}/applications", f"/applications/{application_id}",
                 f"/applications/{application_id}/cv"):
        assert browser.get(path).status_code == 403
    assert _move(browser, application_id, Stage.HIRED).status_code == 403


def test_the_vacancys_hiring_manager_may_see_and_move_its_applications_whatever_their_role(
        app: Flask, browser: Browser, db: sessionmaker[Session], login_as: Callable[..., User]) -> None:
    manager = login_as(Role.VIEWER)
    vacancy_id, application_id = _application(app, db, hiring_manager_id=manager.id)
    _, other_id = _application(app, db)
    assert browser.get(f"/vacancies/{vacancy_id}/applications").status_code == 200
    assert _move(browser, application_id, Stage.SCREENING).status_code == 303
    assert browser.get(f"/applications/{other_id}").status_code == 403


def test_the_vacancy_page_links_to_its_applications_and_its_public_page(
        app: Flask, browser: Browser, db: sessionmaker[Session], login_as: Callable[..., User]) -> None:
    login_as(Role.RECRUITER)
    vacancy_id, _ = _application(app, db)
    page = text_of(browser.get(f"/vacancies/{vacancy_id}"))
    assert f'href="/vacancies/{vacancy_id}/applications" id="applications-link"' in page
    assert f'href="http://127.0.0.1:8000/careers/{vacancy_id}-koechin" id="careers-page"' in page


def test_anonymised_applications_show_no_name_and_offer_no_moves(
        app: Flask, browser: Browser, db: sessionmaker[Session], login_as: Callable[..., User]) -> None:
    login_as(Role.RECRUITER)
    _, application_id = _application(app, db, with_cv=False)
    with db.begin() as session:
        application = session.get_one(Application, application_id)
        application.name, application.email, application.anonymized_at = "", "", NOW + timedelta(days=1)
    page = text_of(browser.get(f"/applications/{application_id}"))
    assert "Anonymised applicant" in page and "Move to" not in page
