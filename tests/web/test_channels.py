"""The channels page: adding sandbox channels (real sandbox server), reconnecting, disabling, roles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.crypto import CredentialBox
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery, Role, User
from scheduler.networks import Network
from tests.engine_fixtures import Sandbox
from tests.factories import make_channel, make_delivery, make_user
from tests.web.conftest import KEY, NOW, Browser, build_app, services_of, text_of, web_settings_for


@pytest.fixture
def live_app(database_url: str, tmp_path: Any, sandbox: Sandbox) -> Iterator[Flask]:
    """The app with the real sandbox networks running (adapters.sandbox.server.start_in_thread)."""
    address = urlsplit(sandbox.url)
    app = build_app(web_settings_for(database_url, tmp_path, sandbox_host=address.hostname,
                                     sandbox_port=address.port))
    yield app
    services_of(app).engine.dispose()


@pytest.fixture
def live(live_app: Flask) -> Browser:
    """A browser on the app with the sandbox running."""
    return Browser(live_app.test_client())


def _login_admin(app: Flask, browser: Browser) -> User:
    with services_of(app).sessions.begin() as session:
        admin = make_user(session, role=Role.ADMIN, tz_name="Europe/Berlin")
    assert browser.login(admin.email).status_code == 303
    return admin


def _channels(app: Flask) -> list[Channel]:
    with services_of(app).sessions() as session:
        return list(session.scalars(select(Channel).order_by(Channel.id)))


def test_an_admin_adds_a_sandbox_channel(live_app: Flask, live: Browser, sandbox: Sandbox) -> None:
    _login_admin(live_app, live)
    response = live.post("/channels/sandbox", {"network": "x", "name": "ACME Careers", "handle": "@acme_careers"})
    assert response.status_code == 303
    assert "X (@acme_careers) is connected." in text_of(live.get("/channels/"))
    [channel] = _channels(live_app)
    assert (channel.network, channel.name, channel.handle, channel.status, channel.tz_name) == (
        Network.X, "ACME Careers", "acme_careers", ChannelStatus.CONNECTED, "Europe/Berlin")
    # The token the sandbox issued is stored sealed, and it works against the sandbox.
    credentials = CredentialBox([KEY]).open(channel.credentials)
    assert credentials.access_token not in channel.credentials
    me = requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {credentials.access_token}"},
                      timeout=5)
    assert me.status_code == 200 and me.json()["data"]["username"] == "acme_careers"
    # The channel is offered in the composer at once.
    assert "X (@acme_careers)" in text_of(live.get("/compose"))


@pytest.mark.parametrize("network", [Network.LINKEDIN, Network.FACEBOOK, Network.INSTAGRAM])
def test_sandbox_channels_can_be_added_on_every_network_with_an_adapter(live_app: Flask, live: Browser,
                                                                        sandbox: Sandbox, network: Network) -> None:
    _login_admin(live_app, live)
    response = live.post("/channels/sandbox", {"network": network.value, "name": "ACME", "handle": "acme_hr"})
    assert response.status_code == 303
    [channel] = _channels(live_app)
    assert (channel.network, channel.handle, channel.status) == (network, "acme_hr", ChannelStatus.CONNECTED)
    assert channel.account_id


def test_reconnect_gets_a_fresh_sandbox_token_and_resumes_waiting_deliveries(live_app: Flask, live: Browser,
                                                                              sandbox: Sandbox) -> None:
    _login_admin(live_app, live)
    live.post("/channels/sandbox", {"network": "x", "name": "ACME Careers", "handle": "acme_careers"})
    [channel] = _channels(live_app)
    old_token = CredentialBox([KEY]).open(channel.credentials).access_token
    with services_of(live_app).sessions.begin() as session:
        stored = session.get(Channel, channel.id)
        assert stored is not None
        stored.status, stored.status_detail = ChannelStatus.NEEDS_RECONNECT, "X says the token was revoked."
        waiting = make_delivery(session, channel=stored, state=DeliveryState.NEEDS_RECONNECT,
                                last_error_message="The channel needs to be reconnected.").id
    page = text_of(live.get("/channels/"))
    assert "Needs reconnect" in page and "X says the token was revoked." in page and ">Reconnect<" in page

    response = live.post(f"/channels/{channel.id}/reconnect")
    assert response.status_code == 303
    assert "X (@acme_careers) is connected again; 1 waiting delivery resumes." in text_of(live.get("/channels/"))
    [channel] = _channels(live_app)
    assert channel.status is ChannelStatus.CONNECTED and channel.status_detail == ""
    assert CredentialBox([KEY]).open(channel.credentials).access_token != old_token
    with services_of(live_app).sessions() as session:
        assert session.get(Delivery, waiting).state is DeliveryState.SCHEDULED  # type: ignore[union-attr]


def test_adding_a_channel_while_the_sandbox_is_down_says_so(app: Flask, browser: Browser) -> None:
    _login_admin(app, browser)
    response = browser.post("/channels/sandbox", {"network": "x", "name": "ACME Careers", "handle": "acme"})
    assert response.status_code == 503
    sandbox_url = services_of(app).settings.sandbox_url
    assert f"The sandbox networks at {sandbox_url} do not answer." in text_of(response)
    assert 'value="ACME Careers"' in text_of(response) and 'value="acme"' in text_of(response)
    assert _channels(app) == []


def test_reconnect_while_the_sandbox_is_down_changes_nothing(app: Flask, browser: Browser,
                                                             db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        channel = make_channel(session, handle="careers", status=ChannelStatus.NEEDS_RECONNECT)
    _login_admin(app, browser)
    browser.post(f"/channels/{channel.id}/reconnect")
    assert "do not answer; X (@careers) was not reconnected." in text_of(browser.get("/channels/"))
    assert _channels(app)[0].status is ChannelStatus.NEEDS_RECONNECT


@pytest.mark.parametrize("values, message", [
    ({"name": "", "handle": "acme"}, "This field is required."),
    ({"name": "ACME", "handle": "no spaces allowed"}, "A handle has 1 to 15 letters, digits or underscores."),
    ({"name": "ACME", "handle": "x" * 16}, "A handle has 1 to 15 letters, digits or underscores."),
])
def test_the_add_form_checks_its_fields(app: Flask, browser: Browser, values: dict[str, str], message: str) -> None:
    _login_admin(app, browser)
    response = browser.post("/channels/sandbox", {"network": "x", **values})
    assert response.status_code == 422
    assert message in text_of(response)
    assert _channels(app) == []


def test_disable_and_enable(app: Flask, browser: Browser, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        channel = make_channel(session, handle="careers")
    _login_admin(app, browser)
    browser.post(f"/channels/{channel.id}/disable")
    assert _channels(app)[0].status is ChannelStatus.DISABLED
    page = text_of(browser.get("/channels/"))
    assert "X (@careers) is disabled." in page and ">Disabled<" in page and ">Enable<" in page
    assert "X (@careers)" not in text_of(browser.get("/compose"))
    with db.begin() as session:
        waiting = make_delivery(session, channel=session.get(Channel, channel.id),
                                state=DeliveryState.NEEDS_RECONNECT).id
    browser.post(f"/channels/{channel.id}/enable")
    assert _channels(app)[0].status is ChannelStatus.CONNECTED
    assert "X (@careers) is enabled; 1 waiting delivery resumes." in text_of(browser.get("/channels/"))
    with db() as session:
        resumed = session.get(Delivery, waiting)
        assert resumed is not None and (resumed.state, resumed.run_at) == (DeliveryState.SCHEDULED, NOW)


def test_the_list_shows_status_and_rate_limit_in_local_time(browser: Browser, login_as: Callable[..., User],
                                                            db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        make_channel(session, name="ACME Careers", handle="careers",
                     rate_limited_until=datetime(2026, 3, 1, 12, 15, tzinfo=UTC))
    login_as(Role.VIEWER)
    page = text_of(browser.get("/channels/"))
    assert "ACME Careers" in page and ">@careers<" in page and ">Connected<" in page
    assert "2026-03-01 13:15 CET" in page
    assert "Add a sandbox channel" not in page and ">Disable<" not in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MARKETER, Role.RECRUITER])
def test_only_admins_manage_channels(browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session],
                                     role: Role) -> None:
    with db.begin() as session:
        channel = make_channel(session, handle="careers")
    login_as(role)
    assert browser.post("/channels/sandbox", {"network": "x", "name": "ACME", "handle": "acme"}).status_code == 403
    assert browser.post(f"/channels/{channel.id}/disable").status_code == 403
    assert browser.post(f"/channels/{channel.id}/reconnect").status_code == 403
    with db() as session:
        assert [c.status for c in session.scalars(select(Channel))] == [ChannelStatus.CONNECTED]


def test_the_header_links_to_the_sandbox_page_when_it_is_on(app: Flask, browser: Browser) -> None:
    _login_admin(app, browser)
    settings = services_of(app).settings
    assert f'href="{settings.sandbox_url}/">See what was posted<' in text_of(browser.get("/deliveries"))


def test_every_page_warns_while_a_channel_needs_reconnecting(browser: Browser, login_as: Callable[..., User],
                                                            db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        channel = make_channel(session, handle="careers")
    login_as(Role.VIEWER)
    assert "need to be reconnected" not in text_of(browser.get("/deliveries"))
    with db.begin() as session:
        session.get_one(Channel, channel.id).status = ChannelStatus.NEEDS_RECONNECT
    for page in ("/deliveries", "/channels/"):
        assert "1 channel needs to be reconnected; its posts wait until then." in text_of(browser.get(page))
