"""Uploaded images: inspection, content-addressed storage, signed URLs and attaching them to posts."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from scheduler.media import (
    MediaError,
    MediaSigner,
    MediaStore,
    attach,
    inspect_image,
    media_items,
    owned_unattached,
)
from scheduler.models import Media
from tests.factories import make_post, make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIMIT = 8 * 1024 * 1024


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1080, 1350), color: str = "navy") -> bytes:
    """Return a real encoded image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def test_inspect_reads_type_dimensions_and_hash() -> None:
    data = image_bytes("PNG", (1200, 628))
    info = inspect_image(data, "team.png", max_bytes=LIMIT)
    assert (info.mime_type, info.width, info.height, info.size_bytes) == ("image/png", 1200, 628, len(data))
    assert len(info.sha256) == 64


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"%PDF-1.7 not an image", "not an image"),
    (image_bytes("BMP", (10, 10)), "use JPEG, PNG, GIF or WebP"),
])
def test_inspect_refuses_what_no_network_takes(data: bytes, message: str) -> None:
    with pytest.raises(MediaError, match=message):
        inspect_image(data, "upload.bin", max_bytes=LIMIT)


def test_inspect_refuses_files_over_the_limit_in_plain_megabytes() -> None:
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=95)
    assert buffer.tell() > 1024 * 1024
    with pytest.raises(MediaError, match=r"big\.jpg has \d\.\d MB; the limit is 1 MB per image"):
        inspect_image(buffer.getvalue(), "big.jpg", max_bytes=1024 * 1024)


def test_store_keeps_one_file_per_content_and_refuses_keys_outside_it(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    data = image_bytes()
    info = inspect_image(data, "a.jpg", max_bytes=LIMIT)
    key = store.save(data, info)
    assert store.save(data, info) == key
    assert store.path(key).read_bytes() == data
    assert len(list((tmp_path / "media").rglob("*.jpg"))) == 1
    with pytest.raises(MediaError):
        store.path("../../etc/passwd")


def _media(session: Session, store: MediaStore, owner_id: int | None, **values: object) -> Media:
    data = image_bytes()
    info = inspect_image(data, "photo.jpg", max_bytes=LIMIT)
    media = Media(owner_id=owner_id, filename="photo.jpg", mime_type=info.mime_type, size_bytes=info.size_bytes,
                  width=info.width, height=info.height, sha256=info.sha256, storage_key=store.save(data, info),
                  **values)
    session.add(media)
    session.flush()
    return media


def test_signed_urls_verify_until_they_expire_and_not_when_forged(tmp_path: Path,
                                                                   sessions: sessionmaker[Session]) -> None:
    signer = MediaSigner("app-secret", "https://postillon.example", timedelta(hours=6))
    with sessions.begin() as session:
        media = _media(session, MediaStore(tmp_path), None)
        url = signer.url(media, NOW)
        media_id, expires, signature = url.rsplit("/", 3)[1:]
        signature = signature.split(".")[0]
        assert url.startswith(f"https://postillon.example/media/{media.id}/")
        assert signer.verify(media, int(expires), signature, NOW + timedelta(hours=5))
        assert not signer.verify(media, int(expires), signature, NOW + timedelta(hours=6, seconds=1))
        assert not signer.verify(media, int(expires) + 3600, signature, NOW)  # a longer expiry is not signed
        assert not MediaSigner("other-secret", "https://postillon.example", timedelta(hours=6)).verify(
            media, int(expires), signature, NOW)
        assert media_id == str(media.id)


def test_attach_takes_only_the_owners_unattached_media_in_order(tmp_path: Path,
                                                                sessions: sessionmaker[Session]) -> None:
    store = MediaStore(tmp_path)
    with sessions.begin() as session:
        owner, stranger = make_user(session), make_user(session)
        first, second = _media(session, store, owner.id), _media(session, store, owner.id)
        foreign = _media(session, store, stranger.id)
        assert [m.id for m in owned_unattached(session, [second.id, foreign.id, first.id], owner.id)] \
            == [second.id, first.id]
        post = make_post(session)
        attach(session, post.id, [second.id, first.id], owner.id)
        assert owned_unattached(session, [first.id, second.id], owner.id) == []
        signer = MediaSigner("s", "http://127.0.0.1:8000", timedelta(hours=1))
        items = media_items(session, [post.id], store, signer, NOW)[post.id]
    assert [item.url.split("/")[4] for item in items] == [str(second.id), str(first.id)]
    assert all(item.path and Path(item.path).is_file() for item in items)
    assert (items[0].width, items[0].height, items[0].mime_type) == (1080, 1350, "image/jpeg")
