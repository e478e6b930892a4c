"""The privacy page: admins find, export and erase a person's data; retention settings; the last purge."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.cv import CV_DIR, store_cv
from scheduler.models import Application, ApplicationStage, AuditEvent, CompanySetting, Lead, Role, User, Vacancy
from scheduler.privacy_settings import privacy_settings
from scheduler.retention import purge_expired
from tests.cvfiles import pdf_bytes
from tests.web.conftest import NOW, Browser, services_of, text_of

PAGE = "/privacy-requests/"
SETTINGS = {"applicant_months": "6", "talent_pool_months": "12", "lead_months": "36",
            "company_name": "ACME GmbH", "company_address": "Ring 1\n1010 Wien",
            "privacy_contact_email": "datenschutz@acme.at"}


def _anna(app: Flask, *, rejected_days_ago: int = 30) -> dict[str, int]:
    """Add Anna's application with a CV (rejected ``rejected_days_ago``) and her lead."""
    data_dir = Path(services_of(app).settings.data_dir)
    cv = store_cv(data_dir, pdf_bytes(), "Lebenslauf.pdf", max_bytes=10**6)
    with services_of(app).sessions.begin() as session:
        vacancy = Vacancy(title="Koch (m/w/d)", location="Wien")
        session.add(vacancy)
        session.flush()
        application = Application(vacancy_id=vacancy.id, name="Anna Muster", email="anna@example.at",
                                  message="Hallo", cv_key=cv.key, cv_filename="Lebenslauf.pdf",
                                  cv_mime=cv.mime_type, received_at=NOW - timedelta(days=60),
                                  stage=ApplicationStage.REJECTED, rejected_at=NOW - timedelta(days=rejected_days_ago))
        lead = Lead(name="Anna Muster", company="Muster e.U.", email="anna@example.at", email_key="anna@example.at",
                    last_submitted_at=NOW)
        session.add_all([application, lead])
        session.flush()
        return {"application": application.id, "lead": lead.id}


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.MARKETER, Role.MANAGER, Role.AMBASSADOR, Role.VIEWER])
def test_only_admins_reach_the_privacy_pages(app: Flask, browser: Browser, login_as: Callable[..., User],
                                             role: Role, db: sessionmaker[Session]) -> None:
    ids = _anna(app)
    login_as(role)
    assert browser.get(PAGE).status_code == 403
    for path in ("", "export", "erase"):
        assert browser.post(PAGE + path, {"email": "anna@example.at", "confirm": "yes"}).status_code == 403
    assert browser.post(PAGE + "settings", SETTINGS).status_code == 403
    with db() as session:
        assert session.get_one(Application, ids["application"]).anonymized_at is None
        assert session.scalar(select(CompanySetting).where(CompanySetting.key == "company_name")) is None


def test_an_admin_sees_what_is_stored_under_an_address(app: Flask, browser: Browser,
                                                       login_as: Callable[..., User]) -> None:
    ids = _anna(app)
    login_as(Role.ADMIN)
    html = text_of(browser.get(PAGE))
    assert 'action="/privacy-requests/"' in html and "The daily purge has not run yet." in html
    response = browser.post(PAGE, {"email": "  ANNA@example.at "})
    html = text_of(response)
    assert response.status_code == 200
    assert "1 application, 1 lead, 1 CV file." in html
    assert f'id="application-{ids["application"]}"' in html and f'id="lead-{ids["lead"]}"' in html
    assert "Koch (m/w/d)" in html and "Muster e.U." in html
    assert 'name="email" value="anna@example.at"' in html  # the download and erase forms carry it


def test_an_incomplete_address_is_refused_and_kept(app: Flask, browser: Browser,
                                                   login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    for path in ("", "export", "erase"):
        response = browser.post(PAGE + path, {"email": "anna"})
        html = text_of(response)
        assert response.status_code == 422
        assert "Enter one complete e-mail address" in html and 'value="anna"' in html


def test_the_download_is_a_dated_json_attachment_and_is_audited_without_the_address(
        app: Flask, browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    ids = _anna(app)
    admin = login_as(Role.ADMIN)
    response = browser.post(PAGE + "export", {"email": "anna@example.at"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="personal-data-2026-03-01.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert [row["id"] for row in data["applications"]] == [ids["application"]]
    assert data["applications"][0]["vacancy"]["title"] == "Koch (m/w/d)"
    assert [row["company"] for row in data["leads"]] == ["Muster e.U."]
    with db() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.exported")).one()
    assert event.user_id == admin.id
    assert event.detail == f"application:{ids['application']},lead:{ids['lead']}"
    assert "anna" not in event.subject + event.detail


def test_erasure_asks_first_saying_what_goes_then_removes_it(app: Flask, browser: Browser,
                                                              login_as: Callable[..., User],
                                                              db: sessionmaker[Session]) -> None:
    ids = _anna(app, rejected_days_ago=300)
    login_as(Role.ADMIN)
    asked = browser.post(PAGE + "erase", {"email": "anna@example.at"})
    html = text_of(asked)
    assert asked.status_code == 200
    assert "1 application and 1 lead" in html and "1 CV file" in html and "cannot be undone" in html
    assert 'name="confirm" value="yes"' in html and 'id="in-retention"' not in html
    with db() as session:
        assert session.get_one(Application, ids["application"]).anonymized_at is None
    done = browser.post(PAGE + "erase", {"email": "anna@example.at", "confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"].endswith(PAGE)
    assert "Erased: 1 application and 1 lead anonymized, 1 CV file deleted." in text_of(browser.get(PAGE))
    with db() as session:
        application = session.get_one(Application, ids["application"])
        lead = session.get_one(Lead, ids["lead"])
        assert (application.name, application.email, application.anonymized_at) == ("", "", NOW)
        assert (lead.name, lead.company, lead.anonymized_at) == ("", "", NOW)
    assert list((Path(services_of(app).settings.data_dir) / CV_DIR).iterdir()) == []


def test_erasure_warns_while_an_application_is_within_its_retention_period(app: Flask, browser: Browser,
                                                                           login_as: Callable[..., User]) -> None:
    _anna(app, rejected_days_ago=30)
    login_as(Role.ADMIN)
    html = text_of(browser.post(PAGE + "erase", {"email": "anna@example.at"}))
    assert 'id="in-retention"' in html and "Art. 17(3)(e)" in html


def test_erasing_an_unknown_address_says_so_and_changes_nothing(app: Flask, browser: Browser,
                                                                login_as: Callable[..., User],
                                                                db: sessionmaker[Session]) -> None:
    _anna(app)
    login_as(Role.ADMIN)
    response = browser.post(PAGE + "erase", {"email": "nobody@example.at", "confirm": "yes"})
    assert response.status_code == 303
    assert "Nothing is stored under this e-mail address." in text_of(browser.get(PAGE))
    with db() as session:
        assert session.scalar(select(Application.name)) == "Anna Muster"


def test_an_admin_saves_the_privacy_settings(browser: Browser, login_as: Callable[..., User],
                                             db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    response = browser.post(PAGE + "settings", SETTINGS)
    assert response.status_code == 303
    with db() as session:
        stored = privacy_settings(session)
        raw = session.get_one(CompanySetting, "retention_applicant_months").value
    assert (stored.applicant_months, stored.talent_pool_months, stored.lead_months) == (6, 12, 36)
    assert (stored.company_name, stored.company_address, stored.privacy_contact_email) == \
        ("ACME GmbH", "Ring 1\n1010 Wien", "datenschutz@acme.at")
    assert json.loads(raw) == 6
    html = text_of(browser.get(PAGE))
    assert "Privacy settings saved." in html and 'value="36"' in html and "datenschutz@acme.at" in html


@pytest.mark.parametrize(("field", "value", "message"), [
    ("applicant_months", "0", "Enter a number of months from 1 to 120."),
    ("talent_pool_months", "121", "Enter a number of months from 1 to 120."),
    ("lead_months", "zwei", "Enter a number of months from 1 to 120."),
    ("applicant_months", "", "Enter a number of months from 1 to 120."),
    ("privacy_contact_email", "datenschutz", "Enter an e-mail address like datenschutz@example.at."),
])
def test_bad_settings_are_refused_with_the_values_kept(browser: Browser, login_as: Callable[..., User],
                                                       db: sessionmaker[Session], field: str, value: str,
                                                       message: str) -> None:
    login_as(Role.ADMIN)
    response = browser.post(PAGE + "settings", {**SETTINGS, field: value})
    html = text_of(response)
    assert response.status_code == 422
    assert message in html and 'aria-invalid="true"' in html
    assert f'value="{value}"' in html and "ACME GmbH" in html
    with db() as session:
        assert session.scalars(select(CompanySetting)).all() == []


def test_the_last_purge_and_its_counts_are_shown(app: Flask, browser: Browser, login_as: Callable[..., User],
                                                 db: sessionmaker[Session]) -> None:
    _anna(app, rejected_days_ago=400)
    with db.begin() as session:
        purge_expired(session, now=NOW - timedelta(hours=3), data_dir=services_of(app).settings.data_dir)
    login_as(Role.ADMIN)
    html = text_of(browser.get(PAGE))
    assert "The daily purge last ran at 2026-03-01 10:00 CET: 1 application and 0 leads anonymized, " \
           "1 CV file deleted, 0 visitor hashes cleared." in html
