"""The X API v2 subset Postillon uses: create a post, who am I (reads: x_reads, media: x_media, OAuth: x_oauth)."""

from __future__ import annotations

import re

from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.config import config as twitter_text_config
from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate, x_media, x_oauth, x_reads
from adapters.sandbox.knobs import CREATE_FAULT_RATES
from adapters.sandbox.routing import Route, json_response, read_json_object
from adapters.sandbox.state import SandboxState
from adapters.sandbox.x_errors import invalid_request, refusal, refused
from scheduler.networks import RULES, Network

LINE_ENDINGS = re.compile(r"\r\n|\r|\n")

TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)


def routes() -> list[Route]:
    """Return the X routes, served at the root exactly as on api.twitter.com."""
    return [
        Route("/2/tweets", ("POST",), create_tweet),
        Route("/2/users/me", ("GET",), users_me),
        *x_media.routes(),
        *x_oauth.routes(),
        *x_reads.routes(),
    ]


def weighted_length(text: str) -> int:
    """Return X's weighted length of ``text`` (twitter-text v3: URLs count 23, emoji and CJK count 2)."""
    if max(text, default="\0") > "\xff" or "\xa9" in text or "\xae" in text:
        return parse_tweet(text).weightedLength
    # Fast path, same result: Latin-1 text without (C) and (R) holds no emoji, every character weighs 1 and
    # NFC changes nothing, so only line endings and URLs need care. twitter-text's emoji scan costs ~0.5 ms.
    normalized = LINE_ENDINGS.sub("\n", text)
    url_weight = twitter_text_config["defaults"]["transformed_url_length"]
    urls = extract_urls_with_indices(normalized)
    return len(normalized) + sum(url_weight - (url["indices"][1] - url["indices"][0]) for url in urls)


def _parse_create(body: dict[str, object] | None) -> tuple[str, tuple[str, ...], str | None] | str:
    """Return (text, media ids, reply-to id) from a create body, or the message of what is wrong."""
    if body is None:
        return "The request body must be a JSON object."
    text, media, reply = body.get("text", ""), body.get("media") or {}, body.get("reply") or {}
    if not isinstance(text, str) or not isinstance(media, dict) or not isinstance(reply, dict):
        return "text must be a string; media and reply must be objects."
    media_ids = media.get("media_ids") or []
    if not isinstance(media_ids, list) or not all(isinstance(m, str) and m.isdigit() for m in media_ids):
        return "media.media_ids must be a list of numeric strings."
    if len(media_ids) > RULES[Network.X].max_media:
        return f"A post can have at most {RULES[Network.X].max_media} media ids."
    if not text and not media_ids:
        return "Either text or media is required."
    if text and weighted_length(text) > RULES[Network.X].max_text:
        return TOO_LONG
    reply_to = reply.get("in_reply_to_tweet_id")
    if reply_to is not None and not (isinstance(reply_to, str) and reply_to.isdigit()):
        return "reply.in_reply_to_tweet_id must be a numeric string."
    return text, tuple(media_ids), reply_to


def create_tweet(state: SandboxState, request: Request) -> Response:
    """``POST /2/tweets``: create a post, unless a fault, a limit or a duplicate says otherwise."""
    net = state.network(Network.X)
    net.count("create_calls")
    knobs = net.knobs
    verdict = gate.admit(
        net, gate.bearer_token(request.headers.get("Authorization")), bucket="create", limit=knobs.rate_limit
    )
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    account, headers = verdict.account, verdict.rate_headers()
    body = read_json_object(request)
    parsed = _parse_create(body)
    if isinstance(body, dict) and isinstance(body.get("text"), str):
        net.count_text_call(account.account_id, str(body["text"]))
    if isinstance(parsed, str):
        net.count_rejection("invalid_request")
        return invalid_request(parsed, {"text": [str((body or {}).get("text", ""))]}, headers)
    text, media_ids, reply_to = parsed
    if media_ids and (reason := x_media.media_refusal(net, account.account_id, media_ids)) is not None:
        net.count_rejection("invalid_media")
        return invalid_request(reason, {"media.media_ids": list(media_ids)}, headers)
    with net.lock:  # the duplicate and quota checks and the store must be one atomic step
        fault = net.draw_fault(CREATE_FAULT_RATES, scripted=True)
        if fault in ("5xx", "429", "401", "duplicate"):
            net.count_fault(str(fault))
            return refusal(str(fault), headers)
        quota_reset = net.quota_reset(account.account_id)
        if quota_reset is not None:
            net.count_rejection("publish_quota")
            return refusal(gate.RATE_LIMIT, {**headers, "x-rate-limit-reset": str(quota_reset)})
        if text and net.recent_duplicate(account.account_id, text) is not None:  # image-only posts repeat freely
            net.count_rejection("duplicate_content")
            return refusal("duplicate", headers)
        post = net.store_post(account, text, media_ids, reply_to)
        if fault is not None:
            net.count_fault(fault)
    if fault == "accept_then_timeout":
        state.hang(knobs.hang_s)  # the client gives up first: it cannot know the post exists
    if fault == "500_after_accept":
        return refusal(fault, headers)
    data = {"id": post.post_id, "text": post.text, "edit_history_tweet_ids": [post.post_id]}
    headers["location"] = f"https://api.twitter.com/2/tweets/{post.post_id}"
    return json_response({"data": data}, 201, headers)


def users_me(state: SandboxState, request: Request) -> Response:
    """``GET /2/users/me``: the user the token belongs to."""
    net = state.network(Network.X)
    verdict = x_reads.admit_read(net, request, "users_me")
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    account = verdict.account
    data = {"id": account.account_id, "name": account.name, "username": account.username}
    return json_response({"data": data}, 200, verdict.rate_headers())
