"""LinkedInAdapter's parsers, error mapping and wire format, against transcribed bodies (via ``responses``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from adapters.linkedin import LinkedInAdapter, metric_values
from adapters.linkedin_errors import duplicate_urn, next_midnight_utc, translate
from adapters.linkedin_text import escape_commentary, unescape_commentary
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, Credentials, MediaItem, PostContent

API = "https://api.linkedin.com"
WEB = "https://www.linkedin.com"
ORG = "urn:li:organization:5515715"
TOKEN = "li-access-token-SECRET-1"
TRANSCRIBED = "linkedin/transcribed_error_bodies.from-issues.json"


@pytest.fixture
def adapter():
    config = AdapterConfig(client_ids={Network.LINKEDIN: "client-1"}, client_secrets={Network.LINKEDIN: "shh-SECRET"},
                           connect_timeout_s=2.0, read_timeout_s=2.0)
    adapter = LinkedInAdapter(config, version="202601")
    yield adapter
    adapter.close()


@pytest.fixture
def creds() -> Credentials:
    return Credentials(access_token=TOKEN, account_id=ORG, refresh_token="refresh-SECRET-1")


def post(text: str = "Hello") -> PostContent:
    return PostContent(delivery_id=1, text=text)


def fake(status: int, body: object) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


# -- transcribed error bodies ---------------------------------------------------------------


def test_every_transcribed_body_maps_to_a_typed_error(recorded) -> None:
    entries = recorded.json(TRANSCRIBED)["entries"]
    assert entries
    for entry in entries:
        error = translate(fake(entry["http_status"], entry["body"]), mutation=True)
        expected = AuthExpiredError if entry["http_status"] == 401 else RejectedError
        assert isinstance(error, expected), entry
        assert entry["body"]["message"] in error.message
        assert error.status == entry["http_status"]


@responses.activate
def test_publish_refused_with_transcribed_403(adapter, creds, recorded) -> None:
    body = next(e["body"] for e in recorded.json(TRANSCRIBED)["entries"] if "POST /posts" in e["body"]["message"])
    responses.post(f"{API}/rest/posts", status=403, json=body)
    with pytest.raises(RejectedError, match="Not enough permissions to access: POST /posts") as caught:
        adapter.publish(creds, post())
    assert TOKEN not in caught.value.detail


@responses.activate
def test_publish_with_transcribed_401_needs_reconnect(adapter, creds, recorded) -> None:
    body = next(e["body"] for e in recorded.json(TRANSCRIBED)["entries"] if e["http_status"] == 401)
    responses.post(f"{API}/rest/posts", status=401, json=body)
    with pytest.raises(AuthExpiredError, match="Invalid access token"):
        adapter.publish(creds, post())


# -- the wire format of a create ------------------------------------------------------------


@responses.activate
def test_publish_sends_headers_escaped_body_and_reads_the_urn(adapter, creds) -> None:
    urn = "urn:li:share:7012345678901234567"
    responses.post(f"{API}/rest/posts", status=201, body=b"", headers={"x-restli-id": urn})
    receipt = adapter.publish(creds, post("Hello (LinkedIn) #hiring @team a_b ünï https://ex.com/a_b"))
    assert receipt.external_id == urn
    assert receipt.url == f"{WEB}/feed/update/{urn}/"
    request = responses.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["LinkedIn-Version"] == "202601"
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert "oauth2_access_token" not in str(request.url)  # the library's query token is not sent
    body = json.loads(request.body or b"")
    assert body["author"] == ORG
    assert body["commentary"] == "Hello \\(LinkedIn\\) #hiring \\@team a\\_b ünï https://ex.com/a_b"
    assert body["visibility"] == "PUBLIC" and body["lifecycleState"] == "PUBLISHED"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"


@responses.activate
def test_publish_without_urn_is_unknown(adapter, creds) -> None:
    responses.post(f"{API}/rest/posts", status=201, body=b"")
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(creds, post())


@responses.activate
def test_duplicate_is_rejected_with_the_existing_urn(adapter, creds) -> None:
    body = {"status": 422, "message": "Content is a duplicate of urn:li:share:7243000000000000001"}
    responses.post(f"{API}/rest/posts", status=422, json=body)
    with pytest.raises(RejectedError) as caught:
        adapter.publish(creds, post())
    assert duplicate_urn(caught.value.detail) == "urn:li:share:7243000000000000001"
    assert duplicate_urn(caught.value.message) == "urn:li:share:7243000000000000001"


@pytest.mark.parametrize(
    ("status", "body", "mutation", "expected"),
    [
        (426, {"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version 20240901 is not active"},
         True, RejectedError),
        (401, {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"},
         False, AuthExpiredError),
        (422, {"status": 422, "message": "ERROR :: /commentary :: too long"}, True, RejectedError),
        (500, {"status": 500, "message": "Internal Server Error"}, True, OutcomeUnknownError),
        (502, {}, True, OutcomeUnknownError),
        (500, {"status": 500, "message": "Internal Server Error"}, False, TransientError),
        (503, {"status": 503, "message": "Service Unavailable"}, True, TransientError),
    ],
)
def test_status_mapping(status, body, mutation, expected) -> None:
    assert type(translate(fake(status, body), mutation=mutation)) is expected


def test_426_tells_the_operator_to_update_the_version() -> None:
    error = translate(fake(426, {"status": 426, "code": "NONEXISTENT_VERSION",
                                 "message": "Requested version 20240901 is not active"}), mutation=True)
    assert "LinkedIn-Version" in error.message and "20240901" in error.message


def test_429_waits_for_the_next_midnight_utc() -> None:
    error = translate(fake(429, {"status": 429, "message": "Resource level throttle APPLICATION DAY limit"}),
                      mutation=True)
    assert isinstance(error, RateLimitedError)
    now = datetime.now(UTC)
    assert error.retry_at.hour == error.retry_at.minute == 0
    assert now < error.retry_at <= now + timedelta(days=1)
    assert next_midnight_utc(datetime(2026, 3, 5, 23, 59, tzinfo=UTC)) == datetime(2026, 3, 6, tzinfo=UTC)


@responses.activate
def test_read_timeout_on_create_is_unknown_and_on_read_transient(adapter, creds) -> None:
    responses.post(f"{API}/rest/posts", body=requests.ReadTimeout("read timed out"))
    responses.get(f"{API}/rest/organizationalEntityShareStatistics", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(creds, post())
    with pytest.raises(TransientError):
        adapter.fetch_metrics(creds, ["urn:li:share:1"])


def test_connection_refused_is_transient(creds, closed_port_url) -> None:
    adapter = LinkedInAdapter(AdapterConfig(api_urls={Network.LINKEDIN: closed_port_url}, connect_timeout_s=1.0))
    with pytest.raises(TransientError):
        adapter.publish(creds, post())
    adapter.close()


# -- reads ----------------------------------------------------------------------------------


@responses.activate
def test_fetch_metrics_builds_restli_lists_and_maps_missing_to_none(adapter, creds) -> None:
    responses.get(f"{API}/rest/organizationalEntityShareStatistics", json={"elements": [
        {"organizationalEntity": ORG, "share": "urn:li:share:1000000",
         "totalShareStatistics": {"uniqueImpressionsCount": 120, "shareCount": 2, "engagement": 0.034,
                                  "clickCount": 9, "likeCount": 3, "impressionCount": 410, "commentCount": 1}},
        {"organizationalEntity": ORG, "ugcPost": "urn:li:ugcPost:5", "totalShareStatistics": {"likeCount": 4}},
    ]})
    result = adapter.fetch_metrics(creds, ["urn:li:share:1000000", "urn:li:ugcPost:5", "urn:li:share:1000000"])
    url = str(responses.calls[0].request.url)
    assert "shares=List(urn%3Ali%3Ashare%3A1000000)" in url
    assert "ugcPosts=List(urn%3Ali%3AugcPost%3A5)" in url
    assert "organizationalEntity=urn%3Ali%3Aorganization%3A5515715" in url
    assert result["urn:li:share:1000000"].impressions == 410
    assert result["urn:li:share:1000000"].reactions == 3 and result["urn:li:share:1000000"].clicks == 9
    assert result["urn:li:ugcPost:5"].reactions == 4 and result["urn:li:ugcPost:5"].impressions is None
    assert metric_values({}).comments is None


@responses.activate
def test_find_existing_compares_unescaped_text_and_stops_at_since(adapter, creds) -> None:
    now = datetime.now(UTC)
    ms = int(now.timestamp() * 1000)
    responses.get(f"{API}/rest/posts", json={"elements": [
        {"id": "urn:li:share:3", "commentary": "Other", "createdAt": ms},
        {"id": "urn:li:share:2", "commentary": "Hi \\(there\\) https://t.example/x", "createdAt": ms - 1000},
        {"id": "urn:li:share:1", "commentary": "Old", "createdAt": ms - 10**7},
    ]})
    found = adapter.find_existing(creds, post("Hi  (there) https://t.example/x"), now - timedelta(minutes=1))
    assert found is not None and found.external_id == "urn:li:share:2"
    assert adapter.find_existing(creds, post("Old"), now - timedelta(minutes=1)) is None
    assert "q=author" in str(responses.calls[0].request.url)


# -- OAuth ----------------------------------------------------------------------------------


def test_authorization_url_targets_the_current_path_with_our_state(adapter) -> None:
    url = adapter.authorization_url("csrf-1", "https://postillon.example/cb", "")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{WEB}/oauth/v2/authorization"
    query = parse_qs(parts.query)
    assert query["state"] == ["csrf-1"] and query["client_id"] == ["client-1"]
    assert query["redirect_uri"] == ["https://postillon.example/cb"]
    assert "w_organization_social" in query["scope"][0].split()


@responses.activate
def test_refresh_keeps_the_stored_refresh_token_when_none_comes(adapter, creds) -> None:
    responses.post(f"{WEB}/oauth/v2/accessToken", json={"access_token": "new-access", "expires_in": 5184000})
    fresh = adapter.refresh(creds)
    assert fresh.access_token == "new-access" and fresh.refresh_token == "refresh-SECRET-1"
    assert fresh.expires_at is not None and fresh.expires_at > datetime.now(UTC) + timedelta(days=59)
    form = parse_qs(str(responses.calls[0].request.body))
    assert form["grant_type"] == ["refresh_token"] and form["client_secret"] == ["shh-SECRET"]


@pytest.mark.parametrize("status", [400, 401])
@responses.activate
def test_refused_refresh_needs_reconnect(adapter, creds, status) -> None:
    responses.post(f"{WEB}/oauth/v2/accessToken", status=status,
                   json={"error": "invalid_request", "error_description": "The provided refresh token is invalid"})
    with pytest.raises(AuthExpiredError) as caught:
        adapter.refresh(creds)
    assert "refresh-SECRET-1" not in caught.value.detail + caught.value.message


def test_refresh_without_refresh_token_needs_reconnect(adapter) -> None:
    with pytest.raises(AuthExpiredError):
        adapter.refresh(Credentials(access_token="a", account_id=ORG))


# -- text and validation ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Hello (LinkedIn) #hiring", "a\\b|c{d}e@f[g]h<i>j*k_l~m # n",
                                  "see https://ex.com/a_b(c) now_", "C# and #rust", ""])
def test_escape_round_trips(text) -> None:
    escaped = escape_commentary(text)
    assert unescape_commentary(escaped) == text


def test_escape_keeps_hashtags_and_urls() -> None:
    assert escape_commentary("#hiring (now) https://ex.com/a_b") == "#hiring \\(now\\) https://ex.com/a_b"
    assert escape_commentary("a\\(b") == "a\\\\\\(b"


def test_validate(adapter) -> None:
    assert adapter.validate(post("Fine (really)")) == []
    assert [p.code for p in adapter.validate(post(""))] == ["empty"]
    assert [p.code for p in adapter.validate(post("x" * 3000))] == []
    assert [p.code for p in adapter.validate(post("x" * 3001))] == ["too_long"]
    assert [p.code for p in adapter.validate(post("_" * 1501))] == ["too_long_escaped"]  # escaping doubles it
    media = tuple(MediaItem(url=f"https://ex.com/{i}.png", mime_type="image/png") for i in range(21))
    codes = [p.code for p in adapter.validate(PostContent(1, "hi", media=media))]
    assert codes == ["too_many_media"]
    assert adapter.validate(PostContent(1, "", media=media[:1])) == []  # an image without text is a valid post


@responses.activate
def test_publish_with_invalid_media_is_rejected_without_a_call(adapter, creds) -> None:
    media = (MediaItem(url="https://ex.com/1.webp", mime_type="image/webp"),)
    with pytest.raises(RejectedError, match="JPEG, PNG, GIF images only"):
        adapter.publish(creds, PostContent(1, "hi", media=media))
    assert len(responses.calls) == 0


def test_publish_needs_an_organization_urn(adapter) -> None:
    with pytest.raises(RejectedError):
        adapter.publish(Credentials(access_token="a", account_id="12345"), post())
