"""XAdapter against recorded X responses (via ``responses``) and a real local HTTP server."""

from __future__ import annotations

import base64
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from adapters.x import XAdapter, weighted_length
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from scheduler.networks import Network
from scheduler.ports import Credentials, MediaItem, MetricValues, PostContent, Receipt

API = "https://api.twitter.com"
SANDBOX = "http://sandbox.test:8025"
SINCE = datetime(2021, 2, 18, 16, 0, tzinfo=UTC)

# Bodies of networks.md §2.8 that have no recording (the 400 is X's documented invalid-request shape).
BAD_REQUEST = {
    "errors": [{"parameters": {"text": ["x" * 300]}, "message": "Tweet text is too long."}],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
USAGE_CAPPED = {
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
}
PRIVATE = "public_metrics,non_public_metrics"
SERVER_ERROR = {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank"}


@pytest.fixture
def adapter(x_config):
    adapter = XAdapter(x_config())
    yield adapter
    adapter.close()


def post(text: str = "Test Tweet", media: tuple[MediaItem, ...] = ()) -> PostContent:
    return PostContent(delivery_id=7, text=text, media=media)


def image(n: int) -> tuple[MediaItem, ...]:
    return tuple(MediaItem(url=f"https://cdn.example/{i}.jpg", mime_type="image/jpeg") for i in range(n))


# -- publish --------------------------------------------------------------------------------


@responses.activate
def test_publish_parses_the_recorded_create_response(adapter, credentials, recorded, token) -> None:
    created = recorded.cassette("x/v2_create_and_delete_tweet.tweepy.yaml")[0]
    responses.post(
        created["request"]["uri"],
        status=created["response"]["status"]["code"],
        body=created["response"]["body"]["string"],
        content_type="application/json",
        match=[matchers.json_params_matcher({"text": "Test Tweet"}),
               matchers.header_matcher({"Authorization": f"Bearer {token}"})],
    )
    receipt = adapter.publish(credentials, post())
    assert receipt == Receipt(external_id="1456012973835788293",
                              url="https://x.com/TwitterDev/status/1456012973835788293")


@responses.activate
def test_publish_without_a_handle_links_the_generic_permalink(adapter, token) -> None:
    responses.post(f"{API}/2/tweets", status=201, json={"data": {"id": "19", "text": "hi"}})
    receipt = adapter.publish(Credentials(access_token=token), post("hi"))
    assert receipt.url == "https://x.com/i/web/status/19"
    assert not receipt.pending


@responses.activate
def test_publish_goes_to_the_configured_base_url(x_config, credentials) -> None:
    responses.post(f"{SANDBOX}/2/tweets", status=201, json={"data": {"id": "5", "text": "hi"}})
    adapter = XAdapter(x_config(SANDBOX))
    assert adapter.publish(credentials, post("hi")).external_id == "5"
    assert responses.calls[0].request.url == f"{SANDBOX}/2/tweets"


@responses.activate
def test_publish_with_invalid_media_is_refused_before_any_request(adapter, credentials) -> None:
    with pytest.raises(RejectedError, match="at most 4 images"):
        adapter.publish(credentials, post(media=image(5)))
    assert len(responses.calls) == 0


@responses.activate
def test_a_201_with_errors_and_no_id_is_rejected(adapter, credentials) -> None:
    responses.post(f"{API}/2/tweets", status=201, json={"errors": [{"message": "Your Tweet text is too long."}]})
    with pytest.raises(RejectedError, match="Your Tweet text is too long.") as caught:
        adapter.publish(credentials, post())
    assert caught.value.status == 201


@responses.activate
def test_a_201_with_neither_id_nor_errors_is_an_unknown_outcome(adapter, credentials) -> None:
    responses.post(f"{API}/2/tweets", status=201, json={"data": {}})
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(credentials, post())


# -- error mapping (one row per mapped class) -----------------------------------------------


def _error_cases(recorded):
    future_reset = str(int((datetime.now(UTC) + timedelta(minutes=7)).timestamp()))
    return {
        "400 invalid request": (400, BAD_REQUEST, {}, RejectedError,
                                "X refused the post (400): Tweet text is too long."),
        "401 unauthorized": (401, recorded.x_error(401), {}, AuthExpiredError, "connect it again"),
        "403 duplicate": (403, recorded.x_error(403, "duplicate"), {}, RejectedError,
                          "You are not allowed to create a Tweet with duplicate content."),
        "403 client forbidden": (403, recorded.x_error(403, "client-forbidden"), {}, RejectedError,
                                 "X refused the post (403): When authenticating requests"),
        "429 with reset": (429, recorded.x_error(429),
                           {"x-rate-limit-reset": future_reset, "x-rate-limit-remaining": "0"},
                           RateLimitedError, "X rate limit reached: Too Many Requests"),
        "429 without reset": (429, recorded.x_error(429), {}, RateLimitedError, "X rate limit reached"),
        "429 usage capped": (429, USAGE_CAPPED, {}, RateLimitedError, "used up its credit"),
        "403 usage capped": (403, USAGE_CAPPED, {}, RateLimitedError, "used up its credit"),
        "500": (500, SERVER_ERROR, {}, OutcomeUnknownError, "it may be live"),
        "503": (503, SERVER_ERROR, {}, TransientError, "nothing was posted"),
    }


CASES = ["400 invalid request", "401 unauthorized", "403 duplicate", "403 client forbidden", "429 with reset",
         "429 without reset", "429 usage capped", "403 usage capped", "500", "503"]


@pytest.mark.parametrize("case", CASES)
@responses.activate
def test_publish_maps_each_x_error(case, adapter, credentials, recorded, token) -> None:
    status, body, headers, expected, message = _error_cases(recorded)[case]
    responses.post(f"{API}/2/tweets", status=status, json=body, headers=headers)
    before = datetime.now(UTC)
    with pytest.raises(expected) as caught:
        adapter.publish(credentials, post())
    error = caught.value
    assert type(error) is expected
    assert message in error.message
    assert error.status == status
    assert error.detail == json.dumps(body)  # the network's own body, kept for the delivery's log
    assert token not in error.message + error.detail
    if case == "403 duplicate":
        assert error.message == body["detail"]  # X's own words, nothing added
    if case == "429 with reset":
        assert error.retry_at == datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), UTC)
    if case == "429 without reset":
        assert before + timedelta(minutes=15) <= error.retry_at <= datetime.now(UTC) + timedelta(minutes=15)
    if "usage capped" in case:
        assert before + timedelta(hours=24) <= error.retry_at <= datetime.now(UTC) + timedelta(hours=24)
        assert not error.spends_attempt


@pytest.mark.parametrize("status", [500, 503])
@pytest.mark.parametrize("call", ["find_existing", "fetch_metrics"])
@responses.activate
def test_server_errors_on_reads_are_transient(status, call, adapter, credentials) -> None:
    responses.get(f"{API}/2/users/{credentials.account_id}/tweets", status=status, json=SERVER_ERROR)
    responses.get(f"{API}/2/tweets", status=status, json=SERVER_ERROR)
    with pytest.raises(TransientError, match=f"X is unavailable (right now )?\\({status}\\)") as caught:
        if call == "find_existing":
            adapter.find_existing(credentials, post(), SINCE)
        else:
            adapter.fetch_metrics(credentials, ["1"])
    assert type(caught.value) is TransientError


@responses.activate
def test_rate_limit_on_a_read_carries_the_reset_time(adapter, credentials, recorded) -> None:
    responses.get(f"{API}/2/tweets", status=429, json=recorded.x_error(429),
                  headers={"x-rate-limit-reset": "4102444800"})
    with pytest.raises(RateLimitedError) as caught:
        adapter.fetch_metrics(credentials, ["1"])
    assert caught.value.retry_at == datetime(2100, 1, 1, tzinfo=UTC)


@responses.activate
def test_a_reset_time_in_the_past_means_now(adapter, credentials, recorded) -> None:
    responses.post(f"{API}/2/tweets", status=429, json=recorded.x_error(429),
                   headers={"x-rate-limit-reset": "1635976418"})  # the recording's own (past) reset
    before = datetime.now(UTC)
    with pytest.raises(RateLimitedError) as caught:
        adapter.publish(credentials, post())
    assert before <= caught.value.retry_at <= datetime.now(UTC)


@pytest.mark.parametrize(("mutation", "expected"), [(True, TransientError), (False, TransientError)])
def test_connection_refused_is_transient(mutation, expected, x_config, credentials, closed_port_url) -> None:
    adapter = XAdapter(x_config(closed_port_url))
    with pytest.raises(expected, match="Could not reach X") as caught:
        if mutation:
            adapter.publish(credentials, post())
        else:
            adapter.fetch_metrics(credentials, ["1"])
    assert type(caught.value) is expected


@pytest.mark.parametrize(("mutation", "expected"), [(True, OutcomeUnknownError), (False, TransientError)])
def test_read_timeout_is_unknown_on_create_and_transient_on_reads(mutation, expected, x_config, credentials,
                                                                  local_server, token) -> None:
    server = local_server(lambda seen: (server.release.wait(5), (200, {}, b"{}"))[1])
    adapter = XAdapter(x_config(server.url, read_timeout_s=0.2))
    with pytest.raises(expected, match="read timed out") as caught:
        if mutation:
            adapter.publish(credentials, post())
        else:
            adapter.find_existing(credentials, post(), SINCE)
    assert type(caught.value) is expected
    assert token not in caught.value.message + caught.value.detail
    assert server.seen[0].headers["Authorization"] == f"Bearer {token}"


def test_connection_reset_after_sending_a_post_is_unknown(x_config, credentials, local_server) -> None:
    server = local_server(lambda seen: None)
    adapter = XAdapter(x_config(server.url))
    with pytest.raises(OutcomeUnknownError, match="connection lost"):
        adapter.publish(credentials, post())
    assert len(server.seen) == 1  # sent once, never retried


@responses.activate
def test_a_non_json_success_body_on_create_is_an_unknown_outcome(adapter, credentials) -> None:
    responses.post(f"{API}/2/tweets", status=201, body="<html>proxy</html>")
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(credentials, post())


# -- validate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("https://example.com/a/very/long/path/" + "x" * 200, 23),
        ("Apply now: https://jobs.example.com/v/123?utm_source=x and example.org", 11 + 23 + 5 + 23),
        ("😀", 2),
        ("👨‍👩‍👧", 2),  # ZWJ family: one emoji
        ("👍🏽", 2),  # skin tone
        ("漢字", 4),
        ("ＡＢ", 4),  # full-width Latin is outside the weight-1 ranges
        ("Café", 4),
        ("Cafe\u0301", 4),  # NFC-normalised before counting
        ("Grüße — “quotes”", 16),
    ],
)
def test_weighted_length(text: str, length: int) -> None:
    assert weighted_length(text) == length


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("a" * 280, []),
        ("a" * 281, [("text", "too_long", "X takes at most 280 characters; this text has 281.")]),
        ("漢" * 140, []),
        ("漢" * 141, [("text", "too_long", "X takes at most 280 characters; this text has 282.")]),
        ("a" * 256 + " https://example.com/" + "p" * 100, []),  # 256 + space + link (23) = 280
        ("a" * 257 + " https://example.com/p",
         [("text", "too_long", "X takes at most 280 characters; this text has 281.")]),
        ("", [("text", "empty", "Write a text, add a link or add an image.")]),
        ("  \n ", [("text", "empty", "Write a text, add a link or add an image.")]),
        ("We list $ACME today", []),
        ("$ACME and $BETA.b up", [("text", "too_many_cashtags",
                                   "X allows one cashtag per post; this one has 2 ($ACME, $BETA.b).")]),
        ("Costs $5, not US$ACME", []),
        ("\ufeffhello", [("text", "invalid_characters",
                          "The text holds invisible characters X refuses (such as a byte-order mark); retype it.")]),
    ],
)
def test_validate_text(adapter, text, problems) -> None:
    assert [(p.field, p.code, p.message) for p in adapter.validate(post(text))] == problems


def test_validate_media(adapter) -> None:
    assert adapter.validate(post("", media=image(1))) == []  # an image without text is a valid post
    five = adapter.validate(post("hi", media=image(5)))
    assert [(p.field, p.code) for p in five] == [("media", "too_many_media")]
    assert five[0].message == "X takes at most 4 images per post; this one has 5."


# -- find_existing --------------------------------------------------------------------------


@responses.activate
def test_find_existing_matches_text_with_urls_rewritten_to_tco(adapter, credentials, recorded) -> None:
    page = recorded.json("x/v2_user_tweets_public_metrics.sns-python-twitter.json")
    del page["meta"]["next_token"]
    responses.get(
        f"{API}/2/users/{credentials.account_id}/tweets",
        json=page,
        match=[matchers.query_param_matcher({"start_time": "2021-02-18T16:00:00Z", "max_results": "100"})],
    )
    ours = ("Meet one of the useful Twitter bots out there: @ThreadReaderApp, unroll!  It makes threads like this "
            "easier to read and share.\nToday, we’ll hear from the bot itself! https://blog.example.com/threadreader")
    receipt = adapter.find_existing(credentials, post(ours), SINCE)
    assert receipt == Receipt(external_id="1362439336910675970",
                              url="https://x.com/TwitterDev/status/1362439336910675970")


@responses.activate
def test_find_existing_returns_none_when_no_text_matches(adapter, credentials, recorded) -> None:
    page = recorded.json("x/v2_user_tweets_public_metrics.sns-python-twitter.json")
    del page["meta"]["next_token"]
    responses.get(f"{API}/2/users/{credentials.account_id}/tweets", json=page)
    assert adapter.find_existing(credentials, post("Meet one of the useful Twitter bots out there"), SINCE) is None


@responses.activate
def test_find_existing_follows_pages_and_asks_who_the_user_is(adapter, token, recorded) -> None:
    page = recorded.json("x/v2_user_tweets_public_metrics.sns-python-twitter.json")
    responses.get(f"{API}/2/users/me", json={"data": {"id": "99", "name": "Dev", "username": "dev"}})
    responses.get(f"{API}/2/users/99/tweets", json=page,
                  match=[matchers.query_param_matcher({"start_time": "2021-02-18T16:00:00Z", "max_results": "100"})])
    responses.get(f"{API}/2/users/99/tweets",
                  json={"data": [{"id": "42", "text": "Fish &amp; chips &lt;3 https://t.co/abc"}], "meta": {}},
                  match=[matchers.query_param_matcher({"start_time": "2021-02-18T16:00:00Z", "max_results": "100",
                                                       "pagination_token": page["meta"]["next_token"]})])
    since_vienna = SINCE.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Vienna"))
    receipt = adapter.find_existing(Credentials(access_token=token), post("Fish & chips <3 https://fish.example.com"),
                                    since_vienna)
    assert receipt == Receipt(external_id="42", url="https://x.com/i/web/status/42")
    assert [urlsplit(c.request.url).path for c in responses.calls] == ["/2/users/me", "/2/users/99/tweets",
                                                                      "/2/users/99/tweets"]


def test_find_existing_refuses_naive_datetimes(adapter, credentials) -> None:
    with pytest.raises(ValueError, match="naive"):
        adapter.find_existing(credentials, post(), datetime(2021, 2, 18))  # noqa: DTZ001 - the point of the test


# -- fetch_metrics --------------------------------------------------------------------------


@responses.activate
def test_fetch_metrics_maps_recorded_public_metrics(adapter, credentials, recorded) -> None:
    page = recorded.json("x/v2_user_tweets_public_metrics.sns-python-twitter.json")
    responses.get(f"{API}/2/tweets", json={"data": page["data"]})
    ids = [t["id"] for t in page["data"]]
    metrics = adapter.fetch_metrics(credentials, ids)
    assert metrics["1364275610764201984"] == MetricValues(impressions=None, reactions=37 + 10 + 1, comments=2,
                                                          shares=10 + 1, clicks=None)
    assert set(metrics) == set(ids)
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert query["tweet.fields"] == [PRIVATE]
    assert query["ids"] == [",".join(ids)]


@responses.activate
def test_fetch_metrics_prefers_private_impressions_and_reads_link_clicks(adapter, credentials) -> None:
    responses.get(f"{API}/2/tweets", json={"data": [{
        "id": "1", "text": "x",
        "public_metrics": {"retweet_count": 50, "reply_count": 12, "like_count": 234, "quote_count": 5,
                           "bookmark_count": 8, "impression_count": 5000},
        "non_public_metrics": {"impression_count": 5432, "url_link_clicks": 89, "user_profile_clicks": 156},
    }]})
    assert adapter.fetch_metrics(credentials, ["1"]) == {
        "1": MetricValues(impressions=5432, reactions=289, comments=12, shares=55, clicks=89)}


@responses.activate
def test_missing_figures_are_none_not_zero(adapter, credentials) -> None:
    responses.get(f"{API}/2/tweets", json={"data": [{"id": "1", "text": "x", "public_metrics": {"like_count": 3}}]})
    assert adapter.fetch_metrics(credentials, ["1"]) == {"1": MetricValues()}


@responses.activate
def test_refused_private_metrics_are_asked_again_public_only(adapter, credentials) -> None:
    refused = {"errors": [{"value": "2", "detail": "Sorry, you are not authorized to access 'non_public_metrics' "
                           "on a Tweet.", "title": "Field Authorization Error", "resource_type": "tweet",
                           "parameter": "non_public_metrics", "resource_id": "2",
                           "type": "https://api.twitter.com/2/problems/not-authorized-for-field"}],
               "data": [{"id": "1", "text": "x", "public_metrics": {"like_count": 1, "retweet_count": 0,
                                                                    "quote_count": 0, "reply_count": 0},
                         "non_public_metrics": {"url_link_clicks": 4}}]}
    responses.get(f"{API}/2/tweets", json=refused,
                  match=[matchers.query_param_matcher({"ids": "1,2", "tweet.fields": PRIVATE})])
    responses.get(f"{API}/2/tweets",
                  json={"data": [{"id": "2", "text": "y", "public_metrics": {"like_count": 7, "retweet_count": 1,
                                                                           "quote_count": 0, "reply_count": 2}}]},
                  match=[matchers.query_param_matcher({"ids": "2", "tweet.fields": "public_metrics"})])
    metrics = adapter.fetch_metrics(credentials, ["1", "2"])
    assert metrics == {"1": MetricValues(reactions=1, comments=0, shares=0, clicks=4),
                       "2": MetricValues(reactions=8, comments=2, shares=1, clicks=None)}
    assert len(responses.calls) == 2


@responses.activate
def test_a_forbidden_private_request_falls_back_once(adapter, credentials, recorded) -> None:
    responses.get(f"{API}/2/tweets", status=403, json=recorded.x_error(403, "client-forbidden"),
                  match=[matchers.query_param_matcher({"ids": "1", "tweet.fields": PRIVATE})])
    responses.get(f"{API}/2/tweets", status=403, json=recorded.x_error(403, "client-forbidden"),
                  match=[matchers.query_param_matcher({"ids": "1", "tweet.fields": "public_metrics"})])
    with pytest.raises(RejectedError, match="403"):
        adapter.fetch_metrics(credentials, ["1"])
    assert len(responses.calls) == 2  # once private, once public: no loop


@responses.activate
def test_fetch_metrics_asks_in_chunks_of_100(adapter, credentials) -> None:
    def reply(request):
        ids = parse_qs(urlsplit(request.url).query)["ids"][0].split(",")
        data = [{"id": i, "text": "t", "public_metrics": {"reply_count": 1}} for i in ids]
        return 200, {}, json.dumps({"data": data})

    responses.add_callback(responses.GET, f"{API}/2/tweets", callback=reply)
    ids = [str(n) for n in range(1, 251)] + ["1"]  # a repeated id is asked for once
    metrics = adapter.fetch_metrics(credentials, ids)
    assert len(metrics) == 250
    asked = [parse_qs(urlsplit(c.request.url).query)["ids"][0].split(",") for c in responses.calls]
    assert [len(ids) for ids in asked] == [100, 100, 50]
    assert adapter.fetch_metrics(credentials, []) == {}
    assert len(responses.calls) == 3


def test_check_pending_returns_the_receipt(adapter, credentials) -> None:
    receipt = Receipt(external_id="1", url="https://x.com/i/web/status/1")
    assert adapter.check_pending(credentials, receipt) is receipt


# -- OAuth 2.0 with PKCE --------------------------------------------------------------------

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
TOKENS = {"token_type": "bearer", "expires_in": 7200, "access_token": "new-access-SECRET",
          "scope": "tweet.write users.read tweet.read offline.access", "refresh_token": "new-refresh-SECRET"}


@pytest.mark.parametrize(("api_url", "authorize"), [
    (None, "https://x.com/i/oauth2/authorize"),
    ("https://api.x.com", "https://x.com/i/oauth2/authorize"),
    (SANDBOX, f"{SANDBOX}/i/oauth2/authorize"),
])
def test_authorization_url(x_config, api_url, authorize) -> None:
    url = XAdapter(x_config(api_url)).authorization_url("st/ate", "https://app.example/cb?x=1", VERIFIER)
    base, _, query = url.partition("?")
    assert base == authorize
    assert parse_qs(query) == {
        "response_type": ["code"], "client_id": ["client-id-1"], "redirect_uri": ["https://app.example/cb?x=1"],
        "scope": ["tweet.read tweet.write users.read offline.access media.write"], "state": ["st/ate"],
        "code_challenge": [CHALLENGE], "code_challenge_method": ["S256"],
    }
    assert "+" not in query  # spaces as %20


def test_authorization_url_needs_a_client_id(x_config) -> None:
    with pytest.raises(ValueError, match="client id"):
        XAdapter(x_config(client_ids={})).authorization_url("s", "https://app.example/cb", VERIFIER)


@responses.activate
def test_exchange_code_as_a_confidential_client(x_config) -> None:
    adapter = XAdapter(x_config(SANDBOX, client_secrets={Network.X: "s3cret"}))
    basic = base64.b64encode(b"client-id-1:s3cret").decode()
    responses.post(f"{SANDBOX}/2/oauth2/token", json=TOKENS, match=[
        matchers.urlencoded_params_matcher({"grant_type": "authorization_code", "code": "c0de",
                                            "redirect_uri": "https://app.example/cb", "code_verifier": VERIFIER}),
        matchers.header_matcher({"Authorization": f"Basic {basic}"}),
    ])
    responses.get(f"{SANDBOX}/2/users/me", json={"data": {"id": "2244994945", "name": "Developers",
                                                          "username": "XDevelopers"}},
                  match=[matchers.header_matcher({"Authorization": "Bearer new-access-SECRET"})])
    before = datetime.now(UTC)
    [account] = adapter.exchange_code("c0de", "https://app.example/cb", VERIFIER)
    assert (account.account_id, account.name, account.handle) == ("2244994945", "Developers", "XDevelopers")
    creds = account.credentials
    assert (creds.access_token, creds.refresh_token, creds.account_id) == (
        "new-access-SECRET", "new-refresh-SECRET", "2244994945")
    assert dict(creds.extra) == {"handle": "XDevelopers"}
    assert creds.expires_at is not None
    assert before + timedelta(hours=2) <= creds.expires_at <= datetime.now(UTC) + timedelta(hours=2)


@responses.activate
def test_exchange_code_as_a_public_client_sends_the_client_id(adapter) -> None:
    responses.post(f"{API}/2/oauth2/token", json=TOKENS, match=[
        matchers.urlencoded_params_matcher({"grant_type": "authorization_code", "code": "c0de",
                                            "client_id": "client-id-1", "redirect_uri": "https://app.example/cb",
                                            "code_verifier": VERIFIER}),
    ])
    responses.get(f"{API}/2/users/me", json={"data": {"id": "1", "name": "A", "username": "a"}})
    [account] = adapter.exchange_code("c0de", "https://app.example/cb", VERIFIER)
    assert account.handle == "a"
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_exchange_code_refuses_a_consent_without_posting_rights(adapter) -> None:
    responses.post(f"{API}/2/oauth2/token", json={**TOKENS, "scope": "tweet.read users.read"})
    with pytest.raises(AuthExpiredError, match="did not grant tweet.write"):
        adapter.exchange_code("c0de", "https://app.example/cb", VERIFIER)


@pytest.mark.parametrize("status", [400, 401])
@responses.activate
def test_refused_codes_and_refresh_tokens_need_a_reconnect(adapter, credentials, status) -> None:
    body = {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    responses.post(f"{API}/2/oauth2/token", status=status, json=body)
    for call in (lambda: adapter.refresh(credentials), lambda: adapter.exchange_code("c", "https://a/cb", VERIFIER)):
        with pytest.raises(AuthExpiredError, match="invalid_request — Value passed for the token") as caught:
            call()
        assert caught.value.status == status
        assert "refresh-SECRET" not in caught.value.message + caught.value.detail


@responses.activate
def test_refresh_rotates_tokens_and_keeps_the_account(adapter, credentials) -> None:
    responses.post(f"{API}/2/oauth2/token", json=TOKENS, match=[matchers.urlencoded_params_matcher(
        {"grant_type": "refresh_token", "refresh_token": "refresh-SECRET-1", "client_id": "client-id-1"})])
    fresh = adapter.refresh(credentials)
    assert (fresh.access_token, fresh.refresh_token) == ("new-access-SECRET", "new-refresh-SECRET")
    assert (fresh.account_id, dict(fresh.extra)) == (credentials.account_id, dict(credentials.extra))


@responses.activate
def test_refresh_keeps_the_old_refresh_token_when_none_comes_back(adapter, credentials) -> None:
    responses.post(f"{API}/2/oauth2/token", json={"access_token": "a2", "token_type": "bearer"})
    fresh = adapter.refresh(credentials)
    assert (fresh.access_token, fresh.refresh_token, fresh.expires_at) == ("a2", "refresh-SECRET-1", None)


@responses.activate
def test_refresh_without_a_configured_client_sends_no_client_credentials(x_config, credentials) -> None:
    responses.post(f"{API}/2/oauth2/token", json=TOKENS, match=[matchers.urlencoded_params_matcher(
        {"grant_type": "refresh_token", "refresh_token": "refresh-SECRET-1"})])
    assert XAdapter(x_config(client_ids={})).refresh(credentials).access_token == "new-access-SECRET"
    assert "Authorization" not in responses.calls[0].request.headers


def test_refresh_without_a_refresh_token_needs_a_reconnect(adapter, token) -> None:
    with pytest.raises(AuthExpiredError):
        adapter.refresh(Credentials(access_token=token))


@pytest.mark.parametrize(("status", "expected"), [(429, RateLimitedError), (503, TransientError)])
@responses.activate
def test_token_endpoint_outages_are_not_reconnects(adapter, credentials, status, expected) -> None:
    responses.post(f"{API}/2/oauth2/token", status=status, json={"title": "x", "detail": "busy"})
    with pytest.raises(expected):
        adapter.refresh(credentials)


@responses.activate
def test_token_endpoint_connection_failure_is_transient(adapter, credentials) -> None:
    responses.post(f"{API}/2/oauth2/token", body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(TransientError, match="Could not reach X"):
        adapter.refresh(credentials)


@responses.activate
def test_tokens_never_reach_the_log(adapter, credentials, token, caplog) -> None:
    # tweepy logs every request's headers, Authorization included, at DEBUG.
    responses.post(f"{API}/2/tweets", status=201, json={"data": {"id": "1", "text": "hi"}})
    with caplog.at_level(logging.DEBUG):
        adapter.publish(credentials, post("hi"))
    assert "Making API request: POST https://api.twitter.com/2/tweets" in caplog.text
    assert "Bearer ***" in caplog.text
    assert token not in caplog.text


# -- concurrency ----------------------------------------------------------------------------


def test_fifty_concurrent_publishes_through_one_adapter(x_config, local_server) -> None:
    counter = iter(range(1000, 2000))
    lock = threading.Lock()
    gate = threading.Barrier(10, timeout=5)  # hold the first ten requests until all are in flight

    def handler(seen):
        try:
            gate.wait()
        except threading.BrokenBarrierError:
            pass
        with lock:
            tweet_id = str(next(counter))
        text = json.loads(seen.body)["text"]
        return 201, {"Content-Type": "application/json"}, json.dumps({"data": {"id": tweet_id, "text": text}}).encode()

    server = local_server(handler)
    adapter = XAdapter(x_config(server.url))

    def publish(n: int) -> Receipt:
        creds = Credentials(access_token=f"token-{n}", extra={"handle": f"user{n}"})
        return adapter.publish(creds, post(f"post number {n}"))

    with ThreadPoolExecutor(max_workers=50) as pool:
        receipts = list(pool.map(publish, range(50)))
    assert len({r.external_id for r in receipts}) == 50
    assert all(r.url == f"{server.url}/x/user{n}/status/{r.external_id}" for n, r in enumerate(receipts))
    # Each request carried its own account's token and text: nothing leaked between threads.
    pairs = {(s.headers["Authorization"], json.loads(s.body)["text"]) for s in server.seen}
    assert pairs == {(f"Bearer token-{n}", f"post number {n}") for n in range(50)}
