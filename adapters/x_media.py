"""Images on X: X's media rules as problems, and the v2 one-shot upload (networks.md §2.5, option B).

An upload creates nothing anyone can see (an unused media id expires after a day), so every upload
failure is retryable or a refusal, never an unknown outcome: errors are translated as reads.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from adapters._http import json_object, truncate
from adapters.x_errors import translate
from scheduler.errors import RejectedError, TransientError
from scheduler.networks import RULES, Network
from scheduler.ports import MediaItem, Problem, params

#: MIME type -> media_category of the one-shot upload.
CATEGORIES = {"image/jpeg": "tweet_image", "image/jpg": "tweet_image", "image/png": "tweet_image",
              "image/webp": "tweet_image", "image/gif": "tweet_gif"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024
MAX_ALT_TEXT = 1000
STATUS_WAIT_S = 30.0  # GIFs are processed asynchronously; give up (retryably) after this long
PENDING = ("pending", "in_progress")
FORMATS = "JPEG, PNG, GIF, WebP"


def _mb(size: int) -> float:
    return round(size / 1_048_576, 1)


def media_problems(media: Sequence[MediaItem]) -> list[Problem]:
    """Return every reason X would refuse these images: count, format, size, GIF rules, alt text."""
    problems = []
    limit = RULES[Network.X].max_media
    if len(media) > limit:
        problems.append(Problem("media", "too_many_media",
                                f"X takes at most {limit} images per post; this one has {len(media)}.",
                                params=params(network=Network.X, limit=limit, count=len(media))))
    kinds = [item.mime_type.lower() for item in media]
    if any(kind not in CATEGORIES for kind in kinds):
        problems.append(Problem("media", "media_format", f"X takes {FORMATS} images only; convert the others first.",
                                params=params(network=Network.X, formats=FORMATS)))
    if "image/gif" in kinds and len(media) > 1:
        problems.append(Problem("media", "gif_not_alone",
                                f"X takes one GIF on its own, or up to {limit} photos; post the GIF separately.",
                                params=params(network=Network.X, limit=limit)))
    for index, item in enumerate(media, 1):
        cap = MAX_GIF_BYTES if item.mime_type.lower() == "image/gif" else MAX_IMAGE_BYTES
        if item.size_bytes is not None and item.size_bytes > cap:
            size, most = _mb(item.size_bytes), _mb(cap)
            problems.append(Problem("media", "media_too_large",
                                    f"Image {index} has {size:.1f} MB; X takes at most {most:.1f} MB.",
                                    params=params(index=index, size=size, network=Network.X, limit=most)))
        if len(item.alt_text) > MAX_ALT_TEXT:
            problems.append(Problem("media", "alt_text_too_long",
                                    f"The description of image {index} has {len(item.alt_text):,} characters; "
                                    f"X takes at most {MAX_ALT_TEXT:,}.",
                                    params=params(index=index, length=len(item.alt_text), network=Network.X,
                                                  limit=MAX_ALT_TEXT)))
    return problems


class MediaUploader:
    """Uploads images with ``POST /2/media/upload`` (plus alt text) over a shared session; thread-safe."""

    def __init__(self, session: requests.Session, upload_url: str) -> None:
        self._session = session
        self._url = upload_url.rstrip("/")

    def upload_all(self, token: str, media: Sequence[MediaItem]) -> list[str]:
        """Upload every image in order and return X's media ids."""
        return [self.upload(token, item) for item in media]

    def upload(self, token: str, item: MediaItem) -> str:
        """Upload one image (and its alt text); return its media id once X can attach it."""
        data = _read(item)
        mime = item.mime_type.lower()
        category = CATEGORIES[mime]
        files = {"media": (Path(item.path or "image").name, data, mime)}
        body = self._call("POST", "/2/media/upload", files=files, data={"media_category": category}, token=token)
        media_id = str(body.get("id") or "")
        if not media_id:
            raise TransientError("X accepted an image upload but sent no media id.")
        self._wait(token, media_id, body.get("processing_info"))
        if item.alt_text:
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}}
            self._call("POST", "/2/media/metadata", json=metadata, token=token)
        return media_id

    def _wait(self, token: str, media_id: str, processing: Any) -> None:
        """Poll the upload's STATUS while X processes it (GIFs); RejectedError if processing failed."""
        deadline = time.monotonic() + STATUS_WAIT_S
        while isinstance(processing, dict):
            state = processing.get("state")
            if state == "failed":
                error = processing.get("error") or {}
                reason = error.get("message") or error.get("name") or "no reason given"
                raise RejectedError(f"X could not process the image: {truncate(str(reason), 300)}.")
            if state not in PENDING:
                return
            wait = max(float(processing.get("check_after_secs", 1)), 0.0)
            if time.monotonic() + wait > deadline:
                raise TransientError("X is still processing the image; trying again later.")
            time.sleep(wait)
            body = self._call("GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id},
                              token=token)
            processing = body.get("processing_info")

    def _call(self, method: str, path: str, *, token: str = "", **kwargs: Any) -> dict[str, Any]:
        """Make one upload-host call; return ``data``; raise the typed error (never OutcomeUnknownError)."""
        try:
            response = self._session.request(method, self._url + path,
                                              headers={"Authorization": f"Bearer {token}"}, **kwargs)
        except requests.RequestException as exc:
            raise translate(exc, mutation=False, action="image upload") from exc
        if not response.ok:
            raise translate(requests.HTTPError(response=response), mutation=False, action="image upload")
        data = json_object(response).get("data")
        return data if isinstance(data, dict) else {}


def _read(item: MediaItem) -> bytes:
    """Return the image's bytes from its local file; RejectedError when there is none or it is too large."""
    if not item.path:
        raise RejectedError("An image has no local file to upload to X; attach it again.")
    try:
        data = Path(item.path).read_bytes()
    except OSError as exc:
        raise RejectedError(f"An image file could not be read ({exc.strerror or exc}); attach it again.") from exc
    cap = MAX_GIF_BYTES if item.mime_type.lower() == "image/gif" else MAX_IMAGE_BYTES
    if len(data) > cap:
        raise RejectedError(f"An image has {_mb(len(data)):.1f} MB; X takes at most {_mb(cap):.1f} MB.")
    return data
