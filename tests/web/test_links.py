"""The short link: 302 at once, the click queued for the stream, no cookie, no database write, no open redirect."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, request_started
from redis import Redis
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.click_events import CLICK_STREAM, ClickEvent, visitor_hash
from scheduler.config import Settings
from scheduler.models import Role, TrackedLink
from scheduler.networks import Network
from scheduler.tracking import ensure_links
from tests.conftest import REDIS_URL
from tests.factories import make_channel, make_delivery, make_post
from tests.web.conftest import NOW, Browser, build_app, free_port, services_of, text_of, web_settings_for
from web.short_links import links_of

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
          "Safari/537.36")


@pytest.fixture
def make_app(database_url: str, tmp_path: Any, redis_conn: Redis) -> Iterator[Callable[..., Flask]]:
    """Build the app on the test database and the test Redis (settings changeable per test)."""
    apps: list[Flask] = []

    def make(**changes: Any) -> Flask:
        app = build_app(web_settings_for(database_url, tmp_path, **{"redis_url": REDIS_URL, **changes}))
        apps.append(app)
        return app

    yield make
    for app in apps:
        links_of(app).recorder.close()  # nothing is left to be sent after the test's Redis is emptied
        services_of(app).engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with default settings."""
    return make_app()


def _link(db: sessionmaker[Session], url: str = "https://acme.at/jobs/7?lang=de#apply") -> TrackedLink:
    with db.begin() as session:
        post = make_post(session, text=f"Wir suchen! {url}")
        delivery = make_delivery(session, post=post, channel=make_channel(session, network=Network.LINKEDIN))
        ensure_links(session, [delivery.id])
        return session.scalars(select(TrackedLink).where(TrackedLink.delivery_id == delivery.id)).one()


def _events(app: Flask, redis: Redis) -> list[ClickEvent]:
    links_of(app).recorder.flush()
    return [ClickEvent.decode(fields[b"c"]) for _id, fields in redis.xrange(CLICK_STREAM)]


def test_a_short_link_redirects_at_once_and_queues_the_click(app: Flask, db: sessionmaker[Session],
                                                            browser: Browser, redis_conn: Redis) -> None:
    link = _link(db)
    response = browser.get(f"/r/{link.code}", headers={"User-Agent": CHROME,
                                                       "Referer": "https://www.linkedin.com/feed/update/1"})
    assert response.status_code == 302
    assert response.headers["Location"] == link.destination
    assert "utm_source=linkedin" in link.destination and link.destination.endswith("#apply")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Set-Cookie" not in response.headers
    (click,) = _events(app, redis_conn)
    assert (click.link_id, click.delivery_id, click.method, click.at) == (link.id, link.delivery_id, "GET", NOW)
    assert (click.user_agent, click.referrer_host, click.country) == (CHROME, "www.linkedin.com", None)
    assert click.visitor == visitor_hash("web-test-secret", NOW, "127.0.0.1", CHROME)


def test_a_logged_in_person_clicking_a_short_link_gets_no_cookie_either(
        app: Flask, db: sessionmaker[Session], browser: Browser, login_as: Callable[..., Any]) -> None:
    link = _link(db)
    login_as(Role.RECRUITER)
    response = browser.get(f"/r/{link.code}")
    assert response.status_code == 302 and "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert browser.get("/deliveries").status_code == 200  # and the login session is untouched


def test_the_redirect_reads_the_database_once_and_never_writes(app: Flask, db: sessionmaker[Session],
                                                              browser: Browser) -> None:
    link = _link(db)
    engine = services_of(app).engine
    statements: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.split()[0] != "BEGIN":  # SQLite's explicit transaction start
            statements.append(statement.split()[0])

    def committed(_conn: Any) -> None:
        statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    try:
        assert browser.get(f"/r/{link.code}").status_code == 302
        assert statements == ["SELECT"]
        assert browser.get(f"/r/{link.code}").status_code == 302  # from the process's cache
        assert statements == ["SELECT"]
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", committed)


def test_head_requests_redirect_too_and_are_marked_as_such(app: Flask, db: sessionmaker[Session], browser: Browser,
                                                           redis_conn: Redis) -> None:
    link = _link(db)
    response = browser.client.head(f"/r/{link.code}", headers={"User-Agent": CHROME})
    assert response.status_code == 302 and response.headers["Location"] == link.destination
    assert [click.method for click in _events(app, redis_conn)] == ["HEAD"]


@pytest.mark.parametrize("path", ["/r/NoSuchCode", "/r/NoSuchCode?url=https://evil.example/",
                                  "/r/https:%2F%2Fevil.example", "/r/https://evil.example/x", "/r/x'or'1", "/r/"])
def test_an_unknown_code_gets_a_friendly_page_and_never_a_redirect(app: Flask, browser: Browser, path: str,
                                                                   redis_conn: Redis) -> None:
    response = browser.get(path)
    assert response.status_code == 404
    assert "Location" not in response.headers and "Set-Cookie" not in response.headers
    assert "This link does not lead anywhere" in text_of(response)
    assert "evil.example" not in text_of(response)
    assert _events(app, redis_conn) == []


def test_the_not_found_page_speaks_the_visitors_language(app: Flask) -> None:
    client = app.test_client()
    page = text_of(client.get("/r/NoSuchCode", headers={"Accept-Language": "de-AT,de;q=0.9"}))
    assert '<html lang="de">' in page
    assert '<html lang="en">' in text_of(client.get("/r/NoSuchCode", headers={"Accept-Language": "en-GB"}))


def test_country_and_address_come_from_the_configured_proxy_headers(make_app: Callable[..., Flask],
                                                                   redis_conn: Redis) -> None:
    app = make_app(country_header="CF-IPCountry", client_ip_header="X-Forwarded-For")
    link = _link(services_of(app).sessions)
    app.test_client().get(f"/r/{link.code}", headers={"User-Agent": CHROME, "CF-IPCountry": "AT",
                                                      "X-Forwarded-For": "10.9.9.9, 198.51.100.7"})
    (click,) = _events(app, redis_conn)
    assert click.country == "AT"
    assert click.visitor == visitor_hash("web-test-secret", NOW, "198.51.100.7", CHROME)


def test_without_redis_the_visitor_is_still_redirected_and_the_click_counted_as_lost(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    link = _link(services_of(app).sessions)
    response = app.test_client().get(f"/r/{link.code}")
    assert response.status_code == 302 and response.headers["Location"] == link.destination
    recorder = links_of(app).recorder
    assert recorder.flush() == 0
    assert recorder.lost() == {f"{NOW:%Y-%m-%d}": 1}


def test_settings_name_the_proxy_headers_from_the_environment() -> None:
    settings = Settings.from_env({"POSTILLON_COUNTRY_HEADER": "CF-IPCountry", "POSTILLON_CLICK_BURST_PER_MINUTE": "5"})
    assert (settings.country_header, settings.click_burst_per_minute, settings.client_ip_header) == \
        ("CF-IPCountry", 5, "")


def test_when_the_database_fails_the_visitor_gets_a_plain_page_and_no_cookie(tmp_path: Any) -> None:
    app = build_app(web_settings_for(f"sqlite:///{tmp_path}/no-tables.db", tmp_path, redis_url=REDIS_URL))
    try:
        response = app.test_client().get("/r/Ab3dEf7h", headers={"Accept-Language": "en"})
    finally:
        services_of(app).engine.dispose()
    assert response.status_code == 503
    assert "This link is briefly unavailable" in text_of(response)
    assert "Set-Cookie" not in response.headers and "Location" not in response.headers


def test_a_cached_code_is_answered_before_flask_with_the_same_headers_and_the_same_click(
        app: Flask, db: sessionmaker[Session], browser: Browser, redis_conn: Redis) -> None:
    link = _link(db)
    headers = {"User-Agent": CHROME, "Referer": "https://www.xing.com/"}
    first = browser.get(f"/r/{link.code}", headers=headers)  # the full app: database, hooks, headers
    called: list[str] = []

    def entered(sender: Flask, **_: Any) -> None:
        called.append("flask")

    with request_started.connected_to(entered, app):
        second = browser.get(f"/r/{link.code}", headers=headers)
        head = browser.client.head(f"/r/{link.code}", headers=headers)
        assert browser.get("/r/NoSuchCode").status_code == 404  # sanity: the signal does fire
    assert called == ["flask"]  # only for the unknown code
    assert second.status == first.status == head.status == "302 FOUND"
    assert sorted(second.headers.items()) == sorted(first.headers.items()) == sorted(head.headers.items())
    assert second.get_data() == b""
    one, two, three = _events(app, redis_conn)
    assert (two.link_id, two.visitor, two.referrer_host, two.at) == (one.link_id, one.visitor, one.referrer_host, NOW)
    assert (one.method, two.method, three.method) == ("GET", "GET", "HEAD")
