"""Token refresh ahead of expiry against the sandbox: rotated tokens stored, refusals ask for a reconnect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import requests
from sqlalchemy import update

from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery
from tests.engine_fixtures import Sandbox
from workers.context import JobContext
from workers.dispatcher import Dispatcher
from workers.jobs import publish_batch
from workers.tokens import refresh_batch
from workers.worker import build_worker

S = DeliveryState


def _expiring(ctx: JobContext, channel_id: int) -> None:
    with ctx.sessions.begin() as session:
        session.execute(update(Channel).where(Channel.id == channel_id)
                        .values(token_expires_at=utcnow() + timedelta(minutes=2)))


def _credentials(ctx: JobContext, channel_id: int):  # type: ignore[no-untyped-def]
    with ctx.sessions() as session:
        return ctx.box.open(session.get_one(Channel, channel_id).credentials)


def test_a_channel_with_a_sealed_expiry_can_be_found_for_refresh(ctx: JobContext,
                                                               make_channel: Callable[..., int]) -> None:
    channel_id = make_channel()
    with ctx.sessions() as session:
        expires = session.get_one(Channel, channel_id).token_expires_at
    assert expires is not None and expires == _credentials(ctx, channel_id).expires_at


def test_the_sweep_refreshes_a_token_before_it_expires_and_publishing_uses_the_new_one(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int],
        make_deliveries: Callable[..., list[int]]) -> None:
    channel_id = make_channel("careers")
    before = _credentials(ctx, channel_id)
    _expiring(ctx, channel_id)
    assert Dispatcher(ctx).refresh_tokens() == 1
    assert Dispatcher(ctx).refresh_tokens() == 0  # handed out once a minute at most
    build_worker(ctx).work(burst=True, logging_level="WARNING")
    after = _credentials(ctx, channel_id)
    assert after.access_token != before.access_token and after.refresh_token
    assert after.expires_at is not None and after.expires_at > utcnow() + timedelta(minutes=30)
    with ctx.sessions() as session:
        assert session.get_one(Channel, channel_id).token_expires_at == after.expires_at
    # The old access token is dead on the sandbox (rotation); publishing works with the new one.
    old = requests.post(f"{sandbox.url}/2/tweets", json={"text": "old token"}, timeout=5,
                        headers={"Authorization": f"Bearer {before.access_token}"})
    ids = make_deliveries(channel_id, ["After the refresh"])
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).values(state=S.QUEUED))
    assert publish_batch(ctx, ids) == {"skipped": 0, "published": 1}
    assert old.status_code == 401  # the refresh rotated the pair: the old access token is dead


def test_a_refused_refresh_asks_for_a_reconnect(ctx: JobContext, sandbox: Sandbox,
                                               make_channel: Callable[..., int]) -> None:
    channel_id = make_channel()
    account_id = _credentials(ctx, channel_id).account_id
    requests.post(f"{sandbox.url}/_sandbox/x/accounts/{account_id}/revoke", timeout=5).raise_for_status()
    _expiring(ctx, channel_id)
    assert refresh_batch(ctx, [channel_id]) == {"refreshed": 0, "skipped": 0, "refused": 1, "failed": 0}
    with ctx.sessions() as session:
        channel = session.get_one(Channel, channel_id)
        assert channel.status is ChannelStatus.NEEDS_RECONNECT and channel.status_detail


def test_a_token_that_is_not_due_is_left_alone(ctx: JobContext, sandbox: Sandbox,
                                              make_channel: Callable[..., int]) -> None:
    channel_id = make_channel()
    before = _credentials(ctx, channel_id)
    assert refresh_batch(ctx, [channel_id])["skipped"] == 1
    assert _credentials(ctx, channel_id) == before


def test_a_second_worker_does_not_refresh_while_the_first_holds_the_lock(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int]) -> None:
    channel_id = make_channel()
    _expiring(ctx, channel_id)
    lock = ctx.redis.lock(f"postillon:refresh:{channel_id}", timeout=30)
    assert lock.acquire()
    try:
        assert refresh_batch(ctx, [channel_id])["skipped"] == 1
    finally:
        lock.release()
    assert refresh_batch(ctx, [channel_id])["refreshed"] == 1
