"""Assisted channels (XING): hand-over at the due time, the owner's tasks, completing and postponing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.assisted import (
    TaskError,
    add_assisted_channel,
    complete_task,
    hand_over_due,
    open_tasks,
    postpone_task,
)
from scheduler.dispatch import claim_due
from scheduler.lifecycle import DeliveryState
from scheduler.models import AuditEvent, Channel, Delivery
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_post, make_user

S = DeliveryState
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OVERDUE_AFTER = timedelta(hours=4)


def _xing(session: Session) -> tuple[int, int]:
    owner = make_user(session, name="Hanna HR")
    channel = add_assisted_channel(session, network=Network.XING, name="XING Karriere",
                                   profile_url="https://www.xing.com/pages/example", owner_id=owner.id,
                                   tz_name="Europe/Vienna")
    return owner.id, channel.id


def _state(sessions: sessionmaker[Session], delivery_id: int) -> DeliveryState:
    with sessions() as session:
        return DeliveryState(session.get_one(Delivery, delivery_id).state)


def test_due_assisted_delivery_goes_to_its_owner_not_the_queue(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _, xing_id = _xing(session)
        xing = session.get_one(Channel, xing_id)
        on_xing = make_delivery(session, channel=xing, due_at=NOW - timedelta(minutes=1)).id
        on_x = make_delivery(session, channel=make_channel(session), due_at=NOW - timedelta(minutes=1)).id
        later = make_delivery(session, channel=xing, due_at=NOW + timedelta(hours=1)).id
    with sessions.begin() as session:
        queued = claim_due(session, now=NOW, limit=100)
    assert [item.delivery_id for item in queued] == [on_x]
    assert _state(sessions, on_xing) is S.SCHEDULED  # never queued: nothing could publish it
    with sessions.begin() as session:
        assert hand_over_due(session, now=NOW, limit=100) == [on_xing]
    assert _state(sessions, on_xing) is S.AWAITING_OWNER
    assert _state(sessions, later) is S.SCHEDULED


def test_open_tasks_carry_ready_text_with_the_link_and_flag_overdue_ones(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner_id, xing_id = _xing(session)
        xing = session.get_one(Channel, xing_id)
        post = make_post(session, text="Wir suchen eine Lohnverrechnerin (m/w/d).", link="https://jobs.example/r/ab12")
        fresh = make_delivery(session, post=post, channel=xing, state=S.AWAITING_OWNER, due_at=NOW).id
        old = make_delivery(session, channel=xing, state=S.AWAITING_OWNER, due_at=NOW - timedelta(hours=5)).id
        other_owner = make_user(session)
        foreign = add_assisted_channel(session, network=Network.XING, name="XING Vertrieb", profile_url="",
                                       owner_id=other_owner.id, tz_name="Europe/Berlin")
        make_delivery(session, channel=foreign, state=S.AWAITING_OWNER, due_at=NOW)
    with sessions() as session:
        mine = open_tasks(session, now=NOW, overdue_after=OVERDUE_AFTER, owner_id=owner_id)
        everyone = open_tasks(session, now=NOW, overdue_after=OVERDUE_AFTER)
    assert [task.delivery_id for task in mine] == [old, fresh]
    assert [task.overdue for task in mine] == [True, False]
    assert mine[1].text == "Wir suchen eine Lohnverrechnerin (m/w/d).\nhttps://jobs.example/r/ab12"
    assert mine[1].owner_name == "Hanna HR"
    assert len(everyone) == 3


def test_completing_a_task_publishes_the_delivery_with_the_pasted_url(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner_id, xing_id = _xing(session)
        delivery_id = make_delivery(session, channel=session.get_one(Channel, xing_id), state=S.AWAITING_OWNER).id
    url = "https://www.xing.com/feed/posts/abc123"
    with sessions.begin() as session:
        assert complete_task(session, delivery_id, url=url, user_id=owner_id, now=NOW)
    with sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
        assert (delivery.state, delivery.external_url, delivery.published_at) == (S.PUBLISHED, url, NOW)
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.subject == f"delivery:{delivery_id}")) \
            == "task.completed"
    with sessions.begin() as session:
        assert not complete_task(session, delivery_id, url=url, user_id=owner_id, now=NOW)


@pytest.mark.parametrize("url", ["", "not a url", "http://www.xing.com/feed/1", "https://evil.example/xing.com",
                                 "https://notxing.com/feed/1"])
def test_a_url_not_on_xing_is_refused_and_changes_nothing(sessions: sessionmaker[Session], url: str) -> None:
    with sessions.begin() as session:
        owner_id, xing_id = _xing(session)
        delivery_id = make_delivery(session, channel=session.get_one(Channel, xing_id), state=S.AWAITING_OWNER).id
    with sessions.begin() as session, pytest.raises(TaskError, match="XING"):
        complete_task(session, delivery_id, url=url, user_id=owner_id, now=NOW)
    assert _state(sessions, delivery_id) is S.AWAITING_OWNER


def test_postponing_puts_the_task_back_on_the_schedule(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner_id, xing_id = _xing(session)
        delivery_id = make_delivery(session, channel=session.get_one(Channel, xing_id), state=S.AWAITING_OWNER).id
    tomorrow = NOW + timedelta(days=1)
    with sessions.begin() as session, pytest.raises(TaskError):
        postpone_task(session, delivery_id, until=NOW - timedelta(minutes=1), user_id=owner_id, now=NOW)
    with sessions.begin() as session:
        assert postpone_task(session, delivery_id, until=tomorrow, user_id=owner_id, now=NOW)
    with sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
        assert (delivery.state, delivery.due_at, delivery.run_at) == (S.SCHEDULED, tomorrow, tomorrow)


def test_an_assisted_channel_needs_a_name_an_owner_and_a_xing_profile(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        with pytest.raises(TaskError, match="name"):
            add_assisted_channel(session, network=Network.XING, name=" ", profile_url="", owner_id=owner.id,
                                 tz_name="Europe/Vienna")
        with pytest.raises(TaskError, match="XING address"):
            add_assisted_channel(session, network=Network.XING, name="XING", profile_url="https://example.com/me",
                                 owner_id=owner.id, tz_name="Europe/Vienna")
        with pytest.raises(TaskError, match="who posts"):
            add_assisted_channel(session, network=Network.XING, name="XING", profile_url="", owner_id=99999,
                                 tz_name="Europe/Vienna")
        with pytest.raises(TaskError, match="not an assisted"):
            add_assisted_channel(session, network=Network.X, name="X", profile_url="", owner_id=owner.id,
                                 tz_name="Europe/Vienna")
