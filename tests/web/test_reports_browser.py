"""In Chromium: a manager opens the reports, picks "last 30 days", follows a figure to its posts, downloads the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api

from scheduler.models import Role
from tests.factories import make_user
from tests.web.browsing import logged_in, served_app
from tests.web.conftest import NOW, services_of
from tests.web.report_rows import World, seed

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str, World]]:
    """The app served over HTTP, with the known report world."""
    with served_app(tmp_path) as (app, base):
        with services_of(app).sessions.begin() as session:
            world = seed(session, NOW)
        yield app, base, world


@pytest.fixture
def page(served: tuple[Flask, str, World]) -> Iterator[Any]:
    """A manager's logged-in Chromium page; fails the test on any console error (CSP violations included)."""
    app, base, _world = served
    with services_of(app).sessions.begin() as session:
        user = make_user(session, role=Role.MANAGER)
    with sync_api.sync_playwright() as playwright, logged_in(playwright, base, user) as tab:
        yield tab


def test_a_manager_follows_a_figure_to_its_posts_and_downloads_the_pdf(page: Any, served: tuple[Flask, str, World],
                                                                       tmp_path: Path) -> None:
    _app, base, world = served
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Last 7 days").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"{base}/reports?preset=7d*")
    page.get_by_label("Last 30 days").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"{base}/reports?preset=30d*")
    assert page.get_by_role("img", name="Trend per week").is_visible()  # the SVG chart, no script needed
    row = page.locator(f"#channel-{world.linkedin}")
    row.get_by_role("link", name="7", exact=True).click()  # its human clicks
    page.wait_for_url(f"{base}/reports/posts?*metric=clicks*")
    assert page.get_by_role("heading", name="Posts behind: Human clicks").is_visible()
    page.get_by_role("link", name="Wir suchen einen Koch in Graz").click()
    page.wait_for_url(f"{base}/deliveries/{world.job_delivery}")
    page.go_back()
    page.get_by_role("link", name="Back to the reports").click()
    page.wait_for_url(f"{base}/reports?preset=30d")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF report").click()
    target = tmp_path / "report.pdf"
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename == "postillon-report-2026-01-31-2026-03-01-en.pdf"
