"""Storing clicks in bulk, and adding up the clicks that could not be recorded."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.click_store import add_losses, existing_links, insert_clicks
from scheduler.models import Click, ClickLoss, TrackedLink
from scheduler.tracking import ensure_links
from tests.factories import make_delivery, make_post

AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_lost_clicks_add_up_per_day(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_losses(session, {"2026-05-04": 3, "2026-05-05": 0})
    with sessions.begin() as session:
        add_losses(session, {"2026-05-04": 2, "2026-05-03": 1})
    with sessions() as session:
        assert dict(session.execute(select(ClickLoss.day, ClickLoss.lost).order_by(ClickLoss.day)).all()) == \
            {"2026-05-03": 1, "2026-05-04": 5}


def test_two_workers_adding_to_the_same_day_lose_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_losses(session, {"2026-05-04": 1})

    def add() -> None:
        for _ in range(10):
            with sessions.begin() as session:
                add_losses(session, {"2026-05-04": 1})

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        assert session.scalar(select(ClickLoss.lost)) == 21


def test_clicks_are_inserted_together_and_only_existing_links_count(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, post=make_post(session, text="https://acme.at/a"))
        ensure_links(session, [delivery.id])
        link_id = session.scalars(select(TrackedLink.id)).one()
        rows = [{"link_id": link_id, "delivery_id": delivery.id, "channel_id": delivery.channel_id, "at": AT,
                 "referrer_host": "", "country": None, "browser": "Chrome", "device": "desktop", "is_bot": bot,
                 "bot_reason": "preview" if bot else "", "repeat": False, "visitor": "v"} for bot in (False, True)]
        assert insert_clicks(session, rows) == 2
        assert insert_clicks(session, []) == 0
        assert existing_links(session, [link_id, link_id + 1]) == {link_id}
        assert existing_links(session, []) == set()
    with sessions() as session:
        assert sorted(session.scalars(select(Click.is_bot))) == [False, True]
