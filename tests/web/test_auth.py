"""Logging in and out, the login requirement, safe redirects after login, and roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from scheduler.models import Role, User
from tests.web.conftest import NOW, Browser, text_of
from web.auth import SESSION_MAX_AGE
from web.security import is_safe_path

GENERIC = "E-mail address or password is wrong."


def test_login_with_the_right_password_opens_the_deliveries(browser: Browser, add_user: Callable[..., User]) -> None:
    user = add_user(Role.RECRUITER, name="Rita Recruiter")
    response = browser.login(user.email.upper())  # e-mail addresses are matched case-insensitively
    assert response.status_code == 303
    assert response.headers["Location"] == "/deliveries"
    page = browser.get("/deliveries")
    assert page.status_code == 200
    assert "Rita Recruiter" in text_of(page)


def test_login_starts_a_new_session(browser: Browser, add_user: Callable[..., User]) -> None:
    user = add_user()
    browser.refresh_token("/login")
    with browser.client.session_transaction() as session:
        session["planted"] = "by an attacker"
    browser.login(user.email)
    with browser.client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id)


@pytest.mark.parametrize("email, password", [
    ("known", "wrong password 123"),
    ("nobody@example.com", "correct horse battery staple"),
])
def test_a_failed_login_gets_one_generic_message(browser: Browser, add_user: Callable[..., User],
                                                 email: str, password: str) -> None:
    user = add_user()
    response = browser.login(user.email if email == "known" else email, password)
    assert response.status_code == 200
    assert GENERIC in text_of(response)
    assert browser.get("/deliveries").status_code == 302


def test_an_inactive_user_cannot_log_in(browser: Browser, add_user: Callable[..., User]) -> None:
    user = add_user(active=False)
    response = browser.login(user.email)
    assert GENERIC in text_of(response)


def test_logout_ends_the_session(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as()
    response = browser.post("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert browser.get("/deliveries").status_code == 302


def test_logout_needs_the_csrf_token(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as()
    assert browser.client.post("/logout").status_code == 400
    assert browser.get("/deliveries").status_code == 200  # still logged in


def test_logout_by_get_is_not_possible(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as()
    assert browser.get("/logout").status_code == 405
    assert browser.get("/deliveries").status_code == 200


@pytest.mark.parametrize("path", ["/", "/deliveries", "/compose", "/channels/", "/deliveries/1",
                                  "/deliveries?group=published"])
def test_pages_require_a_login(browser: Browser, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    # After logging in, the person lands where they wanted to go.
    assert parse_qs(urlsplit(location).query)["next"] == [path]


def test_posts_and_the_api_require_a_login(browser: Browser) -> None:
    browser.refresh_token("/login")
    refused = browser.post("/deliveries/1/cancel")
    assert (refused.status_code, refused.headers["Location"]) == (302, "/login")
    response = browser.get("/api/deliveries")
    assert response.status_code == 401
    assert response.is_json


def test_login_returns_to_a_same_site_next(browser: Browser, add_user: Callable[..., User]) -> None:
    user = add_user()
    response = browser.login(user.email, next_="/channels/")
    assert response.headers["Location"] == "/channels/"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "/\t/evil.example", "evil.example",
])
def test_login_ignores_an_unsafe_next(browser: Browser, add_user: Callable[..., User], target: str) -> None:
    user = add_user()
    response = browser.login(user.email, next_=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/deliveries"


def test_safe_paths() -> None:
    assert is_safe_path("/deliveries?group=published")
    assert is_safe_path("/")
    for unsafe in (None, "", "//x", "/\\x", "https://x/", "x/y", "/\x00x", "/x\ny"):
        assert not is_safe_path(unsafe)


def test_a_login_expires_after_the_absolute_lifetime(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as()
    with browser.client.session_transaction() as session:
        session["auth_at"] = (NOW - SESSION_MAX_AGE - timedelta(minutes=1)).timestamp()
    response = browser.get("/deliveries")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_viewer_sees_deliveries_but_cannot_compose(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.VIEWER)
    assert browser.get("/deliveries").status_code == 200
    assert browser.get("/compose").status_code == 403
    response = browser.post("/compose", {"text": "Hello", "when": "now"})
    assert response.status_code == 403
    assert "Your role does not allow this" in text_of(response)
