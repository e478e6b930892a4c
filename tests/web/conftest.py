"""Fixtures for the web app: the app on the parametrised database (SQLite and PostgreSQL), a CSRF-aware client."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from scheduler.config import Settings
from scheduler.crypto import CredentialBox
from scheduler.models import Role, User
from tests.factories import DEFAULT_PASSWORD, make_user
from web import create_app
from web.services import AppServices

KEY = CredentialBox.new_key()
#: The app's clock in these tests: before both 2026 DST changes in Europe/Vienna.
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    """Return a port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def web_settings_for(database_url: str, tmp_path: Any, **changes: Any) -> Settings:
    """Settings for the web app on ``database_url``; the sandbox is on but does not answer unless changed."""
    base = Settings(database_url=database_url, secret_key="web-test-secret", encryption_keys=(KEY,),
                    data_dir=str(tmp_path), sandbox=True, sandbox_port=free_port(), connect_timeout_s=2,
                    read_timeout_s=2, testing=True)
    return replace(base, **changes)


@pytest.fixture
def web_settings(database_url: str, tmp_path: Any) -> Settings:
    """Settings on the parametrised test database."""
    return web_settings_for(database_url, tmp_path)


def build_app(settings: Settings, now: datetime = NOW) -> Flask:
    """Create the app with a fixed clock."""
    app = create_app(settings)
    app.extensions["postillon"] = replace(app.extensions["postillon"], clock=lambda: now)
    return app


@pytest.fixture
def app(web_settings: Settings) -> Iterator[Flask]:
    """The app on the test database, its clock at NOW."""
    app = build_app(web_settings)
    yield app
    services_of(app).engine.dispose()


def services_of(app: Flask) -> AppServices:
    """Return the app's services."""
    found: AppServices = app.extensions["postillon"]
    return found


@pytest.fixture
def db(app: Flask) -> sessionmaker[Session]:
    """The app's session factory, for setting up rows and checking what a request stored."""
    return services_of(app).sessions


@dataclass
class Browser:
    """A test client that sends the CSRF token the way the pages do (form field or X-CSRFToken header)."""

    client: FlaskClient
    csrf: str = ""

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        """GET ``url``."""
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST a form with the current CSRF token."""
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def post_json(self, url: str, body: Any, **kwargs: Any) -> TestResponse:
        """POST JSON with the token in the X-CSRFToken header, as the pages' scripts do."""
        return self.client.post(url, json=body, headers={"X-CSRFToken": self.csrf}, **kwargs)

    def refresh_token(self, page: str = "/login") -> str:
        """Load ``page`` and take the CSRF token from its meta tag."""
        response = self.client.get(page)
        found = _TOKEN.search(response.get_data(as_text=True))
        assert found, f"no CSRF token on {page} ({response.status_code})"
        self.csrf = found.group(1)
        return self.csrf

    def login(self, email: str, password: str = DEFAULT_PASSWORD, next_: str | None = None) -> TestResponse:
        """Log in through the form; afterwards the token of the new session is current."""
        self.refresh_token("/login")
        url = "/login" if next_ is None else f"/login?next={next_}"
        response = self.client.post(url, data={"csrf_token": self.csrf, "email": email, "password": password,
                                               "next": next_ or ""})
        if response.status_code == 303:
            self.refresh_token("/channels/")  # login starts a new session, with a new token
        return response


@pytest.fixture
def browser(app: Flask) -> Browser:
    """A fresh, logged-out browser that asks for English (the product's default is German)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return Browser(client)


@pytest.fixture
def add_user(db: sessionmaker[Session]) -> Callable[..., User]:
    """Add a user (password ``DEFAULT_PASSWORD``)."""

    def add(role: Role = Role.MARKETER, **values: Any) -> User:
        with db.begin() as session:
            return make_user(session, role=role, **values)

    return add


@pytest.fixture
def login_as(browser: Browser, add_user: Callable[..., User]) -> Callable[..., User]:
    """Create a user with ``role`` and log the browser in as them."""

    def login(role: Role = Role.MARKETER, **values: Any) -> User:
        user = add_user(role, **values)
        assert browser.login(user.email).status_code == 303
        return user

    return login


def text_of(response: TestResponse) -> str:
    """Return the response body as text."""
    return response.get_data(as_text=True)
