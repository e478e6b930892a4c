"""POST /2/tweets and GET /2/users/me, checked with plain requests and with real tweepy."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import tweepy
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from adapters.sandbox.x_api import weighted_length
from tests.sandbox.support import Sandbox

DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
# The smallest valid PNG (1×1 pixel); the sandbox only looks at the magic number.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


def test_tweepy_creates_a_post_and_gets_xs_201_body(sbx: Sandbox) -> None:
    account = sbx.account("acme_jobs")
    response = sbx.tweepy(account["access_token"]).create_tweet(text="We are hiring in Linz!", user_auth=False)
    data = response.data
    assert len(data["id"]) == 19 and data["id"].isdigit()
    assert data == {"id": data["id"], "text": "We are hiring in Linz!", "edit_history_tweet_ids": [data["id"]]}
    [stored] = sbx.posts()
    assert (stored["id"], stored["username"], stored["account_id"]) == (data["id"], "acme_jobs", account["account_id"])


def test_every_create_answer_carries_rate_limit_headers(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    created = sbx.create(token, "first")
    duplicate = sbx.create(token, "first")
    for response, remaining in ((created, "99"), (duplicate, "98")):
        assert response.headers["x-rate-limit-limit"] == "100"
        assert response.headers["x-rate-limit-remaining"] == remaining
        assert int(response.headers["x-rate-limit-reset"]) > time.time()
    assert created.status_code == 201 and created.headers["content-type"].startswith("application/json")


def test_media_and_reply_are_accepted_and_stored(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    first = sbx.create(token, "thread 1/2").json()["data"]["id"]
    upload = sbx.session.post(f"{sbx.url}/2/media/upload", headers={"Authorization": f"Bearer {token}"},
                              files={"media": ("a.png", PNG, "image/png")}, data={"media_category": "tweet_image"},
                              timeout=5)
    media_id = upload.json()["data"]["id"]
    response = sbx.create(token, "", media={"media_ids": [media_id]}, reply={"in_reply_to_tweet_id": first})
    assert response.status_code == 201
    assert sbx.posts()[0]["media_ids"] == [media_id]
    assert sbx.posts()[0]["in_reply_to_tweet_id"] == first


def test_unknown_media_ids_are_a_400_shaped_like_x(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    response = sbx.create(token, "with a picture", media={"media_ids": ["1880028106020515840"]})
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "errors": [{"parameters": {"media.media_ids": ["1880028106020515840"]},
                    "message": "Your media IDs are invalid."}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    assert sbx.posts() == [] and sbx.stats()["rejections"] == {"invalid_media": 1}


def test_too_long_text_is_a_400_invalid_request_shaped_like_x(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    response = sbx.create(token, "a" * 281)
    body = response.json()
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert body["title"] == "Invalid Request"
    assert body["detail"] == "One or more parameters to your request was invalid."
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert body["errors"][0]["message"].startswith("Your Tweet text is too long")
    assert body["errors"][0]["parameters"] == {"text": ["a" * 281]}
    with pytest.raises(tweepy.BadRequest, match="Your Tweet text is too long"):
        sbx.tweepy(token).create_tweet(text="b" * 281, user_auth=False)
    assert sbx.stats()["rejections"] == {"invalid_request": 2} and sbx.posts() == []


def test_weighted_length_counts_urls_as_23_and_emoji_as_2(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    url = "https://example.com/" + "x" * 200  # counts 23, not 220
    assert sbx.create(token, "a" * 256 + " " + url).status_code == 201
    assert sbx.create(token, "🎉" * 140).status_code == 201
    assert sbx.create(token, "🎉" * 141).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": 5},
        {"text": "hi", "media": {"media_ids": [1]}},
        {"text": "hi", "media": {"media_ids": ["1", "2", "3", "4", "5"]}},
        {"text": "hi", "reply": {"in_reply_to_tweet_id": "x"}},
    ],
)
def test_malformed_create_bodies_are_400(sbx: Sandbox, body: dict[str, object]) -> None:
    token = sbx.account()["access_token"]
    response = sbx.session.post(f"{sbx.url}/2/tweets", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json()["title"] == "Invalid Request"


def test_non_json_body_is_400(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    response = sbx.session.post(f"{sbx.url}/2/tweets", data=b"text=hi", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400


def test_same_text_twice_is_403_duplicate_for_tweepy(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    client = sbx.tweepy(token)
    client.create_tweet(text="Open day on Friday", user_auth=False)
    with pytest.raises(tweepy.Forbidden) as caught:
        client.create_tweet(text="Open day on Friday", user_auth=False)
    assert caught.value.api_messages == [DUPLICATE] and caught.value.api_codes == []
    assert caught.value.response.json() == {
        "detail": DUPLICATE,
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    [stored] = sbx.posts()
    assert stored["create_calls_with_this_text"] == 2
    assert sbx.stats()["duplicates"] == 0


def test_same_text_by_another_account_or_after_a_day_is_fine(sbx: Sandbox) -> None:
    alice = sbx.account("alice", expires_in=2 * 86400)["access_token"]
    bob = sbx.account("bob")["access_token"]
    assert sbx.create(alice, "Hello").status_code == 201
    assert sbx.create(bob, "Hello").status_code == 201
    sbx.clock.advance(86400)
    assert sbx.create(alice, "Hello").status_code == 201
    assert sbx.stats()["duplicates"] == 1  # alice's text is now stored twice


def test_with_the_duplicate_check_off_double_posts_show_in_the_duplicates_count(sbx: Sandbox) -> None:
    sbx.knobs(duplicate_window_s=0)
    token = sbx.account()["access_token"]
    for _ in range(3):
        assert sbx.create(token, "posted three times").status_code == 201
    assert sbx.create(token, "posted once").status_code == 201
    stats = sbx.stats()
    assert (stats["accepted_posts"], stats["duplicates"]) == (4, 1)


def test_rate_limit_answers_429_that_tweepy_reads_the_reset_from(sbx: Sandbox) -> None:
    sbx.knobs(rate_limit=2, rate_window_s=60)
    token = sbx.account()["access_token"]
    client = sbx.tweepy(token)
    for n in range(2):
        client.create_tweet(text=f"post {n}", user_auth=False)
    with pytest.raises(tweepy.TooManyRequests) as caught:
        client.create_tweet(text="one too many", user_auth=False)
    expected_reset = int(sbx.clock().timestamp()) + 60
    assert caught.value.reset_time in (expected_reset, expected_reset + 1)
    assert caught.value.response.headers["x-rate-limit-remaining"] == "0"
    assert caught.value.response.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    sbx.clock.advance(60)
    client.create_tweet(text="after the window", user_auth=False)
    assert sbx.stats()["rejections"] == {"rate_limit": 1}


def test_rate_limit_zero_means_unlimited(sbx: Sandbox) -> None:
    sbx.knobs(rate_limit=0)
    token = sbx.account()["access_token"]
    assert all(sbx.create(token, f"post {n}").status_code == 201 for n in range(120))


def test_publish_quota_answers_429_until_a_day_has_passed(sbx: Sandbox) -> None:
    sbx.knobs(publish_quota=2)
    token = sbx.account(expires_in=2 * 86400)["access_token"]
    assert [sbx.create(token, f"post {n}").status_code for n in range(3)] == [201, 201, 429]
    refused = sbx.create(token, "still too many")
    assert refused.headers["x-rate-limit-remaining"] == "0"
    assert int(refused.headers["x-rate-limit-reset"]) >= sbx.clock().timestamp() + 86400
    sbx.clock.advance(86401)
    assert sbx.create(token, "next day").status_code == 201
    assert sbx.stats()["rejections"] == {"publish_quota": 2}


@pytest.mark.parametrize(
    ("fault", "exception", "status", "stored"),
    [
        ("5xx", tweepy.TwitterServerError, 503, 0),
        ("429", tweepy.TooManyRequests, 429, 0),
        ("401", tweepy.Unauthorized, 401, 0),
        ("duplicate", tweepy.Forbidden, 403, 0),
        ("500_after_accept", tweepy.TwitterServerError, 500, 1),
    ],
)
def test_forced_faults_reach_tweepy_as_its_exceptions(
    sbx: Sandbox, fault: str, exception: type[Exception], status: int, stored: int
) -> None:
    client = sbx.tweepy(sbx.account()["access_token"])
    sbx.faults(fault)
    with pytest.raises(exception) as caught:
        client.create_tweet(text=f"fault {fault}", user_auth=False)
    assert caught.value.response.status_code == status  # type: ignore[attr-defined]
    assert len(sbx.posts()) == stored
    stats = sbx.stats()
    assert stats["faults"] == {fault: 1} and stats["accepted_posts"] == stored
    client.create_tweet(text=f"after fault {fault}", user_auth=False)  # the script is used up


def test_forced_faults_run_in_order_and_ok_passes_one_call_through(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(error_5xx=1.0)
    sbx.faults("ok", "429")
    assert [sbx.create(token, f"call {n}").status_code for n in range(3)] == [201, 429, 503]


def test_forced_429_reports_an_exhausted_window(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.faults("429")
    with pytest.raises(tweepy.TooManyRequests) as caught:
        sbx.tweepy(token).create_tweet(text="hi", user_auth=False)
    assert caught.value.reset_time is not None and caught.value.reset_time > time.time()


def test_forced_duplicate_refuses_without_creating_even_a_new_text(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.faults("duplicate")
    response = sbx.create(token, "brand new text")
    assert response.status_code == 403 and response.json()["detail"] == DUPLICATE
    assert sbx.posts() == []


def test_random_faults_follow_the_rates_and_the_seed(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(error_5xx=0.5, seed=3, rate_limit=0)
    first = [sbx.create(token, f"a{n}").status_code for n in range(40)]
    sbx.state.reset()
    token = sbx.account()["access_token"]
    sbx.knobs(error_5xx=0.5, seed=3, rate_limit=0)
    assert [sbx.create(token, f"a{n}").status_code for n in range(40)] == first
    assert set(first) == {201, 503}


def test_error_401_rate_gives_tweepy_unauthorized_while_the_token_stays_valid(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(error_401=1.0)
    with pytest.raises(tweepy.Unauthorized):
        sbx.tweepy(token).create_tweet(text="hi", user_auth=False)
    sbx.knobs(error_401=0.0)
    assert sbx.create(token, "hi").status_code == 201


def test_accept_then_timeout_stores_the_post_but_the_client_times_out(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(hang_s=2)
    sbx.faults("accept_then_timeout")
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        sbx.create(token, "ambiguous outcome", timeout=0.5)
    assert time.monotonic() - started < 1.5
    [stored] = sbx.posts()
    assert stored["text"] == "ambiguous outcome"
    assert sbx.stats()["faults"] == {"accept_then_timeout": 1}


def test_a_hanging_request_does_not_block_other_requests(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(accept_then_timeout=1.0, hang_s=1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hanging = pool.submit(
            requests.post,
            f"{sbx.url}/2/tweets",
            json={"text": "hangs"},
            timeout=3,
            headers={"Authorization": f"Bearer {token}"},
        )
        time.sleep(0.2)
        sbx.knobs(accept_then_timeout=0.0)
        started = time.monotonic()
        assert sbx.create(token, "meanwhile").status_code == 201
        assert sbx.get(token, "/2/users/me").status_code == 200
        assert time.monotonic() - started < 0.5
        assert hanging.result().status_code == 201  # the late answer, long after a real client gave up


def test_outage_windows_answer_503_to_every_api_call(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    now = sbx.clock().timestamp()
    sbx.knobs(outages=[[now, now + 60]])
    with pytest.raises(tweepy.TwitterServerError):
        sbx.tweepy(token).create_tweet(text="during the outage", user_auth=False)
    assert sbx.get(token, "/2/users/me").status_code == 503
    assert sbx.get("not-even-a-token", "/2/users/me").status_code == 503
    assert sbx.admin("GET", "stats", 200)["x"]["faults"] == {"outage": 3}  # the admin API still answers
    sbx.clock.advance(60)
    assert sbx.create(token, "after the outage").status_code == 201


def test_unknown_revoked_and_expired_tokens_are_401_shaped_like_x(sbx: Sandbox) -> None:
    expected = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    response = sbx.create("made-up", "hi")
    assert (response.status_code, response.json()) == (401, expected)
    assert "x-rate-limit-limit" not in response.headers
    account = sbx.account()
    sbx.admin("POST", f"x/accounts/{account['account_id']}/revoke", 200)
    with pytest.raises(tweepy.Unauthorized):
        sbx.tweepy(account["access_token"]).create_tweet(text="hi", user_auth=False)
    short = sbx.account("shortlived", expires_in=10)
    assert sbx.create(short["access_token"], "in time").status_code == 201
    sbx.clock.advance(10)
    assert sbx.create(short["access_token"], "too late").status_code == 401
    assert sbx.posts()[0]["text"] == "in time"
    assert sbx.stats()["rejections"] == {"unauthorized": 3}


def test_latency_delays_every_call_but_calls_run_in_parallel(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    sbx.knobs(latency_ms=300, rate_limit=0)
    started = time.monotonic()
    assert sbx.get(token, "/2/users/me").status_code == 200
    assert time.monotonic() - started >= 0.3

    def create(n: int) -> int:
        with requests.Session() as session:
            return session.post(
                f"{sbx.url}/2/tweets",
                json={"text": f"parallel {n}"},
                timeout=5,
                headers={"Authorization": f"Bearer {token}"},
            ).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(create, range(20)))
    assert statuses == [201] * 20
    assert time.monotonic() - started < 1.5  # 20 × 300 ms one after another would take 6 s


def test_users_me_names_the_tokens_account(sbx: Sandbox) -> None:
    account = sbx.account("acme_jobs")
    me = sbx.tweepy(account["access_token"]).get_me(user_auth=False).data
    assert (me.id, me.username, me.name) == (int(account["account_id"]), "acme_jobs", "acme_jobs")
    response = sbx.get(account["access_token"], "/2/users/me")
    assert response.json() == {"data": {"id": account["account_id"], "name": "acme_jobs", "username": "acme_jobs"}}
    assert response.headers["x-rate-limit-limit"] == "900"


LATIN1_PIECES = st.sampled_from(
    [
        "https://example.com/a",
        "example.org",
        "x.co",
        "http://t.co/abc",
        " ",
        "\r\n",
        "\r",
        "\n",
        "Schweißer",
        "ü",
        "@acme",
        "#jobs",
        "$ACME",
        ".",
        "www.acme.at/jobs?x=1",
        "münchen.de",
        "(https://a.io)",
        "\xa0",
        "ÿ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(LATIN1_PIECES, st.text(st.characters(max_codepoint=0xFF), max_size=5)), max_size=30))
def test_fast_weighted_length_agrees_with_twitter_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert weighted_length(text) == parse_tweet(text).weightedLength


@pytest.mark.parametrize("text", ["日本語のテキスト", "🎉 party © 2026", "e\u0301", "Grüße 👋🏽 https://x.io"])
def test_weighted_length_of_other_scripts_and_emoji_is_twitter_texts(text: str) -> None:
    assert weighted_length(text) == parse_tweet(text).weightedLength
