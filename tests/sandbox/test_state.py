"""The whole sandbox state: networks by name, start knobs, reset, hanging requests."""

from __future__ import annotations

import threading
import time

import pytest

from adapters.sandbox.knobs import KnobError, Knobs
from adapters.sandbox.state import SandboxState
from scheduler.networks import Network


def test_every_network_has_its_own_state_and_knobs() -> None:
    state = SandboxState({"x": Knobs(latency_ms=5)})
    assert set(state.networks) == set(Network)
    assert state.network("x").knobs.latency_ms == 5
    assert state.network(Network.LINKEDIN).knobs == Knobs()


def test_unknown_network_names_are_refused() -> None:
    with pytest.raises(KeyError):
        SandboxState().network("myspace")
    with pytest.raises(KnobError, match="myspace"):
        SandboxState({"myspace": Knobs()})


def test_ids_are_unique_across_networks() -> None:
    state = SandboxState()
    x_account, _ = state.network("x").add_account("alice", "")
    li_account, _ = state.network("linkedin").add_account("alice", "")
    assert x_account.account_id != li_account.account_id


def test_reset_clears_every_network() -> None:
    state = SandboxState()
    for network in ("x", "facebook"):
        state.network(network).add_account("alice", "")
    state.reset()
    assert all(net.accounts() == [] for net in state.networks.values())


def test_close_releases_hanging_requests_at_once() -> None:
    state = SandboxState()
    thread = threading.Thread(target=state.hang, args=(30,))
    started = time.monotonic()
    thread.start()
    state.close()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 2
