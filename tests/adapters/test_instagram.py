"""InstagramAdapter against recorded Graph responses (via ``responses``): parsers, requests, validation."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
import responses

from adapters.graph_client import GRAPH_VERSION, insight_values
from adapters.instagram import InstagramAdapter, ig_account, match_media, metric_values, quota
from scheduler.errors import RateLimitedError, RejectedError, TransientError
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, Credentials, MediaItem, PostContent, Receipt

BASE = "https://graph.example.test"
V = f"{BASE}/{GRAPH_VERSION}"
IG = "17841407673135339"
CREDS = Credentials(access_token="ig-token-SECRET", account_id=IG)


@pytest.fixture
def adapter():
    adapter = InstagramAdapter(AdapterConfig(api_urls={Network.INSTAGRAM: BASE},
                                             client_ids={Network.INSTAGRAM: "app"}))
    yield adapter
    adapter.close()


def jpeg(name: str = "a") -> MediaItem:
    return MediaItem(url=f"https://cdn.example/{name}.jpg", mime_type="image/jpeg")


def form(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def test_validate():
    adapter = InstagramAdapter(AdapterConfig())
    assert adapter.validate(PostContent(1, "hi #one", media=(jpeg(),))) == []
    assert [p.code for p in adapter.validate(PostContent(1, "hi"))] == ["media_required"]
    png = MediaItem(url="https://cdn.example/a.png", mime_type="image/png")
    assert [p.code for p in adapter.validate(PostContent(1, "hi", media=(png,)))] == ["media_format"]
    assert [p.code for p in adapter.validate(PostContent(1, "x" * 2201, media=(jpeg(),)))] == ["too_long"]
    tags = " ".join(f"#t{i}" for i in range(31))
    assert [p.code for p in adapter.validate(PostContent(1, tags, media=(jpeg(),)))] == ["too_many_hashtags"]
    assert [p.code for p in adapter.validate(PostContent(1, "hi", media=(jpeg(),) * 11))] == ["too_many_media"]


def sized(width: int | None, height: int | None, size_bytes: int | None = 100_000) -> MediaItem:
    return MediaItem(url="https://cdn.example/s.jpg", mime_type="image/jpeg", width=width, height=height,
                     size_bytes=size_bytes)


@pytest.mark.parametrize(("item", "codes"), [
    (sized(1080, 1350), []),  # 4:5, the tallest shape
    (sized(1080, 1080), []),
    (sized(1910, 1000), []),  # 1.91:1, the widest shape
    (sized(1080, 1351), []),  # rounds to 0.80
    (sized(1080, 1400), ["aspect_ratio"]),  # 0.77
    (sized(1920, 1000), ["aspect_ratio"]),  # 1.92
    (sized(None, None), []),  # unknown size: Meta's own check decides
    (sized(1080, 1080, 8 * 1024 * 1024), []),
    (sized(1080, 1080, 8 * 1024 * 1024 + 1), ["media_too_large"]),
    (sized(100, 1000, 9 * 1024 * 1024), ["media_too_large", "aspect_ratio"]),
])
def test_validate_image_size_and_aspect_ratio(item, codes):
    problems = InstagramAdapter(AdapterConfig()).validate(PostContent(1, "hi", media=(jpeg(), item)))
    assert [p.code for p in problems] == codes
    assert all(p.message.startswith("Image 2 ") for p in problems)


def test_validate_mentions_and_carousel_bounds():
    adapter = InstagramAdapter(AdapterConfig())
    mentions = " ".join(f"@user{i}" for i in range(21))
    assert [p.code for p in adapter.validate(PostContent(1, mentions, media=(jpeg(),)))] == ["too_many_mentions"]
    assert adapter.validate(PostContent(1, mentions[: mentions.index(" @user20")], media=(jpeg(),))) == []
    assert adapter.validate(PostContent(1, "mail me: a@b.example", media=(jpeg(),))) == []
    assert adapter.validate(PostContent(1, "carousel", media=(jpeg(),) * 10)) == []


@responses.activate
def test_publish_refuses_a_wrong_shape_before_any_request(adapter):
    with pytest.raises(RejectedError, match="4:5"):
        adapter.publish(CREDS, PostContent(1, "Wide", media=(sized(3000, 1000),)))
    assert len(responses.calls) == 0


def test_recorded_quota(recorded):
    assert quota(recorded.json("instagram/ig_content_publishing_limit.python-facebook.json")) == (0, 25)
    assert quota({"data": []}) == (None, None)


def test_recorded_media_list(recorded):
    media = recorded.json("instagram/ig_user_media_list.python-facebook.json")["data"]
    # The recording asked for captions but these posts have none: an empty caption matches only empty text.
    found = match_media(media, PostContent(1, ""), datetime(2021, 8, 13, 8, 10, tzinfo=UTC))
    assert found is not None and found.external_id == "17895731045244887"
    assert found.url == "https://www.instagram.com/p/CSgf9BChwVq/"
    assert match_media(media, PostContent(1, "not there"), datetime(2021, 8, 1, tzinfo=UTC)) is None


def test_recorded_insights(recorded):
    values = metric_values(insight_values(recorded.json("instagram/ig_media_insights_lifetime.python-facebook.json")))
    # An old recording: "impressions" (deprecated, replaced by "views") is read as our impressions.
    assert (values.impressions, values.reactions, values.comments, values.shares) == (8, None, None, None)


def test_recorded_user(recorded):
    account = ig_account(recorded.json("instagram/ig_user_fields.python-facebook.json"), "tok")
    assert (account.account_id, account.handle, account.name) == (IG, "facebookfordevelopers",
                                                                  "Facebook for Developers")


@responses.activate
def test_publish_when_finished(adapter, recorded):
    responses.get(f"{V}/{IG}/content_publishing_limit",
                  json=recorded.json("instagram/ig_content_publishing_limit.python-facebook.json"))
    responses.post(f"{V}/{IG}/media",
                   json=recorded.json("instagram/ig_media_container_create_photo.python-facebook.json"))
    responses.get(f"{V}/17889455560051444",
                  json=recorded.json("instagram/ig_media_container_status_finished.python-facebook.json"))
    responses.post(f"{V}/{IG}/media_publish", json=recorded.json("instagram/ig_media_publish.python-facebook.json"))
    responses.get(f"{V}/17920238422030506", json={"id": "17920238422030506",
                                                 "permalink": "https://www.instagram.com/p/abc/"})
    receipt = adapter.publish(CREDS, PostContent(1, "Hello", link="https://e.x", media=(jpeg(),)))
    assert (receipt.external_id, receipt.url, receipt.pending) == (
        "17920238422030506", "https://www.instagram.com/p/abc/", False)
    assert form(responses.calls[1]) == {"image_url": "https://cdn.example/a.jpg", "caption": "Hello\n\nhttps://e.x"}
    assert form(responses.calls[3]) == {"creation_id": "17889455560051444"}


@responses.activate
def test_publish_refuses_when_quota_used_up(adapter):
    responses.get(f"{V}/{IG}/content_publishing_limit",
                  json={"data": [{"quota_usage": 25, "config": {"quota_total": 25, "quota_duration": 86400}}]})
    with pytest.raises(RateLimitedError):
        adapter.publish(CREDS, PostContent(1, "Hello", media=(jpeg(),)))
    assert len(responses.calls) == 1


@responses.activate
def test_container_error_is_rejected(adapter):
    responses.get(f"{V}/{IG}/content_publishing_limit",
                  json={"data": [{"quota_usage": 0, "config": {"quota_total": 50}}]})
    responses.post(f"{V}/{IG}/media", json={"id": "1"})
    responses.get(f"{V}/1", json={"id": "1", "status_code": "ERROR"})
    with pytest.raises(RejectedError):
        adapter.publish(CREDS, PostContent(1, "Hello", media=(jpeg(),)))


@responses.activate
def test_publish_not_ready_is_transient(adapter, recorded):
    body = recorded.json("instagram/transcribed_media_publish_error_9007.from-issues.json")["entries"][0]["body"]
    responses.get(f"{V}/5", json={"id": "5", "status_code": "FINISHED"})
    responses.post(f"{V}/{IG}/media_publish", status=400, json=body)
    with pytest.raises(TransientError):
        adapter.check_pending(CREDS, _pending("5"))


def _pending(container: str) -> Receipt:
    return Receipt(external_id=container, pending=True, pending_data={"container": container, "caption": "c"})
