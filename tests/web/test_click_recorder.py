"""The redirect's click buffer: batches reach the stream; when Redis is away, clicks are counted, never hidden."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from redis import Redis

from scheduler.click_events import CLICK_STREAM, LOST_KEY_PREFIX, ClickEvent
from tests.conftest import REDIS_URL
from tests.web.conftest import free_port
from web.click_recorder import ClickRecorder, RawClick

AT = datetime(2026, 5, 4, 23, 59, 59, tzinfo=UTC)
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _click(n: int = 1, at: datetime = AT) -> RawClick:
    return RawClick(n, 2, 3, at, "GET", UA, "https://www.xing.com/", "192.0.2.10", "DE")


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    """Close every recorder a test made (before the test's Redis database is emptied)."""
    yield
    for recorder in _MADE:
        recorder.close()
    _MADE.clear()


_MADE: list[ClickRecorder] = []


def _recorder(urls: list[str], *, interval_s: float = 60.0, **options: int) -> ClickRecorder:
    # The URL is looked up on every connect, so a test can take Redis away and bring it back. The
    # background thread waits a minute unless told otherwise: these tests flush by hand.
    recorder = ClickRecorder(lambda: Redis.from_url(urls[0], socket_connect_timeout=1), secret="s",
                             interval_s=interval_s, **options)
    _MADE.append(recorder)
    return recorder


def _stream(redis: Redis) -> list[ClickEvent]:
    return [ClickEvent.decode(fields[b"c"]) for _id, fields in redis.xrange(CLICK_STREAM)]


def test_buffered_clicks_reach_the_stream_in_batches(redis_conn: Redis) -> None:
    recorder = _recorder([REDIS_URL], batch=2)
    for n in range(3):
        recorder.record(_click(n))
    assert (recorder.flush(), recorder.flush(), recorder.flush()) == (2, 1, 0)
    events = _stream(redis_conn)
    assert [e.link_id for e in events] == [0, 1, 2]
    assert events[0].referrer_host == "www.xing.com" and events[0].country == "DE" and len(events[0].visitor) == 16


def test_the_background_thread_sends_without_being_asked(redis_conn: Redis) -> None:
    recorder = _recorder([REDIS_URL], interval_s=0.05)
    recorder.record(_click())
    for _ in range(200):  # the thread flushes every 50 ms; give it up to 10 s on a busy machine
        if redis_conn.xlen(CLICK_STREAM):
            break
        time.sleep(0.05)
    assert [e.link_id for e in _stream(redis_conn)] == [1]


def test_clicks_redis_cannot_take_are_counted_and_the_count_arrives_when_it_is_back(redis_conn: Redis) -> None:
    urls = [f"redis://127.0.0.1:{free_port()}/0"]  # nothing listens here
    recorder = _recorder(urls)
    recorder.record(_click(1))
    recorder.record(_click(2, datetime(2026, 5, 5, 0, 0, 1, tzinfo=UTC)))
    assert recorder.flush() == 0
    assert recorder.lost() == {"2026-05-04": 1, "2026-05-05": 1}
    recorder.record(_click(3))
    urls[0] = REDIS_URL
    assert recorder.flush() == 1
    assert recorder.lost() == {}
    assert redis_conn.get(LOST_KEY_PREFIX + "2026-05-04") == b"1"
    assert redis_conn.get(LOST_KEY_PREFIX + "2026-05-05") == b"1"
    assert [e.link_id for e in _stream(redis_conn)] == [3]


def test_a_full_buffer_drops_and_counts_instead_of_growing(redis_conn: Redis) -> None:
    recorder = _recorder([REDIS_URL], max_buffer=2)
    for n in range(5):
        recorder.record(_click(n))
    assert recorder.pending() == 2 and recorder.lost() == {"2026-05-04": 3}


def _record_in_child() -> None:
    recorder = _SHARED[0]
    recorder.record(_click(7))
    recorder.flush()


_SHARED: list[ClickRecorder] = []


def test_a_forked_process_records_with_its_own_buffer(redis_conn: Redis) -> None:
    recorder = _recorder([REDIS_URL])
    recorder.record(_click(1))  # the parent's click stays in the parent
    _SHARED[:] = [recorder]
    child = multiprocessing.get_context("fork").Process(target=_record_in_child)
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert [e.link_id for e in _stream(redis_conn)] == [7]
    recorder.flush()
    assert sorted(e.link_id for e in _stream(redis_conn)) == [1, 7]
