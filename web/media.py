"""Images: upload from the composer, previews and downloads for people, signed URLs for networks."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, abort, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from scheduler.media import EXTENSIONS, MediaError, clean_image
from scheduler.models import Media, MediaRendition
from web.db import get_session
from web.messages import message_for
from web.services import services

bp = Blueprint("media", __name__, url_prefix="/media")

#: Images per post at most (Instagram's carousel and LinkedIn's multi-image limits are 10 and 20).
MAX_FILES = 20


# One endpoint for originals and renditions ("r/" paths), so both stay public (web.auth PUBLIC_ENDPOINTS).
@bp.get("/<int:media_id>/<int:expires>/<signature>.<ext>", defaults={"rendition": False})
@bp.get("/r/<int:media_id>/<int:expires>/<signature>.<ext>", defaults={"rendition": True})
def signed(media_id: int, expires: int, signature: str, ext: str, rendition: bool) -> ResponseReturnValue:
    """Serve an image (or a network's rendition of it) to a network that fetches it: no login, a valid signature."""
    db = get_session()
    found: Media | MediaRendition | None = db.get(MediaRendition, media_id) if rendition else db.get(Media, media_id)
    if found is None or not services().media_signer.verify(found, expires, signature, services().clock()):
        abort(404)  # the same answer for unknown, expired and forged: nothing to learn from probing
    if isinstance(found, MediaRendition):
        stem = db.get_one(Media, found.media_id).filename.rsplit(".", 1)[0]
        return _send(found, download=False, max_age=300,
                     filename=f"{stem}.{EXTENSIONS.get(found.mime_type, 'bin')}")
    return _send(found, download=False, max_age=300)


@bp.get("/<int:media_id>")
def preview(media_id: int) -> ResponseReturnValue:
    """Show an image to a logged-in person (composer previews, the delivery page)."""
    return _send(_media(media_id), download=False, max_age=3600)


@bp.get("/<int:media_id>/download")
def download(media_id: int) -> ResponseReturnValue:
    """Download an image under its original name (assisted channels: the owner uploads it by hand)."""
    return _send(_media(media_id), download=True, max_age=0)


def _media(media_id: int) -> Media:
    media = get_session().get(Media, media_id)
    if media is None:
        abort(404)
    return media


def _send(media: Media | MediaRendition, *, download: bool, max_age: int, filename: str = "") -> ResponseReturnValue:
    path = services().media_store.path(media.storage_key)
    if not path.is_file():
        abort(404)
    name = filename or (media.filename if isinstance(media, Media) else path.name)
    response = send_file(path, mimetype=media.mime_type, as_attachment=download, download_name=name,
                         max_age=max_age, conditional=True, etag=media.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def save_uploads(db: Session, files: Iterable[FileStorage], owner_id: int) -> tuple[list[Media], list[str]]:
    """Store every readable uploaded image as unattached media of ``owner_id``; return them and the problems.

    Each good file is kept even when another one is refused, so nothing the author chose is lost.
    """
    store, limit = services().media_store, services().settings.max_upload_bytes
    saved: list[Media] = []
    problems: list[str] = []
    for upload in files:
        if not upload or not upload.filename:
            continue
        name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
        data = upload.stream.read(limit + 1)
        try:
            # Re-encoded upright without EXIF/GPS: what is stored (and described) is the cleaned file.
            data, info = clean_image(data, name, max_bytes=limit)
        except MediaError as exc:
            problems.append(message_for(exc))
            continue
        media = Media(owner_id=owner_id, filename=name, mime_type=info.mime_type, size_bytes=info.size_bytes,
                      width=info.width, height=info.height, sha256=info.sha256,
                      storage_key=store.save(data, info))
        db.add(media)
        saved.append(media)
    db.flush()
    return saved, problems
