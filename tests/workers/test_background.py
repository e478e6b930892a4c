"""BackgroundRound: one round at a time per process; a failed round does not stop the next."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from workers.background import BackgroundRound


def test_a_second_start_while_a_round_runs_starts_nothing() -> None:
    release, calls = threading.Event(), []

    def work(ctx: Any) -> None:
        calls.append(ctx)
        release.wait(5)

    rounds = BackgroundRound("test-round", work)
    rounds.start("first")  # type: ignore[arg-type]
    rounds.start("second")  # type: ignore[arg-type]
    release.set()
    rounds.wait(5)
    assert calls == ["first"]


def test_a_failed_round_is_logged_and_the_next_start_runs_again(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def work(ctx: Any) -> None:
        calls.append(ctx)
        if ctx == "broken":
            raise RuntimeError("SMTP said no")

    rounds = BackgroundRound("test-round", work)
    rounds.start("broken")  # type: ignore[arg-type]
    rounds.wait(5)
    rounds.start("fine")  # type: ignore[arg-type]
    rounds.wait(5)
    assert calls == ["broken", "fine"]
    assert "test-round failed" in caplog.text
