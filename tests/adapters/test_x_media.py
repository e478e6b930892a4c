"""X images: the media rules as problems, and the v2 upload as XAdapter.publish sends it (via ``responses``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from PIL import Image
from responses import matchers

from adapters.x import XAdapter
from adapters.x_media import MAX_IMAGE_BYTES, media_problems
from scheduler.errors import AuthExpiredError, RateLimitedError, RejectedError, TransientError
from scheduler.networks import Network
from scheduler.ports import MediaItem, PostContent

API = "http://api.sandbox.test:8025"
UPLOAD = "http://upload.sandbox.test:8026"
UPLOADED = {"data": {"id": "1912103767639719936", "expires_after_secs": 86400,
                     "media_key": "3_1912103767639719936"}}  # realdata x/v2_media_upload_init (same shape)
CREATED = {"data": {"id": "1900000000000000001", "text": "Launch day!",
                    "edit_history_tweet_ids": ["1900000000000000001"]}}


@pytest.fixture
def adapter(x_config):
    adapter = XAdapter(x_config(API, upload_urls={Network.X: UPLOAD}))
    yield adapter
    adapter.close()


def picture(folder: Path, name: str = "a.jpg", size: tuple[int, int] = (64, 48), alt: str = "") -> MediaItem:
    """Write a real image with Pillow and describe it as the media library would."""
    path = folder / name
    fmt = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}[name.rsplit(".", 1)[-1]]
    Image.new("RGB", size, (200, 30, 30)).save(path, fmt)
    mime = "image/" + fmt.lower()
    return MediaItem(url="", mime_type=mime, alt_text=alt, path=str(path), width=size[0], height=size[1],
                     size_bytes=path.stat().st_size)


def meta(mime: str = "image/jpeg", size: int | None = 1000, alt: str = "") -> MediaItem:
    return MediaItem(url="", mime_type=mime, alt_text=alt, size_bytes=size)


@pytest.mark.parametrize(("media", "codes"), [
    ((meta(),) * 4, []),
    ((meta("image/png"), meta("image/webp"), meta("image/jpeg")), []),
    ((meta(),) * 5, ["too_many_media"]),
    ((meta("image/bmp"),), ["media_format"]),
    ((meta("video/mp4"),), ["media_format"]),
    ((meta(size=MAX_IMAGE_BYTES + 1),), ["media_too_large"]),
    ((meta("image/gif", size=MAX_IMAGE_BYTES + 1),), []),  # animated GIFs may have up to 15 MB
    ((meta("image/gif", size=15 * 1024 * 1024 + 1),), ["media_too_large"]),
    ((meta("image/gif"), meta()), ["gif_not_alone"]),
    ((meta(size=None),), []),  # unknown size: X's own check decides
    ((meta(alt="a" * 1000),), []),
    ((meta(alt="a" * 1001),), ["alt_text_too_long"]),
])
def test_media_problems(media, codes) -> None:
    assert [p.code for p in media_problems(media)] == codes


def test_too_large_names_the_image_and_both_sizes() -> None:
    [problem] = media_problems((meta(), meta(size=6 * 1024 * 1024)))
    assert problem.message == "Image 2 has 6.0 MB; X takes at most 5.0 MB."


@responses.activate
def test_publish_uploads_to_the_upload_host_then_posts_the_media_ids(adapter, credentials, token, tmp_path) -> None:
    item = picture(tmp_path, "a.png", alt="A red square")
    responses.post(f"{UPLOAD}/2/media/upload", json=UPLOADED,
                   match=[matchers.header_matcher({"Authorization": f"Bearer {token}"})])
    responses.post(f"{UPLOAD}/2/media/metadata", json={"data": {"associated_metadata": True}})
    responses.post(f"{API}/2/tweets", status=201, json=CREATED)
    receipt = adapter.publish(credentials, PostContent(1, "Launch day!", media=(item,)))
    assert receipt.external_id == "1900000000000000001"
    upload, alt, create = (call.request for call in responses.calls)
    assert b'name="media_category"\r\n\r\ntweet_image' in upload.body
    assert Path(item.path or "").read_bytes() in upload.body
    assert json.loads(alt.body) == {"id": "1912103767639719936", "metadata": {"alt_text": {"text": "A red square"}}}
    assert json.loads(create.body) == {"text": "Launch day!", "media": {"media_ids": ["1912103767639719936"]}}


@responses.activate
def test_images_without_text_send_no_text(adapter, credentials, tmp_path) -> None:
    responses.post(f"{UPLOAD}/2/media/upload", json=UPLOADED)
    responses.post(f"{API}/2/tweets", status=201, json=CREATED)
    adapter.publish(credentials, PostContent(1, "", media=(picture(tmp_path),)))
    assert json.loads(responses.calls[-1].request.body) == {"media": {"media_ids": ["1912103767639719936"]}}


@responses.activate
def test_uploads_go_to_the_api_host_when_no_upload_host_is_set(x_config, credentials, tmp_path) -> None:
    responses.post(f"{API}/2/media/upload", json=UPLOADED)
    responses.post(f"{API}/2/tweets", status=201, json=CREATED)
    XAdapter(x_config(API)).publish(credentials, PostContent(1, "hi", media=(picture(tmp_path),)))
    assert responses.calls[0].request.url == f"{API}/2/media/upload"


@pytest.mark.parametrize(("status", "body", "expected", "words"), [
    (503, {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank"}, TransientError,
     "X is unavailable right now (503)"),
    (500, {"title": "Internal Server Error", "detail": "Internal Server Error", "type": "about:blank"},
     TransientError, "X is unavailable (500)"),
    (400, {"errors": [{"message": "media type unrecognized."}], "title": "Invalid Request"}, RejectedError,
     "X refused the image upload (400): media type unrecognized."),
    (403, {"title": "Forbidden", "detail": "Forbidden", "type": "about:blank"}, RejectedError,
     "connect it again to allow media uploads"),
    (401, {"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank"}, AuthExpiredError,
     "connect it again"),
    (429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank"}, RateLimitedError,
     "X rate limit reached"),
])
@responses.activate
def test_upload_failures_are_classified_and_nothing_is_posted(adapter, credentials, tmp_path, status, body,
                                                              expected, words) -> None:
    responses.post(f"{UPLOAD}/2/media/upload", status=status, json=body)
    with pytest.raises(expected) as caught:
        adapter.publish(credentials, PostContent(1, "hi", media=(picture(tmp_path),)))
    assert type(caught.value) is expected  # never OutcomeUnknownError: an upload shows nothing to anyone
    assert words in caught.value.message
    assert [call.request.url for call in responses.calls] == [f"{UPLOAD}/2/media/upload"]


def test_an_upload_that_times_out_is_transient(x_config, credentials, local_server, tmp_path) -> None:
    server = local_server(lambda seen: (server.release.wait(5), (200, {}, b"{}"))[1])
    adapter = XAdapter(x_config(server.url, read_timeout_s=0.2))
    with pytest.raises(TransientError, match="read timed out") as caught:
        adapter.publish(credentials, PostContent(1, "hi", media=(picture(tmp_path),)))
    assert type(caught.value) is TransientError
    assert [seen.path for seen in server.seen] == ["/2/media/upload"]


@responses.activate
def test_an_upload_answer_without_id_is_transient(adapter, credentials, tmp_path) -> None:
    responses.post(f"{UPLOAD}/2/media/upload", json={"data": {}})
    with pytest.raises(TransientError, match="no media id"):
        adapter.publish(credentials, PostContent(1, "hi", media=(picture(tmp_path),)))


@responses.activate
def test_a_gif_is_uploaded_as_tweet_gif_and_waited_for(adapter, credentials, tmp_path) -> None:
    pending = {"data": {**UPLOADED["data"], "processing_info": {"state": "pending", "check_after_secs": 0}}}
    done = {"data": {**UPLOADED["data"], "processing_info": {"state": "succeeded", "progress_percent": 100}}}
    responses.post(f"{UPLOAD}/2/media/upload", json=pending)
    responses.get(f"{UPLOAD}/2/media/upload", json=done,
                  match=[matchers.query_param_matcher({"command": "STATUS", "media_id": "1912103767639719936"})])
    responses.post(f"{API}/2/tweets", status=201, json=CREATED)
    adapter.publish(credentials, PostContent(1, "hi", media=(picture(tmp_path, "a.gif"),)))
    assert b"tweet_gif" in (responses.calls[0].request.body or b"")
    assert [call.request.method for call in responses.calls] == ["POST", "GET", "POST"]


@responses.activate
def test_failed_processing_is_rejected_with_xs_reason(adapter, credentials, tmp_path) -> None:
    failed = {"data": {**UPLOADED["data"], "processing_info": {
        "state": "failed", "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported frame count"}}}}
    responses.post(f"{UPLOAD}/2/media/upload", json=failed)
    with pytest.raises(RejectedError, match="Unsupported frame count"):
        adapter.publish(credentials, PostContent(1, "hi", media=(picture(tmp_path, "a.gif"),)))
    assert len(responses.calls) == 1


@responses.activate
def test_a_missing_or_oversized_file_is_rejected_before_any_request(adapter, credentials, tmp_path) -> None:
    gone = MediaItem(url="", mime_type="image/jpeg", path=str(tmp_path / "gone.jpg"))
    with pytest.raises(RejectedError, match="could not be read"):
        adapter.publish(credentials, PostContent(1, "hi", media=(gone,)))
    with pytest.raises(RejectedError, match="no local file"):
        adapter.publish(credentials, PostContent(1, "hi", media=(meta(),)))
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES))
    unsized = MediaItem(url="", mime_type="image/jpeg", path=str(big))  # size unknown at validation time
    with pytest.raises(RejectedError, match="X takes at most 5.0 MB"):
        adapter.publish(credentials, PostContent(1, "hi", media=(unsized,)))
    assert len(responses.calls) == 0
