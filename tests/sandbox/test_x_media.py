"""The sandbox's X media routes (upload, status, alt text) and their check in POST /2/tweets."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
import requests
from PIL import Image

from adapters.sandbox.x_media import MAX_IMAGE_BYTES
from tests.sandbox.support import Sandbox


def image(fmt: str = "JPEG", size: tuple[int, int] = (30, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 40)).save(buffer, fmt)
    return buffer.getvalue()


def upload(sbx: Sandbox, token: str, data: bytes, category: str = "tweet_image") -> requests.Response:
    return sbx.session.post(f"{sbx.url}/2/media/upload", headers={"Authorization": f"Bearer {token}"},
                            files={"media": ("file", data, "application/octet-stream")},
                            data={"media_category": category}, timeout=5)


def uploaded_id(sbx: Sandbox, token: str, data: bytes | None = None, category: str = "tweet_image") -> str:
    response = upload(sbx, token, data or image(), category)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def error_message(response: requests.Response) -> str:
    assert response.status_code == 400 and response.json()["title"] == "Invalid Request"
    return str(response.json()["errors"][0]["message"])


def test_upload_answers_with_xs_v2_shape_and_rate_headers(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    data = image("PNG")
    response = upload(sbx, token, data)
    body: dict[str, Any] = response.json()["data"]
    assert response.status_code == 200
    assert body == {"id": body["id"], "media_key": f"3_{body['id']}", "size": len(data), "expires_after_secs": 86400}
    assert len(body["id"]) == 19 and body["id"].isdigit()
    assert response.headers["x-rate-limit-limit"] == "900"


def test_the_json_variant_takes_base64(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    body = {"media": base64.b64encode(image("WEBP")).decode(), "media_category": "tweet_image"}
    response = sbx.session.post(f"{sbx.url}/2/media/upload", headers={"Authorization": f"Bearer {token}"},
                                json=body, timeout=5)
    assert response.status_code == 200 and response.json()["data"]["media_key"].startswith("3_")


@pytest.mark.parametrize(("data", "category", "message"), [
    (b"GIF? no, text", "tweet_image", "media type unrecognized."),
    (image(), "tweet_video", "The tweet_video category takes videos or subtitles, not image/jpeg."),
    (image(), "poster", "media_category must be one of"),
    (b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES), "tweet_image", "File size exceeds 5242880 bytes."),
])
def test_bad_uploads_are_400_invalid_request(sbx: Sandbox, data: bytes, category: str, message: str) -> None:
    response = upload(sbx, sbx.account()["access_token"], data, category)
    assert error_message(response).startswith(message)
    assert sbx.stats()["rejections"] == {"invalid_media": 1}


def test_uploads_need_a_valid_token(sbx: Sandbox) -> None:
    response = upload(sbx, "nope", image())
    assert response.status_code == 401 and response.json()["title"] == "Unauthorized"


def test_a_gif_reports_processing_and_its_status_can_be_read(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    answer = upload(sbx, token, image("GIF"), "tweet_gif").json()["data"]
    assert answer["media_key"] == f"16_{answer['id']}"
    assert answer["processing_info"] == {"state": "succeeded", "progress_percent": 100}
    status = sbx.get(token, "/2/media/upload", command="STATUS", media_id=answer["id"])
    assert status.status_code == 200 and status.json()["data"]["processing_info"]["state"] == "succeeded"
    assert error_message(sbx.get(token, "/2/media/upload", command="STATUS", media_id="1")).startswith("The media_id")


def test_alt_text_is_stored_up_to_1000_characters(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    media_id = uploaded_id(sbx, token)

    def metadata(text: str) -> requests.Response:
        return sbx.session.post(f"{sbx.url}/2/media/metadata", headers={"Authorization": f"Bearer {token}"},
                                json={"id": media_id, "metadata": {"alt_text": {"text": text}}}, timeout=5)

    assert metadata("A green square").status_code == 200
    assert error_message(metadata("a" * 1001)).startswith("metadata.alt_text.text must be")


def test_four_uploaded_images_are_posted_and_kept(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    ids = [uploaded_id(sbx, token, image(fmt)) for fmt in ("JPEG", "PNG", "WEBP", "JPEG")]
    response = sbx.tweepy(token).create_tweet(text="Four views", media_ids=ids, user_auth=False)
    assert response.data["text"] == "Four views"
    [stored] = sbx.posts()
    assert stored["media_ids"] == ids
    assert ", ".join(ids) in sbx.session.get(f"{sbx.url}/x/acme_jobs/status/{stored['id']}", timeout=5).text


def test_media_of_another_account_or_expired_is_invalid(sbx: Sandbox) -> None:
    mine = sbx.account("mine", expires_in=2 * 86400)["access_token"]
    theirs = sbx.account("theirs")["access_token"]
    foreign = uploaded_id(sbx, theirs)
    assert error_message(sbx.create(mine, "borrowed", media={"media_ids": [foreign]})) == "Your media IDs are invalid."
    old = uploaded_id(sbx, mine)
    sbx.clock.advance(86401)
    assert error_message(sbx.create(mine, "too late", media={"media_ids": [old]})) == "Your media IDs are invalid."
    assert sbx.posts() == []


def test_a_gif_cannot_share_a_post(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    ids = [uploaded_id(sbx, token, image("GIF"), "tweet_gif"), uploaded_id(sbx, token)]
    assert "not both" in error_message(sbx.create(token, "mixed", media={"media_ids": ids}))


def test_image_only_posts_are_not_duplicates_of_each_other(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    for _ in range(2):
        assert sbx.create(token, "", media={"media_ids": [uploaded_id(sbx, token)]}).status_code == 201
    assert len(sbx.posts()) == 2
