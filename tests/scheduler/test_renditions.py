"""Per-network renditions: sizes, aspect ratios and types each network takes, cached, originals reused."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import adapter_for
from scheduler.media import MediaStore, clean_image
from scheduler.models import Media, MediaRendition
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, MediaItem, PostContent
from scheduler.renditions import fits, plan_for, rendition_for

MB = 1024 * 1024
CONFIG = AdapterConfig()


def encoded(size: tuple[int, int], fmt: str = "JPEG", *, noise: bool = False, mode: str = "RGB") -> bytes:
    """Return a real image file: a flat colour, or random noise (which compresses badly, so it is heavy)."""
    if noise:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, "darkgreen")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    """A media directory for the test."""
    return MediaStore(tmp_path / "media")


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One open transaction on the test database."""
    with sessions.begin() as session:
        yield session


def stored(session: Session, store: MediaStore, data: bytes, name: str = "upload.jpg") -> Media:
    """Store an upload as the web app does (cleaned) and return its Media row."""
    clean, info = clean_image(data, name, max_bytes=50 * MB)
    media = Media(filename=name, mime_type=info.mime_type, size_bytes=info.size_bytes, width=info.width,
                  height=info.height, sha256=info.sha256, storage_key=store.save(clean, info), alt_text="Team")
    session.add(media)
    session.flush()
    return media


def opened(store: MediaStore, row: MediaRendition) -> Image.Image:
    """Return the rendition's file as Pillow reads it."""
    return Image.open(store.path(row.storage_key))


def adapter_problems(network: Network, row: Media | MediaRendition) -> list[str]:
    """Return what the network's own adapter says about this image (the check before publishing)."""
    item = MediaItem(url="https://postillon.example/m.jpg", mime_type=row.mime_type, alt_text="Team",
                     width=row.width, height=row.height, size_bytes=row.size_bytes)
    content = PostContent(delivery_id=1, text="Unser Team", media=(item,))
    return [p.code for p in adapter_for(network, CONFIG).validate(content) if p.field == "media"]


@pytest.mark.parametrize(("size", "ratio"), [((2000, 3000), 0.8), ((3000, 1000), 1.91)])
def test_instagram_gets_a_centre_cropped_jpeg_within_4_5_and_1_91_and_1440_pixels(
        session: Session, store: MediaStore, size: tuple[int, int], ratio: float) -> None:
    media = stored(session, store, encoded(size, "PNG"), "plakat.png")
    row = rendition_for(session, store, media, Network.INSTAGRAM)
    assert isinstance(row, MediaRendition)
    assert row.mime_type == "image/jpeg" and opened(store, row).format == "JPEG"
    assert round(row.width / row.height, 2) == ratio
    assert max(row.width, row.height) == 1440
    assert opened(store, row).size == (row.width, row.height) and row.size_bytes <= 8 * MB
    assert adapter_problems(Network.INSTAGRAM, media) != [] and adapter_problems(Network.INSTAGRAM, row) == []


def test_x_keeps_the_png_type_and_scales_the_longest_side_to_4096(session: Session, store: MediaStore) -> None:
    media = stored(session, store, encoded((6000, 3000), "PNG"), "banner.png")
    row = rendition_for(session, store, media, Network.X)
    assert isinstance(row, MediaRendition)
    assert (row.mime_type, row.width, row.height) == ("image/png", 4096, 2048)
    assert opened(store, row).format == "PNG"


def test_linkedin_gets_fewer_than_36_megapixels_in_the_same_shape(session: Session, store: MediaStore) -> None:
    media = stored(session, store, encoded((7000, 6000)), "gruppe.jpg")
    row = rendition_for(session, store, media, Network.LINKEDIN)
    assert isinstance(row, MediaRendition)
    assert row.width * row.height < 36_152_320 and row.mime_type == "image/jpeg"
    assert round(row.width / row.height, 2) == round(7000 / 6000, 2)
    assert adapter_problems(Network.LINKEDIN, media) == ["too_many_pixels"]
    assert adapter_problems(Network.LINKEDIN, row) == []


@pytest.mark.parametrize(("network", "limit"), [(Network.FACEBOOK, 4 * MB), (Network.X, 5 * MB)])
def test_a_heavy_png_becomes_a_jpeg_under_the_networks_byte_limit(
        session: Session, store: MediaStore, network: Network, limit: int) -> None:
    media = stored(session, store, encoded((1800, 1200), "PNG", noise=True), "screenshot.png")
    assert media.size_bytes > 5 * MB  # noise does not compress
    row = rendition_for(session, store, media, network)
    assert isinstance(row, MediaRendition)
    assert row.mime_type == "image/jpeg" and row.size_bytes < limit
    assert store.path(row.storage_key).stat().st_size == row.size_bytes
    assert adapter_problems(network, media) == ["media_too_large"] and adapter_problems(network, row) == []


@pytest.mark.parametrize("network", [Network.INSTAGRAM, Network.X, Network.LINKEDIN, Network.FACEBOOK, Network.XING])
def test_an_original_that_fits_is_used_as_it_is(session: Session, store: MediaStore, network: Network) -> None:
    media = stored(session, store, encoded((1080, 1350)), "portrait.jpg")
    assert rendition_for(session, store, media, network) is media
    assert session.scalar(select(func.count()).select_from(MediaRendition)) == 0


def test_a_rendition_is_made_once_and_then_taken_from_the_cache(session: Session, store: MediaStore) -> None:
    media = stored(session, store, encoded((1200, 1200), "PNG"), "logo.png")
    first = rendition_for(session, store, media, Network.INSTAGRAM)
    files = sorted(p.name for p in store.root.rglob("*.*"))
    second = rendition_for(session, store, media, Network.INSTAGRAM)
    assert isinstance(first, MediaRendition) and second is first
    assert sorted(p.name for p in store.root.rglob("*.*")) == files  # nothing encoded or written again
    assert session.scalar(select(func.count()).select_from(MediaRendition)) == 1
    other = rendition_for(session, store, media, Network.FACEBOOK)  # Facebook takes the PNG as it is
    assert other is media


def test_a_cached_rendition_that_no_longer_fits_is_made_again(session: Session, store: MediaStore) -> None:
    media = stored(session, store, encoded((1200, 1200), "PNG"), "logo.png")
    row = rendition_for(session, store, media, Network.INSTAGRAM)
    assert isinstance(row, MediaRendition)
    row.width, row.height = 3000, 1000  # as if made under older, looser rules
    again = rendition_for(session, store, media, Network.INSTAGRAM)
    assert again is row and (row.width, row.height) == (1200, 1200)


def test_transparent_png_is_flattened_on_white_for_instagram(session: Session, store: MediaStore) -> None:
    data = io.BytesIO()
    Image.new("RGBA", (1000, 1000), (0, 0, 0, 0)).save(data, format="PNG")
    media = stored(session, store, data.getvalue(), "logo.png")
    row = rendition_for(session, store, media, Network.INSTAGRAM)
    assert isinstance(row, MediaRendition)
    image = opened(store, row)
    assert image.mode == "RGB" and image.getpixel((500, 500)) == (255, 255, 255)


def test_an_animated_gif_fits_x_as_it_is_and_becomes_a_still_jpeg_for_instagram(
        session: Session, store: MediaStore) -> None:
    frames = [Image.new("RGB", (600, 600), colour).convert("P") for colour in ("red", "lime", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    media = stored(session, store, out.getvalue(), "wave.gif")
    assert getattr(Image.open(store.path(media.storage_key)), "n_frames", 1) == 3
    assert rendition_for(session, store, media, Network.X) is media
    row = rendition_for(session, store, media, Network.INSTAGRAM)
    assert isinstance(row, MediaRendition) and row.mime_type == "image/jpeg"
    assert getattr(opened(store, row), "n_frames", 1) == 1


@pytest.mark.parametrize(("network", "mime", "size", "expected"), [
    (Network.INSTAGRAM, "image/png", (1080, 1080), ("image/jpeg", 1080, 1080)),
    (Network.INSTAGRAM, "image/jpeg", (1000, 2000), ("image/jpeg", 1000, 1250)),
    (Network.INSTAGRAM, "image/jpeg", (4000, 3000), ("image/jpeg", 1440, 1080)),
    (Network.X, "image/webp", (5000, 5000), ("image/webp", 4096, 4096)),
    (Network.LINKEDIN, "image/webp", (800, 600), ("image/jpeg", 800, 600)),
])
def test_the_plan_says_type_and_size_before_anything_is_encoded(
        network: Network, mime: str, size: tuple[int, int], expected: tuple[str, int, int]) -> None:
    plan = plan_for(mime, *size, 100_000, network)
    assert plan is not None
    assert (plan.mime_type, plan.width, plan.height) == expected
    assert fits(plan.mime_type, plan.width, plan.height, 100_000, network)


def test_the_plan_matches_the_rendition_made(session: Session, store: MediaStore) -> None:
    media = stored(session, store, encoded((2500, 1000), "PNG"), "panorama.png")
    plan = plan_for(media.mime_type, media.width, media.height, media.size_bytes, Network.INSTAGRAM)
    row = rendition_for(session, store, media, Network.INSTAGRAM)
    assert plan is not None and isinstance(row, MediaRendition)
    assert (plan.mime_type, plan.width, plan.height) == (row.mime_type, row.width, row.height)
