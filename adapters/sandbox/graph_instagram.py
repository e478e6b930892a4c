"""Instagram content publishing on the Graph sandbox: containers, media_publish, quota, media, insights.

A container is ``IN_PROGRESS`` for ``container_ready_s`` (``PUT /_sandbox/graph/instagram/settings``),
then ``FINISHED``; ``ERROR`` when its ``image_url`` does not end in ``.jpg``/``.jpeg`` (the sandbox
never fetches images); ``PUBLISHED`` once ``media_publish`` used it. Publishing an unfinished
container answers Meta's 9007/2207027; the quota (knob ``publish_quota``, 0 → reported as 100)
answers 9/2207042.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from adapters.sandbox import graph_api, metrics
from adapters.sandbox.graph_errors import graph_error
from adapters.sandbox.graph_store import ERROR, FINISHED, PUBLISHED, Container, GraphStore, Media, store_of
from adapters.sandbox.records import Account, Post
from adapters.sandbox.routing import json_response
from adapters.sandbox.state import NetworkState, SandboxState
from scheduler.networks import RULES

DEFAULT_QUOTA = 100
IG_METRICS = ("views", "reach", "likes", "comments", "saved", "shares", "total_interactions")
MAX_CAROUSEL = 10


def _is_jpeg(url: str) -> bool:
    return urlsplit(url).path.lower().endswith((".jpg", ".jpeg"))


def _owner(store: GraphStore, node: str) -> str | None:
    with store.lock:
        if node in store.containers:
            return store.containers[node].account_id
        if node in store.media:
            return store.media[node].account_id
    return None


def get_node(state: SandboxState, ig: NetworkState, request: Request, p: dict[str, str], node: str) -> Response:
    """``GET /{container-id}?fields=status_code`` or ``GET /{media-id}?fields=permalink,...``."""
    store = store_of(ig)
    owner = _owner(store, node)
    if owner is None and graph_api.account_by_id(ig, node) is None:
        raise NotFound()
    account, error = graph_api.admit(ig, request, p, node, read=True, owner=owner or node)
    if error is not None or account is None:
        return error or graph_api.not_found(node)
    fields = graph_api.fields_of(p, "id")
    with store.lock:
        if node in store.containers:
            container = store.containers[node]
            status = store.status(container, ig.now())
            data: dict[str, Any] = {"id": node, "status_code": status}
            if "status" in fields:
                data["status"] = {
                    "IN_PROGRESS": "In Progress: Media is still being processed.",
                    FINISHED: "Finished: Media has been uploaded and it is ready to be published.",
                    ERROR: "Error: Unsupported image format: only JPEG images can be published (2207005)",
                    PUBLISHED: "Published: Media has been published.",
                }[status]
            return json_response({k: v for k, v in data.items() if k in fields | {"id"}})
        if node in store.media:
            media = store.media[node]
            post = ig.get_post(media.post_id)
            return json_response(_media_json(media, post, fields))
    return json_response({"id": account.account_id, "username": account.username, "name": account.name})


def _media_json(media: Media, post: Post | None, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": media.media_id}
    if post is not None and "caption" in fields and post.text:
        data["caption"] = post.text
    if post is not None and "timestamp" in fields:
        data["timestamp"] = graph_api.graph_time(post.created_at)
    if "permalink" in fields:
        data["permalink"] = f"https://www.instagram.com/p/{media.shortcode}/"
    if "shortcode" in fields:
        data["shortcode"] = media.shortcode
    if "media_type" in fields:
        data["media_type"] = "CAROUSEL_ALBUM" if post is not None and len(post.media_ids) > 1 else "IMAGE"
    return data


def get_edge(state: SandboxState, ig: NetworkState, request: Request, p: dict[str, str], node: str,
             edge: str) -> Response:
    """Instagram reads: ``/media``, ``/content_publishing_limit`` (IG user), ``/insights`` (media)."""
    store = store_of(ig)
    if edge == "insights" and node in store.media:
        return _insights(ig, store, request, p, node)
    if graph_api.account_by_id(ig, node) is None:
        raise NotFound()
    account, error = graph_api.admit(ig, request, p, node, read=True, owner=node)
    if error is not None or account is None:
        return error or graph_api.not_found(node)
    if edge == "content_publishing_limit":
        usage = _quota_usage(ig, node)
        total = ig.knobs.publish_quota or DEFAULT_QUOTA
        return json_response({"data": [{"quota_usage": usage,
                                        "config": {"quota_total": total, "quota_duration": 86400}}]})
    if edge == "media":
        fields = graph_api.fields_of(p, "id")
        try:
            limit = min(max(int(p.get("limit", "25")), 1), 100)
        except ValueError:
            return graph_api.invalid("(#100) limit must be a number")
        with store.lock:
            by_post = {m.post_id: m for m in store.media.values() if m.account_id == node}
        data = [_media_json(by_post[post.post_id], post, fields)
                for post in reversed(ig.posts_of(node)) if post.post_id in by_post][:limit]
        return json_response({"data": data})
    raise NotFound()


def _quota_usage(ig: NetworkState, account_id: str) -> int:
    since = ig.now() - timedelta(days=1)
    return sum(1 for post in ig.posts_of(account_id) if post.created_at > since)


def _insights(ig: NetworkState, store: GraphStore, request: Request, p: dict[str, str], node: str) -> Response:
    media = store.media[node]
    account, error = graph_api.admit(ig, request, p, node, read=True, owner=media.account_id)
    if error is not None:
        return error
    post = ig.get_post(media.post_id)
    names = [m.strip() for m in p.get("metric", "").split(",") if m.strip()]
    bad = [m for m in names if m not in IG_METRICS]
    if not names or bad or post is None:
        shown = ", ".join(bad) or "metric"
        return graph_error(400, 100, f"(#100) metric[0] must be one of the following values: "
                                     f"{', '.join(IG_METRICS)} (got {shown})")
    now = ig.now()
    seen = metrics.impressions(post.post_id, post.created_at, now)
    public = metrics.public_metrics(post.post_id, post.created_at, now)
    values = {"views": seen, "reach": int(seen * 0.7), "likes": public["like_count"],
              "comments": public["reply_count"], "saved": public["bookmark_count"], "shares": public["retweet_count"]}
    values["total_interactions"] = values["likes"] + values["comments"] + values["saved"] + values["shares"]
    data = [{"name": name, "period": "lifetime", "values": [{"value": values[name]}], "title": name.title(),
             "description": "Sandbox metric", "id": f"{node}/insights/{name}/lifetime"} for name in names]
    return json_response({"data": data})


def post_edge(state: SandboxState, ig: NetworkState, request: Request, p: dict[str, str], node: str,
              edge: str) -> Response:
    """``POST /{ig-user-id}/media`` (container) and ``POST /{ig-user-id}/media_publish``."""
    if graph_api.account_by_id(ig, node) is None or edge not in ("media", "media_publish"):
        raise NotFound()
    if edge == "media_publish":
        ig.count("create_calls")
    account, error = graph_api.admit(ig, request, p, node, read=False, owner=node)
    if error is not None or account is None:
        return error or graph_api.not_found(node)
    return create_container(ig, p, account) if edge == "media" else publish(state, ig, p, account)


def create_container(ig: NetworkState, p: dict[str, str], account: Account) -> Response:
    """Create an image container, a carousel item (``is_carousel_item``) or a carousel (``children``)."""
    store = store_of(ig)
    caption = p.get("caption", "")
    if len(caption) > RULES[ig.network].max_text:
        return graph_error(400, 100, "The caption is too long.", subcode=2207010)
    if caption.count("#") > 30:
        return graph_error(400, 100, "Too many hashtags.", subcode=2207010)
    with store.lock:
        if p.get("media_type", "").upper() == "CAROUSEL":
            children = tuple(c.strip() for c in p.get("children", "").split(",") if c.strip())
            if not 2 <= len(children) <= MAX_CAROUSEL:
                return graph_error(400, 100, f"A carousel needs 2 to {MAX_CAROUSEL} children.", subcode=2207028)
            kids = [store.containers.get(c) for c in children]
            if any(k is None or k.account_id != account.account_id or not k.is_item for k in kids):
                return graph_error(400, 100, "(#100) children must be carousel item containers of this user",
                                   subcode=2207028)
            container = Container(store.new_id("178"), account.account_id, "", caption, ig.now(),
                                  children=children, failed=any(k is not None and k.failed for k in kids))
        else:
            url = p.get("image_url", "")
            if urlsplit(url).scheme not in ("http", "https"):
                return graph_error(400, 100, "(#100) image_url is required and must be a public URL",
                                   subcode=2207052)
            item = p.get("is_carousel_item", "").lower() in ("true", "1")
            container = Container(store.new_id("178"), account.account_id, url, "" if item else caption,
                                  ig.now(), is_item=item, failed=not _is_jpeg(url))
        store.containers[container.container_id] = container
    return json_response({"id": container.container_id})


def publish(state: SandboxState, ig: NetworkState, p: dict[str, str], account: Account) -> Response:
    """``media_publish``: publish a FINISHED container once (faults and the quota apply here)."""
    store = store_of(ig)
    container_id = p.get("creation_id", "")
    with ig.lock, store.lock:
        container = store.containers.get(container_id)
        if container is None or container.account_id != account.account_id or container.is_item:
            return graph_api.invalid(f"(#100) creation_id {container_id!r} is not a container of this user")
        status = store.status(container, ig.now())
        if status == PUBLISHED:
            return graph_error(400, 9007, "The media has already been published", subcode=2207008)
        if status != FINISHED:
            return graph_error(400, 9007, "Media ID is not available", subcode=2207027,
                               extra={"is_transient": False, "error_user_title": "Cannot publish",
                                      "error_user_msg": "The media is not ready to be published. Please wait a moment."}
                               if status != ERROR else {"error_user_msg": "The media could not be processed."})
        fault, error = graph_api.create_fault(ig, store, account.account_id)
        if error is not None:
            return error
        if ig.quota_reset(account.account_id) is not None:
            ig.count_rejection("publish_quota")
            return graph_error(400, 9, "(#9) Application request limit reached", subcode=2207042,
                               extra={"error_user_msg": "You have reached the maximum number of posts allowed."})
        children = container.children or (container.container_id,)
        ig.count_text_call(account.account_id, container.caption)
        post = ig.store_post(account, container.caption, children)
        media_id = store.new_id("179")
        shortcode = base64.urlsafe_b64encode(int(media_id).to_bytes(8, "big")).decode().rstrip("=")
        store.media[media_id] = Media(media_id, post.post_id, account.account_id, container.container_id, shortcode)
        container.media_id = media_id
    return graph_api.finish_create(state, ig, fault, {"id": media_id})
