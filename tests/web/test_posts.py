"""Composing posts (time zones, DST, validation per channel) and acting on deliveries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState
from scheduler.models import (
    Attempt,
    AuditEvent,
    Channel,
    ChannelStatus,
    Delivery,
    MetricSnapshot,
    Post,
    PostKind,
    Role,
    User,
)
from tests.factories import make_channel, make_delivery, make_post
from tests.web.conftest import NOW, Browser, text_of

S = DeliveryState


@pytest.fixture
def channels(db: sessionmaker[Session]) -> list[Channel]:
    """Two connected X channels and a disabled one."""
    with db.begin() as session:
        return [make_channel(session, name="ACME Careers", handle="careers"),
                make_channel(session, name="ACME News", handle="@acme_news"),
                make_channel(session, name="Old account", handle="old", status=ChannelStatus.DISABLED)]


def _form(chosen: list[Channel], **values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"text": "Wir suchen eine Lageristin in Linz (m/w/d).", "link": "", "kind": "job_ad",
                            "campaign": "", "channels": [str(c.id) for c in chosen], "when": "now"}
    form.update(values)
    return form


def _counts(db: sessionmaker[Session]) -> tuple[int, int]:
    with db() as session:
        return (session.scalar(select(func.count()).select_from(Post)) or 0,
                session.scalar(select(func.count()).select_from(Delivery)) or 0)


def _delivery(db: sessionmaker[Session], delivery_id: int) -> Delivery:
    with db() as session:
        found = session.get(Delivery, delivery_id)
        assert found is not None
        return found


# -- compose ---------------------------------------------------------------------------------------


def test_compose_creates_one_post_and_a_scheduled_delivery_per_channel(
        browser: Browser, login_as: Callable[..., User], channels: list[Channel], db: sessionmaker[Session]) -> None:
    author = login_as(Role.RECRUITER)
    response = browser.post("/compose", _form(channels[:2], link="https://karriere.acme.at/jobs/42",
                                              campaign="Linz 2026", when="later", date="2026-03-30", time="09:00"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/deliveries"
    assert "Scheduled for 2026-03-30 09:00 CEST on 2 channels." in text_of(browser.get("/deliveries"))
    with db() as session:
        post = session.scalars(select(Post)).one()
        assert (post.text, post.link, post.kind, post.campaign, post.author_id) == (
            "Wir suchen eine Lageristin in Linz (m/w/d).", "https://karriere.acme.at/jobs/42", PostKind.JOB_AD,
            "Linz 2026", author.id)
        deliveries = session.scalars(select(Delivery).order_by(Delivery.channel_id)).all()
        assert [d.channel_id for d in deliveries] == [channels[0].id, channels[1].id]
        assert {d.state for d in deliveries} == {S.SCHEDULED}
        expected = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
        assert all(d.due_at == expected and d.run_at == expected for d in deliveries)
        assert all(d.due_at.tzinfo is UTC for d in deliveries)


@pytest.mark.parametrize("date, time, expected", [
    ("2026-03-28", "09:00", datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),  # CET, UTC+1
    ("2026-03-30", "09:00", datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),  # CEST, UTC+2
    ("2026-10-25", "02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # ambiguous: the first (CEST) occurrence
    ("2026-10-25", "03:30", datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),  # after the change: CET
])
def test_local_times_are_stored_in_utc_across_dst(browser: Browser, login_as: Callable[..., User],
                                                  channels: list[Channel], db: sessionmaker[Session],
                                                  date: str, time: str, expected: datetime) -> None:
    login_as()
    response = browser.post("/compose", _form(channels[:1], when="later", date=date, time=time))
    assert response.status_code == 303
    with db() as session:
        assert session.scalars(select(Delivery.due_at)).one() == expected


def test_the_time_is_read_in_the_users_own_zone(browser: Browser, login_as: Callable[..., User],
                                               channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as(tz_name="America/New_York")
    assert "Time zone: America/New_York" in text_of(browser.get("/compose"))
    browser.post("/compose", _form(channels[:1], when="later", date="2026-03-30", time="09:00"))
    with db() as session:
        assert session.scalars(select(Delivery.due_at)).one() == datetime(2026, 3, 30, 13, 0, tzinfo=UTC)
    assert "2026-03-30 09:00 EDT" in text_of(browser.get("/deliveries"))


def test_a_time_skipped_by_dst_is_refused_and_nothing_is_saved(browser: Browser, login_as: Callable[..., User],
                                                               channels: list[Channel],
                                                               db: sessionmaker[Session]) -> None:
    login_as()
    response = browser.post("/compose", _form(channels[:1], when="later", date="2026-03-29", time="02:30"))
    assert response.status_code == 422
    html = text_of(response)
    assert "2026-03-29 02:30 does not exist in Europe/Vienna" in html
    assert 'value="2026-03-29"' in html and 'value="02:30"' in html
    assert _counts(db) == (0, 0)


def test_a_time_in_the_past_is_refused(browser: Browser, login_as: Callable[..., User], channels: list[Channel],
                                       db: sessionmaker[Session]) -> None:
    login_as()
    response = browser.post("/compose", _form(channels[:1], when="later", date="2026-02-27", time="09:00"))
    assert response.status_code == 422
    assert "The time lies in the past; pick a later time." in text_of(response)
    assert _counts(db) == (0, 0)


def test_later_without_a_date_is_refused(browser: Browser, login_as: Callable[..., User],
                                         channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as()
    response = browser.post("/compose", _form(channels[:1], when="later", date="", time="09:00"))
    assert response.status_code == 422
    assert "Pick a date and a time" in text_of(response)
    assert _counts(db) == (0, 0)


def test_publish_now_is_due_at_once(browser: Browser, login_as: Callable[..., User], channels: list[Channel],
                                    db: sessionmaker[Session]) -> None:
    login_as()
    browser.post("/compose", _form(channels[:1], date="2026-05-01", time="10:00"))  # the date is ignored
    with db() as session:
        assert session.scalars(select(Delivery.due_at)).one() == NOW
    assert "Publishing now on 1 channel." in text_of(browser.get("/deliveries"))


def test_too_long_for_x_is_refused_next_to_the_channel_and_every_value_is_kept(
        browser: Browser, login_as: Callable[..., User], channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as()
    text = "Wir suchen Verstärkung & <Talente> " + "x" * 235  # 270 characters
    form = _form(channels[:2], text=text, link="https://karriere.acme.at/jobs/42", kind="event_photos",
                 campaign="Herbst <2026>", when="later", date="2026-03-30", time="09:15")
    response = browser.post("/compose", form)
    assert response.status_code == 422
    html = text_of(response)
    # 270 + a line break + the link, which X counts as 23.
    assert "X (@careers): X takes at most 280 characters; this text has 294." in html
    assert "X (@acme_news): X takes at most 280 characters; this text has 294." in html
    problems = re.search(rf'id="channel-{channels[0].id}-problems"[^>]*>(.*?)</ul>', html, re.S)
    assert problems and "this text has 294" in problems.group(1)
    # Every value the person entered is still there (and escaped).
    assert "Wir suchen Verstärkung &amp; &lt;Talente&gt; " + "x" * 235 + "</textarea>" in html
    assert 'value="https://karriere.acme.at/jobs/42"' in html
    assert '<option selected value="event_photos">' in html
    assert 'value="Herbst &lt;2026&gt;"' in html
    for channel in channels[:2]:
        assert re.search(rf'value="{channel.id}" id="channel-{channel.id}"\s+checked', html)
    assert f'id="channel-{channels[2].id}"' not in html  # the disabled channel is not offered
    assert re.search(r'<input checked id="when-1" name="when" type="radio" value="later">', html)
    assert 'value="2026-03-30"' in html and 'value="09:15"' in html
    assert _counts(db) == (0, 0)


def test_problems_of_the_form_and_of_the_channels_are_shown_together(
        browser: Browser, login_as: Callable[..., User], channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as()
    response = browser.post("/compose", _form(channels[:1], text="y" * 300, campaign="c" * 121, when="later",
                                              date="2026-03-29", time="02:15"))
    assert response.status_code == 422
    html = text_of(response)
    assert "does not exist in Europe/Vienna" in html
    assert "X takes at most 280 characters; this text has 300" in html
    assert "Field cannot be longer than 120 characters." in html
    assert _counts(db) == (0, 0)


@pytest.mark.parametrize("values, message", [
    ({"channels": []}, "Choose at least one channel."),
    ({"text": "  "}, "Write a text, add a link or add an image."),
    ({"link": "ftp://acme.example/x"}, "The link must start with https:// or http://."),
])
def test_incomplete_drafts_are_refused(browser: Browser, login_as: Callable[..., User], channels: list[Channel],
                                       db: sessionmaker[Session], values: dict[str, Any], message: str) -> None:
    login_as()
    response = browser.post("/compose", _form(channels[:1], **values))
    assert response.status_code == 422
    assert message in text_of(response)
    assert _counts(db) == (0, 0)


def test_a_disabled_channel_cannot_be_chosen(browser: Browser, login_as: Callable[..., User],
                                             channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as()
    response = browser.post("/compose", _form([channels[2]]))
    assert response.status_code == 422
    assert "One of the chosen channels cannot be used" in text_of(response)
    assert _counts(db) == (0, 0)


def test_the_compose_form_lists_connected_channels_with_network_and_handle(
        browser: Browser, login_as: Callable[..., User], channels: list[Channel]) -> None:
    login_as()
    html = text_of(browser.get("/compose"))
    assert "X (@careers)" in html and "X (@acme_news)" in html
    assert "Old account" not in html
    assert '<label for="text">' in html and '<label for="date">' in html and '<label for="time">' in html
    assert "Time zone: Europe/Vienna" in html


# -- the delivery list -----------------------------------------------------------------------------


@pytest.fixture
def mixed(db: sessionmaker[Session], channels: list[Channel]) -> dict[str, int]:
    """One delivery in each interesting state, on the first channel."""
    with db.begin() as session:
        channel = session.get(Channel, channels[0].id)
        due = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)

        def add(state: DeliveryState, text: str, **values: Any) -> int:
            return make_delivery(session, post=make_post(session, text=text), channel=channel, state=state,
                                 due_at=due, **values).id

        return {
            "scheduled": add(S.SCHEDULED, "Scheduled job ad"),
            "published": add(S.PUBLISHED, "Published news", external_url="https://x.com/careers/status/17",
                             external_id="17", attempts=1),
            "failed": add(S.FAILED, "Failed post", last_error_kind="rejected", attempts=1,
                          last_error_message="X refused it: You are not allowed to create a Tweet with duplicate "
                                             "content."),
            "unknown": add(S.UNKNOWN, "Unknown post", last_error_kind="unknown", attempts=1,
                           last_error_message="X did not answer after the post was sent; it may be live."),
            "cancelled": add(S.CANCELLED, "Cancelled post"),
        }


def _row(html: str, delivery_id: int) -> str:
    found = re.search(rf'<tr id="delivery-{delivery_id}".*?</tr>', html, re.S)
    assert found, f"no row for delivery {delivery_id}"
    return found.group(0)


def test_the_list_shows_each_delivery_with_its_state_in_words(browser: Browser, login_as: Callable[..., User],
                                                              mixed: dict[str, int]) -> None:
    login_as()
    html = text_of(browser.get("/deliveries"))
    assert 'aria-live="polite"' in html
    scheduled = _row(html, mixed["scheduled"])
    assert "Scheduled job ad" in scheduled and "X (@careers)" in scheduled
    assert '<time datetime="2026-03-30T07:00:00Z">2026-03-30 09:00 CEST</time>' in scheduled
    assert 'class="state tone-info">Scheduled<' in scheduled
    assert ">Cancel<" in scheduled and "Publish again" not in scheduled
    published = _row(html, mixed["published"])
    assert ">Published<" in published and 'href="https://x.com/careers/status/17"' in published
    assert ">Cancel<" not in published
    failed = _row(html, mixed["failed"])
    assert ">Failed<" in failed and "duplicate content" in failed and ">Publish again<" in failed
    assert ">Cancel<" not in failed
    unknown = _row(html, mixed["unknown"])
    assert ">Outcome unknown<" in unknown and "it may be live" in unknown
    assert "Publish again…" in unknown and "Mark as published" in unknown
    assert ">Cancelled<" in _row(html, mixed["cancelled"])


@pytest.mark.parametrize("group, expected", [
    ("upcoming", {"scheduled"}),
    ("attention", {"failed", "unknown"}),
    ("published", {"published"}),
    ("all", {"scheduled", "published", "failed", "unknown", "cancelled"}),
    ("nonsense", {"scheduled", "published", "failed", "unknown", "cancelled"}),
])
def test_the_list_filters_by_state_group(browser: Browser, login_as: Callable[..., User], mixed: dict[str, int],
                                         group: str, expected: set[str]) -> None:
    login_as()
    html = text_of(browser.get(f"/deliveries?group={group}"))
    shown = {name for name, delivery_id in mixed.items() if f'id="delivery-{delivery_id}"' in html}
    assert shown == expected
    assert '<span class="count" data-count="attention">2</span>' in html


def test_a_viewer_sees_the_list_without_buttons(browser: Browser, login_as: Callable[..., User],
                                                mixed: dict[str, int]) -> None:
    login_as(Role.VIEWER)
    html = text_of(browser.get("/deliveries"))
    assert "Scheduled job ad" in html
    assert ">Cancel<" not in html and "Publish again" not in html and "/compose" not in html


def test_the_delivery_page_shows_attempts_and_history(browser: Browser, login_as: Callable[..., User],
                                                      channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as(name="Maria Marketing")
    browser.post("/compose", _form(channels[:1]))
    with db.begin() as session:
        delivery = session.scalars(select(Delivery)).one()
        session.add(Attempt(delivery_id=delivery.id, number=1, started_at=NOW, finished_at=NOW,
                            outcome="transient", detail="Could not reach X: connection failed."))
        delivery_id = delivery.id
    html = text_of(browser.get(f"/deliveries/{delivery_id}"))
    assert "Could not reach X: connection failed." in html and "transient" in html
    assert "post.scheduled" in html and "Maria Marketing" in html
    assert browser.get("/deliveries/999999").status_code == 404


def test_the_delivery_page_shows_network_figures_with_unknown_not_zero(
        browser: Browser, login_as: Callable[..., User], channels: list[Channel], db: sessionmaker[Session]) -> None:
    login_as()
    browser.post("/compose", _form(channels[:1]))
    with db() as session:
        delivery_id = session.scalars(select(Delivery.id)).one()
    assert "Figures come once the post is published." in text_of(browser.get(f"/deliveries/{delivery_id}"))
    with db.begin() as session:
        delivery = session.get_one(Delivery, delivery_id)
        delivery.state, delivery.published_at = DeliveryState.PUBLISHED, NOW
        session.add(MetricSnapshot(delivery_id=delivery.id, taken_at=NOW, impressions=1234, reactions=None))
    html = text_of(browser.get(f"/deliveries/{delivery_id}"))
    assert ">1234<" in html and ">unknown<" in html
    assert ">0<" not in html.split("Network figures", 1)[1].split("Attempts", 1)[0]


# -- actions ---------------------------------------------------------------------------------------


def test_cancel_a_scheduled_delivery(browser: Browser, login_as: Callable[..., User], mixed: dict[str, int],
                                     db: sessionmaker[Session]) -> None:
    user = login_as()
    response = browser.post(f"/deliveries/{mixed['scheduled']}/cancel", {"back": "/deliveries?group=upcoming"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/deliveries?group=upcoming"
    assert "Delivery cancelled" in text_of(browser.get("/deliveries"))
    assert _delivery(db, mixed["scheduled"]).state is S.CANCELLED
    with db() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.cancelled")).one()
        assert (event.user_id, event.subject) == (user.id, f"delivery:{mixed['scheduled']}")


def test_cancel_is_refused_for_a_published_delivery(browser: Browser, login_as: Callable[..., User],
                                                    mixed: dict[str, int], db: sessionmaker[Session]) -> None:
    login_as()
    before = _delivery(db, mixed["published"])
    response = browser.post(f"/deliveries/{mixed['published']}/cancel", {"back": "https://evil.example/"})
    assert response.headers["Location"] == "/deliveries"  # an unsafe back target is ignored
    assert "This delivery can no longer be cancelled: it is “Published”." in text_of(browser.get("/deliveries"))
    after = _delivery(db, mixed["published"])
    assert (after.state, after.updated_at) == (S.PUBLISHED, before.updated_at)


def test_publish_again_after_a_failure(browser: Browser, login_as: Callable[..., User], mixed: dict[str, int],
                                       db: sessionmaker[Session]) -> None:
    login_as()
    browser.post(f"/deliveries/{mixed['failed']}/publish-again")
    delivery = _delivery(db, mixed["failed"])
    assert (delivery.state, delivery.run_at, delivery.attempts, delivery.last_error_message) == (
        S.SCHEDULED, NOW, 0, None)


def test_publish_again_with_an_unknown_outcome_needs_a_confirmation(
        browser: Browser, login_as: Callable[..., User], mixed: dict[str, int], db: sessionmaker[Session]) -> None:
    login_as()
    url = f"/deliveries/{mixed['unknown']}/publish-again"
    for page in (browser.get(url), browser.post(url)):
        assert page.status_code == 200
        assert "Publishing again may create a duplicate post." in text_of(page)
        assert _delivery(db, mixed["unknown"]).state is S.UNKNOWN
    response = browser.post(url, {"confirm": "duplicate-risk"})
    assert response.status_code == 303
    assert _delivery(db, mixed["unknown"]).state is S.SCHEDULED


def test_publish_again_is_refused_for_a_published_delivery(browser: Browser, login_as: Callable[..., User],
                                                           mixed: dict[str, int], db: sessionmaker[Session]) -> None:
    login_as()
    browser.post(f"/deliveries/{mixed['published']}/publish-again", {"confirm": "duplicate-risk"})
    assert "Only failed deliveries and those with an unknown outcome" in text_of(browser.get("/deliveries"))
    assert _delivery(db, mixed["published"]).state is S.PUBLISHED


def test_mark_an_unknown_delivery_as_published(browser: Browser, login_as: Callable[..., User],
                                               mixed: dict[str, int], db: sessionmaker[Session]) -> None:
    login_as()
    browser.post(f"/deliveries/{mixed['unknown']}/mark-published", {"url": "https://x.com/careers/status/99"})
    delivery = _delivery(db, mixed["unknown"])
    assert (delivery.state, delivery.external_url, delivery.published_at) == (
        S.PUBLISHED, "https://x.com/careers/status/99", NOW)


def test_mark_published_without_a_url(browser: Browser, login_as: Callable[..., User], mixed: dict[str, int],
                                      db: sessionmaker[Session]) -> None:
    login_as()
    browser.post(f"/deliveries/{mixed['unknown']}/mark-published", {"url": ""})
    delivery = _delivery(db, mixed["unknown"])
    assert (delivery.state, delivery.external_url) == (S.PUBLISHED, None)


def test_mark_published_refuses_a_bad_url_and_other_states(browser: Browser, login_as: Callable[..., User],
                                                           mixed: dict[str, int], db: sessionmaker[Session]) -> None:
    login_as()
    browser.post(f"/deliveries/{mixed['unknown']}/mark-published", {"url": "javascript:alert(1)"})
    assert "The post URL must start with https:// or http://." in text_of(browser.get("/deliveries"))
    assert _delivery(db, mixed["unknown"]).state is S.UNKNOWN
    browser.post(f"/deliveries/{mixed['unknown']}/mark-published", {"url": "https://x.com/" + "a" * 2100})
    assert "Field cannot be longer than 2048 characters." in text_of(browser.get("/deliveries"))
    assert _delivery(db, mixed["unknown"]).state is S.UNKNOWN
    browser.post(f"/deliveries/{mixed['scheduled']}/mark-published", {"url": ""})
    assert "Only deliveries with an unknown outcome" in text_of(browser.get("/deliveries"))
    assert _delivery(db, mixed["scheduled"]).state is S.SCHEDULED


def test_a_viewer_cannot_act_on_deliveries(browser: Browser, login_as: Callable[..., User], mixed: dict[str, int],
                                           db: sessionmaker[Session]) -> None:
    login_as(Role.VIEWER)
    assert browser.post(f"/deliveries/{mixed['scheduled']}/cancel").status_code == 403
    assert browser.post(f"/deliveries/{mixed['failed']}/publish-again").status_code == 403
    assert _delivery(db, mixed["scheduled"]).state is S.SCHEDULED
