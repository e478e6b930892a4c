"""The state of one sandbox network: accounts, tokens, posts, knobs, forced faults, counters."""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from adapters.sandbox.accounts import CODE_TTL, AccountBook, AuthorizationCode
from adapters.sandbox.knobs import FAULT_KINDS, KnobError, Knobs
from adapters.sandbox.limits import FixedWindows, RateWindow, RollingQuota
from adapters.sandbox.posts import PostStore
from adapters.sandbox.records import Account, Grant, Post, SnowflakeIds
from scheduler.networks import Network

Clock = Callable[[], datetime]


class NetworkState:
    """Everything one sandbox network remembers; every method is safe to call from many threads.

    ``lock`` is re-entrant, so an API module may hold it around several calls to make a
    check-then-store sequence atomic (the duplicate and quota checks need that).
    """

    def __init__(self, network: Network, knobs: Knobs, clock: Clock, ids: SnowflakeIds) -> None:
        self.network = network
        self.lock = threading.RLock()
        self._start_knobs = knobs
        self._clock = clock
        self._ids = ids
        self.reset()

    def reset(self) -> None:
        """Forget accounts, tokens, posts, faults and counters; knobs go back to their start values."""
        with self.lock:
            self._knobs = self._start_knobs
            self._rng = random.Random(self._knobs.seed)
            self._accounts = AccountBook()
            self._faults: deque[str] = deque()
            self._posts = PostStore()
            self._counters: Counter[str] = Counter()
            self._faults_served: Counter[str] = Counter()
            self._rejections: Counter[str] = Counter()
            self._windows = FixedWindows()
            self._quota = RollingQuota()

    def now(self) -> datetime:
        """Return the sandbox's current time (aware UTC)."""
        return self._clock()

    # -- knobs and faults ------------------------------------------------------------------------

    @property
    def knobs(self) -> Knobs:
        """Return the current knobs (an immutable snapshot)."""
        return self._knobs

    def update_knobs(self, patch: Mapping[str, Any]) -> Knobs:
        """Apply a partial knob update; a new ``seed`` restarts the random draws."""
        with self.lock:
            self._knobs = self._knobs.updated(patch)
            if "seed" in patch:
                self._rng = random.Random(self._knobs.seed)
            return self._knobs

    def push_faults(self, kinds: Iterable[str]) -> list[str]:
        """Queue forced faults for the next create calls; return the whole queue."""
        kinds = list(kinds)
        unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
        if unknown:
            raise KnobError(f"unknown fault kinds {unknown}; known: {', '.join(FAULT_KINDS)}")
        with self.lock:
            self._faults.extend(kinds)
            return list(self._faults)

    def clear_faults(self) -> None:
        """Drop every queued forced fault."""
        with self.lock:
            self._faults.clear()

    def pending_faults(self) -> list[str]:
        """Return the queued forced faults, next first."""
        with self.lock:
            return list(self._faults)

    def draw_fault(self, rates: Iterable[tuple[str, str]], *, scripted: bool) -> str | None:
        """Return the fault for this call: the next scripted one, else one drawn from the knobs' rates."""
        with self.lock:
            if scripted and self._faults:
                kind = self._faults.popleft()
                return None if kind == "ok" else kind
            roll, threshold = self._rng.random(), 0.0
            for kind, knob in rates:
                threshold += self._knobs.rate_of(knob)
                if roll < threshold:
                    return kind
            return None

    def latency_s(self) -> float:
        """Return how long this call should sleep: latency plus a random share of the jitter."""
        with self.lock:
            knobs = self._knobs
            jitter = self._rng.uniform(0.0, knobs.jitter_ms) if knobs.jitter_ms else 0.0
        return (knobs.latency_ms + jitter) / 1000.0

    def in_outage(self) -> bool:
        """Tell whether now falls inside one of the configured outage windows."""
        epoch = self.now().timestamp()
        return any(start <= epoch < end for start, end in self._knobs.outages)

    # -- accounts and tokens ---------------------------------------------------------------------

    def add_account(self, username: str, name: str, expires_in: float | None = None) -> tuple[Account, Grant]:
        """Create the account (or reuse the one with this username) and issue it a fresh token pair."""
        with self.lock:
            now = self.now()
            account = self._accounts.add(self._ids.next_id(now), username, name, now)
            ttl = self._knobs.token_ttl_s if expires_in is None else expires_in
            return account, self._accounts.issue(account.account_id, now + timedelta(seconds=ttl))

    def accounts(self) -> list[Account]:
        """Return every account, oldest first."""
        with self.lock:
            return self._accounts.all()

    def revoke(self, account_id: str) -> bool:
        """Invalidate every token issued to ``account_id``; False when there is no such account."""
        with self.lock:
            return self._accounts.revoke(account_id)

    def authenticate(self, access_token: str) -> Account | None:
        """Return the account an unexpired, unrevoked access token belongs to."""
        with self.lock:
            return self._accounts.authenticate(access_token, self.now())

    def refresh(self, refresh_token: str) -> Grant | None:
        """Trade a refresh token for a new pair (the old pair stops working), or None."""
        with self.lock:
            return self._accounts.redeem(refresh_token, self._knobs.token_ttl_s, self.now())

    def authorize(self, username: str, name: str, redirect_uri: str, challenge: str, method: str) -> str:
        """Record a consent for the account called ``username`` (created if new); return its code."""
        with self.lock:
            now = self.now()
            account = self._accounts.add(self._ids.next_id(now), username, name, now)
            consent = AuthorizationCode(account.account_id, redirect_uri, challenge, method, now + CODE_TTL)
            return self._accounts.add_code(consent)

    def redeem_code(self, code: str, redirect_uri: str, verifier: str) -> Grant | None:
        """Trade an authorization code for a token pair, or None when code, URI or verifier do not match."""
        with self.lock:
            return self._accounts.redeem_code(code, redirect_uri, verifier, self._knobs.token_ttl_s, self.now())

    # -- limits ----------------------------------------------------------------------------------

    def take_rate(self, account_id: str, bucket: str, limit: int) -> RateWindow:
        """Count one call in the account's window for ``bucket``."""
        with self.lock:
            return self._windows.take((account_id, bucket), limit, self._knobs.rate_window_s, self.now().timestamp())

    def quota_reset(self, account_id: str) -> int | None:
        """Return None when the publish quota allows one more post, else the epoch it frees up."""
        with self.lock:
            quota, epoch = self._knobs.publish_quota, self.now().timestamp()
            if not quota or self._quota.used(account_id, epoch) < quota:
                return None
            return int((self._quota.oldest(account_id) or epoch) + 86400) + 1

    # -- posts ---------------------------------------------------------------------------------

    def count_text_call(self, account_id: str, text: str) -> None:
        """Count one create call by ``account_id`` with ``text`` (stored or not)."""
        with self.lock:
            self._posts.count_call(account_id, text)

    def recent_duplicate(self, account_id: str, text: str) -> Post | None:
        """Return this account's post with the same text inside the duplicate window, if any."""
        with self.lock:
            window = self._knobs.duplicate_window_s
            since = self.now() - timedelta(seconds=window)
            return self._posts.recent_duplicate(account_id, text, since) if window else None

    def store_post(
        self, account: Account, text: str, media_ids: tuple[str, ...] = (), in_reply_to: str | None = None
    ) -> Post:
        """Store an accepted post and update the duplicate and quota bookkeeping."""
        with self.lock:
            now = self.now()
            post = Post(
                self._ids.next_id(now),
                self.network.value,
                account.account_id,
                account.username,
                text,
                now,
                media_ids,
                in_reply_to,
            )
            self._posts.add(post)
            self._quota.add(account.account_id, now.timestamp())
            self._counters["accepted_posts"] += 1
            return post

    def get_post(self, post_id: str) -> Post | None:
        """Return the stored post with this id."""
        with self.lock:
            return self._posts.get(post_id)

    def posts(self, limit: int | None = None) -> list[Post]:
        """Return stored posts newest first (at most ``limit``)."""
        with self.lock:
            return self._posts.newest(limit)

    def posts_of(self, account_id: str) -> list[Post]:
        """Return one account's posts, oldest first (a copy)."""
        with self.lock:
            return self._posts.of_account(account_id)

    def calls_with_text(self, post: Post) -> int:
        """Return how many create calls the post's account made with the post's text."""
        with self.lock:
            return self._posts.calls_with_text(post)

    # -- counters --------------------------------------------------------------------------------

    def count(self, name: str) -> None:
        """Add one to a plain counter such as ``api_calls`` or ``create_calls``."""
        with self.lock:
            self._counters[name] += 1

    def count_fault(self, kind: str) -> None:
        """Record that a fault of ``kind`` was served (forced, random or an outage)."""
        with self.lock:
            self._faults_served[kind] += 1

    def count_rejection(self, reason: str) -> None:
        """Record a genuine refusal (bad token, rate limit, quota, invalid request, duplicate)."""
        with self.lock:
            self._rejections[reason] += 1

    def stats(self) -> dict[str, Any]:
        """Return the counters of this network as JSON-ready data."""
        with self.lock:
            return {
                "api_calls": self._counters["api_calls"],
                "create_calls": self._counters["create_calls"],
                "accepted_posts": self._counters["accepted_posts"],
                "duplicates": self._posts.duplicate_pairs,
                "accounts": len(self._accounts),
                "faults": dict(sorted(self._faults_served.items())),
                "rejections": dict(sorted(self._rejections.items())),
                "pending_faults": len(self._faults),
            }
