"""One background thread per process for a recurring round of slow work (mail, digests), never two at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from workers.context import JobContext

log = logging.getLogger(__name__)


class BackgroundRound:
    """Runs ``work(ctx)`` in a daemon thread when asked, unless the previous round is still running.

    The dispatcher asks every sweep; the thread keeps slow SMTP servers and PDF rendering away from due
    posts. A failed round is logged, and the next sweep starts another.
    """

    def __init__(self, name: str, work: Callable[[JobContext], object]) -> None:
        self._name = name
        self._work = work
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, ctx: JobContext) -> None:
        """Start a round in the background unless one is running."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, args=(ctx,), name=self._name, daemon=True)
                self._thread.start()

    def wait(self, timeout_s: float) -> None:
        """Wait until the running round (if any) has finished (shutdown and tests)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout_s)

    def _run(self, ctx: JobContext) -> None:
        try:
            self._work(ctx)
        except Exception:
            log.exception("%s failed; the next sweep tries again", self._name)
