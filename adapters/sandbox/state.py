"""Thread-safe in-memory state of the sandbox: one NetworkState per network, shared by every module."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from adapters.sandbox.knobs import KnobError, Knobs
from adapters.sandbox.network_state import Clock, NetworkState
from adapters.sandbox.records import SnowflakeIds
from scheduler.clock import utcnow
from scheduler.networks import Network

__all__ = ["Clock", "NetworkState", "SandboxState"]


class SandboxState:
    """The state of every sandbox network, plus the event that releases hanging requests."""

    def __init__(self, knobs: Mapping[str, Knobs] | None = None, clock: Clock = utcnow) -> None:
        knobs = dict(knobs or {})
        unknown = set(knobs) - {network.value for network in Network}
        if unknown:
            raise KnobError(f"knobs for unknown networks: {', '.join(sorted(unknown))}")
        ids = SnowflakeIds()
        self.clock = clock
        self.networks = {
            network: NetworkState(network, knobs.get(network.value, Knobs()), clock, ids) for network in Network
        }
        self._closing = threading.Event()

    def network(self, name: str | Network) -> NetworkState:
        """Return the state of the network called ``name``; raise KeyError if there is none."""
        try:
            return self.networks[Network(name)]
        except ValueError:
            raise KeyError(name) from None

    def reset(self) -> None:
        """Clear every network (posts, accounts, tokens, faults, counters; knobs to start values)."""
        for network in self.networks.values():
            network.reset()

    def hang(self, seconds: float) -> None:
        """Block the calling request thread for ``seconds``, or until the sandbox closes."""
        self._closing.wait(seconds)

    def close(self) -> None:
        """Release every hanging request (used when the server stops)."""
        self._closing.set()
