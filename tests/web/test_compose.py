"""The composer: own texts per network, drafts, copies, the queue, approval and the company's rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState
from scheduler.models import (
    ApprovalState,
    AuditEvent,
    Channel,
    Delivery,
    Guideline,
    Media,
    Post,
    PostingSlot,
    PostKind,
    PostText,
    Role,
    User,
    Vacancy,
)
from scheduler.networks import Network
from tests.factories import make_channel
from tests.web.conftest import Browser, text_of

S = DeliveryState


@pytest.fixture
def channels(db: sessionmaker[Session]) -> list[Channel]:
    """An X channel and a LinkedIn channel."""
    with db.begin() as session:
        return [make_channel(session, name="ACME X", handle="acme"),
                make_channel(session, network=Network.LINKEDIN, name="ACME GmbH", handle="")]


def _form(chosen: list[Channel], **values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"text": "Wir bauen die Produktion in Linz aus.", "link": "", "kind": "product_news",
                            "campaign": "", "channels": [str(c.id) for c in chosen], "when": "now",
                            "action": "schedule"}
    form.update(values)
    return form


def _posts(db: sessionmaker[Session]) -> list[Post]:
    with db() as session:
        return list(session.scalars(select(Post).order_by(Post.id)))


def _deliveries(db: sessionmaker[Session], post_id: int) -> list[Delivery]:
    with db() as session:
        return list(session.scalars(select(Delivery).where(Delivery.post_id == post_id).order_by(Delivery.channel_id)))


def test_each_network_can_have_its_own_text(browser: Browser, login_as: Callable[..., User],
                                            db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as()
    response = browser.post("/compose", _form(channels, **{"text-x": "Kurz für X: Linz wächst!"}))
    assert response.status_code == 303
    [post] = _posts(db)
    with db() as session:
        own = session.scalars(select(PostText).where(PostText.post_id == post.id)).all()
        assert [(row.network, row.text) for row in own] == [(Network.X, "Kurz für X: Linz wächst!")]


def test_an_own_text_that_is_too_long_is_reported_for_that_network_only(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as()
    response = browser.post("/compose", _form(channels, **{"text-x": "x" * 300}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "X takes at most 280 characters; this text has 300" in text_of(response)
    assert "x" * 300 + "</textarea>" in html  # what was typed is kept
    assert _posts(db) == []


def test_a_draft_goes_nowhere_and_can_be_edited_then_scheduled(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as()
    assert browser.post("/compose", _form(channels[:1], text="Entwurf", action="draft")).status_code == 303
    [draft] = _posts(db)
    assert [d.state for d in _deliveries(db, draft.id)] == [S.DRAFT]
    page = browser.get(f"/compose?draft={draft.id}")
    assert page.status_code == 200
    assert f'name="draft_post_id" value="{draft.id}"' in page.get_data(as_text=True)
    response = browser.post("/compose", _form(channels, text="Fertig", draft_post_id=str(draft.id)))
    assert response.status_code == 303
    [post] = _posts(db)
    assert post.text == "Fertig"  # the draft was replaced, not kept beside it
    assert [d.state for d in _deliveries(db, post.id)] == [S.SCHEDULED, S.SCHEDULED]


def test_a_copy_starts_from_the_original_and_leaves_it_alone(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as()
    browser.post("/compose", _form(channels, text="Original", campaign="Frühjahr", **{"text-x": "Original X"}))
    [original] = _posts(db)
    html = browser.get(f"/compose?from={original.id}").get_data(as_text=True)
    assert "Original</textarea>" in html and "Original X</textarea>" in html and 'value="Frühjahr"' in html
    assert "draft_post_id" not in html


def test_add_to_queue_uses_each_channels_next_free_slot(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as()
    with db.begin() as session:
        session.add(PostingSlot(channel_id=channels[0].id, weekday=1, local_time="09:00"))  # Tuesdays
    missing = browser.post("/compose", _form(channels, when="queue"))
    assert missing.status_code == 422
    assert "ACME GmbH has no free posting slot" in text_of(missing)
    response = browser.post("/compose", _form(channels[:1], when="queue"))
    assert response.status_code == 303
    [post] = _posts(db)
    [delivery] = _deliveries(db, post.id)
    # NOW is Monday 2026-03-02 in the web tests' clock? whatever it is, the slot is a Tuesday 09:00 in Vienna.
    local = delivery.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Vienna"))
    assert (local.weekday(), local.hour, local.minute) == (1, 9, 0)


def test_kinds_that_need_approval_wait_for_a_manager(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User], db: sessionmaker[Session],
        channels: list[Channel]) -> None:
    add_user(Role.MANAGER)
    with db.begin() as session:
        session.add(Guideline(kind=PostKind.PRODUCT_NEWS, requires_approval=True))
    login_as(Role.MARKETER)
    response = browser.post("/compose", _form(channels[:1]))
    assert response.status_code == 303
    assert "Sent for approval" in text_of(browser.get("/deliveries"))
    [post] = _posts(db)
    assert post.approval is ApprovalState.PENDING
    assert [d.state for d in _deliveries(db, post.id)] == [S.AWAITING_APPROVAL]


def test_guidelines_block_and_job_ad_warnings_need_a_confirmation(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    with db.begin() as session:
        session.add(Guideline(kind=None, banned_words="Rockstar"))
        vacancy = Vacancy(title="Lagerist", location="Graz", country="AT", valid_through=datetime(2026, 12, 31,
                                                                                                  tzinfo=UTC))
        session.add(vacancy)
        session.flush()
        vacancy_id = vacancy.id
    login_as(Role.RECRUITER)
    banned = browser.post("/compose", _form(channels[:1], text="Rockstar gesucht", kind="job_ad"))
    assert banned.status_code == 422
    assert "Rockstar" in text_of(banned)
    ad = _form(channels[:1], text="Lagerist in Graz gesucht, jetzt bewerben.", kind="job_ad",
               vacancy_id=str(vacancy_id))
    warned = browser.post("/compose", ad)
    assert warned.status_code == 422
    assert "I have checked the warnings" in text_of(warned)
    assert _posts(db) == []
    accepted = browser.post("/compose", {**ad, "accept_warnings": "yes"})
    assert accepted.status_code == 303
    [post] = _posts(db)
    assert post.vacancy_id == vacancy_id


def test_job_ads_from_a_vacancy_come_with_a_picture_and_each_networks_text(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    with db.begin() as session:
        vacancy = Vacancy(title="Koch", location="Wien", country="AT", salary_min=2450, overpay=True,
                          apply_url="https://karriere.acme.at/jobs/koch")
        session.add(vacancy)
        session.flush()
        vacancy_id = vacancy.id
    login_as(Role.RECRUITER)
    html = browser.get(f"/compose?vacancy={vacancy_id}").get_data(as_text=True)
    assert f'name="vacancy_id" value="{vacancy_id}"' in html
    assert 'name="text-x"' in html and "Koch (m/w/d)" in html
    [picture] = re.findall(r'name="media_ids" value="(\d+)"', html)
    with db() as session:
        media = session.get_one(Media, int(picture))
        assert (media.mime_type, media.width, media.height, media.post_id) == ("image/jpeg", 1080, 1350, None)


def _image(db: sessionmaker[Session], owner: User, name: str = "team.jpg", **values: Any) -> int:
    with db.begin() as session:
        media = Media(owner_id=owner.id, filename=name, mime_type="image/jpeg", size_bytes=1000, width=1080,
                      height=1080, sha256="0" * 64, storage_key=f"00/{name}", **values)
        session.add(media)
        session.flush()
        return media.id


def test_each_images_alt_text_caption_and_consent_are_saved_with_the_post(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    author = login_as()
    image = _image(db, author)
    response = browser.post("/compose", _form(channels[:1], kind="event_photos", media_ids=[str(image)], **{
        f"alt-{image}": " Drei Leute am Messestand ", f"caption-{image}": "Unser Team auf der Messe in Wels",
        f"consent-{image}": "yes"}))
    assert response.status_code == 303
    with db() as session:
        media = session.get_one(Media, image)
        assert (media.alt_text, media.caption, media.consent, media.post_id is not None) == (
            "Drei Leute am Messestand", "Unser Team auf der Messe in Wels", True, True)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "media.consent")).all()
        assert [(e.user_id, e.subject, e.detail) for e in events] == [(author.id, f"media:{image}", "given")]


def test_what_was_typed_next_to_an_image_is_kept_when_the_post_has_problems(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    author = login_as()
    image = _image(db, author, caption="Alt")
    response = browser.post("/compose", _form(channels[:1], kind="event_photos", media_ids=[str(image)], **{
        f"alt-{image}": "Der Stand", f"caption-{image}": "Unser Team <am Stand>"}))
    assert response.status_code == 422  # event photos need the consent of the people shown
    html = response.get_data(as_text=True)
    assert "team.jpg has no consent from the people shown; confirm it next to the photo" in html
    assert f'<textarea name="caption-{image}" id="caption-{image}"' in html
    assert "Unser Team &lt;am Stand&gt;</textarea>" in html
    assert f'id="alt-{image}" value="Der Stand"' in html
    assert _posts(db) == []


def test_another_users_image_keeps_its_caption_and_consent(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User], db: sessionmaker[Session],
        channels: list[Channel]) -> None:
    stranger = add_user(Role.MARKETER)
    image = _image(db, stranger, caption="Original")
    login_as()
    response = browser.post("/compose", _form(channels[:1], media_ids=[str(image)], **{
        f"alt-{image}": "Fremd", f"caption-{image}": "Überschrieben", f"consent-{image}": "yes"}))
    assert response.status_code == 422
    with db() as session:
        media = session.get_one(Media, image)
        assert (media.alt_text, media.caption, media.consent, media.post_id) == ("", "Original", False, None)
