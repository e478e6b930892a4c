"""The redirect's click buffer: requests append to memory, a background thread ships batches to Redis.

One Redis round trip per request would cost a third of the redirect's throughput (performance.md), so
requests only append to an in-process deque. A thread, started lazily in each (gunicorn-forked) process,
sends the events in pipelined batches to a Redis stream. When Redis is unreachable, or the buffer is
full, events are dropped and counted per UTC day; the counts reach Redis once it answers again, so the
loss shows up in reports instead of vanishing.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis

from scheduler.click_events import CLICK_STREAM, LOST_KEY_PREFIX, make_event

log = logging.getLogger(__name__)
#: Lost-click counters outlive any outage the click worker could still be catching up on.
LOST_KEY_TTL = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class RawClick:
    """A request's values as the view saw them; the address never leaves this process."""

    link_id: int
    delivery_id: int
    channel_id: int
    at: datetime
    method: str
    user_agent: str
    referrer: str | None
    address: str
    country: str | None


class ClickRecorder:
    """Buffers clicks in memory and flushes them to the click stream from a background thread."""

    def __init__(self, connect: Callable[[], Redis], *, secret: str, max_buffer: int = 20_000,
                 interval_s: float = 0.05, batch: int = 2_000) -> None:
        self._connect = connect
        self._secret = secret
        self._max_buffer = max_buffer
        self._interval_s = interval_s
        self._batch = batch
        self._buffer: deque[RawClick] = deque()
        self._lost: dict[str, int] = {}
        self._lock = threading.Lock()
        self._pid = 0  # the process whose thread is running; another pid means we were forked
        self._redis: Redis | None = None
        self._failing_since: float | None = None

    def record(self, click: RawClick) -> None:
        """Queue a click; never blocks and never raises (a full buffer counts the click as lost)."""
        if self._pid != os.getpid():
            self._start()
        if len(self._buffer) >= self._max_buffer:
            self._lose({_day(click.at): 1})
            return
        self._buffer.append(click)

    def flush(self) -> int:
        """Send one batch (and any lost-click counts) to Redis; return how many clicks were sent."""
        batch = [self._buffer.popleft() for _ in range(min(self._batch, len(self._buffer)))]
        with self._lock:
            lost, self._lost = self._lost, {}
        if not batch and not lost:
            return 0
        try:
            redis = self._redis or self._connect()
            self._redis = redis
            if lost:
                self._report_lost(redis, lost)
                lost = {}
            pipe = redis.pipeline(transaction=False)
            for click in batch:
                pipe.xadd(CLICK_STREAM, {"c": self._encode(click)})
            pipe.execute()
        except Exception as exc:  # noqa: BLE001 - whatever failed, the clicks are counted, never raised
            self._redis = None
            dropped: dict[str, int] = dict(lost)
            for click in batch:
                dropped[_day(click.at)] = dropped.get(_day(click.at), 0) + 1
            self._lose(dropped, reason=exc)
            return 0
        if self._failing_since is not None:
            log.info("click stream reachable again after %.0f s", time.monotonic() - self._failing_since)
            self._failing_since = None
        return len(batch)

    def close(self) -> None:
        """Send what is still buffered (for up to 2 s) and stop doing so at interpreter exit."""
        atexit.unregister(self._flush_all)
        self._flush_all()

    def pending(self) -> int:
        """Return how many clicks wait in the buffer."""
        return len(self._buffer)

    def lost(self) -> dict[str, int]:
        """Return the lost-click counts not yet reported to Redis, per UTC day."""
        with self._lock:
            return dict(self._lost)

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked child inherits the parent's buffer and connection, not its thread: start afresh.
            self._buffer.clear()
            self._lost.clear()
            self._redis = None
            self._pid = os.getpid()
        threading.Thread(target=self._run, name="click-recorder", daemon=True).start()
        atexit.register(self._flush_all)

    def _run(self) -> None:
        while True:
            time.sleep(self._interval_s if self._failing_since is None else 1.0)
            try:
                while self.flush() >= self._batch:
                    pass  # busy: keep sending until the buffer is short again
            except Exception:  # noqa: BLE001 - the thread must outlive any surprise
                log.exception("click recorder round failed")

    def _flush_all(self) -> None:
        deadline = time.monotonic() + 2.0
        while self._buffer and time.monotonic() < deadline and self.flush() > 0:
            pass

    def _encode(self, click: RawClick) -> str:
        return make_event(secret=self._secret, link_id=click.link_id, delivery_id=click.delivery_id,
                          channel_id=click.channel_id, at=click.at, method=click.method,
                          user_agent=click.user_agent, referrer=click.referrer, address=click.address,
                          country=click.country).encode()

    def _report_lost(self, redis: Redis, lost: dict[str, int]) -> None:
        pipe = redis.pipeline(transaction=False)
        for day, count in lost.items():
            pipe.incrby(LOST_KEY_PREFIX + day, count)
            pipe.expire(LOST_KEY_PREFIX + day, LOST_KEY_TTL)
        pipe.execute()
        log.warning("%d click(s) could not be recorded (%s); the count is kept for the reports",
                    sum(lost.values()), ", ".join(f"{day}: {n}" for day, n in sorted(lost.items())))

    def _lose(self, counts: dict[str, int], reason: BaseException | None = None) -> None:
        with self._lock:
            for day, count in counts.items():
                self._lost[day] = self._lost.get(day, 0) + count
        if reason is not None and self._failing_since is None:
            self._failing_since = time.monotonic()
            log.warning("click stream unreachable (%s); clicks are redirected but counted as lost", reason)


def _day(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d}"
