"""X API v2 reads: post lookup with (synthetic) metrics and the user's own timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from twitter_text import extract_urls
from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate, metrics
from adapters.sandbox.knobs import READ_FAULT_RATES
from adapters.sandbox.records import Account, Post, iso
from adapters.sandbox.routing import Route, json_response
from adapters.sandbox.state import NetworkState, SandboxState
from adapters.sandbox.x_errors import PROBLEMS, forbidden, invalid_request, refused
from scheduler.networks import Network

PRIVATE_FIELDS = ("non_public_metrics", "organic_metrics")
PRIVATE_MAX_AGE = timedelta(days=30)  # X serves author-only metrics for 30 days


def routes() -> list[Route]:
    """Return the X read routes."""
    return [
        Route("/2/tweets", ("GET",), lookup_tweets),
        Route("/2/users/<user_id>/tweets", ("GET",), user_tweets),
    ]


def admit_read(net: NetworkState, request: Request, bucket: str) -> gate.Verdict:
    """Run the gate for a read; random faults apply only when the ``faults_on_reads`` knob is on."""
    knobs = net.knobs
    return gate.admit(
        net,
        gate.bearer_token(request.headers.get("Authorization")),
        bucket=bucket,
        limit=knobs.read_rate_limit,
        fault_rates=READ_FAULT_RATES if knobs.faults_on_reads else (),
    )


def _fields(request: Request) -> set[str]:
    raw = request.args.get("tweet.fields") or request.args.get("post.fields") or ""
    return {name.strip() for name in raw.split(",") if name.strip()}


def tweet_json(post: Post, fields: set[str], viewer: Account, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Return one post as X renders it with ``fields``, plus the private fields the viewer may not see."""
    data: dict[str, Any] = {"id": post.post_id, "text": post.text, "edit_history_tweet_ids": [post.post_id]}
    if "created_at" in fields:
        data["created_at"] = iso(post.created_at)
    if "author_id" in fields:
        data["author_id"] = post.account_id
    if "public_metrics" in fields:
        data["public_metrics"] = metrics.public_metrics(post.post_id, post.created_at, now)
    denied = []
    private_ok = post.account_id == viewer.account_id and now - post.created_at <= PRIVATE_MAX_AGE
    has_link = bool(extract_urls(post.text))
    for name in PRIVATE_FIELDS:
        if name not in fields:
            continue
        if not private_ok:
            denied.append(name)
        elif name == "non_public_metrics":
            data[name] = metrics.non_public_metrics(post.post_id, post.created_at, now, has_link)
        else:
            data[name] = metrics.organic_metrics(post.post_id, post.created_at, now, has_link)
    return data, denied


def _field_error(post_id: str, field: str) -> dict[str, str]:
    return {
        "value": post_id,
        "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with ids: [{post_id}].",
        "title": "Field Authorization Error",
        "resource_type": "tweet",
        "field": field,
        "parameter": "tweet.fields",
        "resource_id": post_id,
        "section": "data",
        "type": PROBLEMS + "not-authorized-for-field",
    }


def _not_found(post_id: str) -> dict[str, str]:
    return {
        "value": post_id,
        "detail": f"Could not find tweet with ids: [{post_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": post_id,
        "type": PROBLEMS + "resource-not-found",
    }


def lookup_tweets(state: SandboxState, request: Request) -> Response:
    """``GET /2/tweets?ids=…``: posts by id, with metrics that grow with each post's age."""
    net = state.network(Network.X)
    verdict = admit_read(net, request, "lookup")
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    headers, raw = verdict.rate_headers(), request.args.get("ids", "")
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not 1 <= len(ids) <= 100 or not all(part.isdigit() for part in ids):
        return invalid_request("The `ids` query parameter must list 1 to 100 numeric ids.", {"ids": [raw]}, headers)
    fields, now = _fields(request), net.now()
    data, errors = [], []
    for post_id in ids:
        post = net.get_post(post_id)
        if post is None:
            errors.append(_not_found(post_id))
            continue
        tweet, denied = tweet_json(post, fields, verdict.account, now)
        data.append(tweet)
        errors.extend(_field_error(post_id, name) for name in denied)
    body: dict[str, Any] = {"data": data} if data else {}
    if errors:
        body["errors"] = errors
    return json_response(body, 200, headers)


def _parse_time(value: str | None) -> datetime | None:
    """Parse an RFC 3339 timestamp; naive values are read as UTC. Raise ValueError when malformed."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def user_tweets(state: SandboxState, request: Request, user_id: str) -> Response:
    """``GET /2/users/<id>/tweets``: the token owner's own posts, newest first, filtered and paginated."""
    net = state.network(Network.X)
    verdict = admit_read(net, request, "user_tweets")
    if verdict.refusal or verdict.account is None:
        return refused(verdict)
    headers, account, args = verdict.rate_headers(), verdict.account, request.args
    if user_id != account.account_id:
        detail = f"Sorry, you are not authorized to see the user with id: [{user_id}]."
        return forbidden("Authorization Error", detail, "not-authorized-for-resource", headers)
    try:
        start, end = _parse_time(args.get("start_time")), _parse_time(args.get("end_time"))
        max_results = int(args.get("max_results", "10"))
        since_id, until_id = int(args.get("since_id", "0")), int(args.get("until_id", "0"))
        cursor = int(args.get("pagination_token", "0"), 16)
    except ValueError as error:
        return invalid_request(f"Invalid query parameter: {error}", {"query": [request.query_string.decode()]}, headers)
    if not 5 <= max_results <= 100:
        return invalid_request("max_results must be between 5 and 100.", {"max_results": [str(max_results)]}, headers)
    fields, now, page = _fields(request), net.now(), []
    for post in reversed(net.posts_of(account.account_id)):
        if start is not None and post.created_at < start:
            break  # posts are in creation order, so nothing older can match
        number = int(post.post_id)
        if (end is not None and post.created_at >= end) or number <= since_id or (until_id and number >= until_id):
            continue
        if cursor and number >= cursor:
            continue
        page.append(post)
        if len(page) > max_results:
            break
    more, page = len(page) > max_results, page[:max_results]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta.update(newest_id=page[0].post_id, oldest_id=page[-1].post_id)
    if more:
        meta["next_token"] = format(int(page[-1].post_id), "x")
    body = {"data": [tweet_json(post, fields, account, now)[0] for post in page], "meta": meta}
    return json_response(body if page else {"meta": meta}, 200, headers)
