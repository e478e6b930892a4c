"""Uploaded images: checked with Pillow, stripped of metadata, stored by content hash, handed to networks.

Every upload is re-encoded before it is stored (clean_image), so EXIF (GPS position, camera serial),
XMP and comments never leave the house; the EXIF orientation is applied first so photos stay upright.
The ICC colour profile is kept, and animated GIFs and WebPs keep their frames.

Instagram and the Graph API fetch images themselves, so each image a network is asked to take has
a public URL of Postillon's own, signed with the app secret and valid for ``media_url_ttl_s``. The
signature covers the media id, the expiry and the content hash, so a URL stops working when it
expires or the file changes. Renditions (scheduler.renditions) are signed under ``r/<id>``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.imaging import ACCEPTED_FORMATS, EXTENSIONS, ImageInfo, MediaError, clean_image, inspect_image
from scheduler.models import Media, MediaRendition, PostKind
from scheduler.networks import Network
from scheduler.ports import MediaItem, Problem, params
from scheduler.renditions import plan_for, rendition_for

__all__ = ["ACCEPTED_FORMATS", "EXTENSIONS", "MAX_ALT_TEXT", "MAX_CAPTION", "ImageInfo", "MediaError", "MediaSigner",
           "MediaStore", "attach", "clean_image", "describe_media", "expires_at", "inspect_image", "media_items",
           "media_problems", "owned_unattached", "preview_items"]

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
            raise MediaError("Invalid media key.", code="media.bad_key")
        return path


class MediaSigner:
    """Signs and checks the public URLs networks fetch images (originals and renditions) from."""

    def __init__(self, secret: str, base_url: str, ttl: timedelta) -> None:
        self._key = hashlib.sha256(b"postillon-media|" + secret.encode()).digest()
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl

    def signature(self, ident: str, expires: int, sha256: str) -> str:
        """Return the URL signature for one file (``"<media id>"`` or ``"r<rendition id>"``) and expiry."""
        message = f"{ident}|{expires}|{sha256}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, media: Media | MediaRendition, now: datetime) -> str:
        """Return a public URL for ``media`` (or a rendition, under ``/media/r/``) valid until ``now + ttl``."""
        expires = int((now + self.ttl).timestamp())
        signature = self.signature(_ident(media), expires, media.sha256)
        ext = EXTENSIONS.get(media.mime_type, "bin")
        path = f"r/{media.id}" if isinstance(media, MediaRendition) else str(media.id)
        return f"{self.base_url}/media/{path}/{expires}/{signature}.{ext}"

    def verify(self, media: Media | MediaRendition, expires: int, signature: str, now: datetime) -> bool:
        """Tell whether ``signature`` is valid for ``media`` and not expired at ``now``."""
        if expires < now.timestamp():
            return False
        return hmac.compare_digest(signature, self.signature(_ident(media), expires, media.sha256))


def _ident(media: Media | MediaRendition) -> str:
    # Media ids sign as digits and rendition ids with an "r", so one id's signature never opens the other.
    return f"r{media.id}" if isinstance(media, MediaRendition) else str(media.id)


def media_items(session: Session, wanted: Iterable[tuple[int, Network]], store: MediaStore, signer: MediaSigner,
                now: datetime) -> dict[tuple[int, Network], tuple[MediaItem, ...]]:
    """Return each (post, network)'s images as adapter input, in order: the network's rendition where needed.

    Renditions are made here on first use (and cached); an original that cannot be read is handed on
    as it is, so the adapter's own checks name the problem instead of the claim failing.
    """
    pairs = set(wanted)
    found: dict[int, list[Media]] = {}
    rows = session.scalars(select(Media).where(Media.post_id.in_({post_id for post_id, _ in pairs}))
                           .order_by(Media.post_id, Media.position, Media.id))
    for media in rows:
        assert media.post_id is not None
        found.setdefault(media.post_id, []).append(media)
    result: dict[tuple[int, Network], tuple[MediaItem, ...]] = {}
    for post_id, network in pairs:
        items = []
        for media in found.get(post_id, []):
            try:
                served: Media | MediaRendition = rendition_for(session, store, media, network)
            except (MediaError, OSError):
                served = media
            items.append(MediaItem(url=signer.url(served, now), mime_type=served.mime_type, alt_text=media.alt_text,
                                   path=str(store.path(served.storage_key)), width=served.width,
                                   height=served.height, size_bytes=served.size_bytes))
        result[(post_id, network)] = tuple(items)
    return result


def preview_items(medias: Sequence[Media], network: Network | None = None) -> tuple[MediaItem, ...]:
    """Return adapter input for validation before a post is saved (no URL needed to check limits).

    With a ``network``, an image that needs a rendition there is described as that rendition will be
    (type and dimensions; its byte size is known only once made, and renditions always meet the limit).
    """
    items = []
    for m in medias:
        plan = plan_for(m.mime_type, m.width, m.height, m.size_bytes, network) if network else None
        if plan is None:
            items.append(MediaItem(url="", mime_type=m.mime_type, alt_text=m.alt_text, width=m.width,
                                   height=m.height, size_bytes=m.size_bytes))
        else:
            items.append(MediaItem(url="", mime_type=plan.mime_type, alt_text=m.alt_text, width=plan.width,
                                   height=plan.height))
    return tuple(items)


def media_problems(kind: PostKind, medias: Sequence[Media]) -> list[Problem]:
    """Return what stops these images for a post of ``kind``: event photos need the consent of the people shown."""
    if kind is not PostKind.EVENT_PHOTOS:
        return []
    return [Problem("media", "no_consent", f"{m.filename} has no consent from the people shown; confirm it next "
                                           "to the photo or in the media library, or remove the photo.",
                    params=params(filename=m.filename))
            for m in medias if not m.consent]


#: X takes 1,000 characters of alt text, the tightest of the networks (LinkedIn 4,086).
MAX_ALT_TEXT = 1000
#: A caption says what an event photo shows; as long as the longest post text.
MAX_CAPTION = 10_000


def describe_media(session: Session, media: Media, *, alt_text: str, caption: str, consent: bool,
                   user_id: int | None) -> None:
    """Set an image's alt text, caption and consent (the caller checked who may); a consent change is audited."""
    media.alt_text = alt_text.strip()[:MAX_ALT_TEXT]
    media.caption = caption.strip()[:MAX_CAPTION]
    if media.consent != consent:  # consent is a legal statement: keep who gave or withdrew it
        media.consent = consent
        audit(session, user_id, "media.consent", f"media:{media.id}", "given" if consent else "withdrawn")


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
