"""FacebookAdapter end to end against the real sandbox server (Graph routes in adapters/sandbox/graph_api.py)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from adapters.facebook import FacebookAdapter
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
    adapter = FacebookAdapter(AdapterConfig(api_urls={Network.FACEBOOK: sandbox}, client_ids={Network.FACEBOOK: "app"},
                                            client_secrets={Network.FACEBOOK: "secret"},
                                            connect_timeout_s=2.0, read_timeout_s=5.0))
    yield adapter
    adapter.close()


def page(sandbox: str, username: str = "acme_page") -> Credentials:
    response = requests.post(f"{sandbox}/_sandbox/facebook/accounts", json={"username": username, "name": "ACME"},
                             timeout=5)
    response.raise_for_status()
    data = response.json()
    return Credentials(access_token=data["access_token"], account_id=data["account_id"])


def posts(sandbox: str) -> list[dict]:
    return list(requests.get(f"{sandbox}/_sandbox/facebook/posts", timeout=5).json()["posts"])


def fault(sandbox: str, *kinds: str) -> None:
    requests.post(f"{sandbox}/_sandbox/facebook/faults", json={"next": list(kinds)}, timeout=5).raise_for_status()


def graph_fault(sandbox: str, *entries: object) -> None:
    response = requests.post(f"{sandbox}/_sandbox/graph/facebook/faults", json={"next": list(entries)}, timeout=5)
    response.raise_for_status()


def jpeg(name: str) -> MediaItem:
    return MediaItem(url=f"https://cdn.example/{name}.jpg", mime_type="image/jpeg")


def test_publish_text_link_photo_and_multi_photo(adapter, sandbox):
    creds = page(sandbox)
    text = adapter.publish(creds, PostContent(1, "Hello Pages"))
    link = adapter.publish(creds, PostContent(2, "Read this", link="https://example.com/a"))
    one = adapter.publish(creds, PostContent(3, "One photo", media=(jpeg("a"),)))
    many = adapter.publish(creds, PostContent(4, "Three photos", media=(jpeg("a"), jpeg("b"), jpeg("c"))))
    for receipt in (text, link, one, many):
        assert receipt.external_id.startswith(creds.account_id + "_")
        assert receipt.url == f"https://www.facebook.com/{receipt.external_id}"
        assert not receipt.pending
    stored = {p["text"]: p for p in posts(sandbox)}
    assert set(stored) == {"Hello Pages", "Read this", "One photo", "Three photos"}
    assert len(stored["Three photos"]["media_ids"]) == 3
    assert len(stored["One photo"]["media_ids"]) == 1
    assert adapter.check_pending(creds, many).external_id == many.external_id


def test_find_existing(adapter, sandbox):
    creds = page(sandbox)
    since = utcnow()
    receipt = adapter.publish(creds, PostContent(1, "Reconcile  me"))
    adapter.publish(creds, PostContent(2, "Something else"))
    found = adapter.find_existing(creds, PostContent(1, "Reconcile me"), since)
    assert found is not None and found.external_id == receipt.external_id
    assert adapter.find_existing(creds, PostContent(1, "Never posted"), since) is None
    assert adapter.find_existing(creds, PostContent(1, "Reconcile me"), utcnow() + timedelta(minutes=5)) is None


def test_metrics(adapter, sandbox):
    creds = page(sandbox)
    receipt = adapter.publish(creds, PostContent(1, "Count me", link="https://example.com"))
    values = adapter.fetch_metrics(creds, [receipt.external_id])[receipt.external_id]
    assert values.impressions is not None and values.impressions >= 0
    assert values.reactions is not None and values.comments is not None and values.clicks is not None


@pytest.mark.parametrize(
    ("kind", "error"),
    [("5xx", TransientError), ("500_after_accept", OutcomeUnknownError), ("401", AuthExpiredError),
     ("429", RateLimitedError), ("duplicate", RejectedError)],
)
def test_scripted_faults(adapter, sandbox, kind, error):
    creds = page(sandbox)
    fault(sandbox, kind)
    with pytest.raises(error):
        adapter.publish(creds, PostContent(1, "Faulty"))
    assert len(posts(sandbox)) == (1 if kind == "500_after_accept" else 0)


@pytest.mark.parametrize(
    ("entry", "error"),
    [(368, RejectedError), (100, RejectedError), (4, RateLimitedError), (17, RateLimitedError),
     (613, RateLimitedError), ({"code": 32, "minutes": 5}, RateLimitedError), (190, AuthExpiredError),
     (506, RejectedError), (2, TransientError), (1, OutcomeUnknownError)],
)
def test_graph_error_codes(adapter, sandbox, entry, error):
    creds = page(sandbox)
    graph_fault(sandbox, entry)
    with pytest.raises(error) as raised:
        adapter.publish(creds, PostContent(1, "Faulty"))
    if isinstance(entry, dict):
        assert timedelta(minutes=4) < raised.value.retry_at - utcnow() <= timedelta(minutes=5)
    assert posts(sandbox) == []


def test_real_duplicate_and_revoked_token(adapter, sandbox):
    creds = page(sandbox)
    adapter.publish(creds, PostContent(1, "Same words"))
    with pytest.raises(RejectedError, match="duplicate"):
        adapter.publish(creds, PostContent(2, "Same words"))
    requests.post(f"{sandbox}/_sandbox/facebook/accounts/{creds.account_id}/revoke", timeout=5).raise_for_status()
    with pytest.raises(AuthExpiredError):
        adapter.publish(creds, PostContent(3, "After revoke"))
    with pytest.raises(AuthExpiredError):
        adapter.refresh(creds)


def test_rate_window(adapter, sandbox):
    creds = page(sandbox)
    requests.put(f"{sandbox}/_sandbox/facebook/knobs", json={"rate_limit": 1}, timeout=5).raise_for_status()
    adapter.publish(creds, PostContent(1, "first"))
    with pytest.raises(RateLimitedError) as raised:
        adapter.publish(creds, PostContent(2, "second"))
    assert raised.value.retry_at > utcnow()


def test_oauth_code_flow(adapter, sandbox):
    redirect_uri = "https://app.example/connect/facebook"
    url = adapter.authorization_url("st4te", redirect_uri, "")
    consent = requests.get(url, timeout=5, allow_redirects=False)
    assert consent.status_code == 200 and "Allow" in consent.text
    back = requests.post(url, data={"username": "oauth_page", "name": "OAuth Page", "decision": "allow"},
                         timeout=5, allow_redirects=False)
    assert back.status_code == 302
    location = back.headers["Location"]
    assert location.startswith(redirect_uri)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st4te"]
    accounts = adapter.exchange_code(query["code"][0], redirect_uri, "")
    assert [a.name for a in accounts] == ["OAuth Page"]
    creds = accounts[0].credentials
    assert adapter.refresh(creds) is creds
    receipt = adapter.publish(creds, PostContent(1, "Posted with the Page token"))
    assert receipt.external_id.startswith(accounts[0].account_id + "_")
    with pytest.raises(AuthExpiredError):  # a code works once
        adapter.exchange_code(query["code"][0], redirect_uri, "")


def test_oauth_denied(adapter, sandbox):
    url = adapter.authorization_url("s", "https://app.example/cb", "")
    back = requests.post(url, data={"decision": "deny"}, timeout=5, allow_redirects=False)
    assert back.status_code == 302 and "error=access_denied" in back.headers["Location"]
