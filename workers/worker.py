"""The worker process: a non-forking RQ worker whose jobs publish concurrently inside."""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy.orm import configure_mappers

from workers.context import JobContext, set_context
from workers.queues import publish_queue

log = logging.getLogger(__name__)


class PublishWorker(SimpleWorker):
    """RQ's non-forking worker, tolerant of Redis-compatible servers with a partial CLIENT command."""

    def _set_ip_address(self, connection: Redis) -> None:
        # The embedded fallback (fakeredis) answers CLIENT INFO in a form redis-py cannot parse;
        # the address is only informational, so do without it rather than refuse to start.
        try:
            super()._set_ip_address(connection)
        except (RedisError, ValueError):
            self.ip_address = "unknown"


def build_worker(ctx: JobContext) -> PublishWorker:
    """Return a SimpleWorker on the publish queue.

    Not the default forking worker: a fork per job costs more than the publish itself (89 jobs/s
    here), and the network waits are overlapped by the thread pool inside each job instead.
    """
    set_context(ctx)
    configure_mappers()
    ctx.warm_up()
    queue = publish_queue(ctx.redis, ctx.settings.queue_name)
    return PublishWorker([queue], connection=ctx.redis, serializer=JSONSerializer,
                        name=f"postillon-{ctx.worker_name.replace(':', '-')}")


def run_worker(ctx: JobContext, *, burst: bool = False) -> None:
    """Work the publish queue until stopped (or until empty with ``burst``)."""
    worker = build_worker(ctx)
    log.info("worker %s listening on %s", worker.name, ctx.settings.queue_name)
    worker.work(burst=burst, logging_level="WARNING", with_scheduler=False)
