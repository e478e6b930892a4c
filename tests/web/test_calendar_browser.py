"""The calendar in Debian's Chromium: a delivery on its local day, moved by the form and by drag and drop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Delivery, Role
from tests.factories import make_channel, make_delivery, make_post, make_user
from tests.web.browsing import logged_in, served_app
from tests.web.conftest import services_of

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The app (clock: Sunday 2026-03-01 12:00 UTC) served over HTTP."""
    with served_app(tmp_path) as app_and_url:
        yield app_and_url


@pytest.fixture
def console() -> list[str]:
    """The console errors of the page; a test removes the ones it caused on purpose."""
    return []


@pytest.fixture
def page(served: tuple[Flask, str], console: list[str]) -> Iterator[Any]:
    """A Chromium page logged in as a marketer in Vienna; fails the test on any console error (CSP included)."""
    app, base = served
    with services_of(app).sessions.begin() as session:
        user = make_user(session, role=Role.MARKETER, tz_name="Europe/Vienna")
    with sync_api.sync_playwright() as playwright, logged_in(playwright, base, user, console) as tab:
        yield tab
    assert console == []


def _delivery(sessions: sessionmaker[Session], due_at: datetime) -> int:
    with sessions.begin() as session:
        channel = make_channel(session, name="ACME Karriere", tz_name="Europe/Vienna")
        post = make_post(session, text="Wir suchen eine Filialleitung (m/w/d) in Graz.")
        return make_delivery(session, post=post, channel=channel, due_at=due_at).id


def _due_at(sessions: sessionmaker[Session], delivery_id: int) -> datetime:
    with sessions() as session:
        return session.get_one(Delivery, delivery_id).due_at


def test_a_delivery_is_moved_to_another_day_with_its_form(served: tuple[Flask, str], page: Any) -> None:
    app, base = served
    sessions = services_of(app).sessions
    delivery_id = _delivery(sessions, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # Tuesday 09:00 in Vienna
    page.goto(f"{base}/calendar?view=week&date=2026-03-03")
    entry = page.locator(f"#entry-{delivery_id}")
    sync_api.expect(page.locator(f'td[data-date="2026-03-03"][data-hour="9"] #entry-{delivery_id}')).to_be_visible()
    sync_api.expect(entry).to_contain_text("ACME Karriere")
    sync_api.expect(entry).to_contain_text("Scheduled")
    entry.locator("summary").click()
    entry.get_by_label("Date").fill("2026-03-05")
    entry.get_by_label("Time").fill("14:15")
    entry.get_by_role("button", name="Move").click()
    page.wait_for_url(f"{base}/calendar?view=week&date=2026-03-05")
    sync_api.expect(page.get_by_text("Moved to 2026-03-05 14:15 CET.")).to_be_visible()
    moved = page.locator(f'td[data-date="2026-03-05"][data-hour="14"] #entry-{delivery_id}')
    sync_api.expect(moved).to_contain_text("14:15")
    assert _due_at(sessions, delivery_id) == datetime(2026, 3, 5, 13, 15, tzinfo=UTC)


def test_a_delivery_dragged_to_another_day_and_hour_keeps_its_minutes(served: tuple[Flask, str], page: Any) -> None:
    app, base = served
    sessions = services_of(app).sessions
    delivery_id = _delivery(sessions, datetime(2026, 3, 3, 8, 45, tzinfo=UTC))  # Tuesday 09:45 in Vienna
    page.goto(f"{base}/calendar?view=week&date=2026-03-03")
    target = page.locator('td[data-date="2026-03-06"][data-hour="11"]')
    page.locator(f"#entry-{delivery_id}").drag_to(target)
    page.wait_for_url(f"{base}/calendar?view=week&date=2026-03-06")
    sync_api.expect(target.locator(f"#entry-{delivery_id}")).to_contain_text("11:45")
    assert _due_at(sessions, delivery_id) == datetime(2026, 3, 6, 10, 45, tzinfo=UTC)


def test_a_time_in_the_past_is_explained_next_to_the_form(served: tuple[Flask, str], page: Any,
                                                          console: list[str]) -> None:
    app, base = served
    sessions = services_of(app).sessions
    due = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    delivery_id = _delivery(sessions, due)
    page.goto(f"{base}/calendar?view=week&date=2026-03-03")
    entry = page.locator(f"#entry-{delivery_id}")
    entry.locator("summary").click()
    entry.get_by_label("Date").fill("2026-02-20")
    entry.get_by_role("button", name="Move").click()
    entry = page.locator(f"#entry-{delivery_id}")
    sync_api.expect(entry.locator(".problems")).to_have_text("The time lies in the past; pick a later time.")
    sync_api.expect(entry.get_by_label("Date")).to_have_value("2026-02-20")
    sync_api.expect(entry.get_by_label("Date")).to_be_visible()  # the form stays open
    assert _due_at(sessions, delivery_id) == due
    # Chromium logs the page's deliberate 422 answer as a failed load; that one is expected, nothing else.
    console.remove("Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)")
