"""What a delivery publishes: its network's own text, short links in place of the author's, the same everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.assisted import add_assisted_channel, hand_over_due, open_tasks
from scheduler.lifecycle import DeliveryState
from scheduler.media import MediaSigner, MediaStore
from scheduler.models import Delivery, PostText, TrackedLink
from scheduler.networks import RULES, Network
from scheduler.outgoing import Outgoing, counted_length, delivery_texts, publishable_texts, rewrite
from scheduler.publishing import MediaLinks, claim
from scheduler.reconcile import load_tasks
from scheduler.tracking import ensure_links
from tests.factories import make_channel, make_delivery, make_post, make_user

S = DeliveryState
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
BASE = "https://go.acme.at"
MEDIA = MediaLinks(MediaStore(Path("/srv/postillon/media")), MediaSigner("secret", BASE, timedelta(hours=6)))


def _codes(session: Session, delivery_id: int) -> dict[str, str]:
    return {original: code for original, code in session.execute(
        select(TrackedLink.original, TrackedLink.code).where(TrackedLink.delivery_id == delivery_id))}


def _post_with_override(session: Session, network: Network, **delivery: object) -> Delivery:
    post = make_post(session, text="Allgemein: https://acme.at/jobs", link="https://acme.at/jobs/7")
    session.add(PostText(post_id=post.id, network=network, text=f"Nur auf {network.label}: https://acme.at/li"))
    return make_delivery(session, post=post, channel=make_channel(session, network=network), **delivery)


def test_the_published_text_is_the_networks_own_text_with_short_links(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = _post_with_override(session, Network.LINKEDIN, state=S.QUEUED)
    with sessions.begin() as session:
        (claimed,) = claim(session, [delivery.id], now=NOW, lease_s=60, worker="w", media=MEDIA)
        codes = _codes(session, delivery.id)
    li, jobs = f"{BASE}/r/{codes['https://acme.at/li']}", f"{BASE}/r/{codes['https://acme.at/jobs/7']}"
    assert claimed.content.text == f"Nur auf LinkedIn: {li}\n{jobs}"
    assert claimed.content.link == jobs


def test_reconciliation_searches_for_exactly_the_text_that_was_published(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = _post_with_override(session, Network.X, state=S.QUEUED)
    with sessions.begin() as session:
        (claimed,) = claim(session, [delivery.id], now=NOW, lease_s=60, worker="w", media=MEDIA)
        session.execute(update(Delivery).where(Delivery.id == delivery.id).values(state=S.UNKNOWN))
    with sessions() as session:
        (task,) = load_tasks(session, [delivery.id], media=MEDIA, now=NOW)
    assert (task.content.text, task.content.link) == (claimed.content.text, claimed.content.link)
    assert task.content.text.startswith(f"Nur auf X: {BASE}/r/") and "https://acme.at" not in task.content.text


def test_a_xing_task_shows_the_xing_text_with_links_tracked_for_xing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        xing = add_assisted_channel(session, network=Network.XING, name="XING", profile_url="", owner_id=owner.id,
                                    tz_name="Europe/Vienna")
        post = make_post(session, text="Allgemein", link="https://acme.at/jobs/7")
        session.add(PostText(post_id=post.id, network=Network.XING, text="Für XING: https://acme.at/xing"))
        delivery = make_delivery(session, post=post, channel=xing, due_at=NOW - timedelta(minutes=1))
    with sessions.begin() as session:
        assert hand_over_due(session, now=NOW, limit=10) == [delivery.id]
    with sessions() as session:
        (task,) = open_tasks(session, now=NOW, overdue_after=timedelta(hours=4), base_url=BASE)
        links = session.scalars(select(TrackedLink).where(TrackedLink.delivery_id == delivery.id)).all()
        (untracked,) = open_tasks(session, now=NOW, overdue_after=timedelta(hours=4))
    codes = {link.original: link.code for link in links}
    assert task.text == f"Für XING: {BASE}/r/{codes['https://acme.at/xing']}\n{BASE}/r/{codes['https://acme.at/jobs/7']}"
    assert all("utm_source=xing" in link.destination for link in links)
    assert untracked.text == "Für XING: https://acme.at/xing\nhttps://acme.at/jobs/7"  # no address: as written


def test_links_without_a_tracked_link_and_own_links_stay_as_written(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, post=make_post(session, text=f"Alt: https://acme.at/a {BASE}/r/Xy12Ab34"))
        assert delivery_texts(session, [delivery.id], BASE) == {
            delivery.id: Outgoing(f"Alt: https://acme.at/a {BASE}/r/Xy12Ab34", None)}
        texts = publishable_texts(session, [delivery.id], BASE)
        code = _codes(session, delivery.id)["https://acme.at/a"]
    assert texts[delivery.id].text == f"Alt: {BASE}/r/{code} {BASE}/r/Xy12Ab34"


def test_a_text_the_short_links_would_push_over_the_limit_goes_out_untracked(
        sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture) -> None:
    limit = RULES[Network.INSTAGRAM].max_text
    with sessions.begin() as session:
        text = "x" * (limit - len("https://a.at") - 1) + " https://a.at"  # exactly at the limit
        delivery = make_delivery(session, post=make_post(session, text=text),
                                 channel=make_channel(session, network=Network.INSTAGRAM))
        ensure_links(session, [delivery.id])
        assert delivery_texts(session, [delivery.id], BASE)[delivery.id].text == text
    assert "too long for Instagram" in caplog.text


def test_x_counts_a_short_link_as_any_link() -> None:
    assert counted_length(Network.X, f"Jetzt bewerben: {BASE}/r/Ab3dEf7h") == len("Jetzt bewerben: ") + 23
    assert counted_length(Network.LINKEDIN, "äöü") == 3


def test_rewriting_replaces_whole_links_only() -> None:
    text = "https://acme.at/a und https://acme.at/ab und https://acme.at/a."
    assert rewrite(text, {"https://acme.at/a": "S"}) == "S und https://acme.at/ab und S."
    assert rewrite(text, {}) == text
