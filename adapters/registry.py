"""Which adapter serves which network, imported lazily (libcloud's ``DRIVERS`` pattern).

A network's module (and its SDK, e.g. tweepy) is imported on first use, so an unimplemented or
broken adapter never breaks ``import adapters``.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, cast

from scheduler.networks import Network

if TYPE_CHECKING:
    from scheduler.ports import AdapterConfig, NetworkAdapter

ADAPTERS: dict[Network, str] = {
    Network.X: "adapters.x:XAdapter",
    Network.LINKEDIN: "adapters.linkedin:LinkedInAdapter",
    Network.FACEBOOK: "adapters.facebook:FacebookAdapter",
    Network.INSTAGRAM: "adapters.instagram:InstagramAdapter",
}

_lock = threading.Lock()
# Keyed by id(config); the cached adapter holds its config, so that id cannot be reused by another
# object while the entry exists.
_instances: dict[tuple[Network, int], NetworkAdapter] = {}


class UnsupportedNetworkError(LookupError):
    """No adapter publishes to this network (unknown, or an assisted channel such as XING)."""

    def __init__(self, network: object) -> None:
        super().__init__(f"No adapter publishes to {network!r}.")
        self.network = network


def adapter_for(network: Network | str, config: AdapterConfig) -> NetworkAdapter:
    """Return the shared adapter for ``network`` under ``config``, building it on first use.

    Adapters are thread-safe, so one instance per (network, config) serves every worker thread.

    Raises:
        UnsupportedNetworkError: ``network`` is unknown or has no adapter.
    """
    try:
        network = Network(network)
        target = ADAPTERS[network]
    except (ValueError, KeyError):
        raise UnsupportedNetworkError(network) from None
    key = (network, id(config))
    with _lock:
        adapter = _instances.get(key)
        if adapter is None:
            module_name, _, class_name = target.partition(":")
            adapter_class = getattr(importlib.import_module(module_name), class_name)
            adapter = cast("NetworkAdapter", adapter_class(config))
            _instances[key] = adapter
    return adapter
