"""scheduler.queries: the read side the UI is built on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.audit import audit
from scheduler.lifecycle import DeliveryState
from scheduler.models import Attempt, ChannelStatus
from scheduler.queries import (
    StateGroup,
    count_by_group,
    get_delivery,
    list_channels,
    list_deliveries,
    postable_channels,
)
from tests.factories import make_channel, make_delivery, make_post, make_user

S = DeliveryState
T0 = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_groups_and_order(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, name="ACME", handle="acme")
        later = make_delivery(session, channel=channel, due_at=T0 + timedelta(hours=2)).id
        sooner = make_delivery(session, channel=channel, state=S.RETRY_WAIT, due_at=T0).id
        failed = make_delivery(session, channel=channel, state=S.FAILED, due_at=T0 + timedelta(hours=1)).id
        unknown = make_delivery(session, channel=channel, state=S.UNKNOWN, due_at=T0 - timedelta(hours=1)).id
        old = make_delivery(session, channel=channel, state=S.PUBLISHED, due_at=T0 - timedelta(days=1)).id
        new = make_delivery(session, channel=channel, state=S.PUBLISHED, due_at=T0 - timedelta(hours=3)).id
        cancelled = make_delivery(session, channel=channel, state=S.CANCELLED, due_at=T0 + timedelta(days=1)).id
    with sessions() as session:
        ids = {group: [row.id for row in list_deliveries(session, group)] for group in StateGroup}
        assert ids[StateGroup.UPCOMING] == [sooner, later]  # soonest first
        assert ids[StateGroup.ATTENTION] == [unknown, failed]
        assert ids[StateGroup.PUBLISHED] == [new, old]  # newest first
        assert ids[StateGroup.ALL] == [cancelled, later, failed, sooner, unknown, new, old]
        assert [row.id for row in list_deliveries(session, StateGroup.ALL, limit=2)] == [cancelled, later]
        assert count_by_group(session) == {StateGroup.UPCOMING: 2, StateGroup.ATTENTION: 2,
                                           StateGroup.PUBLISHED: 2, StateGroup.ALL: 7}
        row = list_deliveries(session, StateGroup.UPCOMING)[0]
        assert (row.channel_name, row.handle, row.due_at, row.state) == ("ACME", "acme", T0, S.RETRY_WAIT)


def test_one_delivery_with_its_attempts_and_events(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        person = make_user(session, name="Rita")
        post = make_post(session, text="Wir suchen dich", link="https://acme.at/jobs")
        delivery = make_delivery(session, post=post, state=S.FAILED, last_error_message="X refused it.")
        other = make_delivery(session)
        session.add_all([
            Attempt(delivery_id=delivery.id, number=1, started_at=T0, finished_at=T0, outcome="transient"),
            Attempt(delivery_id=delivery.id, number=2, started_at=T0 + timedelta(minutes=1), outcome="rejected"),
            Attempt(delivery_id=other.id, number=1, started_at=T0),
        ])
        audit(session, person.id, "post.scheduled", f"post:{post.id}")
        audit(session, None, "delivery.note", f"delivery:{delivery.id}", "by the system")
        audit(session, person.id, "delivery.cancelled", f"delivery:{other.id}")
        delivery_id = delivery.id
    with sessions() as session:
        detail = get_delivery(session, delivery_id)
        assert detail is not None
        assert (detail.row.text, detail.row.link, detail.row.last_error_message) == (
            "Wir suchen dich", "https://acme.at/jobs", "X refused it.")
        assert [a.number for a in detail.attempts] == [1, 2]
        assert [(e.action, e.user_name) for e in detail.events] == [("post.scheduled", "Rita"),
                                                                    ("delivery.note", None)]
        assert get_delivery(session, 999_999) is None


def test_channels(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        b = make_channel(session, name="B")
        a = make_channel(session, name="A")
        off = make_channel(session, name="C", status=ChannelStatus.DISABLED)
        waiting = make_channel(session, name="D", status=ChannelStatus.NEEDS_RECONNECT)
    with sessions() as session:
        assert [c.id for c in list_channels(session)] == [a.id, b.id, off.id, waiting.id]
        assert [c.id for c in postable_channels(session)] == [a.id, b.id, waiting.id]
