"""Uploaded images: inspection, content-addressed storage, signed URLs and attaching them to posts."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.media import (
    MediaError,
    MediaSigner,
    MediaStore,
    attach,
    clean_image,
    inspect_image,
    media_items,
    media_problems,
    owned_unattached,
    preview_items,
)
from scheduler.models import Media, MediaRendition, PostKind
from scheduler.networks import Network
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
        items = media_items(session, [(post.id, Network.LINKEDIN)], store, signer, NOW)[(post.id, Network.LINKEDIN)]
    assert [item.url.split("/")[4] for item in items] == [str(second.id), str(first.id)]
    assert all(item.path and Path(item.path).is_file() for item in items)
    assert (items[0].width, items[0].height, items[0].mime_type) == (1080, 1350, "image/jpeg")


def photo_with_gps(size: tuple[int, int] = (300, 100), orientation: int = 1) -> bytes:
    """Return a JPEG as phones write it: EXIF with a GPS position, camera and orientation, XMP and a comment."""
    image = Image.new("RGB", size, "blue")
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half red
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Model] = "Pixel 9"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 12.0, 30.0),
                                  ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (16.0, 22.0, 5.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"Wohnung Wien", xmp=b"<x:xmpmeta>home</x:xmpmeta>")
    return out.getvalue()


def test_cleaning_removes_exif_with_the_gps_position_xmp_and_comments() -> None:
    data = photo_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really carries a position
    clean, info = clean_image(data, "photo.jpg", max_bytes=LIMIT)
    with Image.open(io.BytesIO(clean)) as image:
        assert dict(image.getexif()) == {}
        assert "comment" not in image.info and "xmp" not in image.info and "exif" not in image.info
    assert b"Pixel 9" not in clean and b"Wohnung" not in clean and b"xmpmeta" not in clean
    assert (info.size_bytes, info.sha256) == (len(clean), hashlib.sha256(clean).hexdigest())


def test_cleaning_applies_the_orientation_so_the_photo_stays_upright() -> None:
    clean, info = clean_image(photo_with_gps((300, 100), orientation=6), "phone.jpg", max_bytes=LIMIT)
    assert (info.width, info.height) == (100, 300)  # orientation 6: shown turned a quarter clockwise
    with Image.open(io.BytesIO(clean)) as image:
        top, bottom = image.convert("RGB").getpixel((50, 20)), image.convert("RGB").getpixel((50, 280))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # the red left half is now on top


def test_cleaning_keeps_the_colour_profile_and_the_frames_of_an_animation() -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(out, format="PNG", icc_profile=profile)
    clean, _ = clean_image(out.getvalue(), "red.png", max_bytes=LIMIT)
    assert Image.open(io.BytesIO(clean)).info.get("icc_profile") == profile
    frames = [Image.new("RGB", (40, 40), colour).convert("P") for colour in ("red", "lime", "blue")]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=150, loop=0,
                   comment=b"secret")
    clean, info = clean_image(gif.getvalue(), "wave.gif", max_bytes=LIMIT)
    with Image.open(io.BytesIO(clean)) as image:
        assert (info.mime_type, getattr(image, "n_frames", 1)) == ("image/gif", 3)
        assert image.info.get("duration") == 150 and "comment" not in image.info
    assert b"secret" not in clean


def test_cleaning_refuses_a_file_cut_off_after_its_header() -> None:
    data = image_bytes("PNG", (600, 600))
    with pytest.raises(MediaError, match="cut.png is not an image Postillon can read"):
        clean_image(data[: len(data) // 2], "cut.png", max_bytes=LIMIT)


def test_event_photos_without_consent_are_blocking_problems_named_by_file() -> None:
    agreed = Media(filename="team.jpg", consent=True)
    missing = Media(filename="buffet.jpg", consent=False)
    problems = media_problems(PostKind.EVENT_PHOTOS, [agreed, missing])
    assert [(p.field, p.code, p.blocking) for p in problems] == [("media", "no_consent", True)]
    assert problems[0].message.startswith("buffet.jpg has no consent from the people shown")
    assert media_problems(PostKind.PRODUCT_NEWS, [missing]) == []


def test_previews_for_a_network_describe_the_rendition_it_will_get() -> None:
    png = Media(filename="logo.png", mime_type="image/png", width=2000, height=1000, size_bytes=9 * 1024 * 1024,
                alt_text="Logo")
    [original] = preview_items([png])
    [instagram] = preview_items([png], Network.INSTAGRAM)
    [facebook] = preview_items([png], Network.FACEBOOK)
    assert (original.mime_type, original.width, original.size_bytes) == ("image/png", 2000, 9 * 1024 * 1024)
    assert (instagram.mime_type, instagram.width, instagram.height, instagram.alt_text) == \
        ("image/jpeg", 1440, 753, "Logo")  # cropped to 1910×1000, then scaled
    assert (facebook.mime_type, facebook.size_bytes) == ("image/jpeg", None)  # too heavy as PNG: a JPEG


def test_items_hand_each_network_its_rendition_under_a_distinct_signed_url(
        tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    store = MediaStore(tmp_path)
    signer = MediaSigner("s", "https://postillon.example", timedelta(hours=1))
    with sessions.begin() as session:
        owner = make_user(session)
        data, info = clean_image(image_bytes("PNG", (1080, 1080)), "logo.png", max_bytes=LIMIT)
        media = Media(owner_id=owner.id, filename="logo.png", mime_type=info.mime_type, size_bytes=info.size_bytes,
                      width=info.width, height=info.height, sha256=info.sha256, storage_key=store.save(data, info))
        session.add(media)
        session.flush()
        post = make_post(session)
        attach(session, post.id, [media.id], owner.id)
        wanted = [(post.id, Network.INSTAGRAM), (post.id, Network.LINKEDIN)]
        items = media_items(session, wanted, store, signer, NOW)
        rendition = session.scalars(select(MediaRendition)).one()
        assert signer.verify(rendition, int(items[wanted[0]][0].url.split("/")[6]),
                             items[wanted[0]][0].url.rsplit("/", 1)[1].split(".")[0], NOW)
        # The same number signed as a media id does not open the rendition, and the other way round.
        media_url = signer.url(media, NOW)
        expires, signature = media_url.split("/")[5], media_url.rsplit("/", 1)[1].split(".")[0]
        assert not signer.verify(MediaRendition(id=media.id, sha256=media.sha256), int(expires), signature, NOW)
    [instagram], [linkedin] = items[wanted[0]], items[wanted[1]]
    assert instagram.url.startswith(f"https://postillon.example/media/r/{rendition.id}/")
    assert instagram.url.endswith(".jpg") and instagram.mime_type == "image/jpeg"
    assert instagram.path and Image.open(instagram.path).format == "JPEG"
    assert linkedin.url.startswith(f"https://postillon.example/media/{media.id}/") and linkedin.mime_type == "image/png"


def test_items_hand_on_the_original_when_its_file_is_missing(tmp_path: Path,
                                                            sessions: sessionmaker[Session]) -> None:
    store = MediaStore(tmp_path)
    signer = MediaSigner("s", "https://postillon.example", timedelta(hours=1))
    with sessions.begin() as session:
        post = make_post(session)
        session.add(Media(post_id=post.id, filename="gone.png", mime_type="image/png", size_bytes=10, width=10,
                          height=10, sha256="e" * 64, storage_key="ee/" + "e" * 64 + ".png"))
        session.flush()
        [item] = media_items(session, [(post.id, Network.INSTAGRAM)], store, signer, NOW)[(post.id, Network.INSTAGRAM)]
    assert item.mime_type == "image/png"  # Instagram's own check then says it takes JPEG only
