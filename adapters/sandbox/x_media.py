"""X API v2 media: one-shot upload, processing status and alt text (networks.md §2.5).

Upload answers follow the recorded v2 shapes (``{"data": {"id", "media_key", "size", "expires_after_secs",
"processing_info"?}}``); the refusal texts of bad uploads are modelled on X's v1.1 wording, not recorded
v2 answers. Uploads pass the gate (latency, outage, token, a per-user window of ``read_rate_limit``
calls, random read faults when ``faults_on_reads``); scripted faults stay reserved for creates.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate
from adapters.sandbox.knobs import READ_FAULT_RATES
from adapters.sandbox.media_store import StoredMedia, media_of, sniff
from adapters.sandbox.records import SnowflakeIds
from adapters.sandbox.routing import Route, json_response, read_json_object
from adapters.sandbox.state import NetworkState, SandboxState
from adapters.sandbox.x_errors import invalid_request, refused
from scheduler.networks import Network

UPLOAD_PREFIXES: tuple[str, ...] = ("/2/media/upload",)
CATEGORIES = ("tweet_image", "tweet_gif", "tweet_video", "amplify_video", "dm_image", "dm_gif", "dm_video",
              "subtitles")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024
MAX_ALT_TEXT = 1000
EXPIRES_AFTER = timedelta(seconds=86400)
MEDIA_KEY_PREFIX = {"image/gif": "16_"}  # X's media keys: 3_ photos, 16_ animated GIFs
INVALID_MEDIA_IDS = "Your media IDs are invalid."

_IDS = SnowflakeIds(worker_id=9)  # media ids come from their own generator: they never collide with posts


def routes() -> list[Route]:
    """Return the media routes, at api.x.com's paths."""
    return [
        Route("/2/media/upload", ("POST",), upload),
        Route("/2/media/upload", ("GET",), status),
        Route("/2/media/metadata", ("POST",), metadata),
    ]


def _admit(net: NetworkState, request: Request, bucket: str) -> gate.Verdict:
    knobs = net.knobs
    rates = READ_FAULT_RATES if knobs.faults_on_reads else ()
    return gate.admit(net, gate.bearer_token(request.headers.get("Authorization")), bucket=bucket,
                      limit=knobs.read_rate_limit, fault_rates=rates)


def _payload(request: Request) -> tuple[bytes, str] | str:
    """Return (bytes, category) of a multipart or JSON (base64) upload, or what is wrong with it."""
    if request.mimetype == "multipart/form-data":
        file = request.files.get("media")
        data = file.read() if file is not None else request.form.get("media", "").encode("latin-1")
        category = request.form.get("media_category", "")
    else:
        body = read_json_object(request) or {}
        try:
            data = base64.b64decode(str(body.get("media", "")), validate=True)
        except (binascii.Error, ValueError):
            return "media must be base64 encoded."
        category = str(body.get("media_category", ""))
    if not data:
        return "media is required."
    if category not in CATEGORIES:
        return f"media_category must be one of {', '.join(CATEGORIES)}."
    return data, category


def _refusal(data: bytes, mime: str, category: str) -> str | None:
    """Return why X would refuse these bytes in this category, or None."""
    if not mime:
        return "media type unrecognized."
    if category not in ("tweet_image", "tweet_gif", "dm_image", "dm_gif"):
        return f"The {category} category takes videos or subtitles, not {mime}."
    limit = MAX_GIF_BYTES if mime == "image/gif" else MAX_IMAGE_BYTES
    if len(data) > limit:
        return f"File size exceeds {limit} bytes."
    return None


def _data(media: StoredMedia, now_ttl: int) -> dict[str, object]:
    data: dict[str, object] = {"id": media.media_id, "media_key": MEDIA_KEY_PREFIX.get(media.mime_type, "3_")
                               + media.media_id, "size": media.size, "expires_after_secs": now_ttl}
    if media.mime_type == "image/gif":  # GIFs are processed asynchronously; the sandbox finishes at once
        data["processing_info"] = {"state": "succeeded", "progress_percent": 100}
    return data


def upload(state: SandboxState, request: Request) -> Response:
    """``POST /2/media/upload``: store an image for the token's user; 200 with its media id."""
    net = state.network(Network.X)
    verdict = _admit(net, request, "media_upload")
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    headers = verdict.rate_headers()
    payload = _payload(request)
    if isinstance(payload, str):
        net.count_rejection("invalid_media")
        return invalid_request(payload, {"media": []}, headers)
    data, category = payload
    mime = sniff(data)
    reason = _refusal(data, mime, category)
    if reason is not None:
        net.count_rejection("invalid_media")
        return invalid_request(reason, {"media": []}, headers)
    now = net.now()
    media = media_of(net).add(StoredMedia(_IDS.next_id(now), verdict.account.account_id, now, now + EXPIRES_AFTER,
                                          mime_type=mime, category=category, size=len(data), data=data))
    net.count("media_uploads")
    return json_response({"data": _data(media, int(EXPIRES_AFTER.total_seconds()))}, 200, headers)


def _own_media(net: NetworkState, account_id: str, media_id: str) -> StoredMedia | None:
    media = media_of(net).get(media_id)
    if media is None or media.account_id != account_id or media.expires_at <= net.now():
        return None
    return media


def status(state: SandboxState, request: Request) -> Response:
    """``GET /2/media/upload?command=STATUS&media_id=…``: the processing state of an upload."""
    net = state.network(Network.X)
    verdict = _admit(net, request, "media_status")
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    headers = verdict.rate_headers()
    media_id = request.args.get("media_id", "")
    media = _own_media(net, verdict.account.account_id, media_id)
    if request.args.get("command") != "STATUS" or media is None:
        return invalid_request("The media_id parameter is invalid.", {"media_id": [media_id]}, headers)
    ttl = int((media.expires_at - net.now()).total_seconds())
    data = _data(media, ttl)
    data["processing_info"] = {"state": "succeeded", "progress_percent": 100}
    return json_response({"data": data}, 200, headers)


def metadata(state: SandboxState, request: Request) -> Response:
    """``POST /2/media/metadata``: attach alt text (at most 1,000 characters) to an own upload."""
    net = state.network(Network.X)
    verdict = _admit(net, request, "media_metadata")
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    headers = verdict.rate_headers()
    body = read_json_object(request) or {}
    media_id = str(body.get("id", ""))
    alt = (body.get("metadata") or {}).get("alt_text") if isinstance(body.get("metadata"), dict) else None
    text = alt.get("text") if isinstance(alt, dict) else None
    if _own_media(net, verdict.account.account_id, media_id) is None:
        return invalid_request("The id parameter is invalid.", {"id": [media_id]}, headers)
    if not isinstance(text, str) or len(text) > MAX_ALT_TEXT:
        return invalid_request(f"metadata.alt_text.text must be a string of at most {MAX_ALT_TEXT} characters.",
                               {"metadata.alt_text.text": [str(text)]}, headers)
    media_of(net).set_alt_text(media_id, text)
    return json_response({"data": {"id": media_id, "associated_metadata": True}}, 200, headers)


def media_refusal(net: NetworkState, account_id: str, media_ids: tuple[str, ...]) -> str | None:
    """Return why a create with these media ids must be refused (unknown, foreign, expired, mixed), or None."""
    found = [_own_media(net, account_id, media_id) for media_id in media_ids]
    if any(media is None for media in found):
        return INVALID_MEDIA_IDS
    gifs = sum(1 for media in found if media is not None and media.category == "tweet_gif")
    if gifs and len(found) > 1:
        return "A post can have up to 4 photos or 1 animated GIF, not both."
    return None

