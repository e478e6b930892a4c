"""Records: snowflake-shaped ids and X's timestamp format."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from adapters.sandbox.records import Account, Post, SnowflakeIds, iso


def test_ids_are_19_digit_strings_that_grow_with_time() -> None:
    ids = SnowflakeIds()
    now = datetime.now(UTC)
    first, second = ids.next_id(now), ids.next_id(now)
    assert len(first) == 19 and first.isdigit()
    assert int(second) > int(first)


def test_ids_stay_unique_and_ordered_under_many_threads_and_a_frozen_clock() -> None:
    ids = SnowflakeIds()
    now = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(lambda _: ids.next_id(now), range(10_000)))  # > 4096 in one millisecond
    assert len(set(made)) == 10_000
    assert sorted(made, key=int) == sorted(made)  # same length, so text order is number order


def test_generators_with_different_workers_never_collide() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    posts, media = SnowflakeIds(), SnowflakeIds(worker_id=9)
    first_post, first_media = posts.next_id(now), media.next_id(now)
    assert first_post != first_media
    assert (int(first_post) >> 12) & 0x3FF == 7 and (int(first_media) >> 12) & 0x3FF == 9


def test_iso_uses_xs_millisecond_z_format() -> None:
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


def test_records_render_as_json_ready_dicts() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    account = Account("1", "alice", "Alice", now)
    post = Post("2", "x", "1", "alice", "hi", now, ("3",), "4")
    assert account.to_dict()["created_at"] == "2026-01-02T00:00:00.000Z"
    assert post.to_dict() == {
        "id": "2",
        "network": "x",
        "account_id": "1",
        "username": "alice",
        "text": "hi",
        "created_at": "2026-01-02T00:00:00.000Z",
        "media_ids": ["3"],
        "in_reply_to_tweet_id": "4",
    }
