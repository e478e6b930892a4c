"""Click events: what leaves the redirect's process, and that the network address is never part of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.click_events import (
    BadClickEventError,
    ClickEvent,
    country_code,
    make_event,
    referrer_host,
    truncated_address,
    visitor_hash,
)

AT = datetime(2026, 5, 4, 9, 30, 15, 250000, tzinfo=UTC)
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 [LinkedInApp]/9.29"


def _event(**changes: object) -> ClickEvent:
    values: dict[str, object] = {"secret": "s3cret", "link_id": 3, "delivery_id": 2, "channel_id": 1, "at": AT,
                                 "method": "get", "user_agent": UA, "referrer": "https://www.linkedin.com/feed/",
                                 "address": "203.0.113.77", "country": "at"}
    values.update(changes)
    return make_event(**values)  # type: ignore[arg-type]


def test_an_event_reads_back_as_it_was_sent_and_holds_no_address() -> None:
    event = _event()
    encoded = event.encode()
    assert ClickEvent.decode(encoded) == event
    assert ClickEvent.decode(encoded.encode()) == event
    assert "203.0.113" not in encoded
    assert (event.method, event.referrer_host, event.country) == ("GET", "www.linkedin.com", "AT")


@pytest.mark.parametrize("raw", ["", "[]", "{}", "[1,2,3]", '["a",2,3,4,"GET","","","",null]', "not json", b"\xff"])
def test_anything_else_in_the_stream_is_refused(raw: str | bytes) -> None:
    with pytest.raises(BadClickEventError):
        ClickEvent.decode(raw)


@pytest.mark.parametrize(("address", "network"), [
    ("203.0.113.77", "203.0.113.0/24"),
    ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
    ("::ffff:203.0.113.77", "203.0.113.0/24"),
    ("not an address", ""),
    ("", ""),
])
def test_only_the_network_of_an_address_is_used(address: str, network: str) -> None:
    assert truncated_address(address) == network


def test_the_visitor_key_is_stable_within_a_day_and_changes_with_the_day_the_agent_or_the_secret() -> None:
    key = visitor_hash("s3cret", AT, "203.0.113.77", UA)
    assert len(key) == 16 and "203" not in key
    assert visitor_hash("s3cret", AT + timedelta(hours=10), "203.0.113.12", UA) == key  # same /24, same day
    assert visitor_hash("s3cret", AT + timedelta(days=1), "203.0.113.77", UA) != key  # the salt rotates daily
    assert visitor_hash("s3cret", AT, "203.0.114.77", UA) != key
    assert visitor_hash("s3cret", AT, "203.0.113.77", UA + "x") != key
    assert visitor_hash("other", AT, "203.0.113.77", UA) != key


def test_a_long_user_agent_is_cut_before_it_travels() -> None:
    assert len(_event(user_agent="x" * 5000).user_agent) == 512


@pytest.mark.parametrize(("value", "expected"), [
    ("https://www.linkedin.com/feed/", "www.linkedin.com"),
    ("android-app://com.linkedin.android/", "com.linkedin.android"),
    ("", ""), (None, ""), ("not a url", ""), ("https://[bad", ""),
])
def test_the_referrer_is_kept_as_its_host_only(value: str | None, expected: str) -> None:
    assert referrer_host(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("AT", "AT"), (" de ", "DE"), ("XX", None), ("T1", None), ("AUT", None), ("", None), (None, None), ("1A", None),
])
def test_a_country_comes_only_from_a_plain_two_letter_code(value: str | None, expected: str | None) -> None:
    assert country_code(value) == expected
