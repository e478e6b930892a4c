"""The click worker: drains the redirect's click stream into the database in batches.

Each round reads up to ``batch`` events with a consumer group, classifies them (bot or person, browser,
device), flags bursts and repeats with pipelined Redis counters, inserts all rows in one statement and
only then acknowledges the entries. A worker that dies mid-batch leaves its entries pending; another
round claims them back (XAUTOCLAIM), so a crash loses nothing. Should an acknowledgement itself get
lost after the commit, the re-read clicks find their de-duplication keys taken and are stored as
repeats: people are never counted twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from redis import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.click_events import CLICK_GROUP, CLICK_STREAM, LOST_KEY_PREFIX, BadClickEventError, ClickEvent
from scheduler.click_store import add_losses, existing_links, insert_clicks
from scheduler.clicks import Verdict, classify
from scheduler.clock import utcnow

log = logging.getLogger(__name__)
SEEN_PREFIX = "postillon:clicks:seen:"  # visitor + link: a repeat within the hour
BURST_PREFIX = "postillon:clicks:burst:"  # visitor + minute: clicks so far
REPEAT_WINDOW_S = 3600
Entry = tuple[bytes, dict[bytes, bytes] | None]


@dataclass
class ClickDrain:
    """Moves click events from the Redis stream into the database; safe to run in several processes."""

    redis: Redis
    sessions: sessionmaker[Session]
    burst_per_minute: int = 20
    batch: int = 2_000
    block_ms: int = 1_000
    stale_after_ms: int = 60_000  # a pending entry this old belongs to a consumer that died
    consumer: str = ""

    def __post_init__(self) -> None:
        self.consumer = self.consumer or f"{socket.gethostname()}:{os.getpid()}"

    def setup(self) -> None:
        """Create the stream's consumer group if it does not exist yet."""
        try:
            self.redis.xgroup_create(CLICK_STREAM, CLICK_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def drain_once(self, *, block: bool = True, stale: bool = False) -> int:
        """Store one batch: stale pending entries when ``stale``, else new ones; return how many were read."""
        if stale:
            _next, entries, *_ = self.redis.xautoclaim(CLICK_STREAM, CLICK_GROUP, self.consumer,
                                                       min_idle_time=self.stale_after_ms, count=self.batch)
        else:
            found = self.redis.xreadgroup(CLICK_GROUP, self.consumer, {CLICK_STREAM: ">"}, count=self.batch,
                                          block=self.block_ms if block else None)
            entries = cast(Any, found)[0][1] if found else []  # RESP2: [[stream, entries]]
        if entries:
            self.store(entries)
        return len(entries)

    def store(self, entries: Sequence[Entry]) -> None:
        """Classify, flag and insert ``entries``, then acknowledge them (after the commit, never before)."""
        events: list[ClickEvent] = []
        bad = 0
        for _id, fields in entries:
            try:
                events.append(ClickEvent.decode((fields or {})[b"c"]))
            except (BadClickEventError, KeyError):
                bad += 1
        undo = _Undo()
        try:
            with self.sessions.begin() as session:
                known = existing_links(session, {e.link_id for e in events})
                events = [e for e in events if e.link_id in known]  # a deleted draft's links: never public
                flags = self._flag(events, [classify(e.method, e.user_agent) for e in events], undo)
                insert_clicks(session, [_row(e, v, r) for e, (v, r) in zip(events, flags, strict=True)])
                if bad:
                    add_losses(session, {f"{utcnow():%Y-%m-%d}": bad})
        except BaseException:
            undo.run(self.redis)  # else the retried clicks would find their keys taken and look like repeats
            raise
        if bad:
            log.warning("%d click stream entries were unreadable and are counted as lost", bad)
        ids = [entry_id for entry_id, _ in entries]
        pipe = self.redis.pipeline(transaction=False)
        pipe.xack(CLICK_STREAM, CLICK_GROUP, *ids)
        pipe.xdel(CLICK_STREAM, *ids)  # acknowledged entries are done with: the stream stays small
        pipe.execute()

    def move_losses(self) -> int:
        """Move the redirect's lost-click counts from Redis into ClickLoss; return how many clicks."""
        counts = {}
        for key in self.redis.scan_iter(match=LOST_KEY_PREFIX + "*", count=100):
            value = int(self.redis.get(key) or 0)
            if value > 0:
                counts[key] = value
        if not counts:
            return 0
        with self.sessions.begin() as session:
            add_losses(session, {key.decode().removeprefix(LOST_KEY_PREFIX): n for key, n in counts.items()})
        pipe = self.redis.pipeline(transaction=False)
        for key, value in counts.items():
            pipe.decrby(key, value)  # not DEL: the redirect may have added more meanwhile
        pipe.execute()
        log.warning("%d click(s) were redirected without being recorded; counted in the reports",
                    sum(counts.values()))
        return sum(counts.values())

    def run(self, stop: threading.Event | None = None, *, chores_every_s: float = 5.0) -> None:
        """Drain until ``stop`` is set; rides out Redis and database outages by waiting and retrying."""
        stop = stop or threading.Event()
        log.info("click worker %s draining %s", self.consumer, CLICK_STREAM)
        last_chores = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_chores >= chores_every_s:
                    self.setup()  # again after a Redis wipe
                    while self.drain_once(stale=True) == self.batch:
                        pass
                    self.move_losses()
                    last_chores = time.monotonic()
                self.drain_once()
            except (RedisError, SQLAlchemyError, OSError) as exc:
                log.warning("click worker round failed (%s); retrying", exc)
                stop.wait(1.0)

    def _flag(self, events: list[ClickEvent], verdicts: list[Verdict], undo: _Undo) -> list[tuple[Verdict, bool]]:
        """Count each visitor's clicks per minute (bursts) and mark repeats, in one pipelined round trip."""
        bursts = [f"{BURST_PREFIX}{e.visitor}:{int(e.at.timestamp()) // 60}" if e.visitor else "" for e in events]
        # People and programs are de-duplicated apart: a preview fetch must not swallow the person's click.
        seen_keys = [f"{SEEN_PREFIX}{e.visitor}:{e.link_id}:{'b' if v.is_bot else 'p'}" if e.visitor else ""
                     for e, v in zip(events, verdicts, strict=True)]
        in_batch = Counter(key for key in bursts if key)
        pipe = self.redis.pipeline(transaction=False)
        for key, count in in_batch.items():
            pipe.incrby(key, count)
            pipe.expire(key, 120)
        for key in seen_keys:
            if key:
                pipe.set(key, 1, nx=True, ex=REPEAT_WINDOW_S)
        answers = pipe.execute()
        undo.counts.update(in_batch)
        totals = dict(zip(in_batch, answers[: 2 * len(in_batch) : 2], strict=True))
        firsts = iter(answers[2 * len(in_batch):])
        numbered: Counter[str] = Counter()
        flagged = []
        for burst, seen, verdict in zip(bursts, seen_keys, verdicts, strict=True):
            if burst:
                numbered[burst] += 1
                so_far = totals[burst] - in_batch[burst] + numbered[burst]  # this click's number in its minute
                if so_far > self.burst_per_minute and not verdict.is_bot:
                    verdict = Verdict("burst", verdict.browser, verdict.device)
            first = bool(next(firsts)) if seen else True
            if seen and first:
                undo.keys.append(seen)
            flagged.append((verdict, not first))
        return flagged


class _Undo:
    """Redis changes of a batch whose insert failed, to be taken back."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.counts: Counter[str] = Counter()

    def run(self, redis: Redis) -> None:
        try:
            pipe = redis.pipeline(transaction=False)
            if self.keys:
                pipe.delete(*self.keys)
            for key, count in self.counts.items():
                pipe.decrby(key, count)
            pipe.execute()
        except RedisError:
            log.warning("could not take back the de-duplication keys of a failed click batch")


def _row(event: ClickEvent, verdict: Verdict, repeat: bool) -> dict[str, Any]:
    return {"link_id": event.link_id, "delivery_id": event.delivery_id, "channel_id": event.channel_id,
            "at": event.at, "referrer_host": event.referrer_host, "country": event.country,
            "browser": verdict.browser, "device": verdict.device, "is_bot": verdict.is_bot,
            "bot_reason": verdict.bot_reason, "repeat": repeat, "visitor": event.visitor}
