"""The post store: indexes, call counters and the exact duplicates count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.sandbox.posts import PostStore
from adapters.sandbox.records import Post

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _post(post_id: int, account: str, text: str, at: datetime = T0) -> Post:
    return Post(str(post_id), "x", account, account, text, at)


def test_a_pair_stored_three_times_counts_as_one_duplicate() -> None:
    store = PostStore()
    for n, (account, text) in enumerate([("a", "hi"), ("a", "hi"), ("a", "hi"), ("b", "hi"), ("a", "other")]):
        store.add(_post(n, account, text))
    assert store.duplicate_pairs == 1
    store.add(_post(9, "b", "hi"))
    assert store.duplicate_pairs == 2


def test_calls_with_a_text_count_every_attempt_of_that_account() -> None:
    store = PostStore()
    for _ in range(3):
        store.count_call("a", "hi")
    store.count_call("b", "hi")
    assert store.calls_with_text(_post(1, "a", "hi")) == 3


def test_recent_duplicate_only_within_the_window() -> None:
    store = PostStore()
    store.add(_post(1, "a", "hi", T0))
    assert store.recent_duplicate("a", "hi", T0 - timedelta(seconds=1)) is not None
    assert store.recent_duplicate("a", "hi", T0) is None
    assert store.recent_duplicate("b", "hi", T0 - timedelta(days=1)) is None


def test_newest_first_with_a_limit_and_per_account_lists() -> None:
    store = PostStore()
    for n in range(5):
        store.add(_post(n, "a" if n % 2 else "b", f"t{n}"))
    assert [p.post_id for p in store.newest()] == ["4", "3", "2", "1", "0"]
    assert [p.post_id for p in store.newest(2)] == ["4", "3"]
    assert store.newest(0) == []
    assert [p.post_id for p in store.of_account("a")] == ["1", "3"]
    assert store.get("2") is not None and store.get("9") is None
    assert len(store) == 5
