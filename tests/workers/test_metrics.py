"""The metrics job against the sandbox: snapshots of real figures, unknown stays unknown, outages postpone."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery, MetricSnapshot
from tests.engine_fixtures import Sandbox
from workers.context import JobContext
from workers.dispatcher import Dispatcher
from workers.jobs import publish_batch
from workers.metrics import collect_batch
from workers.worker import build_worker

S = DeliveryState


def _publish(ctx: JobContext, make_channel: Callable[..., int], make_deliveries: Callable[..., list[int]],
             texts: list[str]) -> list[int]:
    ids = make_deliveries(make_channel(), texts)
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(state=S.QUEUED))
    publish_batch(ctx, ids)
    return ids


def test_publishing_schedules_the_first_collection_an_hour_later(ctx: JobContext, sandbox: Sandbox,
                                                                make_channel: Callable[..., int],
                                                                make_deliveries: Callable[..., list[int]]) -> None:
    [delivery_id] = _publish(ctx, make_channel, make_deliveries, ["Measured later"])
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
        assert delivery.published_at is not None
        assert delivery.metrics_due_at == delivery.published_at + timedelta(hours=1)


def test_the_dispatcher_and_a_worker_store_snapshots_with_the_networks_figures(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    ids = _publish(ctx, make_channel, make_deliveries, ["Figures one", "Figures two"])
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(metrics_due_at=utcnow() - timedelta(seconds=1)))
    assert Dispatcher(ctx).collect_metrics() == 2
    build_worker(ctx).work(burst=True, logging_level="WARNING")
    with ctx.sessions() as session:
        snaps = session.scalars(select(MetricSnapshot).where(MetricSnapshot.delivery_id.in_(ids))).all()
        assert len(snaps) == 2
        assert all(s.impressions is not None and s.impressions >= 0 for s in snaps)
        assert {session.get_one(Delivery, i).metrics_round for i in ids} == {1}


def test_a_post_the_network_no_longer_has_gets_an_unknown_snapshot(ctx: JobContext, sandbox: Sandbox,
                                                                  make_channel: Callable[..., int],
                                                                  make_deliveries: Callable[..., list[int]]) -> None:
    [delivery_id] = _publish(ctx, make_channel, make_deliveries, ["Deleted later"])
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(external_id="1999999999999999999"))
    assert collect_batch(ctx, [delivery_id]) == {"snapshots": 1, "postponed": 0}
    with ctx.sessions() as session:
        snap = session.scalars(select(MetricSnapshot)).one()
        assert (snap.impressions, snap.reactions, snap.comments) == (None, None, None)


def test_an_outage_postpones_collection_instead_of_storing_zeros(ctx: JobContext, sandbox: Sandbox,
                                                                make_channel: Callable[..., int],
                                                                make_deliveries: Callable[..., list[int]]) -> None:
    [delivery_id] = _publish(ctx, make_channel, make_deliveries, ["During an outage"])
    sandbox.knobs(outages=[[time.time() - 5, time.time() + 60]])
    assert collect_batch(ctx, [delivery_id]) == {"snapshots": 0, "postponed": 1}
    with ctx.sessions() as session:
        assert session.scalars(select(MetricSnapshot)).all() == []
        due = session.get_one(Delivery, delivery_id).metrics_due_at
        assert due is not None and due > utcnow() + timedelta(minutes=30)
