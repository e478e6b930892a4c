"""The JSON the pages poll (with ETags) and the composer's live check."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery, Role, User
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_post
from tests.web.conftest import Browser, services_of

S = DeliveryState


def _without_tokens(html: str) -> str:
    # CSRF tokens carry a timestamp, so two renderings a second apart differ only there.
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


@pytest.fixture
def two(db: sessionmaker[Session]) -> tuple[int, int]:
    """A scheduled and a failed delivery on an X channel."""
    with db.begin() as session:
        channel = make_channel(session, name="ACME Careers", handle="careers")
        due = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
        scheduled = make_delivery(session, post=make_post(session, text="Lagerist:in gesucht"), channel=channel,
                                  due_at=due)
        failed = make_delivery(session, post=make_post(session, text="Duplicate"), channel=channel, state=S.FAILED,
                               due_at=due, last_error_message="X refused it.", attempts=2)
        return scheduled.id, failed.id


def test_the_delivery_list_as_json(browser: Browser, login_as: Callable[..., User], two: tuple[int, int]) -> None:
    login_as()
    response = browser.get("/api/deliveries?group=all")
    assert response.status_code == 200
    data = response.get_json()
    assert data["group"] == "all"
    assert data["counts"] == {"upcoming": 1, "attention": 1, "published": 0, "all": 2}
    rows = {row["id"]: row for row in data["rows"]}
    scheduled, failed = rows[two[0]], rows[two[1]]
    assert (scheduled["state"], scheduled["state_label"], scheduled["channel"], scheduled["due_at"]) == (
        "scheduled", "Scheduled", "X (@careers)", "2026-03-30T07:00:00Z")
    assert f'<tr id="delivery-{two[0]}"' in scheduled["html"] and "2026-03-30 09:00 CEST" in scheduled["html"]
    assert (failed["state"], failed["error"], failed["attempts"]) == ("failed", "X refused it.", 2)
    assert scheduled["version"] != failed["version"]


def test_the_page_and_the_api_render_the_same_rows(browser: Browser, login_as: Callable[..., User],
                                                   two: tuple[int, int]) -> None:
    login_as()
    page = browser.get("/deliveries?group=upcoming").get_data(as_text=True)
    data = browser.get("/api/deliveries?group=upcoming").get_json()
    assert [row["id"] for row in data["rows"]] == [two[0]]
    assert _without_tokens(data["rows"][0]["html"]) in _without_tokens(page)


def test_an_unchanged_list_answers_304_without_a_body(browser: Browser, login_as: Callable[..., User],
                                                      two: tuple[int, int], db: sessionmaker[Session]) -> None:
    login_as()
    first = browser.get("/api/deliveries")
    etag = first.headers["ETag"]
    again = browser.get("/api/deliveries", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    # The ETag the page embeds is the same one.
    assert f'data-etag="{etag.strip(chr(34))}"' in browser.get("/deliveries").get_data(as_text=True)
    # A worker moves a delivery: the next poll gets the new list.
    with db.begin() as session:
        session.execute(update(Delivery).where(Delivery.id == two[0]).values(state=S.QUEUED))
    changed = browser.get("/api/deliveries", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert {row["id"]: row["state"] for row in changed.get_json()["rows"]}[two[0]] == "queued"


def test_the_etag_depends_on_the_group(browser: Browser, login_as: Callable[..., User], two: tuple[int, int]) -> None:
    login_as()
    etag = browser.get("/api/deliveries?group=all").headers["ETag"]
    other = browser.get("/api/deliveries?group=attention", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert [row["id"] for row in other.get_json()["rows"]] == [two[1]]


def test_the_list_is_one_query_however_many_rows(app: object, browser: Browser, login_as: Callable[..., User],
                                                 db: sessionmaker[Session]) -> None:
    login_as()
    engine = services_of(app).engine  # type: ignore[arg-type]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def queries_for(n: int) -> int:
        with db.begin() as session:
            channel = make_channel(session)
            for _ in range(n):
                make_delivery(session, channel=channel)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert browser.get("/api/deliveries").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    assert queries_for(2) == queries_for(25)


def test_validate_counts_and_checks_each_channel(browser: Browser, login_as: Callable[..., User],
                                                 db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        x = make_channel(session, handle="careers")
        linkedin = make_channel(session, network=Network.LINKEDIN, handle="", name="ACME GmbH")
    login_as()
    response = browser.post_json("/api/validate", {"text": "y" * 260, "link": "https://karriere.acme.at/jobs/42"})
    assert response.status_code == 200
    checks = {check["id"]: check for check in response.get_json()["channels"]}
    assert checks[x.id]["length"] == 260 + 1 + 23 and checks[x.id]["max"] == 280
    assert checks[x.id]["problems"] == ["X takes at most 280 characters; this text has 284."]
    # LinkedIn's adapter checks its own limit (escaped "little text" counts).
    assert {k: v for k, v in checks[linkedin.id].items() if k != "preview"} == {
        "id": linkedin.id, "length": 260 + 1 + 32, "max": 3000, "problems": [], "warnings": []}
    # The preview shows what LinkedIn's feed shows before "… more".
    assert checks[linkedin.id]["preview"] == {"visible": "y" * 210, "folded": True, "images": 0,
                                              "link": "https://karriere.acme.at/jobs/42"}
    assert checks[x.id]["preview"]["folded"] is False
    too_long = browser.post_json("/api/validate", {"text": "z" * 3001}).get_json()
    [problem] = {c["id"]: c["problems"] for c in too_long["channels"]}[linkedin.id]
    assert problem == "LinkedIn takes at most 3,000 characters; this text has 3,001."


@pytest.mark.parametrize("body", [None, [], {"text": 5}, {"text": "ok", "link": 7}])
def test_validate_refuses_malformed_bodies(browser: Browser, login_as: Callable[..., User], body: object) -> None:
    login_as()
    response = browser.post_json("/api/validate", body)
    assert response.status_code == 400
    assert response.is_json


def test_validate_needs_a_posting_role(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.VIEWER)
    response = browser.post_json("/api/validate", {"text": "Hello"})
    assert response.status_code == 403
    assert response.is_json



def test_validate_uses_each_networks_own_text_and_the_company_guidelines(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    from scheduler.models import Guideline

    with db.begin() as session:
        x = make_channel(session, handle="careers")
        linkedin = make_channel(session, network=Network.LINKEDIN, handle="", name="ACME GmbH")
        session.add(Guideline(kind=None, banned_words="Rockstar"))
    login_as()
    body = {"text": "Wir suchen Verstärkung.", "texts": {"x": "Rockstar gesucht!"}, "kind": "job_ad"}
    checks = {c["id"]: c for c in browser.post_json("/api/validate", body).get_json()["channels"]}
    assert checks[x.id]["preview"]["visible"] == "Rockstar gesucht!"
    assert any("Rockstar" in message for message in checks[x.id]["problems"])
    assert checks[linkedin.id]["preview"]["visible"] == "Wir suchen Verstärkung."
    assert checks[linkedin.id]["problems"] == []
