"""LinkedInAdapter end to end against the real sandbox server (OAuth pages, posts, statistics, faults)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from PIL import Image

from adapters.linkedin import LinkedInAdapter
from adapters.linkedin_errors import duplicate_urn
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, Credentials, MediaItem, PostContent

REDIRECT = "http://127.0.0.1:9/linkedin/callback"  # never served: the redirect is read, not followed
VERSION = f"{datetime.now(UTC):%Y%m}"


def make_adapter(sandbox: str, version: str = VERSION, read_timeout_s: float = 5.0) -> LinkedInAdapter:
    config = AdapterConfig(api_urls={Network.LINKEDIN: sandbox}, client_ids={Network.LINKEDIN: "client-1"},
                           client_secrets={Network.LINKEDIN: "secret-1"}, connect_timeout_s=2.0,
                           read_timeout_s=read_timeout_s)
    return LinkedInAdapter(config, version=version)


@pytest.fixture
def adapter(sandbox):
    adapter = make_adapter(sandbox)
    yield adapter
    adapter.close()


def account(sandbox: str, username: str = "acme_jobs") -> Credentials:
    response = requests.post(f"{sandbox}/_sandbox/linkedin/accounts", json={"username": username, "name": "ACME"},
                             timeout=5)
    response.raise_for_status()
    data = response.json()
    return Credentials(access_token=data["access_token"], account_id=f"urn:li:organization:{data['account_id']}",
                       refresh_token=data["refresh_token"])


def admin(sandbox: str, method: str, path: str, **kwargs) -> dict:
    response = requests.request(method, f"{sandbox}/_sandbox/linkedin/{path}", timeout=5, **kwargs)
    response.raise_for_status()
    return dict(response.json())


def faults(sandbox: str, *kinds: str) -> None:
    admin(sandbox, "POST", "faults", json={"next": list(kinds)})


def post(text: str) -> PostContent:
    return PostContent(delivery_id=1, text=text)


def picture(folder: Path, name: str, alt: str = "") -> MediaItem:
    """Write a real image with Pillow and describe it as the media library would."""
    path = folder / name
    fmt = {"jpg": "JPEG", "png": "PNG", "gif": "GIF"}[name.rsplit(".", 1)[-1]]
    Image.new("RGB", (80, 60), (150, 20, 90)).save(path, fmt)
    return MediaItem(url="", mime_type=f"image/{fmt.lower()}", alt_text=alt, path=str(path), width=80, height=60,
                     size_bytes=path.stat().st_size)


def test_publish_with_one_image(sandbox, adapter, tmp_path) -> None:
    creds = account(sandbox)
    receipt = adapter.publish(creds, PostContent(1, "Our new hall", media=(picture(tmp_path, "a.jpg", "Hall"),)))
    [stored] = admin(sandbox, "GET", "posts")["posts"]
    assert receipt.external_id.endswith(stored["id"])
    [urn] = stored["media_ids"]
    assert urn.startswith("urn:li:image:")
    status = requests.get(f"{sandbox}/rest/images/{urn}", timeout=5, headers={
        "Authorization": f"Bearer {creds.access_token}", "LinkedIn-Version": VERSION,
        "X-Restli-Protocol-Version": "2.0.0"})
    assert status.json()["status"] == "AVAILABLE"


def test_publish_with_three_images(sandbox, adapter, tmp_path) -> None:
    media = (picture(tmp_path, "1.jpg"), picture(tmp_path, "2.png", "Second"), picture(tmp_path, "3.gif"))
    adapter.publish(account(sandbox), PostContent(1, "", media=media))
    [stored] = admin(sandbox, "GET", "posts")["posts"]
    assert len(stored["media_ids"]) == 3 and len(set(stored["media_ids"])) == 3


def test_an_image_upload_during_an_outage_is_transient_and_posts_nothing(sandbox, adapter, tmp_path) -> None:
    creds = account(sandbox)
    admin(sandbox, "PUT", "knobs", json={"outages": [[time.time() - 5, time.time() + 60]]})
    with pytest.raises(TransientError) as caught:
        adapter.publish(creds, PostContent(1, "Down", media=(picture(tmp_path, "a.jpg"),)))
    assert type(caught.value) is TransientError
    assert requests.get(f"{sandbox}/_sandbox/stats", timeout=5).json()["linkedin"]["create_calls"] == 0


def test_a_file_that_is_no_image_fails_processing_and_the_post_is_refused(sandbox, adapter, tmp_path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not a PNG at all")
    item = MediaItem(url="", mime_type="image/png", path=str(fake))
    with pytest.raises(RejectedError, match="PROCESSING_FAILED"):
        adapter.publish(account(sandbox), PostContent(1, "Fake", media=(item,)))
    assert admin(sandbox, "GET", "posts")["count"] == 0


def consent(adapter: LinkedInAdapter, decision: str = "allow") -> dict[str, list[str]]:
    url = adapter.authorization_url("state-123", REDIRECT, "")
    page = requests.get(url, timeout=5)
    assert page.status_code == 200 and ">Allow</button>" in page.text
    answer = requests.post(url, data={"username": "acme_hr", "name": "ACME GmbH", "decision": decision},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


def test_connect_publish_find_and_measure(sandbox, adapter) -> None:
    query = consent(adapter)
    assert query["state"] == ["state-123"]
    [connected] = adapter.exchange_code(query["code"][0], REDIRECT, "")
    assert connected.account_id.startswith("urn:li:organization:")
    assert connected.name == "ACME GmbH" and connected.handle == "acme_hr"
    creds = connected.credentials
    assert creds.account_id == connected.account_id and creds.refresh_token
    assert creds.expires_at is not None and creds.expires_at > datetime.now(UTC)

    since = datetime.now(UTC) - timedelta(seconds=1)
    text = "We're hiring (welders) in Linz! #jobs Apply: https://careers.acme.example.com/r/a_b"
    receipt = adapter.publish(creds, post(text))
    assert receipt.external_id.startswith("urn:li:share:")
    page = requests.get(receipt.url or "", timeout=5)
    assert page.status_code == 200 and "welders" in page.text
    [stored] = admin(sandbox, "GET", "posts")["posts"]
    assert stored["text"] == "We're hiring \\(welders\\) in Linz! #jobs Apply: https://careers.acme.example.com/r/a_b"

    assert adapter.find_existing(creds, post(text), since) == receipt
    assert adapter.find_existing(creds, post("Something else"), since) is None
    assert adapter.find_existing(creds, post(text), datetime.now(UTC) + timedelta(minutes=1)) is None

    figures = adapter.fetch_metrics(creds, [receipt.external_id, "urn:li:share:1"])
    assert list(figures) == [receipt.external_id]
    assert figures[receipt.external_id].impressions is not None


def test_denied_consent_comes_back_with_an_error(adapter) -> None:
    query = consent(adapter, decision="deny")
    assert query["error"] == ["user_cancelled_authorize"] and query["state"] == ["state-123"]


def test_a_code_works_once(adapter) -> None:
    code = consent(adapter)["code"][0]
    adapter.exchange_code(code, REDIRECT, "")
    with pytest.raises(AuthExpiredError):
        adapter.exchange_code(code, REDIRECT, "")


def test_refresh_issues_new_tokens_and_the_old_access_token_stops(sandbox, adapter) -> None:
    creds = account(sandbox)
    fresh = adapter.refresh(creds)
    assert fresh.access_token != creds.access_token and fresh.refresh_token
    assert fresh.account_id == creds.account_id
    adapter.publish(fresh, post("After refresh"))
    with pytest.raises(AuthExpiredError):
        adapter.publish(creds, post("With the old token"))
    with pytest.raises(AuthExpiredError):
        adapter.refresh(creds)  # the sandbox rotated the refresh token


def test_duplicate_text_is_rejected_with_the_live_urn(sandbox, adapter) -> None:
    creds = account(sandbox)
    receipt = adapter.publish(creds, post("Same words"))
    with pytest.raises(RejectedError) as caught:
        adapter.publish(creds, post("Same words"))
    assert caught.value.status == 422
    assert duplicate_urn(caught.value.detail) == receipt.external_id


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("5xx", TransientError), ("429", RateLimitedError), ("401", AuthExpiredError), ("duplicate", RejectedError)],
)
def test_scripted_refusals(sandbox, adapter, fault, expected) -> None:
    creds = account(sandbox)
    faults(sandbox, fault)
    with pytest.raises(expected) as caught:
        adapter.publish(creds, post(f"Fault {fault}"))
    if expected is RateLimitedError:
        assert caught.value.retry_at.hour == 0 and caught.value.retry_at > datetime.now(UTC)
    assert admin(sandbox, "GET", "posts")["count"] == 0
    adapter.publish(creds, post(f"Fault {fault}"))  # the next call goes through


def test_500_after_accept_is_unknown_and_reconciles(sandbox, adapter) -> None:
    creds = account(sandbox)
    since = datetime.now(UTC) - timedelta(seconds=1)
    faults(sandbox, "500_after_accept")
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(creds, post("Maybe live"))
    found = adapter.find_existing(creds, post("Maybe live"), since)
    assert found is not None
    with pytest.raises(RejectedError) as caught:  # a blind retry would be refused as a duplicate
        adapter.publish(creds, post("Maybe live"))
    assert duplicate_urn(caught.value.detail) == found.external_id


def test_accept_then_timeout_is_unknown_and_reconciles(sandbox) -> None:
    adapter = make_adapter(sandbox, read_timeout_s=0.5)
    creds = account(sandbox)
    since = datetime.now(UTC) - timedelta(seconds=1)
    admin(sandbox, "PUT", "knobs", json={"hang_s": 1.5})
    faults(sandbox, "accept_then_timeout")
    with pytest.raises(OutcomeUnknownError):
        adapter.publish(creds, post("Slow answer"))
    assert adapter.find_existing(creds, post("Slow answer"), since) is not None
    adapter.close()


def test_outage_is_transient(sandbox, adapter) -> None:
    creds = account(sandbox)
    now = time.time()
    admin(sandbox, "PUT", "knobs", json={"outages": [[now - 5, now + 60]]})
    with pytest.raises(TransientError):
        adapter.publish(creds, post("During the outage"))
    with pytest.raises(TransientError):
        adapter.fetch_metrics(creds, ["urn:li:share:1"])


def test_publish_quota_and_rate_limit_are_rate_limited(sandbox, adapter) -> None:
    creds = account(sandbox)
    admin(sandbox, "PUT", "knobs", json={"publish_quota": 1})
    adapter.publish(creds, post("First"))
    with pytest.raises(RateLimitedError):
        adapter.publish(creds, post("Second"))
    admin(sandbox, "PUT", "knobs", json={"publish_quota": 0, "read_rate_limit": 1})
    adapter.fetch_metrics(creds, ["urn:li:share:1"])
    with pytest.raises(RateLimitedError):
        adapter.fetch_metrics(creds, ["urn:li:share:1"])


def test_revoked_token_needs_reconnect(sandbox, adapter) -> None:
    creds = account(sandbox)
    admin(sandbox, "POST", f"accounts/{creds.account_id.rsplit(':', 1)[-1]}/revoke")
    with pytest.raises(AuthExpiredError):
        adapter.publish(creds, post("Revoked"))


def test_retired_version_tells_the_operator(sandbox) -> None:
    adapter = make_adapter(sandbox, version="202001")
    with pytest.raises(RejectedError, match="LinkedIn-Version") as caught:
        adapter.publish(account(sandbox), post("Old version"))
    assert caught.value.status == 426
    adapter.close()


def test_another_organization_is_refused(sandbox, adapter) -> None:
    creds = account(sandbox)
    other = account(sandbox, "other_org")
    with pytest.raises(RejectedError) as caught:
        adapter.publish(Credentials(access_token=creds.access_token, account_id=other.account_id), post("Not mine"))
    assert caught.value.status == 403
