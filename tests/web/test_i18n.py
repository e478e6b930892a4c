"""German and English pages: the catalogue is complete and current, the language follows the user or the browser."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Channel, Role, User
from tests.factories import make_channel, make_delivery
from tests.web.conftest import Browser, text_of
from web.filters import local_time, number

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
GERMAN = TRANSLATIONS / "de" / "LC_MESSAGES"
DUE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST in Vienna, four weeks after the app's clock


def _catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def _translated(catalog: Catalog, context: str | None, msgid: str) -> bool:
    found = catalog.get(msgid, context)
    if found is None:
        return False
    forms = [found.string] if isinstance(found.string, str) else list(found.string or ())
    return bool(forms) and all(form.strip() for form in forms)


@pytest.fixture(scope="module")
def german() -> Catalog:
    """The German catalogue."""
    return _catalog(GERMAN / "messages.po")


def test_every_message_has_a_german_translation_and_none_is_fuzzy(german: Catalog) -> None:
    template = _catalog(TRANSLATIONS / "messages.pot")
    untranslated = sorted(repr(key) for key in _keys(template) if not _translated(german, *key))
    fuzzy = sorted(repr(m.id) for m in german if m.id and m.fuzzy)
    assert not untranslated, "not translated into German:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy German translations (check and remove the flag):\n" + "\n".join(fuzzy)
    assert german.num_plurals == 2 and not german.fuzzy


def test_german_translations_keep_every_placeholder(german: Catalog) -> None:
    problems = [f"{message.id!r}: {error}" for message, errors in german.check() for error in errors]
    assert not problems, "\n".join(problems)


def test_the_template_lists_exactly_the_messages_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)
    in_code, in_template = _keys(_catalog(fresh)), _keys(_catalog(TRANSLATIONS / "messages.pot"))
    new = "\n".join(sorted(repr(key) for key in in_code - in_template))
    gone = "\n".join(sorted(repr(key) for key in in_template - in_code))
    assert in_code == in_template, (f"run scripts/update-translations.sh and translate the new messages.\n"
                                    f"New in the code:\n{new}\nNo longer in the code:\n{gone}")


def test_the_german_catalogue_is_compiled() -> None:
    compiled, source = GERMAN / "messages.mo", GERMAN / "messages.po"
    assert compiled.exists(), "run `make install` (pybabel compile -d web/translations)"
    assert compiled.stat().st_mtime >= source.stat().st_mtime, "messages.mo is older than messages.po: `make install`"


@pytest.mark.parametrize(("accept", "lang", "heading"), [
    ("de-AT,de;q=0.9,en;q=0.5", "de", "Anmelden"),
    ("en-GB,en;q=0.9,de;q=0.3", "en", "Log in"),
    ("fr-FR,fr;q=0.9", "de", "Anmelden"),  # neither language offered: German
    (None, "de", "Anmelden"),
])
def test_the_login_page_speaks_the_browsers_language(app: Flask, accept: str | None, lang: str, heading: str) -> None:
    client = app.test_client()  # a bare client: no Accept-Language unless the case sends one
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    page = text_of(client.get("/login", headers={"Accept-Language": accept} if accept else {}))
    assert f'<html lang="{lang}">' in page and f"<h1>{heading}</h1>" in page


def test_a_failed_login_is_explained_in_german(browser: Browser, add_user: Callable[..., User]) -> None:
    browser.refresh_token("/login")
    response = browser.post("/login", {"email": "nobody@example.com", "password": "wrong"},
                            headers={"Accept-Language": "de"})
    assert "E-Mail-Adresse oder Passwort ist falsch." in text_of(response)


@pytest.fixture
def channel(db: sessionmaker[Session]) -> Channel:
    """A connected X channel with a delivery due at DUE."""
    with db.begin() as session:
        channel = make_channel(session, name="ACME Careers", handle="careers")
        make_delivery(session, channel=channel, due_at=DUE)
        return channel


def test_a_german_user_sees_german_pages_and_dates(browser: Browser, login_as: Callable[..., User],
                                                   channel: Channel) -> None:
    login_as(Role.RECRUITER, locale="de")
    deliveries = text_of(browser.get("/deliveries", headers={"Accept-Language": "en"}))  # the user's choice wins
    assert '<html lang="de">' in deliveries and ">Zustellungen</a>" in deliveries
    assert ">30.03.2026, 09:00 MESZ</time>" in deliveries and "Geplant</span>" in deliveries
    compose = text_of(browser.get("/compose"))
    assert "Jetzt veröffentlichen" in compose and "Zu einem Datum und einer Uhrzeit" in compose
    response = browser.post("/compose", {"text": "Wir suchen Verstärkung (m/w/d).", "kind": "product_news",
                                         "channels": [str(channel.id)], "when": "later", "date": "2026-03-31",
                                         "time": "10:30"})
    assert response.status_code == 303
    assert "Geplant für 31.03.2026, 10:30 MESZ auf 1 Kanal." in text_of(browser.get("/deliveries"))


def test_german_plurals_and_form_errors(browser: Browser, login_as: Callable[..., User],
                                        db: sessionmaker[Session]) -> None:
    login_as(Role.RECRUITER, locale="de")
    with db.begin() as session:
        chosen = [str(make_channel(session).id), str(make_channel(session).id)]
    refused = browser.post("/compose", {"text": "Hallo", "kind": "product_news", "channels": chosen,
                                        "when": "later", "date": "2026-03-29", "time": "02:30"})
    assert refused.status_code == 422 and "In dieser Nacht werden die Uhren vorgestellt" in text_of(refused)
    browser.post("/compose", {"text": "Hallo", "kind": "product_news", "channels": chosen, "when": "later",
                              "date": "2026-12-01", "time": "08:00"})
    assert "Geplant für 01.12.2026, 08:00 MEZ auf 2 Kanälen." in text_of(browser.get("/deliveries"))


def test_an_english_user_sees_english_pages_and_dates(browser: Browser, login_as: Callable[..., User],
                                                      channel: Channel) -> None:
    login_as(Role.RECRUITER, locale="en")
    deliveries = text_of(browser.get("/deliveries", headers={"Accept-Language": "de"}))
    assert '<html lang="en">' in deliveries and ">Deliveries</a>" in deliveries
    assert ">2026-03-30 09:00 CEST</time>" in deliveries
    assert "Publish now" in text_of(browser.get("/compose"))


@pytest.mark.parametrize(("language", "vienna", "utc", "amount"), [
    ("de", "30.03.2026, 09:00 MESZ", "30.03.2026, 07:00 UTC", "1.234,5"),
    ("en", "2026-03-30 09:00 CEST", "2026-03-30 07:00 UTC", "1,234.5"),
])
def test_dates_and_numbers_follow_the_language(app: Flask, language: str, vienna: str, utc: str,
                                               amount: str) -> None:
    with app.test_request_context(headers={"Accept-Language": language}):
        assert local_time(DUE, "Europe/Vienna") == vienna
        assert local_time(DUE, "UTC") == utc
        assert local_time(None) == ""
        assert number(1234.5) == amount
