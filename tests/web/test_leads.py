"""The lead pages: list with counts per status and attribution, detail with history, status buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.attribution import Attribution, attribute
from scheduler.leads import set_status, submit_lead
from scheduler.models import AuditEvent, Lead, LeadStatus, Role, User
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery
from tests.web.conftest import NOW, Browser, text_of
from web.leads import PAGE_SIZE


def _lead(session: Session, email: str = "maria@example.com", **values: object) -> Lead:
    fields: dict[str, object] = {"name": "Maria Huber", "company": "Huber GmbH", "email": email,
                                 "message": "Bitte um Rückruf.", "consent_text": "Ich willige ein.",
                                 "attribution": Attribution(), "now": NOW - timedelta(days=2)}
    return submit_lead(session, **{**fields, **values})  # type: ignore[arg-type]


def test_the_list_counts_each_status_and_shows_where_leads_came_from(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    with db.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN, name="ACME",
                                                               handle="acme"))
        attributed = _lead(session, attribution=attribute(session, {"utm_source": "linkedin",
                                                                    "utm_content": f"d{delivery.id}"}))
        _lead(session, now=NOW - timedelta(days=1), message="Noch einmal.")  # merged
        campaign = _lead(session, email="b@example.com", attribution=attribute(session, {"utm_campaign": "messe"}))
        junk = _lead(session, email="spam@example.com", name="Spam")
        set_status(session, junk.id, LeadStatus.JUNK, now=NOW, user_id=None)
        ids = attributed.id, campaign.id, junk.id, delivery.id
    page = text_of(browser.get("/leads/"))
    assert 'data-count="all">3<' in page and 'data-count="new">2<' in page and 'data-count="junk">1<' in page
    row = page.split(f'id="lead-{ids[0]}"')[1].split("</tr>")[0]
    assert "data-submissions>2<" in row and f'href="/deliveries/{ids[3]}"' in row and "LinkedIn (acme)" in row
    assert "messe" in page.split(f'id="lead-{ids[1]}"')[1].split("</tr>")[0]
    only_junk = text_of(browser.get("/leads/?status=junk"))
    assert f'id="lead-{ids[2]}"' in only_junk and f'id="lead-{ids[0]}"' not in only_junk


def test_the_list_pages_through_many_leads(browser: Browser, login_as: Callable[..., User],
                                           db: sessionmaker[Session]) -> None:
    login_as(Role.MANAGER)
    with db.begin() as session:
        for n in range(PAGE_SIZE + 1):
            _lead(session, email=f"p{n}@example.com", now=NOW - timedelta(minutes=n))
    first, second = text_of(browser.get("/leads/")), text_of(browser.get("/leads/?page=2"))
    assert first.count('<tr id="lead-') == PAGE_SIZE and "page=2" in first
    assert second.count('<tr id="lead-') == 1 and "page=3" not in second


def test_the_detail_shows_contact_consent_attribution_and_every_message(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    with db.begin() as session:
        lead = _lead(session, message="Erste <Nachricht>")
        _lead(session, now=NOW - timedelta(days=1), message="Zweite Nachricht")
        lead_id = lead.id
    page = text_of(browser.get(f"/leads/{lead_id}"))
    assert "mailto:maria@example.com" in page and "Ich willige ein." in page
    assert page.index("Erste &lt;Nachricht&gt;") < page.index("Zweite Nachricht")
    assert 'id="lead-submissions">2<' in page and "Not attributed to a post" in page
    assert "Mark as “New”" not in page and "Mark as “Qualified”" in page


def test_a_status_button_moves_the_lead_and_audits_who_did_it(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    marketer = login_as(Role.MARKETER)
    with db.begin() as session:
        lead_id = _lead(session).id
    response = browser.post(f"/leads/{lead_id}/status", {"status": "qualified"})
    assert response.status_code == 303 and response.headers["Location"] == f"/leads/{lead_id}"
    assert "The lead is now “Qualified”." in text_of(browser.get(response.headers["Location"]))
    with db() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and (lead.status, lead.qualified_at) == (LeadStatus.QUALIFIED, NOW)
        assert session.scalars(select(AuditEvent.user_id).where(AuditEvent.action == "lead.status")).one() \
            == marketer.id


@pytest.mark.parametrize("data", [{"status": "won"}, {}])
def test_an_unknown_status_changes_nothing(browser: Browser, login_as: Callable[..., User],
                                           db: sessionmaker[Session], data: dict[str, str]) -> None:
    login_as(Role.MARKETER)
    with db.begin() as session:
        lead_id = _lead(session).id
    assert browser.post(f"/leads/{lead_id}/status", data).status_code == 400
    with db() as session:
        assert session.scalar(select(Lead.status)) is LeadStatus.NEW


def test_a_status_change_without_the_csrf_token_is_refused(browser: Browser, login_as: Callable[..., User],
                                                           db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    with db.begin() as session:
        lead_id = _lead(session).id
    response = browser.client.post(f"/leads/{lead_id}/status", data={"status": "qualified"})
    assert response.status_code == 400
    with db() as session:
        assert session.scalar(select(Lead.status)) is LeadStatus.NEW


def test_an_anonymised_lead_offers_no_buttons_and_cannot_change(browser: Browser, login_as: Callable[..., User],
                                                                db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    with db.begin() as session:
        lead = _lead(session)
        lead.anonymized_at = NOW
        lead_id = lead.id
    assert "Mark as" not in text_of(browser.get(f"/leads/{lead_id}"))
    response = browser.post(f"/leads/{lead_id}/status", {"status": "qualified"})
    assert "can no longer change" in text_of(browser.get(response.headers["Location"]))


def test_an_unknown_lead_is_not_found(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MARKETER)
    assert browser.get("/leads/999").status_code == 404
    assert browser.post("/leads/999/status", {"status": "qualified"}).status_code == 404


@pytest.mark.parametrize(("role", "visible"), [(Role.MARKETER, True), (Role.RECRUITER, False),
                                               (Role.VIEWER, False)])
def test_the_navigation_shows_leads_to_those_who_work_them(browser: Browser, login_as: Callable[..., User],
                                                           role: Role, visible: bool) -> None:
    login_as(role)
    assert ('href="/leads/"' in text_of(browser.get("/channels/"))) is visible
