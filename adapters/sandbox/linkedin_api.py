"""The LinkedIn REST subset Postillon uses: create a post (reads in linkedin_reads, OAuth in linkedin_oauth).

Every ``/rest/`` call, in this order: latency → outage (503) → bearer token (401) → rate window (429) →
``LinkedIn-Version`` / ``X-Restli-Protocol-Version`` headers (400/426) → for creates: body check (400/422)
→ author is the token's organization (403) → image URNs in ``content`` exist, belong to the author and
are AVAILABLE (422, see linkedin_images) → scripted or random fault → publish quota (429) → same
commentary by the same author within ``duplicate_window_s`` (422) → store → (``accept_then_timeout``:
hang, then answer; ``500_after_accept``: answer 500). A member account of the sandbox administers one
organization with the same id: ``urn:li:organization:<account id>``.
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate, linkedin_images, linkedin_oauth, linkedin_reads
from adapters.sandbox.knobs import CREATE_FAULT_RATES
from adapters.sandbox.linkedin_common import admit, organization_urn, share_urn
from adapters.sandbox.linkedin_errors import (
    access_denied,
    error,
    refusal,
    unprocessable,
)
from adapters.sandbox.routing import Route, read_json_object
from adapters.sandbox.state import SandboxState
from scheduler.networks import RULES, Network

#: Paths under which errors are answered as JSON (the network's error envelope), not HTML.
JSON_PREFIXES: tuple[str, ...] = ("/rest/", "/oauth/v2/accessToken", *linkedin_images.UPLOAD_PREFIXES)

VISIBILITIES = ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER")
LIFECYCLE_STATES = ("PUBLISHED", "DRAFT")


def routes() -> list[Route]:
    """Return the LinkedIn routes at api.linkedin.com's (and www.linkedin.com's OAuth) paths."""
    return [
        Route("/rest/posts", ("POST",), create_post),
        *linkedin_images.routes(),
        *linkedin_reads.routes(),
        *linkedin_oauth.routes(),
    ]


def _parse_create(body: dict[str, object] | None) -> tuple[str, str] | tuple[str, str, str]:
    """Return (author, commentary) from a create body, or (status, field path, reason) when it is wrong."""
    if body is None:
        return "400", "/", "The request body must be a JSON object."
    author, commentary = body.get("author"), body.get("commentary", "")
    distribution = body.get("distribution")
    if not isinstance(author, str) or not re.fullmatch(r"urn:li:(organization|person):\w+", author):
        return "422", "/author", "must be an organization or person URN"
    if not isinstance(commentary, str):
        return "422", "/commentary", "must be a string"
    if len(commentary) > RULES[Network.LINKEDIN].max_text:
        return "422", "/commentary", f"length {len(commentary)} exceeds {RULES[Network.LINKEDIN].max_text}"
    if body.get("visibility") not in VISIBILITIES:
        return "422", "/visibility", f"must be one of {', '.join(VISIBILITIES)}"
    if not isinstance(distribution, dict) or distribution.get("feedDistribution") not in ("MAIN_FEED", "NONE"):
        return "422", "/distribution/feedDistribution", "field is required (MAIN_FEED or NONE)"
    if body.get("lifecycleState") not in LIFECYCLE_STATES:
        return "422", "/lifecycleState", f"must be one of {', '.join(LIFECYCLE_STATES)}"
    if not commentary and not body.get("content"):
        return "422", "/commentary", "commentary or content is required"
    return author, commentary


def create_post(state: SandboxState, request: Request) -> Response:
    """``POST /rest/posts``: 201 with an empty body and the URN in ``x-restli-id``, unless refused."""
    net = state.network(Network.LINKEDIN)
    net.count("create_calls")
    account, refusal_response = admit(net, request, bucket="create", create=True)
    if refusal_response is not None or account is None:
        return refusal_response or refusal(gate.UNAUTHORIZED)
    body = read_json_object(request)
    parsed = _parse_create(body)
    if len(parsed) == 3:
        net.count_rejection("invalid_request")
        status, path, reason = parsed
        return error(400, "BAD_REQUEST", reason) if status == "400" else unprocessable(path, reason)
    author, commentary = parsed
    if author != organization_urn(account):
        net.count_rejection("access_denied")
        return access_denied(f"partnerApiPostsExternal.CREATE.{request.headers['LinkedIn-Version']}")
    media_ids, bad_content = linkedin_images.check_content(net, account, (body or {}).get("content"))
    if bad_content is not None:
        net.count_rejection("invalid_media")
        return bad_content
    net.count_text_call(account.account_id, commentary)
    knobs = net.knobs
    with net.lock:  # the duplicate and quota checks and the store must be one atomic step
        fault = net.draw_fault(CREATE_FAULT_RATES, scripted=True)
        if fault in ("5xx", "429", "401", "duplicate"):
            net.count_fault(str(fault))
            earlier = net.recent_duplicate(account.account_id, commentary)
            posts = net.posts_of(account.account_id)
            urn = share_urn(earlier.post_id if earlier else posts[-1].post_id if posts else "0")
            return refusal(str(fault), duplicate_of=urn)
        if net.quota_reset(account.account_id) is not None:
            net.count_rejection("publish_quota")
            return refusal(gate.RATE_LIMIT)
        earlier = net.recent_duplicate(account.account_id, commentary)
        if earlier is not None:
            net.count_rejection("duplicate_content")
            return refusal("duplicate", duplicate_of=share_urn(earlier.post_id))
        post = net.store_post(account, commentary, media_ids)
        if fault is not None:
            net.count_fault(fault)
    if fault == "accept_then_timeout":
        state.hang(knobs.hang_s)  # the client gives up first: it cannot know the post exists
    if fault == "500_after_accept":
        return refusal(fault)
    urn = share_urn(post.post_id)
    return Response(b"", status=201, headers={"x-restli-id": urn, "x-linkedin-id": urn})
