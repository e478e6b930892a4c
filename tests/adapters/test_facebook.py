"""FacebookAdapter against recorded Graph responses (via ``responses``): parsers, requests, validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
import responses

from adapters.facebook import FacebookAdapter, match_post, metric_values, pages_to_accounts
from adapters.graph_client import GRAPH_VERSION, insight_values
from scheduler.errors import AuthExpiredError, RejectedError
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, Credentials, MediaItem, PostContent

BASE = "https://graph.example.test"
V = f"{BASE}/{GRAPH_VERSION}"
PAGE = "175154750010052"
CREDS = Credentials(access_token="page-token-SECRET", account_id=PAGE)


@pytest.fixture
def adapter():
    adapter = FacebookAdapter(AdapterConfig(api_urls={Network.FACEBOOK: BASE}, client_ids={Network.FACEBOOK: "app1"},
                                            client_secrets={Network.FACEBOOK: "s3cret"}))
    yield adapter
    adapter.close()


def photo(url: str = "https://cdn.example/a.jpg") -> MediaItem:
    return MediaItem(url=url, mime_type="image/jpeg")


def form(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def test_validate():
    adapter = FacebookAdapter(AdapterConfig())
    assert adapter.validate(PostContent(1, "hello")) == []
    assert [p.code for p in adapter.validate(PostContent(1, "x" * 63207))] == ["too_long"]
    assert adapter.validate(PostContent(1, "x" * 63206)) == []
    assert [p.code for p in adapter.validate(PostContent(1, "hi", media=(photo(),) * 11))] == ["too_many_media"]
    assert [p.code for p in adapter.validate(PostContent(1, ""))] == ["empty"]
    video = MediaItem(url="https://cdn.example/v.mp4", mime_type="video/mp4")
    assert [p.code for p in adapter.validate(PostContent(1, "hi", media=(video,)))] == ["media_unsupported"]


@pytest.mark.parametrize(("item", "codes"), [
    (MediaItem(url="https://cdn.example/a.png", mime_type="image/png", size_bytes=4 * 1024 * 1024 - 1), []),
    (MediaItem(url="https://cdn.example/a.jpg", mime_type="image/jpeg", size_bytes=None), []),
    (MediaItem(url="https://cdn.example/a.jpg", mime_type="image/jpeg", size_bytes=4 * 1024 * 1024),
     ["media_too_large"]),
    (MediaItem(url="https://cdn.example/a.webp", mime_type="image/webp"), ["media_format"]),
    (MediaItem(url="https://cdn.example/a.gif", mime_type="image/gif", size_bytes=5 * 1024 * 1024),
     ["media_format", "media_too_large"]),
])
def test_validate_photo_format_and_size(item, codes):
    problems = FacebookAdapter(AdapterConfig()).validate(PostContent(1, "hi", media=(photo(), item)))
    assert [p.code for p in problems] == codes
    if "media_too_large" in codes:
        assert problems[-1].message.startswith("Image 2 has ")


@responses.activate
def test_publish_text_and_link(adapter):
    responses.post(f"{V}/{PAGE}/feed", json={"id": f"{PAGE}_424924701699721"})
    receipt = adapter.publish(CREDS, PostContent(1, "Hello", link="https://example.com/a"))
    assert receipt.external_id == f"{PAGE}_424924701699721"
    assert receipt.url == f"https://www.facebook.com/{PAGE}_424924701699721"
    call = responses.calls[0]
    assert form(call) == {"message": "Hello", "link": "https://example.com/a"}
    assert call.request.headers["Authorization"] == "Bearer page-token-SECRET"


@responses.activate
def test_publish_one_photo(adapter):
    responses.post(f"{V}/{PAGE}/photos", json={"id": "99", "post_id": f"{PAGE}_5"})
    receipt = adapter.publish(CREDS, PostContent(1, "Look", media=(photo(),)))
    assert receipt.external_id == f"{PAGE}_5"
    assert form(responses.calls[0]) == {"url": "https://cdn.example/a.jpg", "published": "true", "caption": "Look"}


@responses.activate
def test_publish_several_photos(adapter):
    responses.post(f"{V}/{PAGE}/photos", json={"id": "11"})
    responses.post(f"{V}/{PAGE}/photos", json={"id": "12"})
    responses.post(f"{V}/{PAGE}/feed", json={"id": f"{PAGE}_7"})
    receipt = adapter.publish(CREDS, PostContent(1, "Two", link="https://x.example", media=(photo(), photo())))
    assert receipt.external_id == f"{PAGE}_7"
    assert form(responses.calls[0])["published"] == "false"
    feed = form(responses.calls[2])
    assert feed["message"] == "Two\n\nhttps://x.example"
    assert json.loads(feed["attached_media[0]"]) == {"media_fbid": "11"}
    assert json.loads(feed["attached_media[1]"]) == {"media_fbid": "12"}


@responses.activate
def test_publish_duplicate_is_rejected(adapter):
    responses.post(f"{V}/{PAGE}/feed", status=400,
                   json={"error": {"message": "(#506) Duplicate status message", "type": "OAuthException",
                                   "code": 506, "fbtrace_id": "A"}})
    with pytest.raises(RejectedError, match="Duplicate"):
        adapter.publish(CREDS, PostContent(1, "Hello"))


def test_recorded_post_counts(recorded):
    body = recorded.json("facebook/post_with_reactions_summary.python-facebook.json")
    values = metric_values({}, body)
    assert values.reactions == 1
    assert values.comments == 0
    assert values.shares is None  # no "shares" field: Meta omits it until the post is shared
    assert values.impressions is None and values.clicks is None
    found = match_post({"data": [body]}, PostContent(1, "我测试一下  MyLife"), datetime(2019, 8, 1, tzinfo=UTC))
    assert found is not None
    assert found.external_id == "175154750010052_424924701699721"
    assert found.url == "https://www.facebook.com/175154750010052/posts/424924701699721"
    assert match_post({"data": [body]}, PostContent(1, "我测试一下 MyLife"), datetime(2019, 8, 13, tzinfo=UTC)) is None


@responses.activate
def test_fetch_metrics_current_names(adapter, recorded):
    post_id = "175154750010052_424924701699721"
    responses.get(f"{V}/{post_id}/insights", json={"data": [
        {"name": "post_media_view", "period": "lifetime", "values": [{"value": 210}]},
        {"name": "post_reactions_by_type_total", "period": "lifetime",
         "values": [{"value": {"like": 3, "love": 1}}]},
    ]})
    responses.get(f"{V}/{post_id}", json=recorded.json("facebook/post_with_reactions_summary.python-facebook.json"))
    values = adapter.fetch_metrics(CREDS, [post_id])[post_id]
    assert (values.impressions, values.reactions, values.comments, values.clicks) == (210, 4, 0, None)
    assert "post_media_view" in responses.calls[0].request.url


@responses.activate
def test_fetch_metrics_falls_back_one_by_one(adapter):
    post_id = f"{PAGE}_1"
    invalid = {"error": {"message": "(#100) The value must be a valid insights metric", "type": "OAuthException",
                         "code": 100, "fbtrace_id": "A"}}
    responses.get(f"{V}/{post_id}/insights", status=400, json=invalid)
    responses.get(f"{V}/{post_id}/insights", json={"data": [{"name": "post_media_view", "values": [{"value": 5}]}]})
    responses.get(f"{V}/{post_id}/insights", status=400, json=invalid)
    responses.get(f"{V}/{post_id}/insights", status=400, json=invalid)
    responses.get(f"{V}/{post_id}", json={"id": post_id})
    values = adapter.fetch_metrics(CREDS, [post_id])[post_id]
    assert values.impressions == 5 and values.clicks is None and values.reactions is None


def test_insight_values_shapes(recorded):
    assert insight_values(recorded.json("instagram/ig_media_insights_lifetime.python-facebook.json")) == {
        "impressions": 8, "reach": 5, "saved": 0}
    assert insight_values(recorded.json("instagram/ig_user_insights_total_value_breakdown.python-facebook.json")) == {
        "reach": 14516883}


def test_recorded_page_fields(recorded):
    page = recorded.json("facebook/page_fields_default.python-facebook.json")
    accounts = pages_to_accounts({"data": [{**page, "access_token": "pt"}]})
    assert [(a.account_id, a.name, a.handle) for a in accounts] == [("20531316728", "Facebook", "facebookapp")]
    assert accounts[0].credentials.access_token == "pt"
    assert pages_to_accounts({"data": [page]}) == []  # no Page token: not connectable


def test_authorization_url(adapter):
    url = adapter.authorization_url("st", "https://app.example/cb", "unused")
    assert url.startswith(f"{BASE}/{GRAPH_VERSION}/dialog/oauth?")
    assert "client_id=app1" in url and "state=st" in url and "pages_manage_posts" in url
    real = FacebookAdapter(AdapterConfig(client_ids={Network.FACEBOOK: "a"}))
    assert real.authorization_url("s", "https://a/cb", "").startswith("https://www.facebook.com/v")


@responses.activate
def test_exchange_code(adapter):
    responses.get(f"{V}/oauth/access_token", json={"access_token": "short", "token_type": "bearer"})
    responses.get(f"{V}/oauth/access_token", json={"access_token": "long", "token_type": "bearer"})
    responses.get(f"{V}/me/accounts", json={"data": [{"id": "1", "name": "Acme", "access_token": "pt1"},
                                                     {"id": "2", "name": "Beta", "access_token": "pt2"}]})
    accounts = adapter.exchange_code("c0de", "https://app.example/cb", "")
    assert [(a.account_id, a.credentials.access_token) for a in accounts] == [("1", "pt1"), ("2", "pt2")]
    assert "fb_exchange_token=short" in responses.calls[1].request.url
    assert responses.calls[2].request.headers["Authorization"] == "Bearer long"


@responses.activate
def test_refresh(adapter):
    responses.get(f"{V}/me", json={"id": PAGE})
    assert adapter.refresh(CREDS) is CREDS
    responses.replace(responses.GET, f"{V}/me", status=400, json={"error": {
        "message": "Error validating access token", "type": "OAuthException", "code": 190, "error_subcode": 460}})
    with pytest.raises(AuthExpiredError):
        adapter.refresh(CREDS)
