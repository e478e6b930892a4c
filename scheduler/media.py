"""Uploaded images: checked with Pillow, stored by content hash, handed to networks under signed URLs.

Instagram and the Graph API fetch images themselves, so each image a network is asked to take has
a public URL of Postillon's own, signed with the app secret and valid for ``media_url_ttl_s``. The
signature covers the media id, the expiry and the content hash, so a URL stops working when it
expires or the file changes.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.models import Media
from scheduler.ports import MediaItem

#: Pillow format name -> the MIME type Postillon stores and serves.
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
#: Pillow refuses larger images as possible decompression bombs; 50 megapixels is far above any network's limit.
MAX_PIXELS = 50_000_000


class MediaError(ValueError):
    """An upload Postillon cannot use; ``message`` is plain words for the author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
        raise MediaError(f"{filename} is empty.")
    if len(data) > max_bytes:
        raise MediaError(f"{filename} has {len(data) / 1_048_576:.1f} MB; the limit is "
                         f"{max_bytes / 1_048_576:.0f} MB per image.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(f"{filename} has more than {MAX_PIXELS // 1_000_000} megapixels.")
            image.verify()
            fmt, width, height = image.format, image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise MediaError(f"{filename} is not an image Postillon can read.") from None
    mime = ACCEPTED_FORMATS.get(fmt or "")
    if mime is None:
        raise MediaError(f"{filename} is a {fmt} image; use JPEG, PNG, GIF or WebP.")
    return ImageInfo(mime_type=mime, width=width, height=height, size_bytes=len(data),
                     sha256=hashlib.sha256(data).hexdigest())


class MediaStore:
    """Files below one directory, named by content hash (the same image is stored once)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, data: bytes, info: ImageInfo) -> str:
        """Write ``data`` (if not there yet) and return its storage key."""
        key = f"{info.sha256[:2]}/{info.sha256}.{EXTENSIONS[info.mime_type]}"
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)  # atomic: a reader never sees half a file
        return key

    def path(self, storage_key: str) -> Path:
        """Return the file behind ``storage_key``; refuses keys that leave the directory."""
        path = (self.root / storage_key).resolve()
        if self.root.resolve() not in path.parents:
            raise MediaError("Invalid media key.")
        return path


class MediaSigner:
    """Signs and checks the public URLs networks fetch images from."""

    def __init__(self, secret: str, base_url: str, ttl: timedelta) -> None:
        self._key = hashlib.sha256(b"postillon-media|" + secret.encode()).digest()
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl

    def signature(self, media_id: int, expires: int, sha256: str) -> str:
        """Return the URL signature for one media item and expiry (unix seconds)."""
        message = f"{media_id}|{expires}|{sha256}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, media: Media, now: datetime) -> str:
        """Return a public URL for ``media`` valid until ``now + ttl``."""
        expires = int((now + self.ttl).timestamp())
        signature = self.signature(media.id, expires, media.sha256)
        ext = EXTENSIONS.get(media.mime_type, "bin")
        return f"{self.base_url}/media/{media.id}/{expires}/{signature}.{ext}"

    def verify(self, media: Media, expires: int, signature: str, now: datetime) -> bool:
        """Tell whether ``signature`` is valid for ``media`` and not expired at ``now``."""
        if expires < now.timestamp():
            return False
        return hmac.compare_digest(signature, self.signature(media.id, expires, media.sha256))


def media_items(session: Session, post_ids: Iterable[int], store: MediaStore, signer: MediaSigner,
                now: datetime) -> dict[int, tuple[MediaItem, ...]]:
    """Return each post's images as adapter input (signed URL, local path, size), in order."""
    found: dict[int, list[MediaItem]] = {}
    rows = session.scalars(select(Media).where(Media.post_id.in_(list(post_ids)))
                           .order_by(Media.post_id, Media.position, Media.id))
    for media in rows:
        assert media.post_id is not None
        found.setdefault(media.post_id, []).append(MediaItem(
            url=signer.url(media, now), mime_type=media.mime_type, alt_text=media.alt_text,
            path=str(store.path(media.storage_key)), width=media.width, height=media.height,
            size_bytes=media.size_bytes))
    return {post_id: tuple(items) for post_id, items in found.items()}


def preview_items(medias: Sequence[Media]) -> tuple[MediaItem, ...]:
    """Return adapter input for validation before a post is saved (no URL needed to check limits)."""
    return tuple(MediaItem(url="", mime_type=m.mime_type, alt_text=m.alt_text, width=m.width, height=m.height,
                           size_bytes=m.size_bytes) for m in medias)


def owned_unattached(session: Session, media_ids: Sequence[int], owner_id: int | None) -> list[Media]:
    """Return the given media, in the given order, that ``owner_id`` uploaded and no post uses yet."""
    if not media_ids:
        return []
    found = {m.id: m for m in session.scalars(select(Media).where(Media.id.in_(list(media_ids)),
                                                                  Media.owner_id == owner_id,
                                                                  Media.post_id.is_(None)))}
    return [found[i] for i in dict.fromkeys(media_ids) if i in found]


def attach(session: Session, post_id: int, media_ids: Sequence[int], owner_id: int | None) -> None:
    """Attach uploaded, not yet attached media (of this owner) to a post, in the given order."""
    for position, media_id in enumerate(media_ids):
        session.execute(update(Media)
                        .where(Media.id == media_id, Media.post_id.is_(None), Media.owner_id == owner_id)
                        .values(post_id=post_id, position=position))


def expires_at(expires: int) -> datetime:
    """Return the aware UTC time of a URL expiry value."""
    return datetime.fromtimestamp(expires, tz=UTC)
