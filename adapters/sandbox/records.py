"""Plain records the sandbox stores (accounts, token grants, posts) and its snowflake ids."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

# X's snowflake epoch (2010-11-04 01:42:54.657 UTC) in milliseconds.
SNOWFLAKE_EPOCH_MS = 1288834974657
_WORKER_ID = 7


@dataclass(frozen=True, slots=True)
class Account:
    """A fake user (X), member (LinkedIn), page (Facebook) or profile (Instagram)."""

    account_id: str
    username: str
    name: str
    created_at: datetime

    def to_dict(self) -> dict[str, str]:
        """Return the account as JSON-ready data."""
        return {
            "account_id": self.account_id,
            "username": self.username,
            "name": self.name,
            "created_at": iso(self.created_at),
        }


@dataclass(slots=True)
class Grant:
    """One issued access/refresh token pair; revoking or expiring it makes the API answer 401."""

    account_id: str
    access_token: str
    refresh_token: str
    expires_at: datetime
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Post:
    """A post the sandbox accepted and stored."""

    post_id: str
    network: str
    account_id: str
    username: str
    text: str
    created_at: datetime
    media_ids: tuple[str, ...] = ()
    in_reply_to: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the post as JSON-ready data (without the call counter, which the state adds)."""
        return {
            "id": self.post_id,
            "network": self.network,
            "account_id": self.account_id,
            "username": self.username,
            "text": self.text,
            "created_at": iso(self.created_at),
            "media_ids": list(self.media_ids),
            "in_reply_to_tweet_id": self.in_reply_to,
        }


def iso(moment: datetime) -> str:
    """Return an aware datetime as X formats it: ``2026-01-02T03:04:05.678Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class SnowflakeIds:
    """Thread-safe generator of 19-digit, time-ordered ids shaped like X's snowflakes."""

    def __init__(self, worker_id: int = _WORKER_ID) -> None:
        self._worker_id = worker_id & 0x3FF  # ten bits, as in X's snowflakes
        self._lock = threading.Lock()
        self._last_ms = 0
        self._sequence = 0

    def next_id(self, now: datetime) -> str:
        """Return a new unique id for something created at ``now``."""
        with self._lock:
            ms = max(int(now.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS, self._last_ms)
            if ms == self._last_ms:
                self._sequence += 1
                if self._sequence > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                    ms, self._sequence = ms + 1, 0
            else:
                self._sequence = 0
            self._last_ms = ms
            return str((ms << 22) | (self._worker_id << 12) | self._sequence)
