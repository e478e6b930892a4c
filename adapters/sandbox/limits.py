"""Rate windows and rolling quotas; not locked here, the network state calls them under its lock."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

# What the headers report when a limit knob is 0 (unlimited): a big, obviously fake number.
UNLIMITED_REPORTED = 1_000_000
DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class RateWindow:
    """The state of one rate bucket after a request, as the x-rate-limit-* headers tell it."""

    limit: int
    remaining: int
    reset_epoch: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        """Return the X rate-limit headers for this window."""
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset_epoch),
        }

    def exhausted(self) -> RateWindow:
        """Return the same window reported as used up (for a 429 the sandbox forces)."""
        return RateWindow(self.limit, 0, self.reset_epoch, False)


class FixedWindows:
    """Fixed-window counters per (account, bucket): the window starts with its first request."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], list[float]] = {}  # key → [start_epoch, count]

    def take(self, key: tuple[str, str], limit: int, window_s: float, now_epoch: float) -> RateWindow:
        """Count one request against ``key`` if the limit allows it; 0 means unlimited."""
        window = self._windows.get(key)
        if window is None or now_epoch >= window[0] + window_s:
            window = self._windows[key] = [now_epoch, 0.0]
        reset = math.ceil(window[0] + window_s)
        reported = limit or UNLIMITED_REPORTED
        used = int(window[1])
        if limit and used >= limit:
            return RateWindow(reported, 0, reset, False)
        window[1] += 1
        return RateWindow(reported, max(reported - used - 1, 0), reset, True)

    def clear(self) -> None:
        """Forget every window."""
        self._windows.clear()


class RollingQuota:
    """Counts events per account over the last 24 hours (the publish quota)."""

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = {}

    def used(self, account_id: str, now_epoch: float) -> int:
        """Return how many events ``account_id`` had in the 24 hours before ``now_epoch``."""
        events = self._events.get(account_id)
        if not events:
            return 0
        while events and events[0] <= now_epoch - DAY_S:
            events.popleft()
        return len(events)

    def oldest(self, account_id: str) -> float | None:
        """Return the epoch of the oldest event still inside the 24 hours, if any."""
        events = self._events.get(account_id)
        return events[0] if events else None

    def add(self, account_id: str, now_epoch: float) -> None:
        """Record one event for ``account_id``."""
        self._events.setdefault(account_id, deque()).append(now_epoch)

    def clear(self) -> None:
        """Forget every event."""
        self._events.clear()
