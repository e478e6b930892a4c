"""The lead-form settings page: the embed code for everyone who works leads, the settings for admins."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from scheduler.lead_settings import LeadFormSettings, lead_form_settings
from scheduler.models import Role, User
from tests.web.conftest import Browser, text_of
from web.lead_settings import embed_code

GOOD = {"frame_ancestors": "https://www.acme.at\nhttps://shop.acme.at", "merge_window_days": "14",
        "consent_de": "Ich willige ein.", "consent_en": ""}


def test_the_embed_code_names_the_form_and_passes_on_utm_values() -> None:
    code = embed_code("https://postillon.acme.at/forms/lead?lang=de", "Kontakt")
    assert '<iframe id="postillon-lead-form" src="https://postillon.acme.at/forms/lead?lang=de" title="Kontakt"' in code
    assert all(key in code for key in ("utm_source", "utm_medium", "utm_campaign", "utm_content"))


def test_a_marketer_sees_the_embed_code_and_a_warning_but_no_settings_form(
        browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MARKETER)
    page = text_of(browser.get("/settings/lead-form/"))
    assert "http://127.0.0.1:8000/forms/lead?lang=de" in page and "&lt;iframe" in page
    assert 'id="no-embedding-site"' in page
    assert 'name="frame_ancestors"' not in page


def test_an_admin_saves_the_settings(browser: Browser, login_as: Callable[..., User],
                                     db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/settings/lead-form/", GOOD)
    assert response.status_code == 303
    page = text_of(browser.get(response.headers["Location"]))
    assert "The lead form settings are saved." in page and "https://www.acme.at, https://shop.acme.at" in page
    with db() as session:
        assert lead_form_settings(session) == LeadFormSettings(
            ("https://www.acme.at", "https://shop.acme.at"), 14, {"de": "Ich willige ein."})


def test_bad_settings_are_shown_again_with_what_was_typed(browser: Browser, login_as: Callable[..., User],
                                                          db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    for changes, message in (({"frame_ancestors": "https://www.acme.at/kontakt"}, "without a path"),
                             ({"merge_window_days": "a week"}, "Enter a whole number."),
                             ({"merge_window_days": "0"}, "from 1 to 365")):
        response = browser.post("/settings/lead-form/", {**GOOD, **changes})
        page = text_of(response)
        assert response.status_code == 422 and message in page
        assert "Ich willige ein.</textarea>" in page
    with db() as session:
        assert lead_form_settings(session) == LeadFormSettings()
