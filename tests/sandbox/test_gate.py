"""The gate every API call passes: latency, outage, token, rate limit, read faults — in that order."""

from __future__ import annotations

import time

import pytest

from adapters.sandbox import gate
from adapters.sandbox.knobs import READ_FAULT_RATES, Knobs
from adapters.sandbox.network_state import NetworkState
from adapters.sandbox.records import SnowflakeIds
from scheduler.networks import Network
from tests.sandbox.support import FakeClock


@pytest.fixture
def net() -> NetworkState:
    return NetworkState(Network.X, Knobs(), FakeClock(), SnowflakeIds())


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", ""), (None, ""), ("Bearer", "")],
)
def test_bearer_token_is_read_from_the_authorization_header(header: str | None, token: str) -> None:
    assert gate.bearer_token(header) == token


def test_admitted_call_carries_the_account_and_rate_headers(net: NetworkState) -> None:
    account, grant = net.add_account("alice", "")
    verdict = gate.admit(net, grant.access_token, bucket="create", limit=2)
    assert verdict.refusal is None and verdict.account == account
    assert verdict.rate_headers()["x-rate-limit-remaining"] == "1"
    assert net.stats()["api_calls"] == 1


def test_unknown_token_is_refused_without_rate_headers(net: NetworkState) -> None:
    verdict = gate.admit(net, "nope", bucket="create", limit=2)
    assert verdict.refusal == gate.UNAUTHORIZED and verdict.rate_headers() == {}
    assert net.stats()["rejections"] == {"unauthorized": 1}


def test_outage_comes_before_the_token_check(net: NetworkState) -> None:
    net.update_knobs({"outages": [[0, 4e9]]})
    assert gate.admit(net, "nope", bucket="create", limit=2).refusal == gate.OUTAGE
    assert net.stats()["faults"] == {"outage": 1}


def test_rate_limit_refuses_once_the_window_is_used_up(net: NetworkState) -> None:
    _, grant = net.add_account("alice", "")
    verdicts = [gate.admit(net, grant.access_token, bucket="create", limit=1) for _ in range(2)]
    assert [v.refusal for v in verdicts] == [None, gate.RATE_LIMIT]
    assert verdicts[1].rate_headers()["x-rate-limit-remaining"] == "0"


def test_random_read_faults_apply_only_when_rates_are_passed(net: NetworkState) -> None:
    _, grant = net.add_account("alice", "")
    net.update_knobs({"error_429": 1.0})
    assert gate.admit(net, grant.access_token, bucket="lookup", limit=0).refusal is None
    verdict = gate.admit(net, grant.access_token, bucket="lookup", limit=0, fault_rates=READ_FAULT_RATES)
    assert verdict.refusal == "429" and verdict.rate_headers()["x-rate-limit-remaining"] == "0"


def test_latency_is_slept_in_the_calling_thread(net: NetworkState) -> None:
    net.update_knobs({"latency_ms": 50})
    started = time.monotonic()
    assert gate.arrive(net)
    assert time.monotonic() - started >= 0.05
