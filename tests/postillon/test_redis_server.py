"""Finding a Redis for `postillon run`: configured, started redis-server, or embedded."""

from __future__ import annotations

from pathlib import Path

from redis import Redis
from rq import Queue

from postillon.redis_server import answers, ensure_redis, free_port, start_embedded
from tests.conftest import REDIS_URL
from workers.worker import PublishWorker


def test_a_configured_redis_that_answers_is_used_as_is(tmp_path: Path) -> None:
    handle = ensure_redis(REDIS_URL, tmp_path)
    assert handle.kind == "configured" and handle.url == REDIS_URL and handle.process is None


def test_without_an_answering_redis_a_redis_server_is_started_and_stopped(tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    handle = ensure_redis(dead, tmp_path)
    try:
        assert handle.kind == "redis-server" and answers(handle.url)
    finally:
        handle.stop()
    assert not answers(handle.url)


def test_the_embedded_fallback_runs_rq_jobs(tmp_path: Path) -> None:
    # The one place fakeredis is allowed: testing the embedded fallback itself.
    dead = f"redis://127.0.0.1:{free_port()}/0"
    handle = ensure_redis(dead, tmp_path, allow_binary=False)
    try:
        assert handle.kind == "embedded"
        conn = Redis.from_url(handle.url)
        queue = Queue("fallback", connection=conn)
        job = queue.enqueue("operator.add", 2, 3, result_ttl=60)
        PublishWorker([queue], connection=conn).work(burst=True)
        job.refresh()
        assert job.return_value() == 5
    finally:
        handle.stop()


def test_embedded_server_can_be_started_directly() -> None:
    handle = start_embedded()
    try:
        assert answers(handle.url)
    finally:
        handle.stop()
