"""The integrations admin page: add one and see its secret once, rotate it, switch it off and on."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Integration, Role, User
from scheduler.webhook_integrations import signing_key
from tests.web.conftest import Browser, services_of, text_of

_SECRET = re.compile(r'id="webhook-secret">([0-9a-f]{64})<')


def _integration(db: sessionmaker[Session]) -> Integration:
    with db() as session:
        return session.scalars(select(Integration)).one()


def test_a_new_integration_shows_its_secret_and_address_once(browser: Browser, login_as: Callable[..., User],
                                                             db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/settings/integrations/", {"name": "Personio", "kind": "ats"})
    page = text_of(response)
    assert response.status_code == 200
    secret = _SECRET.search(page)
    assert secret is not None
    integration = _integration(db)
    assert f"http://127.0.0.1:8000/hooks/{integration.id}" in page
    assert signing_key(services_of(browser.client.application).box, integration) == secret.group(1).encode()
    listing = text_of(browser.get("/settings/integrations/"))
    assert "Personio" in listing and secret.group(1) not in listing and "None yet" in listing


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "kind": "ats"}, "Enter a name"),
    ({"name": "Personio", "kind": "erp"}, "Choose whether it is an ATS or a CRM."),
])
def test_a_bad_integration_is_refused_with_the_values_kept(browser: Browser, login_as: Callable[..., User],
                                                           db: sessionmaker[Session], data: dict[str, str],
                                                           message: str) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/settings/integrations/", data)
    assert response.status_code == 422 and message in text_of(response)
    assert f'value="{data["name"]}"' in text_of(response) or not data["name"]
    with db() as session:
        assert session.scalars(select(Integration)).all() == []


def test_a_taken_name_is_refused(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    browser.post("/settings/integrations/", {"name": "HubSpot", "kind": "crm"})
    response = browser.post("/settings/integrations/", {"name": "hubspot", "kind": "crm"})
    assert response.status_code == 422 and "Another integration has this name." in text_of(response)


def test_rotating_shows_a_new_secret_that_replaces_the_old(browser: Browser, login_as: Callable[..., User],
                                                           db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    first = _SECRET.search(text_of(browser.post("/settings/integrations/", {"name": "CRM", "kind": "crm"})))
    integration_id = _integration(db).id
    page = text_of(browser.post(f"/settings/integrations/{integration_id}/rotate"))
    second = _SECRET.search(page)
    assert first and second and first.group(1) != second.group(1) and "the old one no longer works" in page
    assert signing_key(services_of(browser.client.application).box, _integration(db)) == second.group(1).encode()


def test_switching_off_and_on(browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    browser.post("/settings/integrations/", {"name": "CRM", "kind": "crm"})
    integration_id = _integration(db).id
    response = browser.post(f"/settings/integrations/{integration_id}/deactivate")
    assert response.status_code == 303 and _integration(db).active is False
    assert "is switched off" in text_of(browser.get(response.headers["Location"]))
    browser.post(f"/settings/integrations/{integration_id}/activate")
    assert _integration(db).active is True


def test_buttons_need_the_csrf_token(browser: Browser, login_as: Callable[..., User],
                                     db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    browser.post("/settings/integrations/", {"name": "CRM", "kind": "crm"})
    integration_id = _integration(db).id
    assert browser.client.post(f"/settings/integrations/{integration_id}/deactivate").status_code == 400
    assert _integration(db).active is True


def test_only_admins_see_the_navigation_entry(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    assert 'href="/settings/integrations/"' in text_of(browser.get("/channels/"))
