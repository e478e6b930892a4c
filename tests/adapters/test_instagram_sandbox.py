"""InstagramAdapter end to end against the real sandbox server (adapters/sandbox/graph_instagram.py)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from adapters.instagram import InstagramAdapter
from scheduler.clock import utcnow
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, Credentials, MediaItem, PostContent


@pytest.fixture
def adapter(sandbox):
    adapter = InstagramAdapter(AdapterConfig(api_urls={Network.INSTAGRAM: sandbox},
                                             client_ids={Network.INSTAGRAM: "app"},
                                             connect_timeout_s=2.0, read_timeout_s=5.0))
    yield adapter
    adapter.close()


def ig_user(sandbox: str, username: str = "acme_ig") -> Credentials:
    response = requests.post(f"{sandbox}/_sandbox/instagram/accounts", json={"username": username, "name": "ACME"},
                             timeout=5)
    response.raise_for_status()
    data = response.json()
    return Credentials(access_token=data["access_token"], account_id=data["account_id"])


def posts(sandbox: str) -> list[dict]:
    return list(requests.get(f"{sandbox}/_sandbox/instagram/posts", timeout=5).json()["posts"])


def processing(sandbox: str, seconds: float) -> None:
    requests.put(f"{sandbox}/_sandbox/graph/instagram/settings", json={"container_ready_s": seconds},
                 timeout=5).raise_for_status()


def jpeg(name: str) -> MediaItem:
    return MediaItem(url=f"https://cdn.example/{name}.jpg", mime_type="image/jpeg")


def test_publish_at_once_when_finished(adapter, sandbox):
    creds = ig_user(sandbox)
    receipt = adapter.publish(creds, PostContent(1, "Hello #sandbox", media=(jpeg("a"),)))
    assert not receipt.pending
    assert receipt.url and receipt.url.startswith("https://www.instagram.com/p/")
    assert [p["text"] for p in posts(sandbox)] == ["Hello #sandbox"]


def test_carousel(adapter, sandbox):
    creds = ig_user(sandbox)
    receipt = adapter.publish(creds, PostContent(1, "Three", media=(jpeg("a"), jpeg("b"), jpeg("c"))))
    assert not receipt.pending
    assert len(posts(sandbox)[0]["media_ids"]) == 3


def test_pending_then_published_exactly_once(adapter, sandbox):
    creds = ig_user(sandbox)
    processing(sandbox, 0.3)
    pending = adapter.publish(creds, PostContent(1, "Wait for it", media=(jpeg("a"),)))
    assert pending.pending and pending.pending_data["container"] == pending.external_id
    assert adapter.check_pending(creds, pending) == pending  # still IN_PROGRESS: nothing published
    assert posts(sandbox) == []
    deadline = utcnow() + timedelta(seconds=5)
    final = adapter.check_pending(creds, pending)
    while final.pending and utcnow() < deadline:
        final = adapter.check_pending(creds, pending)
    assert not final.pending and final.url
    again = adapter.check_pending(creds, pending)  # PUBLISHED: final again, never published twice
    assert (again.external_id, again.pending) == (final.external_id, False)
    stored = posts(sandbox)
    assert len(stored) == 1 and stored[0]["create_calls_with_this_text"] == 1
    status = requests.get(f"{sandbox}/v23.0/{pending.external_id}",
                          params={"fields": "status_code", "access_token": creds.access_token}, timeout=5).json()
    assert status["status_code"] == "PUBLISHED"


def test_non_jpeg_url_errors(adapter, sandbox):
    creds = ig_user(sandbox)
    sneaky = MediaItem(url="https://cdn.example/a.png", mime_type="image/jpeg")
    with pytest.raises(RejectedError):
        adapter.publish(creds, PostContent(1, "PNG in disguise", media=(sneaky,)))
    assert posts(sandbox) == []


def test_quota(adapter, sandbox):
    creds = ig_user(sandbox)
    requests.put(f"{sandbox}/_sandbox/instagram/knobs", json={"publish_quota": 1}, timeout=5).raise_for_status()
    adapter.publish(creds, PostContent(1, "one", media=(jpeg("a"),)))
    with pytest.raises(RateLimitedError):
        adapter.publish(creds, PostContent(2, "two", media=(jpeg("b"),)))
    assert len(posts(sandbox)) == 1


def test_find_existing_and_metrics(adapter, sandbox):
    creds = ig_user(sandbox)
    since = utcnow()
    receipt = adapter.publish(creds, PostContent(1, "Find me", media=(jpeg("a"),)))
    found = adapter.find_existing(creds, PostContent(1, "Find  me", media=(jpeg("a"),)), since)
    assert found is not None and found.external_id == receipt.external_id
    assert adapter.find_existing(creds, PostContent(1, "Other", media=(jpeg("a"),)), since) is None
    values = adapter.fetch_metrics(creds, [receipt.external_id])[receipt.external_id]
    assert None not in (values.impressions, values.reactions, values.comments, values.shares)
    assert values.clicks is None


@pytest.mark.parametrize(
    ("kind", "error"),
    [("5xx", TransientError), ("401", AuthExpiredError), ("429", RateLimitedError)],
)
def test_scripted_faults(adapter, sandbox, kind, error):
    creds = ig_user(sandbox)
    requests.post(f"{sandbox}/_sandbox/instagram/faults", json={"next": [kind]}, timeout=5).raise_for_status()
    with pytest.raises(error):
        adapter.publish(creds, PostContent(1, "Faulty", media=(jpeg("a"),)))


def test_500_after_publish_is_resolved_by_the_container(adapter, sandbox):
    """media_publish answers 500 after publishing: the container says PUBLISHED, so no unknown outcome."""
    creds = ig_user(sandbox)
    requests.post(f"{sandbox}/_sandbox/instagram/faults", json={"next": ["500_after_accept"]},
                  timeout=5).raise_for_status()
    receipt = adapter.publish(creds, PostContent(1, "Answered 500", media=(jpeg("a"),)))
    assert not receipt.pending and receipt.external_id.startswith("179")
    assert len(posts(sandbox)) == 1


def test_500_before_publish_is_unknown(adapter, sandbox):
    creds = ig_user(sandbox)
    requests.post(f"{sandbox}/_sandbox/graph/instagram/faults", json={"next": [1]}, timeout=5).raise_for_status()
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(creds, PostContent(1, "Lost", media=(jpeg("a"),)))


@pytest.mark.parametrize(
    ("entry", "error"),
    [(368, RejectedError), ({"code": 100, "subcode": 2207009, "message": "aspect ratio"}, RejectedError),
     ({"code": 9, "subcode": 2207042}, RateLimitedError), (4, RateLimitedError), (190, AuthExpiredError)],
)
def test_graph_error_codes(adapter, sandbox, entry, error):
    creds = ig_user(sandbox)
    requests.post(f"{sandbox}/_sandbox/graph/instagram/faults", json={"next": [entry]}, timeout=5).raise_for_status()
    with pytest.raises(error):
        adapter.publish(creds, PostContent(1, "Faulty", media=(jpeg("a"),)))
    assert posts(sandbox) == []


def test_revoked_token(adapter, sandbox):
    creds = ig_user(sandbox)
    assert adapter.refresh(creds) is creds
    requests.post(f"{sandbox}/_sandbox/instagram/accounts/{creds.account_id}/revoke", timeout=5).raise_for_status()
    with pytest.raises(AuthExpiredError):
        adapter.refresh(creds)


def test_oauth_connects_linked_account(adapter, sandbox):
    ig_user(sandbox, "linked_brand")
    redirect_uri = "https://app.example/connect/instagram"
    url = adapter.authorization_url("st", redirect_uri, "")
    assert "instagram_content_publish" in url
    back = requests.post(url, data={"username": "linked_brand", "decision": "allow"}, timeout=5,
                         allow_redirects=False)
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    accounts = adapter.exchange_code(code, redirect_uri, "")
    assert [a.handle for a in accounts] == ["linked_brand"]
    receipt = adapter.publish(accounts[0].credentials, PostContent(1, "Connected", media=(jpeg("a"),)))
    assert not receipt.pending
