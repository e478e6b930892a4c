"""In Chromium: the lead form embedded in another site's page (with the embed code) is refused until the site is
listed, then sends a request attributed by that page's UTM values; a marketer sees it and qualifies it."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy import select

from scheduler.lead_settings import save_lead_form_settings
from scheduler.models import Lead, LeadStatus, Role
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_user
from tests.web.browsing import CHROMIUM, logged_in, served_app
from tests.web.conftest import NOW, services_of
from web.lead_settings import embed_code

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The app served over HTTP; the public form may be sent at once."""
    with served_app(tmp_path) as (app, base):
        app.config["PUBLIC_FORM_MIN_FILL_S"] = 0
        yield app, base


@pytest.fixture
def company_site(served: tuple[Flask, str], tmp_path: Path) -> Iterator[str]:
    """The company's own website on another origin, with the embed code pasted into a page; yields its origin."""
    _app, base = served
    site = tmp_path / "site"
    site.mkdir()
    (site / "kontakt.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>ACME – Contact</title></head><body>"
        f"<h1>Contact ACME</h1>{embed_code(f'{base}/forms/lead?lang=en', 'Contact request')}</body></html>",
        encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the base class's name)
        pass


def test_the_embedded_form_sends_an_attributed_lead_that_a_marketer_qualifies(
        served: tuple[Flask, str], company_site: str) -> None:
    app, base = served
    with services_of(app).sessions.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN, name="ACME",
                                                               handle="acme"))
        delivery_id = delivery.id
        marketer = make_user(session, role=Role.MARKETER)
    landing = (f"{company_site}/kontakt.html?utm_source=linkedin&utm_medium=social&utm_campaign=messe"
               f"&utm_content=d{delivery_id}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            console: list[str] = []
            visitor = browser.new_page(locale="en-US")
            visitor.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
            # Not listed yet: the browser refuses to show the form inside the company's page.
            with (visitor.expect_response(lambda r: r.url.startswith(f"{base}/forms/lead")) as refused,
                  visitor.expect_console_message(lambda message: "frame-ancestors" in message.text)):
                visitor.goto(landing)
            assert "frame-ancestors 'self'" in refused.value.headers["content-security-policy"]
            assert visitor.frame_locator("#postillon-lead-form").get_by_label("Your name").count() == 0
            console.clear()

            with services_of(app).sessions.begin() as session:
                save_lead_form_settings(session, frame_ancestors=company_site, merge_window_days=30,
                                        consent_texts={}, user_id=None, now=NOW)
            visitor.goto(landing)
            form = visitor.frame_locator("#postillon-lead-form")
            form.get_by_label("Your name").fill("Maria Huber")
            form.get_by_label("Company (optional)").fill("Huber GmbH")
            form.get_by_label("E-mail address").fill("maria@example.com")
            form.get_by_label("Your message (optional)").fill("Bitte um ein Angebot.")
            form.get_by_role("checkbox").check()
            form.get_by_role("button", name="Send request").click()
            sync_api.expect(form.get_by_role("heading", level=1)).to_have_text("Thank you for your request")
            assert visitor.context.cookies() == [] and console == []
        finally:
            browser.close()

        with services_of(app).sessions() as session:
            lead = session.scalars(select(Lead)).one()
            assert (lead.name, lead.delivery_id, lead.utm_campaign) == ("Maria Huber", delivery_id, "messe")
            lead_id = lead.id

        with logged_in(playwright, base, marketer) as page:
            page.get_by_role("link", name="Leads").click()
            row = page.locator(f"#lead-{lead_id}")
            sync_api.expect(row).to_contain_text("LinkedIn (acme)")
            row.get_by_role("link", name="Maria Huber").click()
            sync_api.expect(page.get_by_text("Bitte um ein Angebot.")).to_be_visible()
            page.get_by_role("button", name="Mark as “Qualified”").click()
            sync_api.expect(page.locator("#lead-status")).to_have_text("Qualified")

    with services_of(app).sessions() as session:
        assert session.scalars(select(Lead.status)).one() is LeadStatus.QUALIFIED
