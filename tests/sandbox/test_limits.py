"""Rate windows and the rolling publish quota."""

from __future__ import annotations

from adapters.sandbox.limits import UNLIMITED_REPORTED, FixedWindows, RollingQuota


def test_window_counts_down_and_refuses_at_the_limit() -> None:
    windows = FixedWindows()
    first = windows.take(("a", "create"), 2, 900, 1000.0)
    second = windows.take(("a", "create"), 2, 900, 1001.0)
    third = windows.take(("a", "create"), 2, 900, 1002.0)
    assert (first.remaining, second.remaining, third.remaining) == (1, 0, 0)
    assert first.allowed and second.allowed and not third.allowed
    assert third.reset_epoch == 1900
    assert third.headers() == {"x-rate-limit-limit": "2", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1900"}


def test_window_starts_over_once_it_has_passed() -> None:
    windows = FixedWindows()
    windows.take(("a", "create"), 1, 900, 1000.0)
    assert not windows.take(("a", "create"), 1, 900, 1899.0).allowed
    again = windows.take(("a", "create"), 1, 900, 1900.0)
    assert again.allowed and again.reset_epoch == 2800


def test_windows_are_separate_per_account_and_bucket() -> None:
    windows = FixedWindows()
    windows.take(("a", "create"), 1, 900, 0.0)
    assert windows.take(("b", "create"), 1, 900, 0.0).allowed
    assert windows.take(("a", "lookup"), 1, 900, 0.0).allowed


def test_limit_zero_is_unlimited_but_still_reports_headers() -> None:
    windows = FixedWindows()
    results = [windows.take(("a", "create"), 0, 900, 0.0) for _ in range(500)]
    assert all(result.allowed for result in results)
    assert results[-1].limit == UNLIMITED_REPORTED and results[-1].remaining == UNLIMITED_REPORTED - 500


def test_exhausted_window_reports_nothing_left() -> None:
    window = FixedWindows().take(("a", "create"), 10, 900, 0.0).exhausted()
    assert (window.remaining, window.allowed, window.limit) == (0, False, 10)


def test_rolling_quota_forgets_events_older_than_a_day() -> None:
    quota = RollingQuota()
    quota.add("a", 0.0)
    quota.add("a", 100.0)
    assert quota.used("a", 50_000.0) == 2
    assert quota.used("a", 86_400.0) == 1  # the event at 0 just left the window
    assert quota.oldest("a") == 100.0
    assert quota.used("b", 0.0) == 0 and quota.oldest("b") is None
