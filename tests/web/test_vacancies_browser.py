"""In Chromium: create a vacancy, mark it filled, see how many scheduled posts the confirmation cancels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy import select

from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery, Post, PostKind, Role, Vacancy
from tests.factories import make_channel, make_delivery, make_post, make_user
from tests.web.browsing import logged_in, served_app
from tests.web.conftest import NOW, services_of

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The app served over HTTP."""
    with served_app(tmp_path) as app_and_url:
        yield app_and_url


@pytest.fixture
def page(served: tuple[Flask, str]) -> Iterator[Any]:
    """A recruiter's logged-in Chromium page; fails the test on any console error (CSP violations included)."""
    app, base = served
    with services_of(app).sessions.begin() as session:
        user = make_user(session, role=Role.RECRUITER)
    with sync_api.sync_playwright() as playwright, logged_in(playwright, base, user) as tab:
        yield tab


def test_create_a_vacancy_then_mark_it_filled_and_its_scheduled_posts_are_cancelled(
        served: tuple[Flask, str], page: Any) -> None:
    app, base = served
    page.goto(f"{base}/vacancies/new")
    page.get_by_label("Job title").fill("Koch")
    page.get_by_label("Location").fill("Wien")
    page.get_by_label("Minimum salary in euros (optional)").fill("2450")
    page.get_by_label("Application link (optional)").fill("https://karriere.acme.at/jobs/koch")
    page.get_by_role("button", name="Save vacancy").click()
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Koch")
    sync_api.expect(page.get_by_role("link", name="Create job ads")).to_have_attribute(
        "href", f"/compose?vacancy={page.url.rsplit('/', 1)[1]}")
    with services_of(app).sessions.begin() as session:
        vacancy_id = session.scalars(select(Vacancy.id)).one()
        post = make_post(session, kind=PostKind.JOB_AD, vacancy_id=vacancy_id, text="Wir suchen: Koch (m/w/d)")
        ids = [make_delivery(session, post=post, channel=make_channel(session, handle=f"careers{i}"),
                             due_at=NOW + timedelta(days=i + 1)).id for i in range(3)]
        published = make_delivery(session, post=post, channel=make_channel(session),
                                  state=DeliveryState.PUBLISHED).id
    page.reload()
    sync_api.expect(page.locator("#pending-count")).to_have_text("3")
    page.get_by_role("button", name="Mark as filled").click()
    sync_api.expect(page.locator("#confirm-count")).to_contain_text("3 scheduled posts will be cancelled.")
    page.get_by_role("button", name="Yes, mark as filled").click()
    sync_api.expect(page.locator(".flash-success")).to_contain_text("3 scheduled posts were cancelled.")
    sync_api.expect(page.locator("#vacancy-status")).to_have_text("Filled")
    for delivery_id in ids:
        sync_api.expect(page.locator(f"#delivery-{delivery_id}")).to_contain_text("Cancelled")
    sync_api.expect(page.locator(f"#delivery-{published}")).to_contain_text("Published")
    with services_of(app).sessions() as session:
        states = {d.id: d.state for d in session.scalars(select(Delivery).join(Post)
                                                         .where(Post.vacancy_id == vacancy_id))}
    assert states == {**{i: DeliveryState.CANCELLED for i in ids}, published: DeliveryState.PUBLISHED}
