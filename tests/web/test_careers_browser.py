"""In Chromium: a visitor from a LinkedIn post applies with a PDF, and a recruiter sees where they came from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api

from scheduler.models import Role, Vacancy
from scheduler.networks import Network
from tests.cvfiles import pdf_bytes
from tests.factories import make_channel, make_delivery, make_user
from tests.web.browsing import CHROMIUM, logged_in, served_app
from tests.web.conftest import NOW, services_of

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The app served over HTTP; public forms accept a post at once (a test types faster than people)."""
    with served_app(tmp_path) as (app, url):
        app.config["PUBLIC_FORM_MIN_FILL_S"] = 0
        yield app, url


def test_a_visitor_from_a_linkedin_post_applies_with_a_pdf_and_the_recruiter_sees_the_channel(
        served: tuple[Flask, str], tmp_path: Path) -> None:
    app, base = served
    with services_of(app).sessions.begin() as session:
        vacancy = Vacancy(title="Köchin", location="Wien", description="Du kochst für 200 Gäste.",
                          valid_through=NOW + timedelta(days=30))
        session.add(vacancy)
        session.flush()
        channel = make_channel(session, network=Network.LINKEDIN, name="ACME Karriere", handle="acme-karriere")
        delivery = make_delivery(session, channel=channel)
        recruiter = make_user(session, role=Role.RECRUITER)
        vacancy_id, delivery_id = vacancy.id, delivery.id
    cv = tmp_path / "Lebenslauf Anna.pdf"
    cv.write_bytes(pdf_bytes())
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        visitor_browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            visitor: Any = visitor_browser.new_page(locale="en-US")
            visitor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            visitor.goto(f"{base}/careers/{vacancy_id}-koechin?utm_source=linkedin&utm_medium=social"
                         f"&utm_campaign=job-{vacancy_id}-koechin&utm_content=d{delivery_id}")
            sync_api.expect(visitor.get_by_role("heading", level=1)).to_have_text("Köchin (m/w/d)")
            posting = json.loads(visitor.locator('script[type="application/ld+json"]').text_content())
            assert posting["@type"] == "JobPosting" and posting["directApply"] is True
            visitor.get_by_role("link", name="Apply now").click()
            visitor.get_by_label("Your name").fill("Anna Muster")
            visitor.get_by_label("E-mail address").fill("anna@example.at")
            visitor.get_by_label("Message (optional)").fill("Ich koche seit zehn Jahren.")
            visitor.get_by_label("CV (optional, PDF or Word)").set_input_files(str(cv))
            visitor.get_by_label("I agree", exact=True).check()
            visitor.get_by_role("button", name="Send application").click()
            sync_api.expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you for your application")
            assert visitor.context.cookies() == []  # the way through the careers site set no cookie
        finally:
            visitor_browser.close()
        assert errors == []  # no CSP violation: the JSON-LD block is data, not script
        with logged_in(playwright, base, recruiter) as page:
            page.goto(f"{base}/vacancies/{vacancy_id}")
            page.get_by_role("link", name="Applications and pipeline").click()
            sync_api.expect(page.locator("#count-received")).to_have_text("1")
            row = page.locator("tbody tr", has_text="Anna Muster")
            sync_api.expect(row).to_contain_text("LinkedIn (acme-karriere)")
            row.get_by_role("link", name="Anna Muster").click()
            sync_api.expect(page.locator("#attribution")).to_contain_text("LinkedIn (acme-karriere)")
            sync_api.expect(page.get_by_role("link", name="Lebenslauf Anna.pdf")).to_be_visible()
            page.get_by_role("button", name="Screening").click()
            sync_api.expect(page.locator("#application-stage")).to_have_text("Screening")
