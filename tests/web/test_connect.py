"""Connecting channels through the networks' OAuth consent (real sandbox X), reconnecting, refusals, roles."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
from flask import Flask
from sqlalchemy import String, select

from adapters.registry import ADAPTERS
from scheduler.crypto import CredentialBox
from scheduler.errors import RejectedError
from scheduler.lifecycle import DeliveryState
from scheduler.models import Base, Channel, ChannelStatus, Delivery, OAuthPending, Role, User
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, ConnectedAccount, Credentials
from tests.engine_fixtures import Sandbox
from tests.factories import make_channel, make_delivery, make_user
from tests.web.conftest import KEY, NOW, Browser, build_app, services_of, text_of, web_settings_for


@pytest.fixture
def live_app(database_url: str, tmp_path: Any, sandbox: Sandbox) -> Iterator[Flask]:
    """The app with the real sandbox networks running; no client id configured (the sandbox one is used)."""
    address = urlsplit(sandbox.url)
    app = build_app(web_settings_for(database_url, tmp_path, sandbox_host=address.hostname,
                                     sandbox_port=address.port))
    yield app
    services_of(app).engine.dispose()


@pytest.fixture
def live(live_app: Flask) -> Browser:
    """A browser on the app with the sandbox running."""
    return Browser(live_app.test_client())


def _login(app: Flask, browser: Browser, role: Role = Role.ADMIN) -> User:
    with services_of(app).sessions.begin() as session:
        person = make_user(session, role=role, tz_name="Europe/Berlin")
    assert browser.login(person.email).status_code == 303
    return person


def _channels(app: Flask) -> list[Channel]:
    with services_of(app).sessions() as session:
        return list(session.scalars(select(Channel).order_by(Channel.id)))


def _consent(browser: Browser, start: str = "/connect/x", username: str = "acme_careers",
             decision: str = "allow") -> str:
    """Start the sign-in, answer the sandbox consent page as a browser would; return the callback path."""
    response = browser.post(start)
    assert response.status_code == 303, text_of(response)
    authorize = response.headers["Location"]
    page = requests.get(authorize, timeout=5)
    assert page.status_code == 200 and "Authorize app" in page.text
    back = requests.post(authorize, data={"username": username, "name": "ACME Careers", "decision": decision},
                         allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}" == "http://127.0.0.1:8000"  # settings.base_url
    return f"{callback.path}?{callback.query}"


def _text_values(app: Flask) -> list[str]:
    """Every value of every text column in the database."""
    found: list[str] = []
    with services_of(app).engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if isinstance(column.type, String)]
            if columns:
                found += [str(value) for row in connection.execute(select(*columns)) for value in row
                          if value is not None]
    return found


def test_an_admin_connects_an_x_account_through_the_consent_page(live_app: Flask, live: Browser,
                                                                 sandbox: Sandbox) -> None:
    _login(live_app, live)
    page = text_of(live.get("/channels/"))
    assert "Connect an account on X" in page
    response = live.post("/connect/x")
    authorize = urlsplit(response.headers["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{sandbox.url}/i/oauth2/authorize"
    params = parse_qs(authorize.query)
    assert params["redirect_uri"] == ["http://127.0.0.1:8000/connect/x/callback"]
    assert params["code_challenge_method"] == ["S256"] and params["client_id"] == ["postillon-sandbox"]

    response = live.get(_consent(live))
    assert response.status_code == 303 and response.headers["Location"].endswith("/channels/")
    page = text_of(live.get("/channels/"))
    assert "X (@acme_careers) is connected." in page
    [channel] = _channels(live_app)
    assert (channel.network, channel.name, channel.handle, channel.status, channel.tz_name) == (
        Network.X, "ACME Careers", "acme_careers", ChannelStatus.CONNECTED, "Europe/Berlin")
    credentials = CredentialBox([KEY]).open(channel.credentials)
    me = requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {credentials.access_token}"},
                      timeout=5)
    assert me.status_code == 200 and me.json()["data"]["username"] == "acme_careers"
    # The expiry shows in the admin's time zone; no token ever reaches a page or a text column.
    assert credentials.expires_at is not None and credentials.refresh_token
    assert credentials.expires_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M %Z") in page
    for secret in (credentials.access_token, credentials.refresh_token):
        assert secret not in page
        assert not [value for value in _text_values(live_app) if secret in value]
    # The channels page lets the forms go to the consent page (CSP form-action).
    assert sandbox.url in live.get("/channels/").headers["Content-Security-Policy"]


def test_reconnect_through_the_consent_page_resumes_waiting_deliveries(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    live.get(_consent(live))
    [channel] = _channels(live_app)
    old_token = CredentialBox([KEY]).open(channel.credentials).access_token
    with services_of(live_app).sessions.begin() as session:
        stored = session.get_one(Channel, channel.id)
        stored.status, stored.status_detail = ChannelStatus.NEEDS_RECONNECT, "X says the token was revoked."
        waiting = make_delivery(session, channel=stored, state=DeliveryState.NEEDS_RECONNECT).id
        published = make_delivery(session, channel=stored, state=DeliveryState.PUBLISHED).id
    assert f'action="/connect/reconnect/{channel.id}"' in text_of(live.get("/channels/"))

    response = live.get(_consent(live, f"/connect/reconnect/{channel.id}"))
    assert response.status_code == 303
    assert "X (@acme_careers) is connected again; 1 waiting delivery resumes." in text_of(live.get("/channels/"))
    [again] = _channels(live_app)
    assert (again.id, again.status, again.status_detail) == (channel.id, ChannelStatus.CONNECTED, "")
    assert CredentialBox([KEY]).open(again.credentials).access_token != old_token
    with services_of(live_app).sessions() as session:
        assert session.get_one(Delivery, waiting).state is DeliveryState.SCHEDULED
        assert session.get_one(Delivery, published).state is DeliveryState.PUBLISHED


def test_reconnect_as_another_account_is_refused(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    live.get(_consent(live))
    [channel] = _channels(live_app)
    with services_of(live_app).sessions.begin() as session:
        session.get_one(Channel, channel.id).status = ChannelStatus.NEEDS_RECONNECT
    live.get(_consent(live, f"/connect/reconnect/{channel.id}", username="someone_else"))
    page = text_of(live.get("/channels/"))
    assert "belongs to another account. Nothing was changed" in page
    [same] = _channels(live_app)
    assert (same.status, same.credentials) == (ChannelStatus.NEEDS_RECONNECT, channel.credentials)


def test_a_forged_state_is_refused_and_nothing_is_stored(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    callback = _consent(live)
    response = live.get(callback.replace("state=", "state=forged"))
    assert response.status_code == 400
    assert "does not belong to the sign-in started here" in text_of(response)
    assert _channels(live_app) == []
    # The attempt is used up: even the right state no longer works.
    assert live.get(callback).status_code == 400
    assert _channels(live_app) == []


def _cookie_session(app: Flask, browser: Browser) -> dict[str, Any]:
    cookie = browser.client.get_cookie("postillon_session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data: dict[str, Any] = serializer.loads(cookie.value)
    return data


def test_the_verifier_waits_on_the_server_and_the_cookie_holds_only_the_state(live_app: Flask,
                                                                             live: Browser) -> None:
    _login(live_app, live)
    state = parse_qs(urlsplit(_consent(live)).query)["state"][0]
    data = _cookie_session(live_app, live)
    assert data["oauth_state"] == state
    assert not [key for key in data if "verifier" in key or "pending" in key]
    with services_of(live_app).sessions() as session:
        [row] = session.scalars(select(OAuthPending))
    assert row.state_hash == hashlib.sha256(state.encode()).hexdigest() and row.stage == "consent"
    assert state not in row.sealed


def test_another_admins_browser_cannot_use_the_callback(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    callback = _consent(live)
    other = Browser(live_app.test_client())
    _login(live_app, other)
    response = other.get(callback)
    assert response.status_code == 400 and "does not belong to the sign-in started here" in text_of(response)
    assert _channels(live_app) == []
    # The sign-in is still there for the admin who started it.
    assert live.get(callback).status_code == 303
    assert [c.handle for c in _channels(live_app)] == ["acme_careers"]


def test_starting_again_purges_expired_sign_ins(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    _consent(live)
    live_app.extensions["postillon"] = replace(services_of(live_app), clock=lambda: NOW + timedelta(minutes=11))
    _consent(live)
    with services_of(live_app).sessions() as session:
        assert [row.created_at for row in session.scalars(select(OAuthPending))] == [NOW + timedelta(minutes=11)]


def test_a_replayed_callback_is_refused(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    callback = _consent(live)
    assert live.get(callback).status_code == 303
    [channel] = _channels(live_app)
    response = live.get(callback)
    assert response.status_code == 400 and "already used" in text_of(response)
    assert [(c.id, c.credentials) for c in _channels(live_app)] == [(channel.id, channel.credentials)]


def test_a_callback_without_a_started_sign_in_is_refused(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    response = live.get("/connect/x/callback?code=abc&state=def")
    assert response.status_code == 400 and "Start again from the channels page." in text_of(response)
    assert _channels(live_app) == []


def test_an_expired_sign_in_is_refused(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    callback = _consent(live)
    services = services_of(live_app)
    live_app.extensions["postillon"] = replace(services, clock=lambda: NOW + timedelta(minutes=10, seconds=1))
    response = live.get(callback)
    assert response.status_code == 400 and "has expired" in text_of(response)
    assert _channels(live_app) == []


def test_denial_goes_back_to_the_list_with_a_friendly_message(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    response = live.get(_consent(live, decision="deny"))
    assert response.status_code == 303
    assert "You did not allow Postillon on X, so nothing was changed." in text_of(live.get("/channels/"))
    assert _channels(live_app) == []


def test_a_refused_code_is_reported_and_nothing_is_stored(live_app: Flask, live: Browser) -> None:
    _login(live_app, live)
    callback = _consent(live)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = live.get(f"/connect/x/callback?code=not-a-code&state={state}")
    assert response.status_code == 303
    assert "Connecting X did not work: X refused the sign-in" in text_of(live.get("/channels/"))
    assert _channels(live_app) == []


def test_an_outage_of_the_token_endpoint_is_reported(live_app: Flask, live: Browser, sandbox: Sandbox) -> None:
    _login(live_app, live)
    callback = _consent(live)
    sandbox.knobs(outages=[[time.time() - 60, time.time() + 600]])
    assert live.get(callback).status_code == 303
    assert "Connecting X did not work:" in text_of(live.get("/channels/"))
    assert _channels(live_app) == []


def test_only_admins_connect(app: Flask, browser: Browser) -> None:
    with services_of(app).sessions.begin() as session:
        channel = make_channel(session).id
    _login(app, browser, Role.VIEWER)
    assert "Connect an account" not in text_of(browser.get("/channels/"))
    assert browser.post("/connect/x").status_code == 403
    assert browser.post(f"/connect/reconnect/{channel}").status_code == 403
    assert browser.get("/connect/x/callback?code=a&state=b").status_code == 403
    assert browser.get("/connect/x/choose").status_code == 403


def test_unknown_or_unsupported_networks_are_not_found(app: Flask, browser: Browser) -> None:
    _login(app, browser)
    assert browser.post("/connect/myspace").status_code == 404
    assert browser.post("/connect/xing").status_code == 404


def test_starting_needs_the_csrf_token(app: Flask, browser: Browser) -> None:
    _login(app, browser)
    assert browser.client.post("/connect/x").status_code == 400


class PagesAdapter:
    """A stand-in network whose consent reaches two pages (as Facebook and LinkedIn organizations do)."""

    network: ClassVar[Network] = Network.LINKEDIN
    fail = False

    def __init__(self, config: AdapterConfig) -> None:
        self.config = config

    def authorization_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        return f"https://consent.example/authorize?state={state}&redirect_uri={redirect_uri}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> list[ConnectedAccount]:
        if PagesAdapter.fail:
            raise RejectedError("The app is not approved for pages.")
        return [ConnectedAccount(account_id=f"page-{n}", name=f"Page {n}", handle=f"page{n}",
                                 credentials=Credentials(access_token=f"SECRET-PAGE-TOKEN-{n}",
                                                         account_id=f"page-{n}"))
                for n in (1, 2)]


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the two-page stand-in as the LinkedIn adapter."""
    monkeypatch.setitem(ADAPTERS, Network.LINKEDIN, f"{__name__}:PagesAdapter")
    monkeypatch.setattr(PagesAdapter, "fail", False)


def _pages_callback(browser: Browser) -> str:
    location = urlsplit(browser.post("/connect/linkedin").headers["Location"])
    assert location.netloc == "consent.example"
    state = parse_qs(location.query)["state"][0]
    return f"/connect/linkedin/callback?code=c&state={state}"


def test_a_consent_reaching_several_pages_asks_which_one(app: Flask, browser: Browser, pages: None) -> None:
    _login(app, browser)
    assert "Connect an account on LinkedIn" in text_of(browser.get("/channels/"))
    response = browser.get(_pages_callback(browser))
    assert response.status_code == 303 and response.headers["Location"].endswith("/connect/linkedin/choose")
    page = text_of(browser.get("/connect/linkedin/choose"))
    assert "Page 1" in page and "Page 2" in page and "SECRET" not in page
    cookie = browser.client.get_cookie("postillon_session")
    assert cookie is not None and "SECRET" not in cookie.value
    assert "SECRET" not in str(_cookie_session(app, browser))
    with services_of(app).sessions() as session:
        [row] = session.scalars(select(OAuthPending))
    assert row.stage == "choose" and "SECRET" not in row.sealed
    assert _channels(app) == []

    assert browser.post("/connect/linkedin/choose", {"account": "page-9"}).status_code == 422
    response = browser.post("/connect/linkedin/choose", {"account": "page-2"})
    assert response.status_code == 303
    assert "LinkedIn (page2) is connected." in text_of(browser.get("/channels/"))
    [channel] = _channels(app)
    assert (channel.network, channel.account_id, channel.name) == (Network.LINKEDIN, "page-2", "Page 2")
    assert CredentialBox([KEY]).open(channel.credentials).access_token == "SECRET-PAGE-TOKEN-2"
    # The choice is used up, on the server too.
    assert browser.post("/connect/linkedin/choose", {"account": "page-1"}).status_code == 400
    assert len(_channels(app)) == 1
    with services_of(app).sessions() as session:
        assert list(session.scalars(select(OAuthPending))) == []


def test_a_choice_belongs_to_the_admin_who_signed_in(app: Flask, browser: Browser, pages: None) -> None:
    _login(app, browser)
    browser.get(_pages_callback(browser))
    other = Browser(app.test_client())
    _login(app, other)
    with other.client.session_transaction() as stolen:
        stolen["oauth_choice"] = _cookie_session(app, browser)["oauth_choice"]
    assert other.post("/connect/linkedin/choose", {"account": "page-1"}).status_code == 400
    assert browser.post("/connect/linkedin/choose", {"account": "page-1"}).status_code == 303
    assert [c.account_id for c in _channels(app)] == ["page-1"]


def test_a_choice_expires_after_ten_minutes(app: Flask, browser: Browser, pages: None) -> None:
    _login(app, browser)
    browser.get(_pages_callback(browser))
    app.extensions["postillon"] = replace(services_of(app), clock=lambda: NOW + timedelta(minutes=10, seconds=1))
    response = browser.get("/connect/linkedin/choose")
    assert response.status_code == 400 and "expired after 10 minutes" in text_of(response)


def test_a_reconnect_picks_the_channels_own_page(app: Flask, browser: Browser, pages: None) -> None:
    with services_of(app).sessions.begin() as session:
        channel = make_channel(session, network=Network.LINKEDIN, account_id="page-2",
                               status=ChannelStatus.NEEDS_RECONNECT).id
    _login(app, browser)
    location = urlsplit(browser.post(f"/connect/reconnect/{channel}").headers["Location"])
    state = parse_qs(location.query)["state"][0]
    assert browser.get(f"/connect/linkedin/callback?code=c&state={state}").status_code == 303
    [stored] = _channels(app)
    assert stored.status is ChannelStatus.CONNECTED
    assert CredentialBox([KEY]).open(stored.credentials).access_token == "SECRET-PAGE-TOKEN-2"


def test_an_adapter_refusal_stores_nothing(app: Flask, browser: Browser, pages: None) -> None:
    PagesAdapter.fail = True
    _login(app, browser)
    assert browser.get(_pages_callback(browser)).status_code == 303
    assert "Connecting LinkedIn did not work: The app is not approved for pages." in text_of(
        browser.get("/channels/"))
    assert _channels(app) == []


def test_a_callback_for_another_network_is_refused(app: Flask, browser: Browser, pages: None) -> None:
    _login(app, browser)
    callback = _pages_callback(browser)
    response = browser.get(callback.replace("/linkedin/", "/x/"))
    assert response.status_code == 400 and "another network" in text_of(response)
