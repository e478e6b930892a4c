"""Connecting and reconnecting channels in Debian's Chromium through the sandbox networks' consent pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy import select
from werkzeug.serving import make_server

from adapters.registry import ADAPTERS
from scheduler.crypto import CredentialBox
from scheduler.db import make_engine
from scheduler.lifecycle import DeliveryState
from scheduler.models import Base, Channel, ChannelStatus, Delivery, OAuthPending, Role
from scheduler.networks import Network
from tests.engine_fixtures import Sandbox
from tests.factories import DEFAULT_PASSWORD, make_delivery, make_user
from tests.web.conftest import KEY, build_app, free_port, services_of, web_settings_for

# No skip when Chromium is missing: `make test` installs it, and a skipped browser test hides a gap.
pytestmark = [pytest.mark.browser]


@dataclass
class Connect:
    """The app served over HTTP with the sandbox running, and a Chromium tab logged in as an admin."""

    app: Flask
    base: str
    sandbox: str
    tab: Any

    def channels(self) -> list[Channel]:
        """Return every stored channel."""
        with services_of(self.app).sessions() as session:
            return list(session.scalars(select(Channel).order_by(Channel.id)))

    def click(self, button: str, consent_path: str) -> None:
        """On the channels page, press ``button`` and wait for the network's consent page."""
        self.tab.goto(f"{self.base}/channels/")
        self.tab.get_by_role("button", name=button).click()
        self.tab.wait_for_url(f"{self.sandbox}{consent_path}?**")

    def consent(self, fields: dict[str, str], decision: str = "Allow") -> None:
        """Fill in the consent page and answer it; wait until the app shows the channels page again."""
        for label, value in fields.items():
            self.tab.get_by_label(label, exact=True).fill(value)
        self.tab.get_by_role("button", name=decision).click()
        self.tab.wait_for_url(f"{self.base}/channels/")


@pytest.fixture
def connect(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connect]:
    """The app on a SQLite file with Instagram connectable; fails the test on any console error of the app."""
    # Instagram signs in through Facebook Login; register its adapter for these tests if the app does not yet.
    monkeypatch.setitem(ADAPTERS, Network.INSTAGRAM, ADAPTERS.get(Network.INSTAGRAM,
                                                                  "adapters.instagram:InstagramAdapter"))
    url = f"sqlite:///{tmp_path}/connect.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    port, address = free_port(), urlsplit(sandbox.url)
    base = f"http://127.0.0.1:{port}"
    app = build_app(web_settings_for(url, tmp_path, base_url=base, sandbox_host=address.hostname,
                                     sandbox_port=address.port))
    with services_of(app).sessions.begin() as session:
        admin = make_user(session, role=Role.ADMIN)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    errors: list[str] = []
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            try:
                tab = chromium.new_page()
                # Only this app's pages must be clean (the sandbox has no favicon, for one).
                tab.on("console", lambda message: errors.append(message.text)
                       if message.type == "error" and message.location.get("url", "").startswith(base) else None)
                tab.goto(f"{base}/login")
                tab.get_by_label("E-mail address").fill(admin.email)
                tab.get_by_label("Password").fill(DEFAULT_PASSWORD)
                tab.get_by_role("button", name="Log in").click()
                tab.wait_for_url(f"{base}/deliveries")
                yield Connect(app, base, sandbox.url, tab)
            finally:
                chromium.close()
    finally:
        server.shutdown()
        thread.join(5)
        services_of(app).engine.dispose()
    assert errors == []


def _nothing_waits(connect: Connect) -> None:
    with services_of(connect.app).sessions() as session:
        assert list(session.scalars(select(OAuthPending))) == []


def test_connecting_x(connect: Connect) -> None:
    connect.click("Connect an account on X", "/i/oauth2/authorize")
    connect.consent({"Username": "browser_acme", "Display name": "Browser ACME"}, "Authorize app")
    sync_api.expect(connect.tab.locator("body")).to_contain_text("X (@browser_acme) is connected.")
    sync_api.expect(connect.tab.locator("table")).to_contain_text("Browser ACME")
    [channel] = connect.channels()
    assert (channel.handle, channel.status) == ("browser_acme", ChannelStatus.CONNECTED)
    _nothing_waits(connect)


def test_connecting_a_linkedin_organization(connect: Connect) -> None:
    connect.click("Connect an account on LinkedIn", "/oauth/v2/authorization")
    connect.consent({"Member": "acme_hr", "Page name": "ACME Careers"})
    sync_api.expect(connect.tab.locator("body")).to_contain_text("is connected.")
    sync_api.expect(connect.tab.locator("table")).to_contain_text("ACME Careers")
    [channel] = connect.channels()
    assert (channel.network, channel.name, channel.handle, channel.status) == (
        Network.LINKEDIN, "ACME Careers", "acme_hr", ChannelStatus.CONNECTED)
    assert channel.account_id.startswith("urn:li:organization:")
    credentials = CredentialBox([KEY]).open(channel.credentials)
    assert credentials.refresh_token and credentials.access_token not in connect.tab.content()
    _nothing_waits(connect)


def test_cancelling_on_linkedin_changes_nothing(connect: Connect) -> None:
    connect.click("Connect an account on LinkedIn", "/oauth/v2/authorization")
    connect.consent({}, "Cancel")
    sync_api.expect(connect.tab.locator("body")).to_contain_text(
        "You did not allow Postillon on LinkedIn, so nothing was changed.")
    assert connect.channels() == []
    _nothing_waits(connect)


def test_connecting_a_facebook_page(connect: Connect) -> None:
    connect.click("Connect an account on Facebook", "/v*/dialog/oauth")
    connect.consent({"Page username": "acme_page", "Page name": "ACME Page"})
    sync_api.expect(connect.tab.locator("body")).to_contain_text("is connected.")
    sync_api.expect(connect.tab.locator("table")).to_contain_text("ACME Page")
    [channel] = connect.channels()
    assert (channel.network, channel.name, channel.status) == (Network.FACEBOOK, "ACME Page", ChannelStatus.CONNECTED)
    assert CredentialBox([KEY]).open(channel.credentials).access_token
    _nothing_waits(connect)


def test_connecting_instagram_through_facebook_login(connect: Connect) -> None:
    connect.click("Connect an account on Instagram", "/v*/dialog/oauth")
    connect.consent({"Page username": "acme_insta", "Page name": "ACME Insta"})
    sync_api.expect(connect.tab.locator("body")).to_contain_text("is connected.")
    [channel] = connect.channels()
    assert (channel.network, channel.handle, channel.status) == (
        Network.INSTAGRAM, "acme_insta", ChannelStatus.CONNECTED)
    _nothing_waits(connect)


def test_reconnecting_linkedin_resumes_waiting_deliveries(connect: Connect) -> None:
    connect.click("Connect an account on LinkedIn", "/oauth/v2/authorization")
    connect.consent({"Member": "acme_hr", "Page name": "ACME Careers"})
    [channel] = connect.channels()
    old_token = CredentialBox([KEY]).open(channel.credentials).access_token
    with services_of(connect.app).sessions.begin() as session:
        stored = session.get_one(Channel, channel.id)
        stored.status, stored.status_detail = ChannelStatus.NEEDS_RECONNECT, "LinkedIn says the token was revoked."
        waiting = [make_delivery(session, channel=stored, state=DeliveryState.NEEDS_RECONNECT).id for _ in range(2)]
    connect.tab.goto(f"{connect.base}/channels/")
    connect.tab.get_by_role("button", name="Reconnect").click()
    connect.tab.wait_for_url(f"{connect.sandbox}/oauth/v2/authorization?**")
    connect.consent({"Member": "acme_hr", "Page name": "ACME Careers"})
    sync_api.expect(connect.tab.locator("body")).to_contain_text("is connected again; 2 waiting deliveries resume.")
    [again] = connect.channels()
    assert (again.id, again.status, again.status_detail) == (channel.id, ChannelStatus.CONNECTED, "")
    assert CredentialBox([KEY]).open(again.credentials).access_token != old_token
    with services_of(connect.app).sessions() as session:
        assert [session.get_one(Delivery, d).state for d in waiting] == [DeliveryState.SCHEDULED] * 2
    _nothing_waits(connect)
