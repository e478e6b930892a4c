"""The recruiting day in Chromium: vacancy → job ads → preview → fix X → queue → approval → calendar → filled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy import select

from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery, Guideline, PostingSlot, PostKind, Role
from scheduler.networks import Network
from tests.factories import make_channel, make_user
from tests.web.browsing import logged_in, served_app
from tests.web.conftest import services_of

pytestmark = [pytest.mark.browser]
S = DeliveryState


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The whole app served over HTTP (its clock at the tests' NOW)."""
    with served_app(tmp_path) as app_and_url:
        yield app_and_url


def test_a_vacancy_becomes_approved_job_ads_in_the_queue_and_filling_it_cancels_them(
        served: tuple[Flask, str]) -> None:
    app, base = served
    with services_of(app).sessions.begin() as session:
        recruiter = make_user(session, role=Role.RECRUITER, name="Rita Recruiter")
        manager = make_user(session, role=Role.MANAGER, name="Max Manager")
        x = make_channel(session, name="ACME Jobs", handle="acme_jobs")
        linkedin = make_channel(session, network=Network.LINKEDIN, name="ACME GmbH", handle="")
        for channel in (x, linkedin):
            session.add(PostingSlot(channel_id=channel.id, weekday=1, local_time="09:00"))  # Tuesdays
        session.add(Guideline(kind=PostKind.JOB_AD, requires_approval=True))
    with sync_api.sync_playwright() as playwright:
        with logged_in(playwright, base, recruiter) as page:
            page.goto(f"{base}/vacancies/new")
            page.get_by_label("Job title").fill("Lagerist (m/w/d)")
            page.get_by_label("Location").fill("Graz")
            page.get_by_label("Minimum salary in euros (optional)").fill("2450")
            page.get_by_label("Willing to pay more than the minimum").check()
            page.get_by_label("Application link (optional)").fill("https://karriere.acme.at/jobs/lager")
            page.get_by_role("button", name="Save vacancy").click()
            vacancy_url = page.url
            page.get_by_role("link", name="Create job ads").click()

            # The composer holds the ads: a long common text and X's own short one.
            sync_api.expect(page.get_by_label("Text", exact=True)).to_have_value(re.compile("Lagerist"))
            own_x = page.get_by_label(re.compile("Text on X"))
            sync_api.expect(own_x).to_have_value(re.compile("Lagerist"))
            page.locator(f"#channel-{x.id}").check()
            page.locator(f"#channel-{linkedin.id}").check()
            previews = page.locator("#previews article")
            sync_api.expect(previews).to_have_count(2)
            # Too long for X: the problem shows next to the channel while typing, and goes once fixed.
            sync_api.expect(page.locator("details.own-text", has=own_x)).to_have_attribute("open", "")  # prefilled
            own_x.fill("Lagerist (m/w/d) in Graz gesucht! " + "Wir freuen uns auf Sie. " * 12)
            x_problems = page.locator(f"#channel-{x.id}-problems")
            sync_api.expect(x_problems).to_contain_text("characters")
            own_x.fill("Lagerist (m/w/d) in Graz gesucht, € 2.450 brutto/Monat laut KV, Überzahlung möglich.")
            sync_api.expect(x_problems).to_be_empty()
            sync_api.expect(previews.filter(has_text="@acme_jobs")).to_contain_text("Lagerist (m/w/d) in Graz gesucht")
            page.get_by_label("In each channel's next free posting slot").check()
            page.get_by_role("button", name="Schedule").click()
            # Salary, overpay and the gender marker are stated, so the job-ad rules have nothing to warn about.
            sync_api.expect(page.locator(".flash-success")).to_contain_text("Sent for approval")

        with services_of(app).sessions() as session:
            deliveries = list(session.scalars(select(Delivery).order_by(Delivery.channel_id)))
        assert [d.state for d in deliveries] == [S.AWAITING_APPROVAL, S.AWAITING_APPROVAL]
        assert all((d.due_at.weekday(), d.due_at.hour) == (1, 8) for d in deliveries)  # Tue 09:00 CET

        with logged_in(playwright, base, manager) as page:
            page.get_by_role("link", name="Approvals").click()
            page.get_by_role("link", name="Review").first.click()
            page.get_by_role("button", name="Approve").click()
            page.goto(f"{base}/calendar?view=week&date={deliveries[0].due_at.date().isoformat()}")
            for delivery in deliveries:
                sync_api.expect(page.locator(f"#entry-{delivery.id}")).to_contain_text("Scheduled")

        with logged_in(playwright, base, recruiter) as page:
            page.goto(vacancy_url)
            page.get_by_role("button", name="Mark as filled").click()
            sync_api.expect(page.locator("#confirm-count")).to_contain_text("2 scheduled posts will be cancelled.")
            page.get_by_role("button", name="Yes, mark as filled").click()
            sync_api.expect(page.locator("#vacancy-status")).to_have_text("Filled")
    with services_of(app).sessions() as session:
        assert set(session.scalars(select(Delivery.state))) == {S.CANCELLED}
