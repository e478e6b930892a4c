"""XAdapter end to end against the real sandbox server (the same code path as the zero-setup run)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image

from adapters.x import XAdapter
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
    adapter = XAdapter(AdapterConfig(api_urls={Network.X: sandbox}, connect_timeout_s=2.0, read_timeout_s=5.0))
    yield adapter
    adapter.close()


def account(sandbox: str, username: str = "acme_jobs") -> Credentials:
    response = requests.post(f"{sandbox}/_sandbox/x/accounts", json={"username": username, "name": "ACME"}, timeout=5)
    response.raise_for_status()
    data = response.json()
    return Credentials(access_token=data["access_token"], account_id=data["account_id"],
                       refresh_token=data["refresh_token"], extra={"handle": data["username"]})


def admin(sandbox: str, method: str, path: str, **kwargs) -> dict:
    response = requests.request(method, f"{sandbox}/_sandbox/x/{path}", timeout=5, **kwargs)
    response.raise_for_status()
    return dict(response.json())


def post(text: str) -> PostContent:
    return PostContent(delivery_id=1, text=text)


def picture(folder: Path, name: str, size: tuple[int, int] = (60, 40), alt: str = "") -> MediaItem:
    """Write a real image with Pillow and describe it as the media library would."""
    path = folder / name
    fmt = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}[name.rsplit(".", 1)[-1]]
    Image.new("RGB", size, (20, 90, 200)).save(path, fmt)
    return MediaItem(url="", mime_type=f"image/{fmt.lower()}", alt_text=alt, path=str(path), width=size[0],
                     height=size[1], size_bytes=path.stat().st_size)


def test_publish_with_one_image_shows_it_in_the_sandbox(sandbox, tmp_path) -> None:
    adapter = XAdapter(AdapterConfig(api_urls={Network.X: sandbox}, upload_urls={Network.X: sandbox}))
    creds = account(sandbox)
    receipt = adapter.publish(creds, PostContent(1, "Our new pump", media=(picture(tmp_path, "a.jpg"),)))
    [stored] = admin(sandbox, "GET", "posts")["posts"]
    assert stored["id"] == receipt.external_id and stored["text"] == "Our new pump"
    [media_id] = stored["media_ids"]
    assert media_id in requests.get(receipt.url or "", timeout=5).text


def test_publish_with_four_images_and_alt_text(sandbox, adapter, tmp_path) -> None:
    creds = account(sandbox)
    media = (picture(tmp_path, "1.jpg", alt="Front"), picture(tmp_path, "2.png"), picture(tmp_path, "3.webp"),
             picture(tmp_path, "4.jpg", (40, 60)))
    receipt = adapter.publish(creds, PostContent(1, "", media=media))
    [stored] = admin(sandbox, "GET", "posts")["posts"]
    assert stored["id"] == receipt.external_id and stored["text"] == ""
    assert len(stored["media_ids"]) == 4 and len(set(stored["media_ids"])) == 4
    assert admin(sandbox, "GET", "posts")["count"] == 1


def test_a_gif_goes_out_alone(sandbox, adapter, tmp_path) -> None:
    adapter.publish(account(sandbox), PostContent(1, "Animated", media=(picture(tmp_path, "a.gif"),)))
    assert len(admin(sandbox, "GET", "posts")["posts"][0]["media_ids"]) == 1


def test_an_upload_during_an_outage_is_transient_and_posts_nothing(sandbox, adapter, tmp_path) -> None:
    creds = account(sandbox)
    admin(sandbox, "PUT", "knobs", json={"outages": [[time.time() - 5, time.time() + 60]]})
    with pytest.raises(TransientError) as caught:
        adapter.publish(creds, PostContent(1, "Down", media=(picture(tmp_path, "a.jpg"),)))
    assert type(caught.value) is TransientError
    stats = requests.get(f"{sandbox}/_sandbox/stats", timeout=5).json()["x"]
    assert stats["create_calls"] == 0 and stats["accepted_posts"] == 0


def test_a_file_that_is_no_image_is_refused_by_the_upload(sandbox, adapter, tmp_path) -> None:
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"this is not a JPEG")
    item = MediaItem(url="", mime_type="image/jpeg", path=str(fake), size_bytes=18)
    with pytest.raises(RejectedError, match=r"X refused the image upload \(400\): media type unrecognized"):
        adapter.publish(account(sandbox), PostContent(1, "Fake", media=(item,)))
    assert admin(sandbox, "GET", "posts")["count"] == 0


def test_an_upload_with_a_revoked_token_needs_a_reconnect(sandbox, adapter, tmp_path) -> None:
    creds = account(sandbox)
    admin(sandbox, "POST", f"accounts/{creds.account_id}/revoke")
    with pytest.raises(AuthExpiredError):
        adapter.publish(creds, PostContent(1, "Revoked", media=(picture(tmp_path, "a.jpg"),)))


def test_publish_then_find_and_measure(sandbox, adapter) -> None:
    creds = account(sandbox)
    since = datetime.now(UTC) - timedelta(seconds=1)
    text = "We are hiring a welder in Linz! Apply: https://careers.acme.example.com/r/abc123"
    receipt = adapter.publish(creds, post(text))
    assert receipt.url == f"{sandbox}/x/acme_jobs/status/{receipt.external_id}"
    assert requests.get(receipt.url, timeout=5).status_code == 200
    [stored] = admin(sandbox, "GET", "posts")["posts"]
    assert stored["text"] == text

    assert adapter.find_existing(creds, post(text), since) == receipt
    assert adapter.find_existing(Credentials(access_token=creds.access_token), post(text), since) is not None
    assert adapter.find_existing(creds, post("We are hiring a baker"), since) is None

    metrics = adapter.fetch_metrics(creds, [receipt.external_id])[receipt.external_id]
    assert metrics.impressions is not None and metrics.clicks is not None  # own, fresh post: private metrics


def test_metrics_of_someone_elses_post_fall_back_to_public(sandbox, adapter) -> None:
    author, reader = account(sandbox, "author"), account(sandbox, "reader")
    receipt = adapter.publish(author, post("Product news: the new pump is out https://acme.example.com/pump"))
    metrics = adapter.fetch_metrics(reader, [receipt.external_id, "999999"])
    assert list(metrics) == [receipt.external_id]  # an unknown id is left out, not zero
    assert metrics[receipt.external_id].clicks is None
    assert metrics[receipt.external_id].reactions is not None


def test_duplicate_text_is_rejected_with_xs_words(sandbox, adapter) -> None:
    creds = account(sandbox)
    adapter.publish(creds, post("Same words twice"))
    with pytest.raises(RejectedError) as caught:
        adapter.publish(creds, post("Same words twice"))
    assert caught.value.message == "You are not allowed to create a Tweet with duplicate content."
    assert caught.value.status == 403


def test_too_long_text_is_rejected_with_xs_message(sandbox, adapter) -> None:
    with pytest.raises(RejectedError, match=r"X refused the post \(400\): Your Tweet text is too long"):
        adapter.publish(account(sandbox), post("a" * 281))


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("5xx", TransientError), ("500_after_accept", OutcomeUnknownError), ("429", RateLimitedError),
     ("401", AuthExpiredError)],
)
def test_forced_faults_map_to_typed_errors(sandbox, adapter, fault, expected) -> None:
    creds = account(sandbox)
    admin(sandbox, "POST", "faults", json={"next": [fault]})
    with pytest.raises(expected) as caught:
        adapter.publish(creds, post(f"Fault {fault}"))
    assert type(caught.value) is expected
    assert creds.access_token not in caught.value.message + caught.value.detail
    if expected is RateLimitedError:
        assert caught.value.retry_at > datetime.now(UTC)


def test_accepted_then_timed_out_post_is_unknown_and_found_by_reconciliation(sandbox) -> None:
    adapter = XAdapter(AdapterConfig(api_urls={Network.X: sandbox}, read_timeout_s=0.3))
    creds = account(sandbox)
    since = datetime.now(UTC) - timedelta(seconds=1)
    admin(sandbox, "PUT", "knobs", json={"hang_s": 3})
    admin(sandbox, "POST", "faults", json={"next": ["accept_then_timeout"]})
    with pytest.raises(OutcomeUnknownError, match="read timed out"):
        adapter.publish(creds, post("Open day on Friday, 10:00 in Wels"))
    found = adapter.find_existing(creds, post("Open day on Friday,  10:00 in Wels\n"), since)
    assert found is not None
    assert [p["id"] for p in admin(sandbox, "GET", "posts")["posts"]] == [found.external_id]


def test_revoked_token_needs_a_reconnect(sandbox, adapter) -> None:
    creds = account(sandbox)
    admin(sandbox, "POST", f"accounts/{creds.account_id}/revoke")
    with pytest.raises(AuthExpiredError):
        adapter.publish(creds, post("after revoke"))


def test_refresh_rotates_the_token_pair(sandbox, adapter) -> None:
    creds = account(sandbox)
    fresh = adapter.refresh(creds)
    assert fresh.access_token != creds.access_token
    assert fresh.refresh_token != creds.refresh_token
    assert adapter.publish(fresh, post("with the refreshed token")).external_id
    with pytest.raises(AuthExpiredError):
        adapter.refresh(creds)  # the old refresh token was used up


def test_fifty_concurrent_publishes_through_one_adapter(sandbox, adapter) -> None:
    accounts = [account(sandbox, f"user{n}") for n in range(10)]

    def publish(n: int) -> str:
        return adapter.publish(accounts[n % 10], post(f"Vacancy {n}: apprentice, Steyr")).external_id

    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(publish, range(50)))
    assert len(set(ids)) == 50
    stored = admin(sandbox, "GET", "posts")["posts"]
    assert {p["id"] for p in stored} == set(ids)
    assert all(p["create_calls_with_this_text"] == 1 for p in stored)
