"""Images on LinkedIn: its image rules as problems, and the Images API upload (networks.md §3.4, §3.5).

initializeUpload → one ``PUT`` of the whole file to the returned ``uploadUrl`` → the image URN goes
into the post's ``content.media`` (one image) or ``content.multiImage`` (2 to 20). An uploaded image
is visible to no one until a post uses it, so upload failures are translated as reads: retryable or
refused, never an unknown outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from adapters._http import json_object, truncate
from adapters.linkedin_errors import translate
from scheduler.errors import RejectedError, TransientError
from scheduler.networks import RULES, Network
from scheduler.ports import Credentials, MediaItem, Problem, params

IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/gif"})
MAX_PIXELS = 36_152_320  # LinkedIn: fewer than this many pixels per image
MAX_ALT_TEXT = 4086
FORMATS = "JPEG, PNG, GIF"

#: The adapter's REST call: (credentials, method, path, data=...) -> a 2xx response, else a typed error.
RestCall = Callable[..., requests.Response]


def media_problems(media: Sequence[MediaItem]) -> list[Problem]:
    """Return every reason LinkedIn would refuse these images: count, format, pixels, alt text."""
    problems = []
    limit = RULES[Network.LINKEDIN].max_media
    if len(media) > limit:
        problems.append(Problem("media", "too_many_media",
                                f"LinkedIn takes at most {limit} images per post; this one has {len(media)}.",
                                params=params(network=Network.LINKEDIN, limit=limit, count=len(media))))
    if any(item.mime_type.lower() not in IMAGE_TYPES for item in media):
        problems.append(Problem("media", "media_format",
                                f"LinkedIn takes {FORMATS} images only; convert the others first.",
                                params=params(network=Network.LINKEDIN, formats=FORMATS)))
    for index, item in enumerate(media, 1):
        if item.width and item.height and item.width * item.height >= MAX_PIXELS:
            problems.append(Problem("media", "too_many_pixels",
                                    f"Image {index} has {item.width}×{item.height} pixels; LinkedIn takes fewer "
                                    f"than {MAX_PIXELS:,} pixels per image.",
                                    params=params(index=index, dimensions=f"{item.width}×{item.height}",
                                                  network=Network.LINKEDIN, limit=MAX_PIXELS)))
        if len(item.alt_text) > MAX_ALT_TEXT:
            problems.append(Problem("media", "alt_text_too_long",
                                    f"The description of image {index} has {len(item.alt_text):,} characters; "
                                    f"LinkedIn takes at most {MAX_ALT_TEXT:,}.",
                                    params=params(index=index, length=len(item.alt_text), network=Network.LINKEDIN,
                                                  limit=MAX_ALT_TEXT)))
    return problems


def post_content(urns: Sequence[str], media: Sequence[MediaItem]) -> dict[str, Any]:
    """Return the post's ``content``: ``media`` for one image, ``multiImage`` for several."""
    images = [{"id": urn, **({"altText": item.alt_text} if item.alt_text else {})} for urn, item in zip(urns, media,
                                                                                                        strict=True)]
    return {"media": images[0]} if len(images) == 1 else {"multiImage": {"images": images}}


class ImageUploader:
    """Uploads images for one adapter: REST calls through ``call``, the bytes through ``session``."""

    def __init__(self, session: requests.Session, call: RestCall, api_url: str, *, real: bool) -> None:
        self._session = session
        self._call = call
        self._api_url = api_url.rstrip("/")
        self._real = real

    def upload_all(self, credentials: Credentials, owner: str, media: Sequence[MediaItem]) -> list[str]:
        """Upload every image in order as ``owner`` (the post's author) and return the image URNs."""
        return [self.upload(credentials, owner, item) for item in media]

    def upload(self, credentials: Credentials, owner: str, item: MediaItem) -> str:
        """Initialize an upload, PUT the file to the upload URL and return the image URN."""
        data = _read(item)
        response = self._call(credentials, "POST", "/rest/images?action=initializeUpload",
                              data={"initializeUploadRequest": {"owner": owner}})
        value = json_object(response).get("value")
        value = value if isinstance(value, dict) else {}
        upload_url, urn = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not urn.startswith("urn:li:image:"):
            raise TransientError("LinkedIn's initializeUpload answer holds no upload URL or image URN.",
                                 status=response.status_code, detail=truncate(response.text))
        self._check_host(upload_url)
        headers = {"Authorization": f"Bearer {credentials.access_token}", "Content-Type": "application/octet-stream"}
        try:
            put = self._session.put(upload_url, data=data, headers=headers)
        except requests.RequestException as exc:
            raise translate(exc, mutation=False) from exc
        if not put.ok:
            raise translate(put, mutation=False)
        return urn

    def _check_host(self, upload_url: str) -> None:
        """Refuse to send the token anywhere but LinkedIn (or, in the sandbox, the sandbox itself)."""
        parts = urlsplit(upload_url)
        if self._real:
            trusted = parts.scheme == "https" and (parts.hostname or "").endswith(".linkedin.com")
        else:
            trusted = upload_url.startswith(self._api_url + "/")
        if not trusted:
            raise RejectedError(f"LinkedIn named an unexpected upload host ({parts.hostname}); the image was not sent.")


def _read(item: MediaItem) -> bytes:
    """Return the image's bytes from its local file; RejectedError when there is none."""
    if not item.path:
        raise RejectedError("An image has no local file to upload to LinkedIn; attach it again.")
    try:
        return Path(item.path).read_bytes()
    except OSError as exc:
        raise RejectedError(f"An image file could not be read ({exc.strerror or exc}); attach it again.") from exc
