"""The token refresh job: renew access tokens before they expire, one channel at a time."""

from __future__ import annotations

import logging

from scheduler.clock import utcnow
from scheduler.errors import AuthExpiredError
from scheduler.models import Channel
from scheduler.tokens import mark_refresh_refused, still_due, store_refreshed
from workers.context import JobContext, get_context

log = logging.getLogger(__name__)
LOCK_S = 120  # longer than one refresh call can take (connect + read timeouts)


def refresh_tokens(channel_ids: list[int]) -> dict[str, int]:
    """RQ job: refresh the access tokens of these channels that are about to expire."""
    return refresh_batch(get_context(), channel_ids)


def refresh_batch(ctx: JobContext, channel_ids: list[int]) -> dict[str, int]:
    """Refresh each channel under its own lock; return counts per outcome."""
    counts = {"refreshed": 0, "skipped": 0, "refused": 0, "failed": 0}
    for channel_id in channel_ids:
        # Refresh tokens rotate on X: two concurrent refreshes would invalidate each other's
        # token family, so only the holder of this lock may refresh the channel.
        lock = ctx.redis.lock(f"postillon:refresh:{channel_id}", timeout=LOCK_S, blocking_timeout=0)
        if not lock.acquire():
            counts["skipped"] += 1
            continue
        try:
            counts[_refresh(ctx, channel_id)] += 1
        finally:
            lock.release()
    return counts


def _refresh(ctx: JobContext, channel_id: int) -> str:
    with ctx.sessions() as session:
        channel = session.get(Channel, channel_id)
        if channel is None or not still_due(channel, now=utcnow()):
            return "skipped"
        old = ctx.box.open(channel.credentials)
        network = channel.network
    if not old.refresh_token:
        return "skipped"  # nothing to refresh with; a publish will find out and ask for a reconnect
    try:
        new = ctx.adapter(network).refresh(old)
    except AuthExpiredError as exc:
        with ctx.sessions.begin() as session:
            mark_refresh_refused(session, channel_id, exc.message)
        log.warning("channel %s: refresh refused (%s); needs reconnect", channel_id, exc.message)
        return "refused"
    except Exception as exc:  # noqa: BLE001 - transient: the next sweep tries again before expiry
        log.warning("channel %s: refresh failed (%s); will retry", channel_id, exc)
        return "failed"
    with ctx.sessions.begin() as session:
        channel = session.get_one(Channel, channel_id)
        store_refreshed(session, ctx.box, channel, old, new)
    log.info("channel %s: token refreshed until %s", channel_id, new.expires_at)
    return "refreshed"
