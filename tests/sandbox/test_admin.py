"""The admin API under /_sandbox/: accounts, posts, knobs, forced faults, stats, reset."""

from __future__ import annotations

import pytest

from tests.sandbox.support import Sandbox


def test_creating_an_account_returns_its_tokens(sbx: Sandbox) -> None:
    data = sbx.admin("POST", "x/accounts", 201, json={"username": "acme_jobs", "name": "ACME Jobs"})
    assert set(data) == {"account_id", "username", "name", "access_token", "refresh_token", "expires_in"}
    assert (data["username"], data["name"], data["expires_in"]) == ("acme_jobs", "ACME Jobs", 7200)
    assert len(data["account_id"]) == 19 and len(data["access_token"]) >= 40
    accounts = sbx.admin("GET", "x/accounts", 200)["accounts"]
    assert [a["account_id"] for a in accounts] == [data["account_id"]]


def test_creating_the_same_username_again_keeps_the_account_and_adds_tokens(sbx: Sandbox) -> None:
    first, second = sbx.account("acme"), sbx.account("ACME")
    assert first["account_id"] == second["account_id"] and first["access_token"] != second["access_token"]
    assert sbx.create(first["access_token"], "old token still works").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": ""},
        {"username": "has space"},
        {"username": "a" * 31},
        {"username": "ok", "name": 5},
        {"username": "ok", "expires_in": -1},
        {"username": "ok", "expires_in": True},
    ],
)
def test_bad_account_requests_are_400(sbx: Sandbox, body: dict[str, object]) -> None:
    assert "error" in sbx.admin("POST", "x/accounts", 400, json=body)


def test_accounts_are_per_network(sbx: Sandbox) -> None:
    sbx.admin("POST", "linkedin/accounts", 201, json={"username": "acme"})
    assert sbx.admin("GET", "x/accounts", 200) == {"accounts": []}


def test_unknown_network_is_a_json_404(sbx: Sandbox) -> None:
    response = sbx.session.post(f"{sbx.url}/_sandbox/myspace/accounts", json={"username": "a"})
    assert response.status_code == 404 and response.json()["status"] == 404


def test_revoking_makes_every_token_of_the_account_401(sbx: Sandbox) -> None:
    first, second = sbx.account("acme"), sbx.account("acme")
    assert sbx.admin("POST", f"x/accounts/{first['account_id']}/revoke", 200) == {"revoked": first["account_id"]}
    assert sbx.create(first["access_token"], "a").status_code == 401
    assert sbx.create(second["access_token"], "b").status_code == 401
    assert "error" in sbx.admin("POST", "x/accounts/123/revoke", 404)


def test_posts_list_every_stored_post_with_its_create_call_count(sbx: Sandbox) -> None:
    alice, bob = sbx.account("alice")["access_token"], sbx.account("bob")["access_token"]
    sbx.create(alice, "hello")
    sbx.create(alice, "hello")  # duplicate: refused, but counted as a call with this text
    sbx.create(bob, "hi")
    data = sbx.admin("GET", "x/posts", 200)
    assert data["count"] == 2
    assert [(p["username"], p["text"], p["create_calls_with_this_text"]) for p in data["posts"]] == [
        ("bob", "hi", 1),
        ("alice", "hello", 2),
    ]
    assert set(data["posts"][0]) >= {
        "id",
        "account_id",
        "username",
        "text",
        "created_at",
        "create_calls_with_this_text",
    }
    assert [p["text"] for p in sbx.admin("GET", "x/posts?username=ALICE", 200)["posts"]] == ["hello"]


def test_knobs_are_read_and_changed_partially(sbx: Sandbox) -> None:
    assert sbx.admin("GET", "x/knobs", 200)["rate_limit"] == 100
    changed = sbx.admin("PUT", "x/knobs", 200, json={"latency_ms": 5, "outages": [[1, 2]]})
    assert (changed["latency_ms"], changed["outages"], changed["rate_limit"]) == (5.0, [[1.0, 2.0]], 100)
    assert sbx.admin("PATCH", "x/knobs", 200, json={"rate_limit": 7})["latency_ms"] == 5.0
    assert sbx.admin("GET", "linkedin/knobs", 200)["latency_ms"] == 0


@pytest.mark.parametrize("body", [{"error_5xx": 2}, {"nope": 1}, [1, 2]])
def test_bad_knob_updates_are_400_and_change_nothing(sbx: Sandbox, body: object) -> None:
    assert "error" in sbx.admin("PUT", "x/knobs", 400, json=body)
    assert sbx.admin("GET", "x/knobs", 200)["error_5xx"] == 0


def test_faults_are_queued_listed_and_cleared(sbx: Sandbox) -> None:
    assert sbx.admin("POST", "x/faults", 200, json={"next": ["5xx", "ok"]}) == {"pending": ["5xx", "ok"]}
    assert sbx.admin("POST", "x/faults", 200, json={"next": ["429"]}) == {"pending": ["5xx", "ok", "429"]}
    assert sbx.admin("POST", "x/faults", 200, json={"next": ["401"], "clear": True}) == {"pending": ["401"]}
    assert sbx.admin("GET", "x/faults", 200) == {"pending": ["401"]}


@pytest.mark.parametrize("body", [{"next": ["boom"]}, {"next": "5xx"}, {"next": [1]}, [1]])
def test_bad_fault_scripts_are_400(sbx: Sandbox, body: object) -> None:
    assert "error" in sbx.admin("POST", "x/faults", 400, json=body)
    assert sbx.admin("GET", "x/faults", 200) == {"pending": []}


def test_stats_count_calls_posts_duplicates_and_faults_per_network(sbx: Sandbox) -> None:
    sbx.knobs(duplicate_window_s=0)
    token = sbx.account()["access_token"]
    sbx.faults("5xx", "500_after_accept")
    statuses = [sbx.create(token, "same text").status_code for _ in range(4)]
    sbx.create("bad-token", "x")
    assert statuses == [503, 500, 201, 201]
    stats = sbx.admin("GET", "stats", 200)
    assert set(stats) == {"x", "linkedin", "facebook", "instagram", "xing"}
    assert stats["x"] == {
        "api_calls": 5,
        "create_calls": 5,
        "accepted_posts": 3,
        "duplicates": 1,
        "accounts": 1,
        "faults": {"5xx": 1, "500_after_accept": 1},
        "rejections": {"unauthorized": 1},
        "pending_faults": 0,
    }
    assert stats["linkedin"]["create_calls"] == 0


def test_reset_clears_everything_and_restores_the_start_knobs(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.create(token, "hi")
    sbx.knobs(latency_ms=50)
    sbx.faults("5xx")
    assert sbx.admin("POST", "reset", 200) == {"reset": True}
    assert sbx.posts() == [] and sbx.admin("GET", "x/accounts", 200) == {"accounts": []}
    assert sbx.admin("GET", "x/knobs", 200)["latency_ms"] == 0
    assert sbx.stats()["pending_faults"] == 0
    assert sbx.create(token, "hi").status_code == 401


def test_admin_calls_ignore_latency_and_outages(sbx: Sandbox) -> None:
    now = sbx.clock().timestamp()
    sbx.knobs(latency_ms=2000, outages=[[now, now + 60]])
    assert sbx.session.get(f"{sbx.url}/_sandbox/stats", timeout=1).status_code == 200
