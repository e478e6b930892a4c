"""Fixtures: one sandbox server per test module (fake clock), reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from adapters.sandbox.server import start_in_thread, stop
from adapters.sandbox.state import SandboxState
from tests.sandbox.support import FakeClock, Sandbox


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[Sandbox]:
    """The sandbox server on a free port of 127.0.0.1, driven by a fake clock."""
    clock = FakeClock()
    state = SandboxState(clock=clock)
    server, thread, url = start_in_thread("127.0.0.1", 0, state=state)
    sandbox = Sandbox(url, state, clock)
    yield sandbox
    sandbox.session.close()
    stop(server, thread)


@pytest.fixture
def sbx(running_sandbox: Sandbox) -> Sandbox:
    """The running sandbox with everything reset and the clock at the real time."""
    running_sandbox.state.reset()
    running_sandbox.clock.set(datetime.now(UTC))
    return running_sandbox
