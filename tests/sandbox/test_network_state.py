"""One network's state: forced and random faults, knobs, limits, posts and counters, under threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.sandbox.knobs import CREATE_FAULT_RATES, KnobError, Knobs
from adapters.sandbox.network_state import NetworkState
from adapters.sandbox.records import SnowflakeIds
from scheduler.networks import Network
from tests.sandbox.support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def net(clock: FakeClock) -> NetworkState:
    return NetworkState(Network.X, Knobs(), clock, SnowflakeIds())


def test_scripted_faults_come_first_in_order_and_ok_forces_a_normal_answer(net: NetworkState) -> None:
    net.update_knobs({"error_5xx": 1.0})
    net.push_faults(["429", "ok", "duplicate"])
    draws = [net.draw_fault(CREATE_FAULT_RATES, scripted=True) for _ in range(4)]
    assert draws == ["429", None, "duplicate", "5xx"]  # then the random 5xx rate takes over


def test_unknown_fault_kinds_are_refused_and_nothing_is_queued(net: NetworkState) -> None:
    with pytest.raises(KnobError, match="unknown fault kinds"):
        net.push_faults(["5xx", "boom"])
    assert net.pending_faults() == []


def test_reads_do_not_take_scripted_faults(net: NetworkState) -> None:
    net.push_faults(["5xx"])
    assert net.draw_fault(CREATE_FAULT_RATES[:3], scripted=False) is None
    assert net.pending_faults() == ["5xx"]


def test_the_same_seed_gives_the_same_fault_sequence(net: NetworkState) -> None:
    net.update_knobs({"error_5xx": 0.3, "error_429": 0.3, "seed": 42})
    first = [net.draw_fault(CREATE_FAULT_RATES, scripted=False) for _ in range(50)]
    net.update_knobs({"seed": 42})
    assert [net.draw_fault(CREATE_FAULT_RATES, scripted=False) for _ in range(50)] == first
    assert {"5xx", "429", None} == set(first)


def test_fault_rates_are_roughly_honoured(net: NetworkState) -> None:
    net.update_knobs({"error_5xx": 0.2, "seed": 1})
    draws = [net.draw_fault(CREATE_FAULT_RATES, scripted=False) for _ in range(5000)]
    assert 0.17 < draws.count("5xx") / 5000 < 0.23


def test_latency_includes_a_random_jitter_share(net: NetworkState) -> None:
    net.update_knobs({"latency_ms": 100, "jitter_ms": 50})
    delays = [net.latency_s() for _ in range(200)]
    assert all(0.1 <= delay <= 0.15 for delay in delays) and len(set(delays)) > 100


def test_outage_windows_follow_the_clock(net: NetworkState, clock: FakeClock) -> None:
    now = clock().timestamp()
    net.update_knobs({"outages": [[now + 10, now + 20]]})
    assert not net.in_outage()
    clock.advance(10)
    assert net.in_outage()
    clock.advance(10)
    assert not net.in_outage()


def test_tokens_expire_with_the_clock_and_after_a_refresh(net: NetworkState, clock: FakeClock) -> None:
    account, grant = net.add_account("alice", "Alice")
    assert net.authenticate(grant.access_token) == account
    fresh = net.refresh(grant.refresh_token)
    assert fresh is not None and net.authenticate(grant.access_token) is None
    clock.advance(net.knobs.token_ttl_s)
    assert net.authenticate(fresh.access_token) is None


def test_publish_quota_counts_a_rolling_day(net: NetworkState, clock: FakeClock) -> None:
    net.update_knobs({"publish_quota": 2})
    account, _ = net.add_account("alice", "")
    net.store_post(account, "one")
    clock.advance(60)
    net.store_post(account, "two")
    reset = net.quota_reset(account.account_id)
    assert reset is not None and reset > clock().timestamp()
    clock.advance(86400 - 60)
    assert net.quota_reset(account.account_id) is None


def test_duplicate_window_zero_turns_the_check_off(net: NetworkState, clock: FakeClock) -> None:
    account, _ = net.add_account("alice", "")
    net.store_post(account, "hi")
    assert net.recent_duplicate(account.account_id, "hi") is not None
    clock.advance(86400)
    assert net.recent_duplicate(account.account_id, "hi") is None
    clock.advance(-86400)
    net.update_knobs({"duplicate_window_s": 0})
    assert net.recent_duplicate(account.account_id, "hi") is None


def test_reset_forgets_everything_and_restores_the_start_knobs(clock: FakeClock) -> None:
    net = NetworkState(Network.X, Knobs(latency_ms=5), clock, SnowflakeIds())
    account, grant = net.add_account("alice", "")
    net.store_post(account, "hi")
    net.update_knobs({"latency_ms": 100})
    net.push_faults(["5xx"])
    net.count("create_calls")
    net.reset()
    assert net.knobs.latency_ms == 5
    assert net.posts() == [] and net.accounts() == [] and net.pending_faults() == []
    assert net.authenticate(grant.access_token) is None
    assert net.stats()["create_calls"] == 0


def test_concurrent_stores_keep_every_counter_exact(net: NetworkState) -> None:
    accounts = [net.add_account(f"user{n}", "")[0] for n in range(4)]

    def store(n: int) -> None:
        account = accounts[n % 4]
        net.count_text_call(account.account_id, f"text {n % 100}")
        net.store_post(account, f"text {n % 100}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(store, range(2000)))
    stats = net.stats()
    assert stats["accepted_posts"] == 2000 == len(net.posts())
    assert stats["duplicates"] == 100  # 100 (account, text) pairs, each stored 20 times
    assert all(net.calls_with_text(post) == 20 for post in net.posts(10))
    assert len({post.post_id for post in net.posts()}) == 2000
