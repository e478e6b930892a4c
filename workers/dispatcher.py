"""The dispatcher loop: moves due deliveries from the database to the queue, and repairs what got lost."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date

from redis.exceptions import RedisError
from rq import Queue

from scheduler.assisted import hand_over_due
from scheduler.clock import utcnow
from scheduler.dispatch import QueuedDelivery, assign_job, claim_due, expire_leases, requeue, stale_queued
from scheduler.metrics import claim_due as claim_metrics
from scheduler.pending import claim_checks as claim_pending_checks
from scheduler.reconcile import claim_checks
from scheduler.reposts import plan_reposts
from scheduler.retention import claim_purge_day
from scheduler.retention import purge_expired as purge_expired_data
from scheduler.tokens import channels_to_refresh
from workers.context import JobContext
from workers.digest import digest_sweep
from workers.mail import notify_sweep
from workers.queues import (
    LIVE_JOB_STATUSES,
    METRICS_JOB,
    PENDING_JOB,
    RECONCILE_JOB,
    TOKENS_JOB,
    chunk,
    enqueue_batches,
    enqueue_follow_up,
    job_id_for,
    job_statuses,
    publish_queue,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one dispatcher round did."""

    enqueued: int = 0
    requeued: int = 0
    expired: int = 0
    reconciling: int = 0
    checking: int = 0  # processing deliveries handed to a worker for a look at the network
    measuring: int = 0
    refreshing: int = 0
    notified: int = 0  # notifications created (mailed by a background thread)
    reposted: int = 0  # "still hiring" re-posts created
    handed_over: int = 0  # assisted-channel (XING) deliveries given to their owners as tasks
    purged: int = 0  # rows and files the daily retention purge anonymized or deleted
    digests: int = 0  # report digests planned (mailed with their PDF by a background thread)


class Dispatcher:
    """Claims due deliveries atomically (safe with several dispatchers) and enqueues them in batches."""

    def __init__(self, ctx: JobContext, *, sweep_every_s: float = 5.0) -> None:
        self.ctx = ctx
        self.queue: Queue = publish_queue(ctx.redis, ctx.settings.queue_name)
        self.sweep_every_s = sweep_every_s
        self._last_sweep = 0.0
        self._purge_day: date | None = None  # the UTC day whose purge this process saw claimed

    def tick(self, *, sweep: bool | None = None) -> TickReport:
        """Run one round: dispatch what is due; every few seconds also expire leases and requeue lost jobs."""
        enqueued = self.dispatch_due()
        if sweep is None:
            sweep = time.monotonic() - self._last_sweep >= self.sweep_every_s
        if not sweep:
            return TickReport(enqueued=enqueued)
        self._last_sweep = time.monotonic()
        return TickReport(enqueued=enqueued, expired=self.expire_leases(), requeued=self.requeue_lost(),
                          reconciling=self.reconcile_unknown(), checking=self.check_processing(),
                          measuring=self.collect_metrics(),
                          refreshing=self.refresh_tokens(), notified=self.notify(), reposted=self.plan_reposts(),
                          handed_over=self.hand_over_tasks(), purged=self.purge_expired(),
                          digests=self.plan_digests())

    def dispatch_due(self) -> int:
        """Claim due deliveries, commit, then enqueue them; return how many were enqueued."""
        settings = self.ctx.settings
        total = 0
        while True:
            with self.ctx.sessions.begin() as session:
                due = claim_due(session, now=utcnow(), limit=settings.dispatch_batch)
                batches = self._assign(session, due)
            # Enqueued only after the commit: a crash in between leaves `queued` rows without a
            # job, which requeue_lost repairs; the reverse order could run a job for an uncommitted row.
            self._enqueue(batches)
            total += len(due)
            if len(due) < settings.dispatch_batch:
                return total

    def expire_leases(self) -> int:
        """Move deliveries whose publishing lease ran out to `unknown`."""
        with self.ctx.sessions.begin() as session:
            expired = expire_leases(session, now=utcnow(), reconcile_after_s=self.ctx.settings.reconcile_after_s)
        if expired:
            log.warning("lease expired for deliveries %s: now unknown", expired[:20])
        return len(expired)

    def requeue_lost(self) -> int:
        """Re-enqueue queued deliveries whose job no longer exists (Redis wiped, job failed before claiming)."""
        settings = self.ctx.settings
        with self.ctx.sessions.begin() as session:
            stale = stale_queued(session, now=utcnow(), older_than_s=settings.requeue_after_s)
        if not stale:
            return 0
        statuses = job_statuses(self.ctx.redis, sorted({item.job_id or "" for item in stale}))
        lost = [item for item in stale if statuses.get(item.job_id or "") not in LIVE_JOB_STATUSES]
        if not lost:
            return 0
        with self.ctx.sessions.begin() as session:
            now = utcnow()
            fresh = [moved for item in lost if (moved := requeue(session, item, now=now)) is not None]
            batches = self._assign(session, fresh)
        self._enqueue(batches)
        if fresh:
            log.warning("re-enqueued %d queued deliveries whose job was lost", len(fresh))
        return len(fresh)

    def reconcile_unknown(self) -> int:
        """Hand unknown deliveries whose check is due to a worker, which asks the network."""
        with self.ctx.sessions.begin() as session:
            due = claim_checks(session, now=utcnow())
        # A lost job is harmless: claim_checks pushed reconcile_at out, so the check comes round again.
        enqueue_follow_up(self.queue, RECONCILE_JOB, due, timeout_s=self._follow_up_timeout)
        return len(due)

    def check_processing(self) -> int:
        """Hand processing deliveries (Instagram containers) whose next look is due to a worker."""
        with self.ctx.sessions.begin() as session:
            due = claim_pending_checks(session, now=utcnow())
        # A lost job is harmless: claim_checks pushed check_at out, so the check comes round again.
        enqueue_follow_up(self.queue, PENDING_JOB, due, timeout_s=self._follow_up_timeout)
        return len(due)

    def collect_metrics(self) -> int:
        """Hand published deliveries whose metrics are due to a worker."""
        with self.ctx.sessions.begin() as session:
            due = claim_metrics(session, now=utcnow())
        # A lost job is harmless: claim_metrics pushed the due time out, so it comes round again.
        enqueue_follow_up(self.queue, METRICS_JOB, due, timeout_s=self._follow_up_timeout)
        return len(due)

    def refresh_tokens(self) -> int:
        """Hand channels whose access token expires soon to a worker (each at most once a minute)."""
        with self.ctx.sessions() as session:
            due = channels_to_refresh(session, now=utcnow())
        # One hand-off per channel a minute, so a slow refresh is not queued again every sweep.
        fresh = [c for c in due if self.ctx.redis.set(f"postillon:refresh-queued:{c}", 1, nx=True, ex=60)]
        enqueue_follow_up(self.queue, TOKENS_JOB, fresh, timeout_s=self._follow_up_timeout)
        return len(fresh)

    @property
    def _follow_up_timeout(self) -> int:
        return int(max(self.ctx.settings.lease_s * 2, 300))

    def _assign(self, session: object, items: list[QueuedDelivery]) -> list[tuple[str, list[int]]]:
        batches = []
        for batch in chunk(items, self.ctx.settings.job_batch):
            job_id = job_id_for(batch)
            assign_job(session, job_id, batch)  # type: ignore[arg-type]
            batches.append((job_id, [item.delivery_id for item in batch]))
        return batches

    def _enqueue(self, batches: list[tuple[str, list[int]]]) -> None:
        enqueue_batches(self.queue, batches, timeout_s=int(self.ctx.settings.lease_s * 2))

    def run(self, stop: threading.Event | None = None) -> None:
        """Loop until ``stop`` is set; survives Redis and database outages by waiting and retrying."""
        stop = stop or threading.Event()
        interval = self.ctx.settings.dispatch_interval_s
        log.info("dispatcher running every %.2fs", interval)
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except RedisError as exc:
                # The claimed rows stay `queued` in the database; requeue_lost enqueues them later.
                log.warning("Redis unavailable (%s); deliveries stay queued in the database", exc)
                stop.wait(1.0)
            except Exception:
                log.exception("dispatcher round failed; retrying")
                stop.wait(1.0)
            stop.wait(max(0.0, interval - (time.monotonic() - started)))

    def hand_over_tasks(self) -> int:
        """Give due XING deliveries to their owners; a person posts them, so the sweep's pace is enough."""
        with self.ctx.sessions.begin() as session:
            return len(hand_over_due(session, now=utcnow(), limit=self.ctx.settings.dispatch_batch))

    def plan_reposts(self) -> int:
        """Create the "still hiring" re-posts that are due."""
        with self.ctx.sessions.begin() as session:
            return plan_reposts(session, utcnow())

    def purge_expired(self) -> int:
        """Once a UTC day (claimed in the database, so one dispatcher of several), purge expired personal data."""
        now = utcnow()
        if self._purge_day == now.date():  # today's purge is done or taken: no write every sweep
            return 0
        with self.ctx.sessions.begin() as session:
            # Committed on its own: a purge that fails is retried the next day, not every sweep.
            claimed = claim_purge_day(session, now=now)
        self._purge_day = now.date()
        if not claimed:
            return 0
        try:
            with self.ctx.sessions.begin() as session:
                report = purge_expired_data(session, now=utcnow(), data_dir=self.ctx.settings.data_path)
        except Exception:
            log.exception("retention purge failed; it runs again tomorrow, or now with `postillon purge`")
            return 0
        return report.total

    def plan_digests(self) -> int:
        """Plan the report digests that are due; they are mailed in a background thread."""
        return digest_sweep(self.ctx)

    def notify(self) -> int:
        """Create the notifications people are owed; they are mailed in a background thread."""
        return notify_sweep(self.ctx)
