"""Security headers, cookie flags, CSRF on forms and JSON, the request size limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scheduler.config import Settings
from scheduler.models import Role, User
from tests.factories import DEFAULT_PASSWORD
from tests.web.conftest import Browser, build_app, services_of, text_of, web_settings_for


def _assert_security_headers(headers: Any) -> None:
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/static/app.css", "/static/deliveries.js", "/no-such-page"])
def test_security_headers_when_logged_out(browser: Browser, path: str) -> None:
    _assert_security_headers(browser.get(path).headers)


@pytest.mark.parametrize("path", ["/deliveries", "/compose", "/channels/", "/api/deliveries", "/deliveries/999"])
def test_security_headers_and_no_caching_when_logged_in(browser: Browser, login_as: Callable[..., User],
                                                        path: str) -> None:
    login_as(Role.ADMIN)
    response = browser.get(path)
    _assert_security_headers(response.headers)
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    for path in ("/deliveries", "/compose", "/channels/"):
        html = text_of(browser.get(path))
        assert "<script>" not in html and "<script " + "type" not in html
        assert " style=" not in html and "<style" not in html
        assert " on" + "click=" not in html


def test_session_cookie_is_httponly_and_samesite_lax(browser: Browser, login_as: Callable[..., User]) -> None:
    browser.refresh_token("/login")
    cookie = browser.client.get_cookie("postillon_session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure  # this test app runs on plain HTTP


def test_secure_cookies_setting_makes_a_host_only_secure_cookie_and_hsts(database_url: str, tmp_path: Any) -> None:
    settings: Settings = web_settings_for(database_url, tmp_path, secure_cookies=True)
    app = build_app(settings)
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://postillon.example")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        cookie = client.get_cookie("__Host-postillon", domain="postillon.example")
        assert cookie is not None and cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    finally:
        services_of(app).engine.dispose()


def test_a_form_post_without_the_csrf_token_is_refused_in_plain_words(browser: Browser,
                                                                      login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    response = browser.client.post("/compose", data={"text": "Hello", "when": "now"})
    assert response.status_code == 400
    assert "The form expired" in text_of(response)
    assert "reload the page" in text_of(response)


def test_a_wrong_csrf_token_is_refused(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    browser.csrf = "forged"
    assert browser.post("/compose", {"text": "Hello", "when": "now"}).status_code == 400


def test_the_login_form_needs_the_csrf_token(browser: Browser, add_user: Callable[..., User]) -> None:
    user = add_user()
    response = browser.client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert browser.get("/deliveries").status_code == 302


def test_json_posts_need_the_csrf_header(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MARKETER)
    refused = browser.client.post("/api/validate", json={"text": "Hello"})
    assert refused.status_code == 400
    assert refused.is_json and "error" in refused.get_json()
    assert browser.post_json("/api/validate", {"text": "Hello"}).status_code == 200


def test_requests_larger_than_the_limit_are_refused(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/compose", {"text": "x" * (2 * 1024 * 1024), "when": "now"})
    assert response.status_code == 413


def test_a_session_is_not_accepted_from_another_browser(browser: Browser, login_as: Callable[..., User]) -> None:
    # Flask-Login's "strong" protection: a session cookie replayed with another user agent is dropped.
    login_as()
    assert browser.get("/deliveries").status_code == 200
    assert browser.get("/deliveries", headers={"User-Agent": "Other/1.0"}).status_code == 302

