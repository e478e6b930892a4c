"""LinkedIn images: the image rules as problems, and the Images API upload as publish sends it (``responses``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses
from PIL import Image
from responses import matchers

from adapters.linkedin import LinkedInAdapter
from adapters.linkedin_media import MAX_PIXELS, media_problems
from scheduler.errors import AuthExpiredError, OutcomeUnknownError, RejectedError, TransientError
from scheduler.ports import AdapterConfig, Credentials, MediaItem, PostContent

API = "https://api.linkedin.com"
ORG = "urn:li:organization:5515715"
TOKEN = "li-access-token-SECRET-1"
UPLOAD_URL = "https://www.linkedin.com/dms-uploads/C4E10AQFoyyAjHPMQuQ/uploaded-image/0?ca=vector_ads&cn=uploads"


@pytest.fixture
def adapter():
    adapter = LinkedInAdapter(AdapterConfig(connect_timeout_s=2.0, read_timeout_s=2.0), version="202601")
    yield adapter
    adapter.close()


CREDS = Credentials(access_token=TOKEN, account_id=ORG)


def picture(folder: Path, name: str = "a.jpg", alt: str = "") -> MediaItem:
    """Write a real image with Pillow and describe it as the media library would."""
    path = folder / name
    fmt = {"jpg": "JPEG", "png": "PNG", "gif": "GIF"}[name.rsplit(".", 1)[-1]]
    Image.new("RGB", (50, 40), (90, 90, 10)).save(path, fmt)
    return MediaItem(url="", mime_type=f"image/{fmt.lower()}", alt_text=alt, path=str(path), width=50, height=40,
                     size_bytes=path.stat().st_size)


def initialized(n: int) -> dict[str, object]:
    return {"value": {"uploadUrlExpiresAt": 1650567510704, "uploadUrl": UPLOAD_URL.replace("0?", f"{n}?"),
                      "image": f"urn:li:image:C4E10AQImage{n}"}}


def meta(mime: str = "image/png", width: int | None = 100, height: int | None = 100, alt: str = "") -> MediaItem:
    return MediaItem(url="", mime_type=mime, alt_text=alt, width=width, height=height)


@pytest.mark.parametrize(("media", "codes"), [
    ((meta(), meta("image/jpeg"), meta("image/gif")), []),
    ((meta(),) * 21, ["too_many_media"]),
    ((meta("image/webp"),), ["media_format"]),
    ((meta(width=6013, height=6013),), ["too_many_pixels"]),  # 36,156,169 pixels
    ((meta(width=6012, height=6013),), []),
    ((meta(width=None, height=None),), []),  # unknown size: LinkedIn's own check decides
    ((meta(alt="a" * 4087),), ["alt_text_too_long"]),
])
def test_media_problems(media, codes) -> None:
    assert [p.code for p in media_problems(media)] == codes


def test_pixel_limit_message() -> None:
    [problem] = media_problems((meta(width=7000, height=6000),))
    assert problem.message == (f"Image 1 has 7000×6000 pixels; LinkedIn takes fewer than {MAX_PIXELS:,} pixels "
                               "per image.")


@responses.activate
def test_one_image_is_uploaded_and_posted_as_content_media(adapter, tmp_path) -> None:
    item = picture(tmp_path, alt="Our workshop")
    responses.post(f"{API}/rest/images?action=initializeUpload", json=initialized(0),
                   match=[matchers.json_params_matcher({"initializeUploadRequest": {"owner": ORG}}),
                          matchers.header_matcher({"LinkedIn-Version": "202601", "Authorization": f"Bearer {TOKEN}"})])
    responses.put(UPLOAD_URL, status=201, match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])
    responses.post(f"{API}/rest/posts", status=201, headers={"x-restli-id": "urn:li:share:7"})
    receipt = adapter.publish(CREDS, PostContent(1, "Open day", media=(item,)))
    assert receipt.external_id == "urn:li:share:7"
    put, created = responses.calls[1].request, responses.calls[2].request
    assert put.body == Path(item.path or "").read_bytes()
    body = json.loads(created.body)
    assert body["content"] == {"media": {"id": "urn:li:image:C4E10AQImage0", "altText": "Our workshop"}}
    assert body["author"] == ORG and body["commentary"] == "Open day"


@responses.activate
def test_three_images_are_posted_as_multi_image_in_order(adapter, tmp_path) -> None:
    for n in range(3):
        responses.post(f"{API}/rest/images?action=initializeUpload", json=initialized(n))
        responses.put(UPLOAD_URL.replace("0?", f"{n}?"), status=201)
    responses.post(f"{API}/rest/posts", status=201, headers={"x-restli-id": "urn:li:share:8"})
    media = (picture(tmp_path, "1.jpg"), picture(tmp_path, "2.png", alt="Second"), picture(tmp_path, "3.gif"))
    adapter.publish(CREDS, PostContent(1, "Three", media=media))
    body = json.loads(responses.calls[-1].request.body)
    assert body["content"] == {"multiImage": {"images": [
        {"id": "urn:li:image:C4E10AQImage0"}, {"id": "urn:li:image:C4E10AQImage1", "altText": "Second"},
        {"id": "urn:li:image:C4E10AQImage2"}]}}


@pytest.mark.parametrize(("step", "status", "expected"), [
    ("initialize", 503, TransientError),
    ("initialize", 500, TransientError),
    ("initialize", 401, AuthExpiredError),
    ("put", 500, TransientError),
    ("put", 400, RejectedError),
])
@responses.activate
def test_upload_failures_are_never_unknown_and_post_nothing(adapter, tmp_path, step, status, expected) -> None:
    body = {"status": status, "message": "Internal Server Error"}
    if step == "initialize":
        responses.post(f"{API}/rest/images?action=initializeUpload", status=status, json=body)
    else:
        responses.post(f"{API}/rest/images?action=initializeUpload", json=initialized(0))
        responses.put(UPLOAD_URL, status=status, json=body)
    with pytest.raises(expected) as caught:
        adapter.publish(CREDS, PostContent(1, "hi", media=(picture(tmp_path),)))
    assert type(caught.value) is expected and not isinstance(caught.value, OutcomeUnknownError)
    assert not any(call.request.url.endswith("/rest/posts") for call in responses.calls)


@responses.activate
def test_a_lost_upload_connection_is_transient(adapter, tmp_path) -> None:
    responses.post(f"{API}/rest/images?action=initializeUpload", json=initialized(0))
    responses.put(UPLOAD_URL, body=requests.ConnectionError("connection reset by peer"))
    with pytest.raises(TransientError) as caught:
        adapter.publish(CREDS, PostContent(1, "hi", media=(picture(tmp_path),)))
    assert type(caught.value) is TransientError


@pytest.mark.parametrize("upload_url", ["https://evil.example/upload", "http://www.linkedin.com/dms-uploads/x"])
@responses.activate
def test_the_token_is_never_sent_to_a_foreign_upload_host(adapter, tmp_path, upload_url) -> None:
    responses.post(f"{API}/rest/images?action=initializeUpload",
                   json={"value": {"uploadUrl": upload_url, "image": "urn:li:image:C4E10AQx"}})
    with pytest.raises(RejectedError, match="unexpected upload host"):
        adapter.publish(CREDS, PostContent(1, "hi", media=(picture(tmp_path),)))
    assert len(responses.calls) == 1


@responses.activate
def test_an_initialize_answer_without_urn_is_transient(adapter, tmp_path) -> None:
    responses.post(f"{API}/rest/images?action=initializeUpload", json={"value": {}})
    with pytest.raises(TransientError, match="no upload URL"):
        adapter.publish(CREDS, PostContent(1, "hi", media=(picture(tmp_path),)))


@responses.activate
def test_an_image_without_a_file_is_rejected_before_any_request(adapter) -> None:
    with pytest.raises(RejectedError, match="no local file"):
        adapter.publish(CREDS, PostContent(1, "hi", media=(meta(),)))
    assert len(responses.calls) == 0
