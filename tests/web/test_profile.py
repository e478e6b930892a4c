"""The profile page: each user picks the language and the time zone; bad choices are refused with 422."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import Settings
from scheduler.models import AuditEvent, Role, User
from tests.factories import make_delivery
from tests.web.conftest import Browser, build_app, services_of, text_of
from web import profile


@pytest.fixture
def app(web_settings: Settings) -> Iterator[Flask]:
    """The app with the profile page, its clock at NOW."""
    app = build_app(web_settings)
    if "profile" not in app.blueprints:  # until web.create_app registers it
        app.register_blueprint(profile.bp)
    yield app
    services_of(app).engine.dispose()


def _stored(db: sessionmaker[Session], user_id: int) -> tuple[str, str]:
    with db() as session:
        found = session.get_one(User, user_id)
        return found.locale, found.tz_name


def test_the_profile_shows_the_current_choices(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.VIEWER, locale="en", tz_name="Europe/Zurich")
    page = text_of(browser.get("/profile"))
    assert '<input checked id="locale-1" name="locale" type="radio" value="en">' in page
    assert '<option selected value="Europe/Zurich">' in page
    assert 'lang="de">Deutsch</label>' in page and '<option value="Europe/Vienna">' in page


def test_a_user_switches_to_german_and_another_zone(browser: Browser, login_as: Callable[..., User],
                                                    db: sessionmaker[Session]) -> None:
    user = login_as(Role.VIEWER, locale="en")
    with db.begin() as session:
        make_delivery(session, due_at=datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    response = browser.post("/profile", {"locale": "de", "tz_name": "Europe/London"})
    assert response.status_code == 303 and response.headers["Location"] == "/profile"
    assert _stored(db, user.id) == ("de", "Europe/London")
    page = text_of(browser.get("/profile"))
    assert '<html lang="de">' in page and "Ihre Einstellungen sind gespeichert." in page
    assert ">30.03.2026, 08:00 BST</time>" in text_of(browser.get("/deliveries"))
    with db() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "profile.update")).one()
        assert (event.user_id, event.subject) == (user.id, f"user:{user.id}")
        assert event.detail == "locale: en -> de; tz_name: Europe/Vienna -> Europe/London"


def test_a_user_switches_back_to_english(browser: Browser, login_as: Callable[..., User],
                                         db: sessionmaker[Session]) -> None:
    user = login_as(Role.MARKETER, locale="de")
    browser.post("/profile", {"locale": "en", "tz_name": "Europe/Vienna"})
    assert _stored(db, user.id) == ("en", "Europe/Vienna")
    assert "Your settings are saved." in text_of(browser.get("/profile"))


@pytest.mark.parametrize(("data", "problem"), [
    ({"locale": "en", "tz_name": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
    ({"locale": "en", "tz_name": "Europe/Nowhere"}, "Choose a time zone from the list."),
    ({"locale": "fr", "tz_name": "Europe/Berlin"}, "Choose Deutsch or English."),
    ({"tz_name": "Europe/Berlin"}, "Choose Deutsch or English."),
])
def test_a_choice_off_the_lists_is_refused_and_nothing_changes(browser: Browser, login_as: Callable[..., User],
                                                               db: sessionmaker[Session], data: dict[str, str],
                                                               problem: str) -> None:
    user = login_as(Role.ADMIN, locale="en")
    response = browser.post("/profile", data)
    page = text_of(response)
    assert response.status_code == 422 and problem in page and 'class="problems"' in page
    assert _stored(db, user.id) == ("en", "Europe/Vienna")
    if data.get("tz_name") == "Europe/Berlin":  # what the user typed stays chosen
        assert '<option selected value="Europe/Berlin">' in page


def test_a_zone_outside_the_common_list_stays_available(browser: Browser, login_as: Callable[..., User],
                                                        db: sessionmaker[Session]) -> None:
    user = login_as(Role.VIEWER, tz_name="America/Anchorage")
    assert '<option selected value="America/Anchorage">' in text_of(browser.get("/profile"))
    assert browser.post("/profile", {"locale": "en", "tz_name": "America/Anchorage"}).status_code == 303
    assert browser.post("/profile", {"locale": "en", "tz_name": "America/Adak"}).status_code == 422
    assert _stored(db, user.id) == ("en", "America/Anchorage")


def test_the_profile_needs_a_login(browser: Browser) -> None:
    response = browser.get("/profile")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
