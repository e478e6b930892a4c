"""The click worker: stream -> classified, de-duplicated rows in the database; nothing lost on a crash."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.click_events import CLICK_GROUP, CLICK_STREAM, LOST_KEY_PREFIX, ClickEvent, make_event
from scheduler.clock import utcnow
from scheduler.models import Base, Click, ClickLoss, TrackedLink
from scheduler.tracking import ensure_links
from tests.factories import make_delivery, make_post
from workers.clicks import ClickDrain

AT = datetime(2026, 5, 4, 9, 0, 5, tzinfo=UTC)
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
          "Safari/537.36")
LINKEDIN_APP = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Mobile/15E148 [LinkedInApp]/9.29.9541")
PREVIEW = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"


@pytest.fixture
def links(sessions: sessionmaker[Session]) -> list[TrackedLink]:
    """Two tracked links of one delivery."""
    with sessions.begin() as session:
        delivery = make_delivery(session, post=make_post(session, text="https://acme.at/a https://acme.at/b"))
        ensure_links(session, [delivery.id])
        return list(session.scalars(select(TrackedLink).order_by(TrackedLink.id)))


@pytest.fixture
def drain(redis_conn: Redis, sessions: sessionmaker[Session]) -> ClickDrain:
    """A click worker on the test database and Redis, its group created."""
    worker = ClickDrain(redis_conn, sessions, burst_per_minute=20, consumer="test")
    worker.setup()
    return worker


def _send(redis: Redis, link: TrackedLink, *, ua: str = CHROME, method: str = "GET", address: str = "192.0.2.1",
          at: datetime = AT, times: int = 1) -> None:
    event = make_event(secret="s", link_id=link.id, delivery_id=link.delivery_id, channel_id=1, at=at, method=method,
                       user_agent=ua, referrer="https://www.linkedin.com/", address=address, country="AT")
    for _ in range(times):
        redis.xadd(CLICK_STREAM, {"c": event.encode()})


def _clicks(sessions: sessionmaker[Session]) -> list[Click]:
    with sessions() as session:
        return list(session.scalars(select(Click).order_by(Click.id)))


def test_clicks_are_stored_classified_and_taken_off_the_stream(
        drain: ClickDrain, links: list[TrackedLink], redis_conn: Redis, sessions: sessionmaker[Session]) -> None:
    link = links[0]
    _send(redis_conn, link, ua=LINKEDIN_APP)
    _send(redis_conn, link, ua=PREVIEW)
    _send(redis_conn, link, ua=CHROME, method="HEAD")
    assert drain.drain_once(block=False) == 3
    person, preview, head = _clicks(sessions)
    assert (person.is_bot, person.bot_reason, person.browser, person.device, person.repeat) == \
        (False, "", "LinkedIn", "mobile", False)
    assert (person.link_id, person.delivery_id, person.at, person.country, person.referrer_host) == \
        (link.id, link.delivery_id, AT, "AT", "www.linkedin.com")
    assert (preview.is_bot, preview.bot_reason, preview.device) == (True, "preview", "bot")
    assert (head.is_bot, head.bot_reason) == (True, "head")
    assert redis_conn.xlen(CLICK_STREAM) == 0
    assert redis_conn.xpending(CLICK_STREAM, CLICK_GROUP)["pending"] == 0


def test_the_same_visitor_on_the_same_link_within_the_hour_counts_once(drain: ClickDrain, links: list[TrackedLink],
                                                                      redis_conn: Redis,
                                                                      sessions: sessionmaker[Session]) -> None:
    first, second = links
    _send(redis_conn, first, method="HEAD")  # a checker with the person's own browser comes first
    _send(redis_conn, first, times=2)
    _send(redis_conn, second)  # another link: a click of its own
    _send(redis_conn, first, address="198.51.100.9")  # another visitor
    drain.drain_once(block=False)
    _send(redis_conn, first)  # a later batch: still the same hour
    drain.drain_once(block=False)
    assert [(c.link_id, c.is_bot, c.repeat) for c in _clicks(sessions)] == [
        (first.id, True, False), (first.id, False, False), (first.id, False, True), (second.id, False, False),
        (first.id, False, False), (first.id, False, True)]


def test_more_clicks_a_minute_than_the_limit_from_one_visitor_are_a_burst(drain: ClickDrain, links: list[TrackedLink],
                                                                        redis_conn: Redis,
                                                                        sessions: sessionmaker[Session]) -> None:
    _send(redis_conn, links[0], times=15)
    drain.drain_once(block=False)
    _send(redis_conn, links[1], times=10)
    _send(redis_conn, links[1], at=AT + timedelta(minutes=1))  # a new minute starts a new count
    drain.drain_once(block=False)
    clicks = _clicks(sessions)
    assert [c.bot_reason for c in clicks] == [""] * 20 + ["burst"] * 5 + [""]
    assert sum(1 for c in clicks if not c.is_bot and not c.repeat) == 2  # the people: one per link


def test_entries_of_a_worker_that_died_are_taken_over(drain: ClickDrain, links: list[TrackedLink], redis_conn: Redis,
                                                      sessions: sessionmaker[Session]) -> None:
    _send(redis_conn, links[0], times=2)
    redis_conn.xreadgroup(CLICK_GROUP, "died-mid-batch", {CLICK_STREAM: ">"}, count=10)  # read, never stored
    assert drain.drain_once(block=False) == 0
    survivor = ClickDrain(redis_conn, sessions, consumer="survivor", stale_after_ms=0)
    assert survivor.drain_once(stale=True) == 2
    assert len(_clicks(sessions)) == 2
    assert redis_conn.xpending(CLICK_STREAM, CLICK_GROUP)["pending"] == 0


def test_a_failed_insert_acknowledges_nothing_and_the_retry_is_no_repeat(drain: ClickDrain, links: list[TrackedLink],
                                                                         redis_conn: Redis, engine: Engine,
                                                                         sessions: sessionmaker[Session]) -> None:
    _send(redis_conn, links[0])
    Base.metadata.tables["click"].drop(engine)  # the database refuses the batch
    with pytest.raises(Exception, match="click"):
        drain.drain_once(block=False)
    Base.metadata.tables["click"].create(engine)
    assert redis_conn.xpending(CLICK_STREAM, CLICK_GROUP)["pending"] == 1
    retry = ClickDrain(redis_conn, sessions, consumer="test", stale_after_ms=0)
    assert retry.drain_once(stale=True) == 1
    assert [(c.is_bot, c.repeat) for c in _clicks(sessions)] == [(False, False)]


def test_lost_clicks_are_moved_into_the_database_once(drain: ClickDrain, redis_conn: Redis,
                                                      sessions: sessionmaker[Session]) -> None:
    redis_conn.set(LOST_KEY_PREFIX + "2026-05-04", 5)
    assert drain.move_losses() == 5
    assert drain.move_losses() == 0
    redis_conn.incrby(LOST_KEY_PREFIX + "2026-05-04", 2)
    assert drain.move_losses() == 2
    with sessions() as session:
        assert session.scalars(select(ClickLoss.lost).where(ClickLoss.day == "2026-05-04")).one() == 7


def test_unreadable_entries_count_as_lost_and_clicks_on_deleted_links_are_dropped(
        drain: ClickDrain, links: list[TrackedLink], redis_conn: Redis, sessions: sessionmaker[Session]) -> None:
    redis_conn.xadd(CLICK_STREAM, {"c": "garbage"})
    redis_conn.xadd(CLICK_STREAM, {"other": "field"})
    gone = ClickEvent(links[1].id + 100, links[0].delivery_id, 1, AT, "GET", CHROME, "", "v", None)
    redis_conn.xadd(CLICK_STREAM, {"c": gone.encode()})
    assert drain.drain_once(block=False) == 3
    assert _clicks(sessions) == []
    with sessions() as session:
        assert session.scalars(select(ClickLoss.lost).where(ClickLoss.day == f"{utcnow():%Y-%m-%d}")).one() == 2
    assert redis_conn.xlen(CLICK_STREAM) == 0


def test_the_running_worker_drains_until_stopped(drain: ClickDrain, links: list[TrackedLink], redis_conn: Redis,
                                                 sessions: sessionmaker[Session]) -> None:
    redis_conn.delete(CLICK_STREAM)  # run() creates the group itself
    stop = threading.Event()
    worker = ClickDrain(redis_conn, sessions, block_ms=50)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        for _ in range(100):
            if redis_conn.exists(CLICK_STREAM):
                break
            time.sleep(0.05)
        _send(redis_conn, links[0])
        redis_conn.set(LOST_KEY_PREFIX + "2026-05-04", 1)
        for _ in range(200):
            if _clicks(sessions):
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert len(_clicks(sessions)) == 1
    assert not thread.is_alive()
