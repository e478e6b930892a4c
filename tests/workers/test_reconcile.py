"""The reconcile job: unknown deliveries are adopted when the network has the post, never re-sent."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.models import AuditEvent, Delivery
from tests.engine_fixtures import Sandbox
from workers.context import JobContext
from workers.dispatcher import Dispatcher
from workers.jobs import publish_batch
from workers.reconcile import reconcile_batch
from workers.worker import build_worker

S = DeliveryState


def _unknown_after_500(ctx: JobContext, sandbox: Sandbox, channel: int,
                       make_deliveries: Callable[..., list[int]], text: str) -> int:
    [delivery_id] = make_deliveries(channel, [text])
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(state=S.QUEUED))
    sandbox.faults("500_after_accept")
    publish_batch(ctx, [delivery_id])
    return delivery_id


def test_an_unknown_post_that_exists_is_adopted_as_published(ctx: JobContext, sandbox: Sandbox,
                                                            make_channel: Callable[..., int],
                                                            make_deliveries: Callable[..., list[int]]) -> None:
    delivery_id = _unknown_after_500(ctx, sandbox, make_channel("jobs"), make_deliveries,
                                     "Lehrlinge gesucht: Elektrotechnik (m/w/d) https://example.com/jobs/7")
    with ctx.sessions() as session:
        assert session.get_one(Delivery, delivery_id).reconcile_at is not None
    assert reconcile_batch(ctx, [delivery_id]) == {"found": 1, "absent": 0, "check_failed": 0}
    [stored] = sandbox.posts()
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
        assert delivery.state is S.PUBLISHED and delivery.external_id == stored["id"]
        assert delivery.reconcile_at is None and delivery.last_error_message is None
        assert "delivery.reconciled" in session.scalars(select(AuditEvent.action)).all()
    assert sandbox.stats()["create_calls"] == 1


def test_an_unknown_post_the_network_does_not_have_stays_unknown_with_a_note(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    [delivery_id] = make_deliveries(make_channel(), ["Never arrived"])
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(state=S.UNKNOWN, claim_count=1, claimed_at=utcnow(),
                                                last_error_message="The worker stopped answering."))
    assert reconcile_batch(ctx, [delivery_id]) == {"found": 0, "absent": 1, "check_failed": 0}
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
        assert delivery.state is S.UNKNOWN and delivery.reconcile_at is None
        assert delivery.last_error_message is not None
        assert delivery.last_error_message.startswith("The worker stopped answering.")
        assert "no such post found" in delivery.last_error_message
    assert sandbox.stats()["create_calls"] == 0


def test_a_failed_check_is_tried_again_later(ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
                                            make_deliveries: Callable[..., list[int]]) -> None:
    [delivery_id] = make_deliveries(make_channel(), ["Outage"])
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(state=S.UNKNOWN, claim_count=1, claimed_at=utcnow()))
    sandbox.knobs(outages=[[time.time() - 5, time.time() + 60]])
    assert reconcile_batch(ctx, [delivery_id])["check_failed"] == 1
    with ctx.sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
        assert delivery.state is S.UNKNOWN and delivery.reconcile_at is not None
        assert "Could not check X" in (delivery.last_error_message or "")


def test_the_dispatcher_hands_due_checks_to_a_worker(ctx: JobContext, sandbox: Sandbox,
                                                    make_channel: Callable[..., int],
                                                    make_deliveries: Callable[..., list[int]]) -> None:
    delivery_id = _unknown_after_500(ctx, sandbox, make_channel(), make_deliveries, "Dispatcher check")
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(reconcile_at=utcnow() - timedelta(seconds=1)))
    dispatcher = Dispatcher(ctx)
    assert dispatcher.reconcile_unknown() == 1
    assert dispatcher.reconcile_unknown() == 0  # claimed: not handed out twice
    build_worker(ctx).work(burst=True, logging_level="WARNING")
    with ctx.sessions() as session:
        assert session.get_one(Delivery, delivery_id).state is S.PUBLISHED
