"""The adapter registry: lazy imports, one shared instance per config, typed refusal."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.instagram import InstagramAdapter
from adapters.registry import ADAPTERS, UnsupportedNetworkError, adapter_for
from adapters.x import XAdapter
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, NetworkAdapter


def test_adapter_for_builds_the_x_adapter_from_its_dotted_path() -> None:
    config = AdapterConfig()
    adapter = adapter_for(Network.X, config)
    assert isinstance(adapter, XAdapter)
    assert adapter.network is Network.X
    assert ADAPTERS[Network.X] == "adapters.x:XAdapter"


def test_instagram_is_registered_now_that_the_engine_follows_pending_containers() -> None:
    assert isinstance(adapter_for(Network.INSTAGRAM, AdapterConfig()), InstagramAdapter)


def test_one_instance_per_network_and_config() -> None:
    first, second = AdapterConfig(), AdapterConfig()
    assert adapter_for(Network.X, first) is adapter_for("x", first)
    assert adapter_for(Network.X, first) is not adapter_for(Network.X, second)


def test_concurrent_lookups_share_one_instance() -> None:
    config = AdapterConfig()
    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(lambda _: adapter_for(Network.X, config), range(64)))
    assert len({id(a) for a in found}) == 1


@pytest.mark.parametrize("network", [Network.XING, "myspace"])
def test_networks_without_an_adapter_raise_a_typed_error(network) -> None:
    with pytest.raises(UnsupportedNetworkError) as caught:
        adapter_for(network, AdapterConfig())
    assert caught.value.network == network
    assert isinstance(caught.value, LookupError)


def _protocol_methods() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(NetworkAdapter).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize("path", sorted(set(ADAPTERS.values())))
def test_registered_adapters_implement_the_protocol(path: str) -> None:
    module, _, name = path.partition(":")
    cls = getattr(__import__(module, fromlist=[name]), name)
    methods = _protocol_methods()
    assert set(methods) <= set(dir(cls))
    for method, signature in methods.items():
        assert list(inspect.signature(getattr(cls, method)).parameters) == list(signature.parameters), method


def _loaded_after(code: str) -> set[str]:
    script = textwrap.dedent(code) + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in __import__("json").loads(out)}


def test_importing_the_registry_loads_no_network_sdk() -> None:
    # Layer rules for the whole package are checked in tests/test_imports.py; this is laziness.
    assert not _loaded_after("import adapters.registry") & {"tweepy", "requests"}
    assert "tweepy" in _loaded_after("import adapters.registry, adapters.x")  # the check can fail
