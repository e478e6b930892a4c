"""The pages' scripts in Debian's Chromium: the list updates in place, the composer counts per channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy import update

from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery, Role
from tests.factories import make_channel, make_delivery, make_post, make_user
from tests.web.browsing import logged_in, served_app
from tests.web.conftest import services_of

# No skip when Chromium is missing: `make test` installs it, and a skipped browser test hides a gap.
pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The app served over HTTP."""
    with served_app(tmp_path) as app_and_url:
        yield app_and_url


@pytest.fixture
def page(served: tuple[Flask, str]) -> Iterator[Any]:
    """A marketer's logged-in Chromium page; fails the test on any console error (CSP violations included)."""
    app, base = served
    with services_of(app).sessions.begin() as session:
        user = make_user(session, role=Role.MARKETER)
    with sync_api.sync_playwright() as playwright, logged_in(playwright, base, user) as tab:
        yield tab


def test_the_list_updates_in_place(served: tuple[Flask, str], page: Any) -> None:
    app, base = served
    with services_of(app).sessions.begin() as session:
        channel = make_channel(session, handle="careers")
        delivery = make_delivery(session, post=make_post(session, text="Polling works"), channel=channel,
                                 due_at=datetime(2026, 3, 30, 7, 0, tzinfo=UTC)).id
    page.goto(f"{base}/deliveries")
    row = page.locator(f"#delivery-{delivery}")
    sync_api.expect(row).to_contain_text("Scheduled")
    page.evaluate("window.__notReloaded = true")
    with services_of(app).sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery)
                        .values(state=DeliveryState.PUBLISHED, external_url="https://x.com/careers/status/1"))
    sync_api.expect(row).to_contain_text("Published", timeout=10_000)
    sync_api.expect(row.get_by_role("link", name="View post")).to_have_attribute(
        "href", "https://x.com/careers/status/1")
    sync_api.expect(page.locator('[data-count="published"]')).to_have_text("1")
    assert page.evaluate("window.__notReloaded") is True
    # A new delivery appears as a new row, still without a reload.
    with services_of(app).sessions.begin() as session:
        added = make_delivery(session, post=make_post(session, text="Brand new"), channel=channel).id
    sync_api.expect(page.locator(f"#delivery-{added}")).to_contain_text("Brand new", timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True


def test_the_composer_counts_per_channel_and_shows_problems(served: tuple[Flask, str], page: Any) -> None:
    app, base = served
    with services_of(app).sessions.begin() as session:
        channel = make_channel(session, handle="careers").id
    page.goto(f"{base}/compose")
    sync_api.expect(page.locator("#when-later")).to_be_hidden()
    page.get_by_label("At a date and time").check()
    sync_api.expect(page.locator("#when-later")).to_be_visible()
    page.get_by_label("Text", exact=True).fill("Hallo https://karriere.acme.at/jobs/1")
    counter = page.locator(f"#channel-{channel}-count")
    sync_api.expect(counter).to_have_text("29 / 280")  # "Hallo " + a link counted as 23
    page.locator(f"#channel-{channel}").check()
    page.get_by_label("Text", exact=True).fill("x" * 281)
    sync_api.expect(counter).to_have_text("281 / 280")
    sync_api.expect(page.locator(f"#channel-{channel}-problems")).to_contain_text(
        "X takes at most 280 characters; this text has 281")


def _image_file(tmp_path: Path, name: str, fmt: str, size: tuple[int, int] = (1080, 1080)) -> Path:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", size, "teal").save(path, format=fmt)
    return path


def test_images_upload_when_chosen_and_each_channel_checks_them(served: tuple[Flask, str], page: Any,
                                                                tmp_path: Path) -> None:
    from sqlalchemy import select

    from scheduler.models import Post
    from scheduler.networks import Network

    app, base = served
    with services_of(app).sessions.begin() as session:
        insta = make_channel(session, network=Network.INSTAGRAM, handle="acme.insta").id
    page.goto(f"{base}/compose")
    page.get_by_label("Text", exact=True).fill("Unser Stand auf der Messe.")
    page.locator(f"#channel-{insta}").check()
    page.get_by_label("Add images").set_input_files([str(_image_file(tmp_path, "logo.png", "PNG"))])
    items = page.locator("#media-list li")
    sync_api.expect(items).to_have_count(1)
    sync_api.expect(items.first).to_contain_text("logo.png · 1080×1080")
    # A PNG is fine: Instagram gets a JPEG rendition of it. The preview counts the image.
    sync_api.expect(page.locator("#previews")).to_contain_text("1 images")
    sync_api.expect(page.locator(f"#channel-{insta}-problems")).to_be_empty()
    items.first.get_by_role("button", name="Remove").click()
    sync_api.expect(items).to_have_count(0)
    sync_api.expect(page.locator("#previews")).not_to_contain_text("images")
    sync_api.expect(page.locator(f"#channel-{insta}-problems")).to_contain_text("image")  # Instagram needs one
    page.get_by_label("Add images").set_input_files([str(_image_file(tmp_path, "stand.jpg", "JPEG"))])
    sync_api.expect(items).to_have_count(1)
    page.get_by_label("Description for people who cannot see the image").fill("Der Messestand")
    page.get_by_label("Caption (what the photo shows)").fill("Unser Team am Stand in Wels")
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url(f"{base}/deliveries")
    with services_of(app).sessions() as session:
        post = session.scalars(select(Post)).one()
        assert [(m.filename, m.alt_text, m.caption) for m in post.media] == [
            ("stand.jpg", "Der Messestand", "Unser Team am Stand in Wels")]
