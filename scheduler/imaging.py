"""Pillow work on images: inspect an upload, re-encode it without metadata, encode renditions.

No database and no files here: bytes in, bytes and facts out (scheduler.media stores them).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from scheduler.ports import ExplainedError, params

#: Pillow format name -> the MIME type Postillon stores and serves.
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
#: Pillow refuses larger images as possible decompression bombs; 50 megapixels is far above any network's limit.
MAX_PIXELS = 50_000_000
#: Image.info keys that survive re-encoding: colour and animation, never EXIF, XMP or comments.
KEPT_INFO = ("icc_profile", "transparency", "duration", "loop", "background")
JPEG_QUALITY = 90


class MediaError(ExplainedError, ValueError):
    """An upload Postillon cannot use; ``message`` is plain words for the author, ``code`` names the reason."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What Postillon needs to know about an image to validate it for every network."""

    mime_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str


def inspect_image(data: bytes, filename: str, *, max_bytes: int) -> ImageInfo:
    """Return the type, size and hash of an uploaded image.

    Raises:
        MediaError: empty, too large, not an image, or a format no network takes.
    """
    if not data:
        raise MediaError(f"{filename} is empty.", code="media.empty", params=params(filename=filename))
    if len(data) > max_bytes:
        size, limit = round(len(data) / 1_048_576, 1), round(max_bytes / 1_048_576)
        raise MediaError(f"{filename} has {size:.1f} MB; the limit is {limit} MB per image.", code="media.too_large",
                         params=params(filename=filename, size=size, limit=limit))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(f"{filename} has more than {MAX_PIXELS // 1_000_000} megapixels.",
                                 code="media.too_many_pixels",
                                 params=params(filename=filename, limit=MAX_PIXELS // 1_000_000))
            image.verify()
            fmt, width, height = image.format, image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise _unreadable(filename) from None
    mime = ACCEPTED_FORMATS.get(fmt or "")
    if mime is None:
        raise MediaError(f"{filename} is a {fmt or '?'} image; use JPEG, PNG, GIF or WebP.", code="media.format",
                         params=params(filename=filename, format=fmt or "?"))
    return ImageInfo(mime_type=mime, width=width, height=height, size_bytes=len(data),
                     sha256=hashlib.sha256(data).hexdigest())


def clean_image(data: bytes, filename: str, *, max_bytes: int) -> tuple[bytes, ImageInfo]:
    """Return the upload re-encoded upright and without metadata, and the info of those stored bytes.

    Raises:
        MediaError: as inspect_image, or the file is damaged beyond its header.
    """
    info = inspect_image(data, filename, max_bytes=max_bytes)
    fmt = next(name for name, mime in ACCEPTED_FORMATS.items() if mime == info.mime_type)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if getattr(image, "n_frames", 1) > 1:
                cleaned = _animated(image, fmt)
            else:
                cleaned = encode(ImageOps.exif_transpose(image), info.mime_type)
    except (OSError, SyntaxError, ValueError):  # truncated data that verify() did not notice
        raise _unreadable(filename) from None
    return cleaned, describe(cleaned)


def _unreadable(filename: str) -> MediaError:
    return MediaError(f"{filename} is not an image Postillon can read.", code="media.unreadable",
                      params=params(filename=filename))


def describe(data: bytes) -> ImageInfo:
    """Return the info of encoded image bytes Postillon made itself (type, size, hash)."""
    with Image.open(io.BytesIO(data)) as image:
        fmt, width, height = image.format or "", image.width, image.height
    return ImageInfo(mime_type=ACCEPTED_FORMATS[fmt], width=width, height=height, size_bytes=len(data),
                     sha256=hashlib.sha256(data).hexdigest())


def encode(image: Image.Image, mime_type: str, *, quality: int = JPEG_QUALITY) -> bytes:
    """Return ``image`` (one frame) encoded as ``mime_type`` with no metadata but its colour profile."""
    fmt = next(name for name, mime in ACCEPTED_FORMATS.items() if mime == mime_type)
    frame = image.copy()
    frame.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    options: dict[str, Any] = {}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
    if fmt == "JPEG" and frame.mode not in ("RGB", "L", "CMYK"):
        frame = _flatten(frame)
    if fmt != "GIF" and "icc_profile" in frame.info:
        options["icc_profile"] = frame.info["icc_profile"]
    out = io.BytesIO()
    frame.save(out, format=fmt, **options)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Return an RGB copy; transparent parts become white (JPEG has no transparency)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    background.info = image.info
    return background


def _animated(image: Image.Image, fmt: str) -> bytes:
    # Every frame is copied into a fresh image, so no per-frame comment or XMP survives.
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100)))
        copy = frame.copy()
        copy.info = {}
        frames.append(copy)
    options: dict[str, Any] = {"save_all": True, "append_images": frames[1:], "duration": durations,
                               "loop": int(image.info.get("loop", 0))}
    if "icc_profile" in image.info and fmt != "GIF":
        options["icc_profile"] = image.info["icc_profile"]
    out = io.BytesIO()
    frames[0].save(out, format=fmt, **options)
    return out.getvalue()
