"""The vacancy pages: list, create and edit (problems next to fields), fill with a confirmation, templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState
from scheduler.models import AuditEvent, Delivery, JobAdTemplate, Role, User, Vacancy, VacancyStatus
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_post
from tests.web.conftest import NOW, Browser, text_of
from web import vacancies

S = DeliveryState
FORM = {"title": "Koch", "location": "Wien", "country": "AT", "language": "de", "employment_type": "FULL_TIME",
        "salary_min": "2450", "salary_period": "MONTH", "overpay": "y", "salary_statement": "", "description": "",
        "apply_url": "https://karriere.acme.at/jobs/1", "valid_through": "2026-06-30", "hiring_manager": "0",
        "repost_every_days": "7", "reference": ""}


@pytest.fixture(autouse=True)
def _registered(app: Flask) -> None:
    # Until web/__init__.py registers the blueprint, the tests do it (before the first request).
    if "vacancies" not in app.blueprints:
        app.register_blueprint(vacancies.bp)


def _vacancy(db: sessionmaker[Session], **values: object) -> int:
    with db.begin() as session:
        vacancy = Vacancy(**{"title": "Koch (m/w/d)", "location": "Wien", **values})
        session.add(vacancy)
        session.flush()
        return vacancy.id


def _scheduled(db: sessionmaker[Session], vacancy_id: int, states: list[S]) -> list[int]:
    with db.begin() as session:
        post = make_post(session, vacancy_id=vacancy_id)
        channel = make_channel(session)
        return [make_delivery(session, post=post, channel=channel, state=state,
                              due_at=NOW + timedelta(days=i + 1)).id for i, state in enumerate(states)]


def test_creating_a_vacancy_stores_it_and_converts_valid_through_to_the_end_of_that_local_day(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    recruiter = login_as(Role.RECRUITER)
    response = browser.post("/vacancies/new", FORM)
    assert response.status_code == 303
    with db() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        assert (vacancy.title, vacancy.salary_min, vacancy.overpay, vacancy.created_by_id) == ("Koch", 2450, True,
                                                                                               recruiter.id)
        assert vacancy.valid_through == datetime(2026, 6, 30, 21, 59, tzinfo=UTC)  # 23:59 CEST
        assert vacancy.repost_every_days == 7
    assert response.headers["Location"].endswith(f"/vacancies/{vacancy.id}")


def test_bad_input_is_shown_next_to_each_field_and_everything_typed_is_kept(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MANAGER)
    response = browser.post("/vacancies/new", {**FORM, "title": "", "apply_url": "karriere.acme.at",
                                               "valid_through": "2026-02-01", "repost_every_days": "abc",
                                               "description": "Kochen mit Freude"})
    page = text_of(response)
    assert response.status_code == 422
    assert 'id="title-problems"' in page and "Enter the job title." in page
    assert 'id="apply_url-problems"' in page and "must start with https://" in page
    assert 'id="repost_every_days-problems"' in page and "Enter a whole number." in page
    assert 'value="karriere.acme.at"' in page and "Kochen mit Freude" in page
    response = browser.post("/vacancies/new", {**FORM, "valid_through": "2026-02-01"})
    assert response.status_code == 422 and "must lie in the future" in text_of(response)
    with db() as session:
        assert session.scalar(select(func.count(Vacancy.id))) == 0


def test_editing_keeps_an_unchanged_past_valid_through(browser: Browser, login_as: Callable[..., User],
                                                      db: sessionmaker[Session]) -> None:
    past = datetime(2026, 2, 27, 22, 59, tzinfo=UTC)  # 2026-02-27 23:59 CET, before the app's clock
    vacancy_id = _vacancy(db, valid_through=past)
    login_as(Role.ADMIN)
    form = text_of(browser.get(f"/vacancies/{vacancy_id}/edit"))
    assert 'value="2026-02-27"' in form
    response = browser.post(f"/vacancies/{vacancy_id}/edit", {**FORM, "valid_through": "2026-02-27",
                                                              "location": "Graz"})
    assert response.status_code == 303
    with db() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None and (vacancy.location, vacancy.valid_through) == ("Graz", past)


def test_the_list_filters_by_status_and_counts_posts_and_pending_deliveries(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    open_id = _vacancy(db, title="Offene Stelle")
    filled_id = _vacancy(db, title="Besetzte Stelle", status=VacancyStatus.FILLED)
    _scheduled(db, open_id, [S.SCHEDULED, S.PUBLISHED, S.DRAFT])
    login_as(Role.MARKETER)
    page = text_of(browser.get("/vacancies/"))
    assert "Offene Stelle" in page and "Besetzte Stelle" not in page
    row = page[page.index(f'id="vacancy-{open_id}"'):]
    assert "<td data-label=\"Posts\" data-posts>1</td>" in row
    assert "<td data-label=\"Pending deliveries\" data-pending>2</td>" in row
    assert 'data-count="open">1<' in page and 'data-count="filled">1<' in page and 'data-count="all">2<' in page
    filled = text_of(browser.get("/vacancies/?status=filled"))
    assert f'id="vacancy-{filled_id}"' in filled and "Offene Stelle" not in filled
    assert "New vacancy" not in page  # marketers only read


def test_marking_filled_asks_first_with_the_count_then_cancels(browser: Browser, login_as: Callable[..., User],
                                                               db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db)
    ids = _scheduled(db, vacancy_id, [S.SCHEDULED, S.SCHEDULED, S.AWAITING_APPROVAL, S.PUBLISHED])
    login_as(Role.RECRUITER)
    detail = text_of(browser.get(f"/vacancies/{vacancy_id}"))
    assert f'href="/compose?vacancy={vacancy_id}"' in detail and "Create job ads" in detail
    confirm = browser.post(f"/vacancies/{vacancy_id}/status", {"status": "filled"})
    assert confirm.status_code == 200 and "3 scheduled posts will be cancelled." in text_of(confirm)
    with db() as session:
        assert session.get(Vacancy, vacancy_id).status is VacancyStatus.OPEN  # type: ignore[union-attr]
    done = browser.post(f"/vacancies/{vacancy_id}/status", {"status": "filled", "confirm": "yes"})
    assert done.status_code == 303
    with db() as session:
        assert session.get(Vacancy, vacancy_id).status is VacancyStatus.FILLED  # type: ignore[union-attr]
        states = [session.get(Delivery, i).state for i in ids]  # type: ignore[union-attr]
        assert states == [S.CANCELLED, S.CANCELLED, S.CANCELLED, S.PUBLISHED]
    page = text_of(browser.get(f"/vacancies/{vacancy_id}"))
    assert "3 scheduled posts were cancelled." in page and "Reopen" in page and "Create job ads" not in page


def test_reopening_needs_no_confirmation(browser: Browser, login_as: Callable[..., User],
                                         db: sessionmaker[Session]) -> None:
    vacancy_id = _vacancy(db, status=VacancyStatus.CLOSED)
    login_as(Role.ADMIN)
    assert browser.post(f"/vacancies/{vacancy_id}/status", {"status": "open"}).status_code == 303
    with db() as session:
        assert session.get(Vacancy, vacancy_id).status is VacancyStatus.OPEN  # type: ignore[union-attr]


@pytest.mark.parametrize(("role", "read", "manage", "templates"), [
    (Role.ADMIN, 200, 200, 200), (Role.RECRUITER, 200, 200, 403), (Role.MANAGER, 200, 200, 403),
    (Role.MARKETER, 200, 403, 403), (Role.VIEWER, 200, 403, 403), (Role.AMBASSADOR, 403, 403, 403),
])
def test_roles(browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], role: Role, read: int,
               manage: int, templates: int) -> None:
    vacancy_id = _vacancy(db)
    login_as(role)
    assert browser.get("/vacancies/").status_code == read
    assert browser.get(f"/vacancies/{vacancy_id}").status_code == read
    assert browser.get("/vacancies/new").status_code == manage
    assert browser.get(f"/vacancies/{vacancy_id}/edit").status_code == manage
    assert browser.post(f"/vacancies/{vacancy_id}/status", {"status": "filled", "confirm": "yes"}).status_code in (
        {303} if manage == 200 else {manage})
    assert browser.get("/vacancies/templates").status_code == templates
    assert browser.post("/vacancies/templates/de/x", {"de-x-body": "{title}"}).status_code in (
        {303} if templates == 200 else {templates})


def test_unknown_vacancies_are_404(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    assert browser.get("/vacancies/999").status_code == 404
    assert browser.post("/vacancies/999/status", {"status": "filled"}).status_code == 404
    assert browser.post("/vacancies/templates/fr/x", {"fr-x-body": "{title}"}).status_code == 404


def test_the_templates_page_seeds_defaults_and_previews_each(browser: Browser, login_as: Callable[..., User],
                                                            db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    page = text_of(browser.get("/vacancies/templates"))
    with db() as session:
        assert session.scalar(select(func.count(JobAdTemplate.id))) == 2 * len(Network)
    preview = page[page.index('id="template-de-linkedin-preview"'):]
    assert "Wir suchen: Softwareentwickler (m/w/d)" in preview
    assert "Mindestgehalt laut Kollektivvertrag: € 3.200 brutto/Monat, Bereitschaft zur Überzahlung." in preview
    assert 'id="template-en-x-preview"' in page


def test_a_template_with_an_unknown_placeholder_is_refused_and_kept(browser: Browser, login_as: Callable[..., User],
                                                                   db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    browser.get("/vacancies/templates")
    response = browser.post("/vacancies/templates/de/x", {"de-x-body": "Neu: {titel} {apply_url}"})
    page = text_of(response)
    assert response.status_code == 422
    assert 'id="de-x-body-problems"' in page and "{titel} is not a placeholder" in page
    assert "Neu: {titel} {apply_url}</textarea>" in page
    ok = browser.post("/vacancies/templates/de/x", {"de-x-body": "Neu: {title} {apply_url}"})
    assert ok.status_code == 303
    with db() as session:
        body = session.scalar(select(JobAdTemplate.body).where(JobAdTemplate.language == "de",
                                                               JobAdTemplate.network == Network.X))
        assert body == "Neu: {title} {apply_url}"
        assert session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == "jobad_template.saved")) == 1
