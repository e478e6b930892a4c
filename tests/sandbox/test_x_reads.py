"""GET /2/users/<id>/tweets (reconciliation) and GET /2/tweets (metrics), with requests and tweepy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import tweepy

from tests.sandbox.support import Sandbox


def _post_many(sbx: Sandbox, token: str, count: int, step_s: float = 60) -> list[str]:
    ids = []
    for n in range(count):
        ids.append(sbx.create(token, f"post number {n}").json()["data"]["id"])
        sbx.clock.advance(step_s)
    return ids


def test_timeline_lists_own_posts_newest_first_with_xs_meta(sbx: Sandbox) -> None:
    account = sbx.account(expires_in=86400)
    ids = _post_many(sbx, account["access_token"], 3)
    body = sbx.get(
        account["access_token"],
        f"/2/users/{account['account_id']}/tweets",
        **{"tweet.fields": "created_at,public_metrics"},
    ).json()
    assert [tweet["id"] for tweet in body["data"]] == ids[::-1]
    assert body["meta"] == {"result_count": 3, "newest_id": ids[-1], "oldest_id": ids[0]}
    first = body["data"][0]
    assert first["text"] == "post number 2" and first["edit_history_tweet_ids"] == [ids[-1]]
    assert first["created_at"].endswith("Z") and set(first["public_metrics"]) >= {"like_count", "impression_count"}


def test_timeline_answers_tweepys_reconciliation_query(sbx: Sandbox) -> None:
    account = sbx.account(expires_in=86400)
    token = account["access_token"]
    _post_many(sbx, token, 2)
    since = sbx.clock()
    wanted = sbx.create(token, "Is this already posted?").json()["data"]["id"]
    page = sbx.tweepy(token).get_users_tweets(
        account["account_id"], start_time=since, max_results=100, tweet_fields=["created_at"], user_auth=False
    )
    assert [tweet.id for tweet in page.data] == [int(wanted)]
    assert page.data[0].created_at is not None


def test_timeline_without_matches_has_only_meta(sbx: Sandbox) -> None:
    account = sbx.account()
    body = sbx.get(account["access_token"], f"/2/users/{account['account_id']}/tweets").json()
    assert body == {"meta": {"result_count": 0}}


def test_timeline_pages_follow_next_token_without_gaps_or_repeats(sbx: Sandbox) -> None:
    account = sbx.account(expires_in=86400)
    token = account["access_token"]
    ids = _post_many(sbx, token, 12, step_s=1)
    seen: list[str] = []
    params: dict[str, Any] = {"max_results": 5}
    while True:
        body = sbx.get(token, f"/2/users/{account['account_id']}/tweets", **params).json()
        seen.extend(tweet["id"] for tweet in body.get("data", []))
        if "next_token" not in body["meta"]:
            break
        params["pagination_token"] = body["meta"]["next_token"]
    assert seen == ids[::-1]


def test_timeline_filters_by_time_and_id(sbx: Sandbox) -> None:
    account = sbx.account(expires_in=86400)
    token = account["access_token"]
    start = sbx.clock()
    ids = _post_many(sbx, token, 6, step_s=60)
    path = f"/2/users/{account['account_id']}/tweets"

    def listed(**params: Any) -> list[str]:
        return [tweet["id"] for tweet in sbx.get(token, path, **params).json().get("data", [])]

    iso = (start + timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end_iso = (start + timedelta(seconds=240)).isoformat()
    assert listed(start_time=iso) == ids[2:][::-1]
    assert listed(start_time=iso, end_time=end_iso) == [ids[3], ids[2]]
    assert listed(since_id=ids[3]) == [ids[5], ids[4]]
    assert listed(until_id=ids[1]) == [ids[0]]


@pytest.mark.parametrize(
    "params",
    [
        {"max_results": 4},
        {"max_results": 101},
        {"max_results": "many"},
        {"start_time": "yesterday"},
        {"pagination_token": "zz"},
    ],
)
def test_timeline_refuses_bad_parameters_like_x(sbx: Sandbox, params: dict[str, Any]) -> None:
    account = sbx.account()
    response = sbx.get(account["access_token"], f"/2/users/{account['account_id']}/tweets", **params)
    assert response.status_code == 400 and response.json()["title"] == "Invalid Request"


def test_timeline_of_another_user_is_forbidden(sbx: Sandbox) -> None:
    alice, bob = sbx.account("alice"), sbx.account("bob")
    response = sbx.get(alice["access_token"], f"/2/users/{bob['account_id']}/tweets")
    assert response.status_code == 403
    assert response.json()["type"] == "https://api.twitter.com/2/problems/not-authorized-for-resource"
    with pytest.raises(tweepy.Forbidden):
        sbx.tweepy(alice["access_token"]).get_users_tweets(bob["account_id"], user_auth=False)


def test_lookup_metrics_grow_as_the_post_ages(sbx: Sandbox) -> None:
    account = sbx.account(expires_in=10 * 86400)
    token = account["access_token"]
    post_id = sbx.create(token, "Apply now: https://careers.acme.example.com/r/1").json()["data"]["id"]
    client = sbx.tweepy(token)

    def metrics() -> dict[str, dict[str, int]]:
        tweet = client.get_tweets(
            [post_id], tweet_fields=["public_metrics", "non_public_metrics"], user_auth=False
        ).data[0]
        return {"public": tweet.public_metrics, "private": tweet.non_public_metrics}

    fresh = metrics()
    sbx.clock.advance(6 * 3600)
    later = metrics()
    sbx.clock.advance(3 * 86400)
    settled = metrics()
    assert fresh["public"]["impression_count"] == 0
    assert 0 < later["public"]["impression_count"] < settled["public"]["impression_count"]
    assert set(settled["private"]) == {"impression_count", "url_link_clicks", "user_profile_clicks", "engagements"}
    assert settled["private"]["impression_count"] == settled["public"]["impression_count"]


def test_lookup_hides_private_metrics_of_other_peoples_posts_and_reports_unknown_ids(sbx: Sandbox) -> None:
    author, reader = sbx.account("author"), sbx.account("reader")
    post_id = sbx.create(author["access_token"], "news").json()["data"]["id"]
    body = sbx.get(
        reader["access_token"],
        "/2/tweets",
        ids=f"{post_id},123",
        **{"tweet.fields": "public_metrics,non_public_metrics"},
    ).json()
    [tweet] = body["data"]
    assert "public_metrics" in tweet and "non_public_metrics" not in tweet
    kinds = sorted(error["type"].rsplit("/", 1)[1] for error in body["errors"])
    assert kinds == ["not-authorized-for-field", "resource-not-found"]


def test_lookup_hides_private_metrics_after_30_days(sbx: Sandbox) -> None:
    account = sbx.account(expires_in=40 * 86400)
    post_id = sbx.create(account["access_token"], "old news").json()["data"]["id"]
    sbx.clock.advance(31 * 86400)
    body = sbx.get(account["access_token"], "/2/tweets", ids=post_id, **{"tweet.fields": "non_public_metrics"}).json()
    assert "non_public_metrics" not in body["data"][0] and body["errors"][0]["field"] == "non_public_metrics"


def test_lookup_of_only_unknown_ids_has_errors_and_no_data(sbx: Sandbox) -> None:
    account = sbx.account()
    body = sbx.get(account["access_token"], "/2/tweets", ids="1,2").json()
    assert "data" not in body and len(body["errors"]) == 2


def test_lookup_with_organic_metrics_and_author_id(sbx: Sandbox) -> None:
    account = sbx.account()
    post_id = sbx.create(account["access_token"], "organic").json()["data"]["id"]
    body = sbx.get(account["access_token"], "/2/tweets", ids=post_id, **{"post.fields": "organic_metrics,author_id"})
    tweet = body.json()["data"][0]
    assert tweet["author_id"] == account["account_id"] and "like_count" in tweet["organic_metrics"]


@pytest.mark.parametrize("ids", ["", "abc", ",".join(str(n) for n in range(101))])
def test_lookup_needs_1_to_100_numeric_ids(sbx: Sandbox, ids: str) -> None:
    response = sbx.get(sbx.account()["access_token"], "/2/tweets", ids=ids)
    assert response.status_code == 400


def test_reads_have_their_own_rate_limit(sbx: Sandbox) -> None:
    sbx.knobs(read_rate_limit=2, rate_limit=1)
    token = sbx.account()["access_token"]
    assert sbx.create(token, "one").status_code == 201
    assert [sbx.get(token, "/2/users/me").status_code for _ in range(3)] == [200, 200, 429]
    assert sbx.get(token, "/2/tweets", ids="1").status_code == 200  # another endpoint, another window


def test_random_faults_hit_reads_only_when_asked_and_never_take_scripted_ones(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(error_5xx=1.0)
    sbx.faults("429")
    assert sbx.get(token, "/2/users/me").status_code == 200
    sbx.knobs(faults_on_reads=True)
    assert sbx.get(token, "/2/users/me").status_code == 503
    assert sbx.admin("GET", "x/faults", 200) == {"pending": ["429"]}
