"""The tasks page of assisted channels (XING), and adding a XING channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.assisted import add_assisted_channel
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, Delivery, Role, User
from scheduler.networks import Network
from tests.factories import make_delivery, make_post
from tests.web.conftest import NOW, Browser, text_of

S = DeliveryState


def _task(db: sessionmaker[Session], owner: User, *, due_at: datetime = NOW,
          text: str = "Wir suchen eine Filialleitung in Graz (m/w/d).") -> int:
    with db.begin() as session:
        channel = add_assisted_channel(session, network=Network.XING, name="ACME auf XING",
                                       profile_url="https://www.xing.com/pages/acme", owner_id=owner.id,
                                       tz_name="Europe/Vienna")
        post = make_post(session, text=text, link="https://jobs.acme.at/r/k3")
        return make_delivery(session, post=post, channel=channel, state=S.AWAITING_OWNER, due_at=due_at).id


def _state(db: sessionmaker[Session], delivery_id: int) -> Delivery:
    with db() as session:
        return session.get_one(Delivery, delivery_id)


def test_the_owner_sees_the_ready_text_and_overdue_tasks_are_marked(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    owner = login_as(Role.RECRUITER)
    fresh = _task(db, owner)
    late = _task(db, owner, due_at=NOW - timedelta(hours=5), text="Lehrlinge gesucht!")
    page = browser.get("/tasks/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Wir suchen eine Filialleitung in Graz (m/w/d).\nhttps://jobs.acme.at/r/k3</textarea>" in html
    assert html.index(f'id="task-{late}"') < html.index(f'id="task-{fresh}"')
    late_card = html[html.index(f'id="task-{late}"'):html.index(f'id="task-{fresh}"')]
    assert "Overdue" in late_card
    assert "Tasks <span class=\"badge\">2" in html


def test_marking_a_task_posted_publishes_the_delivery(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    owner = login_as(Role.RECRUITER)
    delivery_id = _task(db, owner)
    url = "https://www.xing.com/feed/posts/7777"
    response = browser.post(f"/tasks/{delivery_id}/done", {"url": url})
    assert response.status_code == 303
    delivery = _state(db, delivery_id)
    assert (delivery.state, delivery.external_url) == (S.PUBLISHED, url)
    assert "The post is recorded as published" in text_of(browser.get("/tasks/"))


def test_a_wrong_url_is_explained_and_kept_in_the_form(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    owner = login_as(Role.RECRUITER)
    delivery_id = _task(db, owner)
    response = browser.post(f"/tasks/{delivery_id}/done", {"url": "https://www.linkedin.com/feed/1"})
    assert response.status_code == 422
    assert "Paste the address of the post on XING" in text_of(response)
    assert 'value="https://www.linkedin.com/feed/1"' in response.get_data(as_text=True)
    assert _state(db, delivery_id).state is S.AWAITING_OWNER


def test_postponing_uses_the_users_time_zone(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    owner = login_as(Role.RECRUITER)
    delivery_id = _task(db, owner)
    bad = browser.post(f"/tasks/{delivery_id}/postpone", {"date": "2026-03-29", "time": "02:30"})
    assert bad.status_code == 422
    assert _state(db, delivery_id).state is S.AWAITING_OWNER
    response = browser.post(f"/tasks/{delivery_id}/postpone", {"date": "2026-03-30", "time": "09:00"})
    assert response.status_code == 303
    delivery = _state(db, delivery_id)
    assert (delivery.state, delivery.due_at) == (S.SCHEDULED, datetime(2026, 3, 30, 7, 0, tzinfo=UTC))


def test_others_tasks_are_not_listed_but_admins_see_everyones(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    colleague = add_user(Role.RECRUITER)
    delivery_id = _task(db, colleague)
    login_as(Role.MARKETER)
    assert f'id="task-{delivery_id}"' not in browser.get("/tasks/").get_data(as_text=True)
    browser.post("/logout")
    login_as(Role.ADMIN)
    assert f'id="task-{delivery_id}"' in browser.get("/tasks/").get_data(as_text=True)


def test_an_admin_adds_a_xing_channel_with_an_owner(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    hr = add_user(Role.RECRUITER, name="Hanna HR")
    login_as(Role.ADMIN)
    bad = browser.post("/channels/assisted", {"name": "ACME XING", "profile_url": "https://example.com/acme",
                                              "owner": str(hr.id)})
    assert bad.status_code == 422
    assert "must be a XING address" in text_of(bad)
    assert 'value="ACME XING"' in bad.get_data(as_text=True)
    response = browser.post("/channels/assisted", {"name": "ACME XING", "profile_url": "https://www.xing.com/pages/acme",
                                                   "owner": str(hr.id)})
    assert response.status_code == 303
    with db() as session:
        channel = session.scalars(select(Channel)).one()
        assert (channel.network, channel.owner_id, channel.handle) == (
            Network.XING, hr.id, "https://www.xing.com/pages/acme")


def test_the_delivery_list_and_page_lead_to_the_task(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    owner = login_as(Role.RECRUITER)
    delivery_id = _task(db, owner)
    for page in (browser.get("/deliveries"), browser.get(f"/deliveries/{delivery_id}")):
        html = page.get_data(as_text=True)
        assert f'href="/tasks/#task-{delivery_id}"' in html
        assert "Waiting for the owner to post" in html
