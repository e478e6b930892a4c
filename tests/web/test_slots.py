"""A channel's posting slots page (admins): list, add, remove, and the messages for bad slots."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import PostingSlot, Role, User
from scheduler.slots import set_slots
from tests.factories import make_channel
from tests.web.conftest import Browser, text_of
from web import calendar, slots


@pytest.fixture(autouse=True)
def _blueprints(app: Flask) -> None:
    # Until web/__init__.py registers them (see the issue 4 report), the tests register the blueprints.
    for module in (calendar, slots):
        if module.bp.name not in app.blueprints:
            app.register_blueprint(module.bp)


def _channel(db: sessionmaker[Session], *found: tuple[int, str]) -> int:
    with db.begin() as session:
        channel_id = make_channel(session, name="ACME Careers", handle="acme_careers").id
        if found:
            set_slots(session, channel_id, list(found))
        return channel_id


def _slots(db: sessionmaker[Session], channel_id: int) -> list[tuple[int, str]]:
    with db() as session:
        return [(s.weekday, s.local_time) for s in session.scalars(
            select(PostingSlot).where(PostingSlot.channel_id == channel_id)
            .order_by(PostingSlot.weekday, PostingSlot.local_time))]


def test_an_admin_sees_the_slots_and_the_next_free_one(browser: Browser, login_as: Callable[..., User],
                                                       db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    channel_id = _channel(db, (3, "09:00"), (1, "16:30"))
    page = text_of(browser.get(f"/channels/{channel_id}/slots"))
    assert "Posting slots of X (@acme_careers)" in page
    assert page.index("Tuesday, 16:30") < page.index("Thursday, 09:00")
    # The app's clock is Sunday 2026-03-01 12:00 UTC: the next slot is Tuesday 16:30 in Vienna.
    assert "Next free slot: 2026-03-03 16:30 CET." in page


def test_adding_a_slot_stores_it(browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    channel_id = _channel(db, (3, "09:00"))
    response = browser.post(f"/channels/{channel_id}/slots", {"weekday": "1", "time": "08:15"})
    assert response.status_code == 303
    assert _slots(db, channel_id) == [(1, "08:15"), (3, "09:00")]
    assert "Slot added: Tuesday at 08:15." in text_of(browser.get(f"/channels/{channel_id}/slots"))


@pytest.mark.parametrize(("form", "message"), [
    ({"weekday": "3", "time": "09:00"}, "Thursday at 09:00 is already a slot."),
    ({"weekday": "3", "time": "25:00"}, "Enter the time as HH:MM."),
    ({"weekday": "9", "time": "10:00"}, "Choose a weekday."),
])
def test_a_repeated_or_malformed_slot_is_refused_with_a_message(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], form: dict[str, str],
        message: str) -> None:
    login_as(Role.ADMIN)
    channel_id = _channel(db, (3, "09:00"))
    response = browser.post(f"/channels/{channel_id}/slots", form)
    assert response.status_code == 422
    page = htmllib.unescape(text_of(response))
    assert message in page and f'value="{form["time"]}"' in page
    assert _slots(db, channel_id) == [(3, "09:00")]


def test_removing_a_slot(browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    channel_id = _channel(db, (3, "09:00"), (1, "10:00"))
    with db() as session:
        kept_id = session.scalars(select(PostingSlot.id).where(PostingSlot.weekday == 3)).one()
    page = text_of(browser.get(f"/channels/{channel_id}/slots"))
    assert '<input type="hidden" name="weekday" value="1"><input type="hidden" name="time" value="10:00">' in page
    gone = {"weekday": "1", "time": "10:00"}
    assert browser.post(f"/channels/{channel_id}/slots/remove", gone).status_code == 303
    assert _slots(db, channel_id) == [(3, "09:00")]
    with db() as session:  # the slot that stays keeps its row
        assert session.scalars(select(PostingSlot.id)).all() == [kept_id]
    assert "Slot removed: Tuesday at 10:00." in text_of(browser.get(f"/channels/{channel_id}/slots"))
    # Sent twice (a second tab, a double click): nothing else is removed.
    assert browser.post(f"/channels/{channel_id}/slots/remove", gone).status_code == 303
    assert _slots(db, channel_id) == [(3, "09:00")]
    assert "Tuesday at 10:00 is not a slot (any more)." in text_of(browser.get(f"/channels/{channel_id}/slots"))


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.MARKETER, Role.MANAGER, Role.AMBASSADOR, Role.VIEWER])
def test_only_admins_manage_slots(browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session],
                                  role: Role) -> None:
    login_as(role)
    channel_id = _channel(db, (3, "09:00"))
    assert browser.get(f"/channels/{channel_id}/slots").status_code == 403
    assert browser.post(f"/channels/{channel_id}/slots", {"weekday": "1", "time": "08:15"}).status_code == 403
    assert _slots(db, channel_id) == [(3, "09:00")]


def test_slots_of_an_unknown_channel_are_not_found(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    assert browser.get("/channels/4711/slots").status_code == 404
    assert browser.post("/channels/4711/slots", {"weekday": "1", "time": "08:15"}).status_code == 404
