"""Start the real `postillon` processes (worker, dispatcher) for system tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment that makes a `postillon` process use the test's database, Redis and sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTILLON_")}
    env.update({
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "POSTILLON_DATA_DIR": settings.data_dir,
        "POSTILLON_SECRET_KEY": settings.secret_key,
        "POSTILLON_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
        "POSTILLON_X_API_URL": settings.api_urls.get(next(iter(settings.api_urls)), "") if settings.api_urls else "",
        "POSTILLON_SANDBOX": "0",
        "POSTILLON_QUEUE_NAME": settings.queue_name,
        "POSTILLON_DISPATCH_INTERVAL_S": str(settings.dispatch_interval_s),
        "POSTILLON_REQUEUE_AFTER_S": str(settings.requeue_after_s),
        "POSTILLON_LEASE_S": str(settings.lease_s),
        "POSTILLON_RECONCILE_AFTER_S": str(settings.reconcile_after_s),
        "POSTILLON_CONNECT_TIMEOUT_S": str(settings.connect_timeout_s),
        "POSTILLON_READ_TIMEOUT_S": str(settings.read_timeout_s),
        "POSTILLON_LOG_LEVEL": "WARNING",
    })
    env.update(extra)
    return env


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `postillon <args>` in its own process group."""
    return subprocess.Popen([sys.executable, "-m", "postillon.cli", *args], env=env, cwd=ROOT,
                            start_new_session=True)


@contextmanager
def running(*commands: list[str], env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run several `postillon` processes for the duration of the block; stop them afterwards."""
    procs = [spawn(args, env) for args in commands]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` until it holds, or fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
