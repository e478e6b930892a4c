"""The public lead form: framable only by the listed sites, no cookie, UTM values carried in, bad input kept."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from scheduler.lead_settings import save_lead_form_settings
from scheduler.models import CompanySetting, Lead
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery
from tests.web.conftest import NOW, text_of
from web.security import CSP

_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def visitor(app: Flask) -> Iterator[FlaskClient]:
    """A visitor who never logs in (English browser); the form may be sent at once."""
    app.config["PUBLIC_FORM_MIN_FILL_S"] = 0
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield client


def _send(client: FlaskClient, query: str = "", **values: str) -> TestResponse:
    page = client.get(f"/forms/lead{query}")
    token = _TOKEN.search(text_of(page))
    assert token, "no form token on the page"
    fields = {"form_token": token.group(1), "name": "Maria Huber", "company": "Huber GmbH",
              "email": "maria@example.com", "message": "Bitte um Rückruf.", "consent": "y", "website": ""}
    hidden = dict(re.findall(r'name="(utm_[a-z]+)" type="hidden" value="([^"]*)"', text_of(page)))
    return client.post(f"/forms/lead{query}", data={**fields, **hidden, **values})


def _leads(db: sessionmaker[Session]) -> list[Lead]:
    with db() as session:
        return list(session.scalars(select(Lead).order_by(Lead.id)))


def _frame_ancestors(response: TestResponse) -> str:
    found = re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])
    assert found
    return found.group(1)


def test_the_form_may_be_framed_only_by_this_site_until_an_admin_lists_others(visitor: FlaskClient) -> None:
    response = visitor.get("/forms/lead")
    assert response.status_code == 200
    assert _frame_ancestors(response) == "'self'"
    assert "X-Frame-Options" not in response.headers


def test_listed_sites_may_frame_the_form_and_every_other_page_stays_unframable(
        visitor: FlaskClient, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        save_lead_form_settings(session, frame_ancestors="https://www.acme.at\nhttps://*.acme.de",
                                merge_window_days=30, consent_texts={}, user_id=None, now=NOW)
    response = visitor.get("/forms/lead")
    assert _frame_ancestors(response) == "'self' https://www.acme.at https://*.acme.de"
    assert _frame_ancestors(_send(visitor)) == "'self' https://www.acme.at https://*.acme.de"
    assert visitor.get("/login").headers["Content-Security-Policy"] == CSP
    assert _frame_ancestors(visitor.get("/login")) == "'none'"


def test_a_stored_value_that_is_no_origin_never_reaches_the_header(visitor: FlaskClient,
                                                                   db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(CompanySetting(key="lead_form", value='{"frame_ancestors": ["https://ok.at", "*; script-src *"]}',
                                   updated_at=NOW))
    assert _frame_ancestors(visitor.get("/forms/lead")) == "'self' https://ok.at"


def test_no_cookie_is_set_when_showing_or_sending_the_form(visitor: FlaskClient) -> None:
    responses = [visitor.get("/forms/lead?utm_source=x"), _send(visitor, name=""), _send(visitor),
                 visitor.get("/forms/lead?sent=1")]
    assert [r.headers.getlist("Set-Cookie") for r in responses] == [[], [], [], []]
    assert visitor.get_cookie("postillon_session") is None


def test_a_good_request_is_stored_with_the_consent_shown_and_thanked(visitor: FlaskClient,
                                                                    db: sessionmaker[Session]) -> None:
    page = text_of(visitor.get("/forms/lead"))
    response = _send(visitor)
    assert response.status_code == 303 and response.headers["Location"] == "/forms/lead?sent=1"
    thanks = visitor.get(response.headers["Location"])
    assert "Thank you for your request" in text_of(thanks) and 'name="email"' not in text_of(thanks)
    [lead] = _leads(db)
    assert (lead.name, lead.company, lead.email, lead.message, lead.source) == (
        "Maria Huber", "Huber GmbH", "maria@example.com", "Bitte um Rückruf.", "form")
    assert lead.consent_text and lead.consent_text in page and lead.consented_at == NOW


def test_utm_values_of_the_embedding_page_attribute_the_lead(visitor: FlaskClient,
                                                             db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN))
        delivery_id, channel_id = delivery.id, delivery.channel_id
    query = f"?utm_source=linkedin&utm_medium=social&utm_campaign=Messe&utm_content=d{delivery_id}"
    page = text_of(visitor.get(f"/forms/lead{query}"))
    assert 'name="utm_campaign" type="hidden" value="messe"' in page
    assert _send(visitor, query).status_code == 303
    [lead] = _leads(db)
    assert (lead.delivery_id, lead.channel_id, lead.utm_source, lead.utm_campaign) == (
        delivery_id, channel_id, "linkedin", "messe")


@pytest.mark.parametrize(("values", "message"), [
    ({"name": ""}, "Enter your name."),
    ({"email": "maria@"}, "Enter a valid e-mail address"),
    ({"consent": ""}, "Please agree to the processing of your data"),
    ({"form_token": "forged"}, "Your message could not be sent"),
    ({"website": "https://spam.example"}, "Your message could not be sent"),
])
def test_bad_input_is_refused_with_the_values_kept_and_nothing_stored(
        visitor: FlaskClient, db: sessionmaker[Session], values: dict[str, str], message: str) -> None:
    response = _send(visitor, "?utm_campaign=herbst", **{"message": "Mein Text <b>bleibt</b>", **values})
    body = text_of(response)
    assert response.status_code == 422
    assert message in body
    assert "Mein Text &lt;b&gt;bleibt&lt;/b&gt;</textarea>" in body
    assert 'name="utm_campaign" type="hidden" value="herbst"' in body
    if "email" not in values:
        assert 'value="maria@example.com"' in body
    assert _leads(db) == []


def test_a_repeat_request_is_merged_into_the_same_lead(visitor: FlaskClient, db: sessionmaker[Session]) -> None:
    _send(visitor)
    _send(visitor, email="MARIA@example.com", message="Noch einmal.")
    [lead] = _leads(db)
    assert lead.submissions == 2 and lead.message.endswith("Noch einmal.")


def test_lang_chooses_the_language_and_is_kept_through_sending(visitor: FlaskClient) -> None:
    page = text_of(visitor.get("/forms/lead?lang=de"))
    assert '<html lang="de">' in page and 'action="/forms/lead?lang=de"' in page
    assert _send(visitor, "?lang=de").headers["Location"] == "/forms/lead?sent=1&lang=de"
    assert '<html lang="en">' in text_of(visitor.get("/forms/lead?lang=xx"))


def test_the_companys_own_consent_text_is_shown_and_stored(visitor: FlaskClient, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        save_lead_form_settings(session, frame_ancestors="", merge_window_days=30,
                                consent_texts={"de": "Ich willige ein (ACME).", "en": "I agree (ACME)."},
                                user_id=None, now=NOW)
    assert "Ich willige ein (ACME)." in text_of(visitor.get("/forms/lead?lang=de"))
    _send(visitor, "?lang=en")
    assert [lead.consent_text for lead in _leads(db)] == ["I agree (ACME)."]


def test_the_page_is_labelled_and_needs_no_script(visitor: FlaskClient) -> None:
    page = text_of(visitor.get("/forms/lead"))
    assert "<script" not in page
    for field in ("name", "company", "email", "message", "consent"):
        assert f'<label for="{field}"' in page
    assert 'aria-hidden="true"' in page and 'tabindex="-1"' in page  # the honeypot, out of everyone's way
