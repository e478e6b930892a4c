"""The careers site: vacancy list and pages with JSON-LD, the job feed, the apply form (UTM, CV, consent), privacy."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from scheduler.config import Settings
from scheduler.cv import PDF_MIME, cv_path
from scheduler.models import Application, CompanySetting, Vacancy, VacancyStatus
from scheduler.networks import Network
from tests.cvfiles import docm_bytes, pdf_bytes, png_bytes
from tests.factories import make_channel, make_delivery
from tests.web.conftest import NOW, build_app, services_of, text_of

#: A small CV limit keeps the too-large tests quick; the real default is 10 MB.
CV_LIMIT = 64 * 1024
_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def app(web_settings: Settings) -> Iterator[Flask]:
    """The app with a small CV limit and no minimum fill time for public forms."""
    from dataclasses import replace

    app = build_app(replace(web_settings, max_cv_bytes=CV_LIMIT, base_url="https://jobs.acme.at"))
    app.config["PUBLIC_FORM_MIN_FILL_S"] = 0
    yield app
    services_of(app).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A visitor's browser (English), never logged in."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _vacancy(db: sessionmaker[Session], **values: Any) -> int:
    fields: dict[str, Any] = {"title": "Köchin", "location": "Wien", "description": "Du kochst für 200 Gäste.",
                              "salary_min": 2450, "valid_through": NOW + timedelta(days=30),
                              "created_at": NOW - timedelta(days=3), **values}
    with db.begin() as session:
        vacancy = Vacancy(**fields)
        session.add(vacancy)
        session.flush()
        return vacancy.id


def _token(client: FlaskClient, vacancy_id: int) -> str:
    found = _TOKEN.search(text_of(client.get(f"/careers/{vacancy_id}/apply")))
    assert found, "no form token on the apply page"
    return found.group(1)


def _apply(client: FlaskClient, vacancy_id: int, cv: tuple[bytes, str] | None = None,
           **changes: str) -> TestResponse:
    form: dict[str, Any] = {"form_token": _token(client, vacancy_id), "name": "Anna Muster",
                            "email": "anna@example.at", "message": "Ich koche gern.", "privacy": "y", "website": "",
                            **changes}
    if cv is not None:
        form["cv"] = (io.BytesIO(cv[0]), cv[1])
    return client.post(f"/careers/{vacancy_id}/apply", data=form, content_type="multipart/form-data")


def _stored(db: sessionmaker[Session]) -> int:
    with db() as session:
        return int(session.scalar(select(func.count(Application.id))) or 0)


def _cv_files(app: Flask) -> list[Path]:
    folder = services_of(app).settings.data_path / "cv"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_list_shows_open_vacancies_only_and_carries_the_utm_values_on(client: FlaskClient,
                                                                          db: sessionmaker[Session]) -> None:
    open_id = _vacancy(db)
    _vacancy(db, title="Kellner", status=VacancyStatus.FILLED)
    _vacancy(db, title="Abwäscher", valid_through=NOW - timedelta(hours=1))
    response = client.get("/careers/?utm_source=LinkedIn&utm_content=d5&other=x")
    page = text_of(response)
    assert response.status_code == 200 and "Köchin (m/w/d)" in page
    assert "Kellner" not in page and "Abwäscher" not in page
    assert f'href="/careers/{open_id}-koechin?utm_source=linkedin&amp;utm_content=d5"' in page
    assert "Set-Cookie" not in response.headers  # nothing identifies the visitor


def test_a_vacancy_page_embeds_its_job_posting_json_ld(client: FlaskClient, db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db, description="Wir kochen </script><script>alert(1)</script> frisch.")
    page = text_of(client.get(f"/careers/{vacancy_id}-koechin"))
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(found) == 1
    posting = json.loads(found[0])
    assert (posting["@type"], posting["title"], posting["url"]) == (
        "JobPosting", "Köchin (m/w/d)", f"https://jobs.acme.at/careers/{vacancy_id}-koechin")
    assert "</script><script>alert(1)" in posting["description"].replace("&lt;", "<").replace("&gt;", ">")
    assert "<script>alert(1)" not in page  # the visible description is escaped too
    assert f'href="/careers/{vacancy_id}/apply"' in page


def test_a_wrong_slug_redirects_permanently_to_the_right_address_keeping_the_query(
        client: FlaskClient, db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    response = client.get(f"/careers/{vacancy_id}-old-title?utm_source=x")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/careers/{vacancy_id}-koechin?utm_source=x"


@pytest.mark.parametrize("path", ["/careers/999-nothing", "/careers/999/apply", "/careers/999/thanks"])
def test_unknown_vacancies_are_not_found(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "There is no position at this address" in text_of(response)


@pytest.mark.parametrize("change", [{"status": VacancyStatus.FILLED}, {"valid_through": NOW - timedelta(days=1)}])
def test_a_filled_or_expired_vacancy_says_so_without_json_ld_or_form(client: FlaskClient, db: sessionmaker[Session],
                                                                    change: dict[str, Any]) -> None:
    vacancy_id = _vacancy(db, **change)
    page = text_of(client.get(f"/careers/{vacancy_id}-koechin"))
    assert "This position is no longer open" in page
    assert "application/ld+json" not in page and 'content="noindex"' in page and "/apply" not in page
    response = client.get(f"/careers/{vacancy_id}/apply")
    assert response.status_code == 410 and "This position is no longer open" in text_of(response)


def test_the_feed_lists_open_vacancies_as_parseable_xml(client: FlaskClient, db: sessionmaker[Session]) -> None:
    open_id = _vacancy(db)
    _vacancy(db, title="Kellner", status=VacancyStatus.CLOSED)
    response = client.get("/careers/feed.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    jobs = ET.fromstring(response.data).findall("job")
    assert [job.findtext("referencenumber") for job in jobs] == [f"postillon-{open_id}"]
    assert (jobs[0].findtext("url") or "").startswith(f"https://jobs.acme.at/careers/{open_id}-koechin?utm_source=")


def test_the_apply_form_carries_the_utm_values_in_hidden_fields(client: FlaskClient, db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    page = text_of(client.get(f"/careers/{vacancy_id}/apply?utm_source=X&utm_medium=social&utm_campaign=job-1"
                              "&utm_content=d42"))
    for name, value in (("utm_source", "x"), ("utm_medium", "social"), ("utm_campaign", "job-1"),
                        ("utm_content", "d42")):
        assert f'name="{name}" type="hidden" value="{value}"' in page
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "I agree that jobs.acme.at processes the details" in page


def test_applying_with_a_cv_and_utm_values_stores_an_application_attributed_to_the_delivery_and_channel(
        app: Flask, client: FlaskClient, db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    with db.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN))
        delivery_id, channel_id = delivery.id, delivery.channel_id
    response = _apply(client, vacancy_id, cv=(pdf_bytes(), "Lebenslauf Anna.pdf"), utm_source="linkedin",
                      utm_medium="social", utm_campaign="job-1-koechin", utm_content=f"d{delivery_id}")
    assert response.status_code == 303 and response.headers["Location"] == f"/careers/{vacancy_id}/thanks"
    assert "Set-Cookie" not in response.headers
    assert "Thank you for your application" in text_of(client.get(response.headers["Location"]))
    with db() as session:
        application = session.scalars(select(Application)).one()
        assert (application.vacancy_id, application.name, application.email) == (vacancy_id, "Anna Muster",
                                                                                  "anna@example.at")
        assert (application.delivery_id, application.channel_id) == (delivery_id, channel_id)
        assert (application.utm_source, application.utm_campaign) == ("linkedin", "job-1-koechin")
        assert (application.received_at, application.consented_at, application.talent_pool) == (NOW, NOW, False)
        assert application.privacy_text.startswith("I agree that jobs.acme.at processes")
        assert (application.cv_filename, application.cv_mime) == ("Lebenslauf Anna.pdf", PDF_MIME)
        assert application.cv_key is not None
        assert cv_path(services_of(app).settings.data_path, application.cv_key).read_bytes() == pdf_bytes()


def test_talent_pool_consent_stores_its_text_and_end_date(client: FlaskClient, db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    with db.begin() as session:
        session.add(CompanySetting(key="privacy_contact_email", value=json.dumps("datenschutz@acme.at")))
    assert _apply(client, vacancy_id, talent_pool="y").status_code == 303
    with db() as session:
        application = session.scalars(select(Application)).one()
        assert application.talent_pool and application.talent_pool_until == NOW.replace(year=2028)
        assert "talent pool for 24 months" in application.privacy_text
        assert "datenschutz@acme.at" in application.privacy_text


@pytest.mark.parametrize(("cv", "message"), [
    ((png_bytes(), "cv.pdf"), "Please upload your CV as a PDF or Word (.docx) file."),
    ((docm_bytes(), "cv.docx"), "Word files with macros are not accepted."),
    ((b"%PDF-1.4\n" + b"x" * CV_LIMIT, "big.pdf"), "The CV file is larger than 0.1 MB."),
])
def test_a_bad_file_is_refused_next_to_the_field_nothing_is_stored_and_the_values_stay(
        app: Flask, client: FlaskClient, db: sessionmaker[Session], cv: tuple[bytes, str], message: str) -> None:
    vacancy_id = _vacancy(db)
    response = _apply(client, vacancy_id, cv=cv, message="Meine <Nachricht> & mehr", utm_source="x",
                      utm_content="d77")
    page = text_of(response)
    assert response.status_code == 422
    assert re.search(r'<ul class="problems" id="cv-problems">\s*<li>' + re.escape(message), page)
    assert 'aria-describedby="cv-hint cv-problems"' in page and 'href="#cv"' in page
    assert 'value="Anna Muster"' in page and 'value="anna@example.at"' in page
    assert "Meine &lt;Nachricht&gt; &amp; mehr</textarea>" in page
    assert 'name="utm_content" type="hidden" value="d77"' in page and 'name="privacy" type="checkbox" value="y"' in page
    assert _stored(db) == 0 and _cv_files(app) == []


def test_missing_name_bad_email_and_no_consent_are_all_named_at_once(client: FlaskClient,
                                                                     db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    response = _apply(client, vacancy_id, cv=(pdf_bytes(), "cv.pdf"), name=" ", email="anna.example.at", privacy="")
    page = text_of(response)
    assert response.status_code == 422
    for message in ("Enter your name.", "Enter a valid e-mail address", "Please agree to the processing"):
        assert message in page
    assert "Your CV was fine, but files are not kept" in page
    assert _stored(db) == 0


@pytest.mark.parametrize("changes", [{"website": "http://spam.example"}, {"form_token": "forged"}])
def test_a_bot_or_a_forged_token_is_refused_and_nothing_is_stored(client: FlaskClient, db: sessionmaker[Session],
                                                                  changes: dict[str, str]) -> None:
    vacancy_id = _vacancy(db)
    response = _apply(client, vacancy_id, cv=None, **changes)
    assert response.status_code == 422 and "could not be sent" in text_of(response)
    assert _stored(db) == 0


def test_a_file_far_over_the_limit_gets_a_page_that_explains_it(app: Flask, client: FlaskClient,
                                                               db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    response = _apply(client, vacancy_id, cv=(b"%PDF-" + b"x" * (8 * CV_LIMIT), "huge.pdf"))
    assert response.status_code == 413 and "your entries are still there" in text_of(response)
    assert _stored(db) == 0 and _cv_files(app) == []


def test_an_external_ats_vacancy_links_there_with_the_utm_values_instead_of_the_form(
        client: FlaskClient, db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db, apply_url="https://ats.example.at/jobs/7?lang=de")
    page = text_of(client.get(f"/careers/{vacancy_id}-koechin?utm_source=xing&utm_content=d9"))
    assert 'href="https://ats.example.at/jobs/7?lang=de&amp;utm_source=xing&amp;utm_content=d9"' in page
    assert f"/careers/{vacancy_id}/apply" not in page
    response = client.get(f"/careers/{vacancy_id}/apply?utm_source=xing")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/careers/{vacancy_id}-koechin?utm_source=xing"


def test_the_privacy_page_names_the_contact_and_the_retention_periods(client: FlaskClient,
                                                                      db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add_all([CompanySetting(key="privacy_contact_email", value=json.dumps("datenschutz@acme.at")),
                         CompanySetting(key="company_name", value=json.dumps("ACME GmbH")),
                         CompanySetting(key="retention_applicant_months", value=json.dumps(6))])
    page = text_of(client.get("/privacy"))
    assert 'href="mailto:datenschutz@acme.at"' in page and "ACME GmbH" in page
    assert "6 months after the position is filled" in page and "24 months after the application" in page
    german = text_of(client.get("/privacy", headers={"Accept-Language": "de"}))
    assert '<html lang="de">' in german
