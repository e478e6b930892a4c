"""The notifications page: only one's own, newest first, unread bold; marking read; the count in the nav."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Notification, Role, User
from scheduler.notifications import notify
from tests.web.conftest import NOW, Browser, text_of


def _notify(db: sessionmaker[Session], user: User, key: str, subject: str, link: str = "",
            minutes: int = 0) -> int:
    with db.begin() as session:
        notify(session, [user.id], "delivery_failed", key, subject, "The network said: <b>no</b>.", link,
               now=NOW + timedelta(minutes=minutes))
        return int(session.scalars(select(Notification.id).where(Notification.dedupe_key == f"{key}:u{user.id}"))
                   .one())


def _read_at(db: sessionmaker[Session]) -> dict[str, object]:
    with db() as session:
        return {n.subject: n.read_at for n in session.scalars(select(Notification))}


def test_the_list_shows_only_my_notifications_newest_first_unread_bold(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    me = login_as(Role.VIEWER)
    other = add_user(Role.ADMIN)
    _notify(db, me, "a", "Older news", minutes=0)
    _notify(db, me, "b", "Newer news", minutes=5)
    _notify(db, other, "c", "Someone else's news")
    html = text_of(browser.get("/notifications/"))
    assert html.index("Newer news") < html.index("Older news")
    assert "<strong>Newer news</strong>" in html and "Someone else" not in html
    assert "The network said: &lt;b&gt;no&lt;/b&gt;." in html
    assert '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in html


def test_mark_all_read_needs_the_csrf_token_and_clears_the_count(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    me = login_as(Role.MARKETER)
    other = add_user(Role.MARKETER)
    _notify(db, me, "a", "Mine")
    _notify(db, other, "b", "Theirs")
    assert browser.client.post("/notifications/read").status_code == 400  # no token
    assert _read_at(db) == {"Mine": None, "Theirs": None}
    response = browser.post("/notifications/read")
    assert response.status_code == 303 and response.headers["Location"].endswith("/notifications/")
    assert _read_at(db) == {"Mine": NOW, "Theirs": None}
    html = text_of(browser.get("/notifications/"))
    assert "<strong>Mine</strong>" not in html and 'class="badge">' not in html.split("</nav>")[0]
    assert "Mark all as read" not in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    me = login_as(Role.MARKETER)
    note = _notify(db, me, "a", "Failed post", link="/deliveries/7")
    response = browser.post(f"/notifications/{note}/open")
    assert response.status_code == 303 and response.headers["Location"].endswith("/deliveries/7")
    assert _read_at(db) == {"Failed post": NOW}


def test_someone_elses_notification_cannot_be_opened(browser: Browser, login_as: Callable[..., User],
                                                     add_user: Callable[..., User],
                                                     db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    note = _notify(db, add_user(Role.MARKETER), "a", "Theirs", link="/deliveries/7")
    assert browser.post(f"/notifications/{note}/open").status_code == 404
    assert _read_at(db) == {"Theirs": None}


def test_a_link_to_another_site_is_not_followed(browser: Browser, login_as: Callable[..., User],
                                                db: sessionmaker[Session]) -> None:
    me = login_as(Role.MARKETER)
    note = _notify(db, me, "a", "Odd link", link="//evil.example/")
    response = browser.post(f"/notifications/{note}/open")
    assert response.headers["Location"].endswith("/notifications/")


def test_the_nav_shows_the_unread_count_on_every_page(browser: Browser, login_as: Callable[..., User],
                                                      db: sessionmaker[Session]) -> None:
    me = login_as(Role.VIEWER)
    html = text_of(browser.get("/channels/"))
    assert 'href="/notifications/"' in html and "visually-hidden\"> unread" not in html
    _notify(db, me, "a", "One")
    _notify(db, me, "b", "Two")
    _notify(db, me, "c", "Three")
    nav = text_of(browser.get("/channels/")).split("</nav>")[0]
    assert '<span class="badge">3<span class="visually-hidden"> unread</span></span>' in nav


def test_the_page_needs_a_login(browser: Browser) -> None:
    response = browser.get("/notifications/")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
