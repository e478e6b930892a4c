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
    env.update(settings.to_env())
    env["POSTILLON_LOG_LEVEL"] = "WARNING"
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
