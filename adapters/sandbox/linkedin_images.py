"""The LinkedIn Images API: initializeUpload, the upload URL, image status, and the check of posted images.

``initializeUpload`` answers with an ``uploadUrl`` on the sandbox itself (LinkedIn's is on
www.linkedin.com/dms-uploads/…); one ``PUT`` of the whole file there stores the bytes. JPEG, PNG and
GIF become ``AVAILABLE`` at once, anything else ``PROCESSING_FAILED``. Refusals of posted image URNs use
the REST envelope with the field path (``ERROR :: /content/media/id :: …``); their wording is the
sandbox's, not recorded from LinkedIn.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate
from adapters.sandbox.knobs import READ_FAULT_RATES
from adapters.sandbox.linkedin_common import admit, organization_urn
from adapters.sandbox.linkedin_errors import access_denied, error, refusal, refused, unprocessable
from adapters.sandbox.media_store import StoredMedia, media_of, sniff
from adapters.sandbox.records import Account
from adapters.sandbox.routing import Route, json_response, read_json_object
from adapters.sandbox.state import NetworkState, SandboxState
from scheduler.networks import Network

UPLOAD_PREFIXES: tuple[str, ...] = ("/dms-uploads/",)
IMAGE = "urn:li:image:"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
UPLOAD_URL_TTL = timedelta(hours=1)
MAX_IMAGES = 20
WAITING, AVAILABLE, FAILED = "WAITING_UPLOAD", "AVAILABLE", "PROCESSING_FAILED"

ContentCheck = tuple[tuple[str, ...], None] | tuple[tuple[()], Response]


def routes() -> list[Route]:
    """Return the Images API routes and the upload target."""
    return [
        Route("/rest/images", ("POST",), initialize_upload),
        Route("/rest/images/<path:urn>", ("GET",), get_image),
        Route("/dms-uploads/<key>/uploaded-image/0", ("PUT",), put_image),
    ]


def initialize_upload(state: SandboxState, request: Request) -> Response:
    """``POST /rest/images?action=initializeUpload``: reserve an image URN and return where to PUT it."""
    net = state.network(Network.LINKEDIN)
    account, refusal_response = admit(net, request, bucket="images", create=False)
    if refusal_response is not None or account is None:
        return refusal_response or refusal(gate.UNAUTHORIZED)
    if request.args.get("action") != "initializeUpload":
        return error(400, "BAD_REQUEST", "Unsupported action; use action=initializeUpload.")
    body = read_json_object(request) or {}
    init = body.get("initializeUploadRequest")
    owner = init.get("owner") if isinstance(init, dict) else None
    if not isinstance(owner, str):
        return unprocessable("/initializeUploadRequest/owner", "field is required")
    if owner != organization_urn(account):
        net.count_rejection("access_denied")
        return access_denied(f"images.CREATE.{request.headers['LinkedIn-Version']}")
    key = "C4E10AQ" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
    now = net.now()
    media_of(net).add(StoredMedia(IMAGE + key, account.account_id, now, now + timedelta(days=1), status=WAITING))
    expires_ms = int((now + UPLOAD_URL_TTL).timestamp() * 1000)
    value = {"uploadUrlExpiresAt": expires_ms, "uploadUrl": f"{request.host_url}dms-uploads/{key}/uploaded-image/0",
             "image": IMAGE + key}
    return json_response({"value": value}, 200)


def put_image(state: SandboxState, request: Request, key: str) -> Response:
    """``PUT <uploadUrl>``: store the file's bytes (one PUT with the whole file); 201 with an empty body."""
    net = state.network(Network.LINKEDIN)
    knobs = net.knobs
    verdict = gate.admit(net, gate.bearer_token(request.headers.get("Authorization")), bucket="image_upload",
                         limit=knobs.read_rate_limit, fault_rates=READ_FAULT_RATES if knobs.faults_on_reads else ())
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    store = media_of(net)
    media = store.get(IMAGE + key)
    if media is None:
        return error(404, "NOT_FOUND", "The upload URL is unknown or has expired.")
    if media.account_id != verdict.account.account_id:
        return access_denied("images.UPLOAD")
    data = request.get_data()
    mime = sniff(data)
    store.fill(media.media_id, data, mime, AVAILABLE if mime in IMAGE_TYPES else FAILED)
    net.count("image_uploads")
    return Response(b"", status=201)


def get_image(state: SandboxState, request: Request, urn: str) -> Response:
    """``GET /rest/images/{encoded urn}``: the image's status, for its owner."""
    net = state.network(Network.LINKEDIN)
    account, refusal_response = admit(net, request, bucket="images_read", create=False)
    if refusal_response is not None or account is None:
        return refusal_response or refusal(gate.UNAUTHORIZED)
    media = media_of(net).get(unquote(urn))
    if media is None or media.account_id != account.account_id:
        return error(404, "NOT_FOUND", f"Image {unquote(urn)} does not exist.")
    body = {"id": media.media_id, "owner": organization_urn(account), "status": media.status,
            "uploadUrlExpiresAt": int((media.created_at + UPLOAD_URL_TTL).timestamp() * 1000)}
    return json_response(body, 200)


def _image_ids(content: object) -> tuple[str, list[object]] | str:
    """Return (field path, image ids) of a post's ``content``, or the reason it is malformed."""
    if not isinstance(content, dict) or len(content) != 1:
        return "content must hold exactly one of media, multiImage, article, poll"
    if isinstance(content.get("media"), dict):
        return "/content/media/id", [content["media"].get("id")]
    multi = content.get("multiImage")
    if isinstance(multi, dict) and isinstance(multi.get("images"), list):
        images = multi["images"]
        if not 2 <= len(images) <= MAX_IMAGES:
            return f"multiImage takes 2 to {MAX_IMAGES} images, not {len(images)}"
        return "/content/multiImage/images/id", [i.get("id") if isinstance(i, dict) else None for i in images]
    return "the sandbox supports image content only (media or multiImage)"


def check_content(net: NetworkState, account: Account, content: object) -> ContentCheck:
    """Return the image URNs of a post's ``content`` (empty when it has none), or the 422 to send."""
    if content is None:
        return (), None
    found = _image_ids(content)
    if isinstance(found, str):
        return (), unprocessable("/content", found)
    path, ids = found
    store = media_of(net)
    for urn in ids:
        media = store.get(urn) if isinstance(urn, str) else None
        if media is None or not media.media_id.startswith(IMAGE) or media.account_id != account.account_id:
            return (), unprocessable(path, f"{urn} does not exist or is not owned by the author")
        if media.status != AVAILABLE:
            return (), unprocessable(path, f"{urn} is not AVAILABLE (status {media.status})")
    return tuple(str(urn) for urn in ids), None
