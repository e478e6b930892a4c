"""The post store of one network; not locked here, the network state calls it under its lock."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from adapters.sandbox.records import Post


class PostStore:
    """Stored posts with the indexes the API and the invariant checks need."""

    def __init__(self) -> None:
        self._posts: list[Post] = []  # creation order, so ids ascend
        self._by_id: dict[str, Post] = {}
        self._by_account: dict[str, list[Post]] = {}
        self._latest_by_text: dict[tuple[str, str], Post] = {}
        self._stored_by_text: Counter[tuple[str, str]] = Counter()
        self._calls_by_text: Counter[tuple[str, str]] = Counter()
        self.duplicate_pairs = 0  # (account, text) pairs stored more than once

    def count_call(self, account_id: str, text: str) -> None:
        """Count one create call by ``account_id`` with ``text``, whatever its outcome."""
        self._calls_by_text[(account_id, text)] += 1

    def calls_with_text(self, post: Post) -> int:
        """Return how many create calls the post's account made with the post's text."""
        return self._calls_by_text[(post.account_id, post.text)]

    def recent_duplicate(self, account_id: str, text: str, since: datetime) -> Post | None:
        """Return the account's latest post with this exact text if it was created after ``since``."""
        post = self._latest_by_text.get((account_id, text))
        return post if post is not None and post.created_at > since else None

    def add(self, post: Post) -> None:
        """Store ``post`` and update the indexes."""
        key = (post.account_id, post.text)
        self._posts.append(post)
        self._by_id[post.post_id] = post
        self._by_account.setdefault(post.account_id, []).append(post)
        self._latest_by_text[key] = post
        self._stored_by_text[key] += 1
        if self._stored_by_text[key] == 2:  # a pair counts once, however often it repeats
            self.duplicate_pairs += 1

    def get(self, post_id: str) -> Post | None:
        """Return the post with this id."""
        return self._by_id.get(post_id)

    def newest(self, limit: int | None = None) -> list[Post]:
        """Return posts newest first, at most ``limit`` of them."""
        start = 0 if limit is None else max(len(self._posts) - limit, 0)
        return self._posts[start:][::-1]

    def of_account(self, account_id: str) -> list[Post]:
        """Return one account's posts, oldest first (a copy)."""
        return list(self._by_account.get(account_id, ()))

    def __len__(self) -> int:
        return len(self._posts)
