"""The metrics schedule (+1 h, +24 h, +7 d, +28 d) and how snapshots are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState
from scheduler.metrics import (
    COLLECT_LEASE,
    claim_due,
    first_collection,
    load_batches,
    next_collection,
    postpone,
    record,
)
from scheduler.models import Channel, Delivery, MetricSnapshot
from scheduler.ports import MetricValues
from tests.factories import make_channel, make_delivery

S = DeliveryState
PUBLISHED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = PUBLISHED + timedelta(hours=2)


def test_the_schedule_measures_after_an_hour_a_day_a_week_and_four_weeks() -> None:
    assert first_collection(PUBLISHED) == PUBLISHED + timedelta(hours=1)
    assert [next_collection(PUBLISHED, n) for n in range(5)] == [
        PUBLISHED + timedelta(hours=1), PUBLISHED + timedelta(days=1), PUBLISHED + timedelta(days=7),
        PUBLISHED + timedelta(days=28), None]


def _published(sessions: sessionmaker[Session], channel_id: int | None = None, **values: object) -> int:
    with sessions.begin() as session:
        channel = session.get_one(Channel, channel_id) if channel_id else make_channel(session)
        values.setdefault("metrics_due_at", first_collection(PUBLISHED))
        return make_delivery(session, channel=channel, state=S.PUBLISHED, published_at=PUBLISHED,
                             external_id=values.pop("external_id", f"ext-{id(values)}"), **values).id


def test_only_due_published_deliveries_with_a_network_id_are_claimed_once(sessions: sessionmaker[Session]) -> None:
    due = _published(sessions)
    _published(sessions, metrics_due_at=NOW + timedelta(minutes=1))
    _published(sessions, external_id=None)
    _published(sessions, metrics_due_at=None)
    with sessions.begin() as session:
        assert claim_due(session, now=NOW) == [due]
    with sessions.begin() as session:
        assert claim_due(session, now=NOW) == []
    with sessions() as session:
        assert session.get_one(Delivery, due).metrics_due_at == NOW + COLLECT_LEASE


def test_snapshots_keep_unreported_figures_unknown_and_advance_the_schedule(sessions: sessionmaker[Session]) -> None:
    first = _published(sessions, external_id="111")
    with sessions() as session:
        channel_id = session.get_one(Delivery, first).channel_id
    second = _published(sessions, channel_id, external_id="222")
    with sessions() as session:
        [batch] = load_batches(session, [first, second])
    assert dict(batch.external_ids) == {first: "111", second: "222"}
    with sessions.begin() as session:
        assert record(session, batch, {"111": MetricValues(impressions=40, reactions=3, clicks=None)}, now=NOW) == 2
    with sessions() as session:
        snaps = {s.delivery_id: s for s in session.scalars(select(MetricSnapshot))}
        assert (snaps[first].impressions, snaps[first].reactions, snaps[first].clicks) == (40, 3, None)
        assert (snaps[second].impressions, snaps[second].reactions) == (None, None)  # not zero
        delivery = session.get_one(Delivery, first)
        assert (delivery.metrics_round, delivery.metrics_due_at) == (1, PUBLISHED + timedelta(days=1))


def test_the_last_collection_ends_the_schedule(sessions: sessionmaker[Session]) -> None:
    delivery_id = _published(sessions, external_id="9", metrics_round=3)
    with sessions() as session:
        [batch] = load_batches(session, [delivery_id])
    with sessions.begin() as session:
        record(session, batch, {}, now=NOW)
    with sessions() as session:
        assert session.get_one(Delivery, delivery_id).metrics_due_at is None


def test_postponing_moves_the_whole_channel(sessions: sessionmaker[Session]) -> None:
    delivery_id = _published(sessions, external_id="5")
    with sessions() as session:
        [batch] = load_batches(session, [delivery_id])
    with sessions.begin() as session:
        postpone(session, batch, NOW + timedelta(hours=1))
    with sessions() as session:
        assert session.get_one(Delivery, delivery_id).metrics_due_at == NOW + timedelta(hours=1)
