"""LinkedIn REST reads: an organization's posts, share statistics, administered organizations, post pages."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from adapters.sandbox import linkedin_common as common
from adapters.sandbox import metrics
from adapters.sandbox.linkedin_errors import access_denied, error
from adapters.sandbox.pages import permalink
from adapters.sandbox.records import Post
from adapters.sandbox.routing import Route, json_response
from adapters.sandbox.state import SandboxState
from scheduler.networks import Network

MAX_COUNT = 100
LIST_ARG = re.compile(r"^List\((.*)\)$")


def routes() -> list[Route]:
    """Return the read routes (and the sandbox's stand-in for www.linkedin.com/feed/update/<urn>/)."""
    return [
        Route("/rest/posts", ("GET",), find_posts),
        Route("/rest/organizationalEntityShareStatistics", ("GET",), share_statistics),
        Route("/rest/organizationAcls", ("GET",), organization_acls),
        Route("/rest/organizations/<organization_id>", ("GET",), organization),
        Route("/feed/update/<urn>/", ("GET",), post_page),
    ]


def _ms(post: Post) -> int:
    return int(post.created_at.timestamp() * 1000)


def post_json(post: Post) -> dict[str, Any]:
    """Return a stored post as ``GET /rest/posts`` renders it."""
    created = _ms(post)
    return {
        "id": common.share_urn(post.post_id),
        "author": common.ORGANIZATION + post.account_id,
        "commentary": post.text,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": False},
        "isReshareDisabledByAuthor": False,
        "createdAt": created,
        "publishedAt": created,
        "lastModifiedAt": created,
    }


def find_posts(state: SandboxState, request: Request) -> Response:
    """``GET /rest/posts?q=author&author=<urn>&start=&count=``: the organization's posts, newest first."""
    net = state.network(Network.LINKEDIN)
    account, refusal = common.admit(net, request, bucket="find_posts", create=False)
    if refusal is not None or account is None:
        return refusal or error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
    args = request.args
    if args.get("q") != "author" or not args.get("author"):
        return error(400, "BAD_REQUEST", "The finder q=author with an author URN is required.")
    try:
        start, count = int(args.get("start", "0")), int(args.get("count", "10"))
    except ValueError:
        return error(400, "BAD_REQUEST", "start and count must be integers.")
    if start < 0 or not 1 <= count <= MAX_COUNT:
        return error(400, "BAD_REQUEST", f"count must be between 1 and {MAX_COUNT}; start must not be negative.")
    if args["author"] != common.organization_urn(account):
        return access_denied(f"partnerApiPostsExternal.FINDER-author.{request.headers['LinkedIn-Version']}")
    posts = list(reversed(net.posts_of(account.account_id)))
    page = posts[start : start + count]
    links = []
    if start + count < len(posts):
        href = f"/rest/posts?author={args['author']}&count={count}&q=author&start={start + count}"
        links.append({"type": "application/json", "rel": "next", "href": href})
    paging = {"start": start, "count": count, "links": links, "total": len(posts)}
    return json_response({"paging": paging, "elements": [post_json(post) for post in page]})


def _list_arg(raw: str | None) -> list[str] | None:
    """Return the items of a Rest.li ``List(a,b)`` argument, [] when absent, None when malformed."""
    if not raw:
        return []
    match = LIST_ARG.match(raw)
    return [item for item in match[1].split(",") if item] if match else None


def statistics(post: Post, now: Any) -> dict[str, Any]:
    """Return ``totalShareStatistics`` for a post: synthetic figures that grow with its age."""
    public = metrics.public_metrics(post.post_id, post.created_at, now)
    private = metrics.non_public_metrics(post.post_id, post.created_at, now, has_link="http" in post.text)
    seen = public["impression_count"]
    clicks = private["url_link_clicks"] + private["user_profile_clicks"]
    likes, comments, shares = public["like_count"], public["reply_count"], public["retweet_count"]
    return {
        "uniqueImpressionsCount": int(seen * 0.8),
        "shareCount": shares,
        "engagement": round((likes + comments + shares + clicks) / seen, 6) if seen else 0.0,
        "clickCount": clicks,
        "likeCount": likes,
        "impressionCount": seen,
        "commentCount": comments,
    }


def share_statistics(state: SandboxState, request: Request) -> Response:
    """``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&…&shares=List(…)``."""
    net = state.network(Network.LINKEDIN)
    account, refusal = common.admit(net, request, bucket="share_statistics", create=False)
    if refusal is not None or account is None:
        return refusal or error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
    args, org = request.args, common.organization_urn(account)
    if args.get("q") != "organizationalEntity" or not args.get("organizationalEntity"):
        return error(400, "BAD_REQUEST", "The finder q=organizationalEntity with an organization URN is required.")
    if args["organizationalEntity"] != org:
        return access_denied(f"organizationalEntityShareStatistics.FINDER-organizationalEntity."
                             f"{request.headers['LinkedIn-Version']}")
    shares, ugc_posts = _list_arg(args.get("shares")), _list_arg(args.get("ugcPosts"))
    if shares is None or ugc_posts is None:
        return error(400, "BAD_REQUEST", "shares and ugcPosts must be Rest.li lists: List(urn%3Ali%3Ashare%3A1,…).")
    now, elements = net.now(), []
    for key, urns in (("share", shares), ("ugcPost", ugc_posts)):
        for urn in urns:
            post = net.get_post(urn.rsplit(":", 1)[-1]) if urn.startswith(f"urn:li:{key}:") else None
            if post is not None and post.account_id == account.account_id:
                elements.append({"organizationalEntity": org, key: urn, "totalShareStatistics": statistics(post, now)})
    return json_response({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})


def organization_acls(state: SandboxState, request: Request) -> Response:
    """``GET /rest/organizationAcls?q=roleAssignee[&role=ADMINISTRATOR]``: the organizations the member runs."""
    net = state.network(Network.LINKEDIN)
    account, refusal = common.admit(net, request, bucket="organization_acls", create=False)
    if refusal is not None or account is None:
        return refusal or error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
    if request.args.get("q") != "roleAssignee":
        return error(400, "BAD_REQUEST", "The finder q=roleAssignee is required.")
    role = request.args.get("role", "ADMINISTRATOR")
    elements = [] if role != "ADMINISTRATOR" or request.args.get("state", "APPROVED") != "APPROVED" else [{
        "roleAssignee": f"urn:li:person:{account.account_id}",
        "state": "APPROVED",
        "role": "ADMINISTRATOR",
        "organization": common.organization_urn(account),
    }]
    return json_response({"paging": {"start": 0, "count": 10, "links": [], "total": len(elements)},
                          "elements": elements})


def organization(state: SandboxState, request: Request, organization_id: str) -> Response:
    """``GET /rest/organizations/<id>``: name and vanity name of an organization the member administers."""
    net = state.network(Network.LINKEDIN)
    account, refusal = common.admit(net, request, bucket="organizations", create=False)
    if refusal is not None or account is None:
        return refusal or error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
    if organization_id != account.account_id:
        return access_denied(f"organizations.GET.{request.headers['LinkedIn-Version']}")
    return json_response({"id": int(account.account_id), "localizedName": account.name,
                          "vanityName": account.username.lower()})


def post_page(state: SandboxState, request: Request, urn: str) -> Response:
    """``GET /feed/update/<urn>/``: send the browser to the sandbox page of that post."""
    post = state.network(Network.LINKEDIN).get_post(urn.rsplit(":", 1)[-1]) if urn.startswith("urn:li:") else None
    if post is None or post.network != Network.LINKEDIN.value:
        raise NotFound(f"No post {urn} on the LinkedIn sandbox.")
    return redirect(permalink(post), 302)
