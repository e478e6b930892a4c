"""The Graph API subset Postillon uses: Facebook Pages (here) and Instagram (``graph_instagram``).

Both share Meta's host, so every route lives under one version prefix (``/v23.0/...``; any
``vNN.0`` is accepted) and ``/{id}`` dispatches on what the id names: a Facebook Page or an
Instagram user (sandbox accounts of the ``facebook`` / ``instagram`` networks), a Page post
(``<page>_<post>``), a photo (``10…``), an IG container (``178…``) or IG media (``179…``).

Every call: latency → outage (503, code 2) → token (``access_token`` query/form field or Bearer
header; 400 code 190) → rate window (400 code 32 for Pages, 4 for Instagram, with
``X-App-Usage`` / ``X-Business-Use-Case-Usage``) → for creates: parameters (400 code 100) →
scripted Graph error (``POST /_sandbox/graph/<network>/faults``) → scripted or random sandbox fault
(``5xx`` → 503 code 2, ``429`` → rate limit, ``401`` → 190, ``duplicate`` → 506,
``500_after_accept`` → 500 code 1 after storing) → duplicate message (506) → store.

Not modelled: permissions/scopes, Business Manager pages, scheduled posts, video, pagination cursors,
link scraping, debug_token; the OAuth "user" owns exactly one Page (the consented account).
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate, graph_instagram, metrics
from adapters.sandbox.admin import USERNAME
from adapters.sandbox.graph_errors import graph_error, refusal, scripted
from adapters.sandbox.graph_store import GraphStore, Photo, store_of
from adapters.sandbox.knobs import CREATE_FAULT_RATES, READ_FAULT_RATES
from adapters.sandbox.pages import html_page
from adapters.sandbox.records import Account, Post
from adapters.sandbox.routing import Route, json_response, read_json_object, redirect_back
from adapters.sandbox.state import NetworkState, SandboxState
from scheduler.networks import RULES, Network

VERSIONS = tuple(f"v{n}.0" for n in range(2, 100))
V = "/<any(" + ", ".join(VERSIONS) + "):version>"
#: Paths under which errors are answered as JSON (the network's error envelope), not HTML.
JSON_PREFIXES: tuple[str, ...] = tuple(f"/{v}/" for v in VERSIONS) + ("/_sandbox/graph/",)

PAGE_TOKEN_TTL_S = 10 * 365 * 86400  # Page tokens from a long-lived user token do not expire on a timer
LONG_LIVED_TTL_S = 60 * 86400
FB_METRICS = ("post_media_view", "post_total_media_view_unique", "post_clicks", "post_reactions_by_type_total")
DEPRECATED_FB_METRICS = ("post_impressions", "post_impressions_unique", "post_engaged_users",
                         "post_impressions_paid", "post_impressions_organic", "post_negative_feedback")


def routes() -> list[Route]:
    """Return the Graph routes (Facebook Pages, Instagram, OAuth) and the Graph admin routes."""
    admin = "/_sandbox/graph/<any(facebook, instagram):network>"
    return [
        Route(f"{V}/dialog/oauth", ("GET",), consent_page),
        Route(f"{V}/dialog/oauth", ("POST",), consent),
        Route(f"{V}/oauth/access_token", ("GET", "POST"), access_token),
        Route(f"{V}/me", ("GET",), me),
        Route(f"{V}/me/accounts", ("GET",), me_accounts),
        Route(f"{V}/<node>", ("GET",), get_node),
        Route(f"{V}/<node>/<edge>", ("GET",), get_edge),
        Route(f"{V}/<node>/<edge>", ("POST",), post_edge),
        Route(f"{admin}/faults", ("POST",), push_faults),
        Route(f"{admin}/settings", ("GET", "PUT"), settings),
    ]


# -- shared helpers --------------------------------------------------------------------------------


def params(request: Request) -> dict[str, str]:
    """Return query, form and JSON body parameters in one dict (JSON values re-encoded as JSON)."""
    merged = dict(request.args.items())
    merged.update(request.form.items())
    if request.mimetype == "application/json":
        for key, value in (read_json_object(request) or {}).items():
            merged[key] = value if isinstance(value, str) else json.dumps(value)
    return merged


def token_of(request: Request, p: dict[str, str]) -> str:
    """Return the access token from ``access_token`` or an ``Authorization: Bearer`` header."""
    return p.get("access_token") or gate.bearer_token(request.headers.get("Authorization"))


def account_by_id(net: NetworkState, account_id: str) -> Account | None:
    """Return the network's account with this id."""
    return next((a for a in net.accounts() if a.account_id == account_id), None)


def graph_time(moment: datetime) -> str:
    """Return a time as the Graph API writes it: ``2019-08-12T03:45:11+0000``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def kind_of(net: NetworkState) -> str:
    """Return the BUC type of a network (``pages`` or ``instagram``)."""
    return "pages" if net.network is Network.FACEBOOK else "instagram"


def admit(net: NetworkState, request: Request, p: dict[str, str], object_id: str, *,
          read: bool, owner: str | None = None) -> tuple[Account | None, Response | None]:
    """Run the gate; return the token's account or the Graph error to answer."""
    knobs = net.knobs
    verdict = gate.admit(
        net, token_of(request, p), bucket=f"graph:{'read' if read else 'create'}",
        limit=knobs.read_rate_limit if read else knobs.rate_limit,
        fault_rates=READ_FAULT_RATES if read and knobs.faults_on_reads else (),
    )
    if verdict.refusal or verdict.account is None:
        reason = verdict.refusal or gate.UNAUTHORIZED
        return None, refusal(reason, object_id, verdict, kind_of(net), net.now().timestamp())
    if owner is not None and verdict.account.account_id != owner:
        return None, graph_error(403, 200, "(#200) The user hasn't authorized the application to perform this action")
    return verdict.account, None


def create_fault(net: NetworkState, store: GraphStore, object_id: str) -> tuple[str | None, Response | None]:
    """Draw the fault of a create call: a scripted Graph error, else a sandbox fault kind."""
    entry = store.next_fault()
    if entry is not None:
        net.count_fault(f"graph_{entry.get('code')}")
        return None, scripted(entry, object_id, kind_of(net))
    fault = net.draw_fault(CREATE_FAULT_RATES, scripted=True)
    if fault in ("5xx", "429", "401", "duplicate"):
        net.count_fault(str(fault))
        return None, refusal(str(fault), object_id, None, kind_of(net), net.now().timestamp())
    return fault, None


def finish_create(state: SandboxState, net: NetworkState, fault: str | None, body: dict[str, Any]) -> Response:
    """Answer a stored create, playing ``accept_then_timeout`` / ``500_after_accept`` if drawn."""
    if fault is not None:
        net.count_fault(fault)
    if fault == "accept_then_timeout":
        state.hang(net.knobs.hang_s)
    if fault == "500_after_accept":
        return refusal(fault, "", None, kind_of(net), 0.0)
    return json_response(body)


def invalid(message: str, subcode: int | None = None) -> Response:
    """Return a code-100 invalid-parameter error."""
    return graph_error(400, 100, message, subcode=subcode)


def not_found(node: str) -> Response:
    """Return Graph's answer for an unknown object id."""
    return graph_error(
        400, 100,
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.", subcode=33, type_="GraphMethodException",
    )


def _facebook_post(fb: NetworkState, node: str) -> Post | None:
    page_id, _, post_id = node.partition("_")
    post = fb.get_post(post_id) if post_id else None
    return post if post is not None and post.account_id == page_id else None


# -- dispatch --------------------------------------------------------------------------------------


def get_node(state: SandboxState, request: Request, version: str, node: str) -> Response:
    """``GET /{id}``: a Page post, an IG container (status_code) or IG media (permalink)."""
    fb, ig = state.network(Network.FACEBOOK), state.network(Network.INSTAGRAM)
    p = params(request)
    if "_" in node:
        post = _facebook_post(fb, node)
        account, error = admit(fb, request, p, node, read=True, owner=post.account_id if post else None)
        if error is not None:
            return error
        if post is None:
            return not_found(node)
        return json_response(_post_json(fb, post, node, fields_of(p, "id")))
    page = account_by_id(fb, node)
    if page is not None:
        account, error = admit(fb, request, p, node, read=True, owner=node)
        if error is not None:
            return error
        data = {"id": node, "name": page.name or page.username, "username": page.username,
                "link": f"https://www.facebook.com/{page.username}/"}
        return json_response({k: v for k, v in data.items() if k in fields_of(p, "id,name") | {"id"}})
    return graph_instagram.get_node(state, ig, request, p, node)


def _post_json(fb: NetworkState, post: Post, node: str, fields: set[str]) -> dict[str, Any]:
    """Render a Page post with the requested fields (``comments.summary(true)`` style names allowed)."""
    base = {f.split(".")[0].split("{")[0] for f in fields}
    now = fb.now()
    public = metrics.public_metrics(post.post_id, post.created_at, now)
    data: dict[str, Any] = {"id": node}
    if "message" in base and post.text:
        data["message"] = post.text
    if "created_time" in base:
        data["created_time"] = graph_time(post.created_at)
    if "permalink_url" in base:
        data["permalink_url"] = f"https://www.facebook.com/{node}"
    if "shares" in base and public["retweet_count"]:  # Meta omits ``shares`` until a post is shared
        data["shares"] = {"count": public["retweet_count"]}
    if "comments" in base:
        data["comments"] = {"data": [], "summary": {"order": "chronological", "total_count": public["reply_count"],
                                                    "can_comment": True}}
    if "reactions" in base:
        data["reactions"] = {"data": [], "summary": {"total_count": public["like_count"] + public["quote_count"],
                                                     "viewer_reaction": "NONE"}}
    return data


def get_edge(state: SandboxState, request: Request, version: str, node: str, edge: str) -> Response:
    """``GET /{id}/{edge}``: Page posts and post insights, or the Instagram reads."""
    fb, ig = state.network(Network.FACEBOOK), state.network(Network.INSTAGRAM)
    p = params(request)
    if edge == "insights" and "_" in node:
        return post_insights(fb, request, p, node)
    if account_by_id(fb, node) is not None:
        if edge in ("posts", "feed", "published_posts"):
            return page_posts(fb, request, p, node)
        raise NotFound()
    return graph_instagram.get_edge(state, ig, request, p, node, edge)


def post_edge(state: SandboxState, request: Request, version: str, node: str, edge: str) -> Response:
    """``POST /{id}/{edge}``: Page feed and photos, or Instagram media and media_publish."""
    fb, ig = state.network(Network.FACEBOOK), state.network(Network.INSTAGRAM)
    p = params(request)
    if account_by_id(fb, node) is not None or (account_by_id(ig, node) is None and edge in ("feed", "photos")):
        if edge == "feed":
            return create_feed_post(state, fb, request, p, node)
        if edge == "photos":
            return create_photo(state, fb, request, p, node)
        raise NotFound()
    return graph_instagram.post_edge(state, ig, request, p, node, edge)


def fields_of(p: dict[str, str], default: str) -> set[str]:
    return {f.strip() for f in (p.get("fields") or default).split(",") if f.strip()}


# -- Facebook Pages --------------------------------------------------------------------------------


def _attached_media(p: dict[str, str]) -> list[str] | str:
    """Return the photo ids of ``attached_media`` (JSON list or ``attached_media[i]`` fields), or an error."""
    raw: list[Any] = []
    if "attached_media" in p:
        try:
            value = json.loads(p["attached_media"])
        except ValueError:
            return "attached_media must be a JSON array of {\"media_fbid\": ...} objects."
        raw = value if isinstance(value, list) else [value]
    indexed = sorted((k for k in p if k.startswith("attached_media[")), key=lambda k: (len(k), k))
    for key in indexed:
        try:
            raw.append(json.loads(p[key]))
        except ValueError:
            return f"{key} must be a JSON object like {{\"media_fbid\": \"...\"}}."
    ids = []
    for item in raw:
        if not isinstance(item, dict) or not str(item.get("media_fbid", "")).isdigit():
            return "Each attached_media entry needs a numeric media_fbid."
        ids.append(str(item["media_fbid"]))
    return ids


def create_feed_post(state: SandboxState, fb: NetworkState, request: Request, p: dict[str, str],
                     page_id: str) -> Response:
    """``POST /{page-id}/feed``: message, link and/or attached_media (unpublished photos)."""
    fb.count("create_calls")
    account, error = admit(fb, request, p, page_id, read=False, owner=page_id)
    if error is not None or account is None:
        return error or not_found(page_id)
    message, link = p.get("message", ""), p.get("link", "")
    photo_ids = _attached_media(p)
    if isinstance(photo_ids, str):
        fb.count_rejection("invalid_request")
        return invalid(f"(#100) {photo_ids}")
    if message:
        fb.count_text_call(page_id, message)
    if not (message or link or photo_ids):
        fb.count_rejection("invalid_request")
        return invalid("(#100) Missing message or attachment")
    if len(message) > RULES[Network.FACEBOOK].max_text:
        fb.count_rejection("invalid_request")
        return invalid("(#100) Message is too long")
    if link and urlsplit(link).scheme not in ("http", "https"):
        fb.count_rejection("invalid_request")
        return graph_error(400, 100, "(#100) The link is not a valid URL", subcode=2061006)
    store = store_of(fb)
    with fb.lock, store.lock:
        photos = [store.photos.get(pid) for pid in photo_ids]
        if any(ph is None or ph.account_id != page_id or ph.published for ph in photos):
            fb.count_rejection("invalid_request")
            return invalid("(#100) attached_media: every media_fbid must be an unpublished photo of this Page")
        fault, error = create_fault(fb, store, page_id)
        if error is not None:
            return error
        if message and fb.recent_duplicate(page_id, message) is not None:
            fb.count_rejection("duplicate_content")
            return refusal("duplicate", page_id, None, "pages", 0.0)
        post = fb.store_post(account, message, tuple(photo_ids))
        for photo in photos:
            if photo is not None:
                photo.published = True
        if link:
            store.links[post.post_id] = link
    return finish_create(state, fb, fault, {"id": f"{page_id}_{post.post_id}"})


def create_photo(state: SandboxState, fb: NetworkState, request: Request, p: dict[str, str],
                 page_id: str) -> Response:
    """``POST /{page-id}/photos``: ``url`` with caption (or message); ``published=false`` for multi-photo."""
    published = p.get("published", "true").lower() not in ("false", "0")
    if published:
        fb.count("create_calls")
    account, error = admit(fb, request, p, page_id, read=False, owner=page_id)
    if error is not None or account is None:
        return error or not_found(page_id)
    url, caption = p.get("url", ""), p.get("caption") or p.get("message") or ""
    if urlsplit(url).scheme not in ("http", "https"):
        fb.count_rejection("invalid_request")
        return invalid("(#100) url should represent a valid URL", subcode=2061006)
    store = store_of(fb)
    with fb.lock, store.lock:
        photo = Photo(store.new_id("10", 15), page_id, url, caption, published=False)
        if not published:
            store.photos[photo.photo_id] = photo
            return json_response({"id": photo.photo_id})
        if caption:
            fb.count_text_call(page_id, caption)
        fault, error = create_fault(fb, store, page_id)
        if error is not None:
            return error
        if caption and fb.recent_duplicate(page_id, caption) is not None:
            fb.count_rejection("duplicate_content")
            return refusal("duplicate", page_id, None, "pages", 0.0)
        photo.published = True
        store.photos[photo.photo_id] = photo
        post = fb.store_post(account, caption, (photo.photo_id,))
    return finish_create(state, fb, fault, {"id": photo.photo_id, "post_id": f"{page_id}_{post.post_id}"})


def page_posts(fb: NetworkState, request: Request, p: dict[str, str], page_id: str) -> Response:
    """``GET /{page-id}/posts?fields=id,message,created_time&limit=``: newest first."""
    account, error = admit(fb, request, p, page_id, read=True, owner=page_id)
    if error is not None:
        return error
    try:
        limit = min(max(int(p.get("limit", "25")), 1), 100)
    except ValueError:
        return invalid("(#100) limit must be a number")
    fields = fields_of(p, "id,message,created_time")
    data = []
    for post in reversed(fb.posts_of(page_id)):
        item: dict[str, Any] = {"id": f"{page_id}_{post.post_id}"}
        if "message" in fields and post.text:
            item["message"] = post.text
        if "created_time" in fields:
            item["created_time"] = graph_time(post.created_at)
        if "permalink_url" in fields:
            item["permalink_url"] = f"https://www.facebook.com/{page_id}_{post.post_id}"
        data.append(item)
        if len(data) >= limit:
            break
    return json_response({"data": data})


def fb_metric(name: str, post: Post, has_link: bool, now: datetime) -> Any:
    """Return the synthetic value of one current Page-post metric."""
    seen = metrics.impressions(post.post_id, post.created_at, now)
    public = metrics.public_metrics(post.post_id, post.created_at, now)
    if name == "post_media_view":
        return seen
    if name == "post_total_media_view_unique":
        return int(seen * 0.72)
    if name == "post_clicks":
        return metrics.non_public_metrics(post.post_id, post.created_at, now, has_link)["url_link_clicks"]
    likes = public["like_count"]
    return {"like": likes - likes // 5, "love": likes // 5, "wow": public["quote_count"], "haha": 0,
            "sorry": 0, "anger": 0}


def post_insights(fb: NetworkState, request: Request, p: dict[str, str], node: str) -> Response:
    """``GET /{post-id}/insights?metric=…``: current metric names; a removed one fails the whole call (100)."""
    post = _facebook_post(fb, node)
    account, error = admit(fb, request, p, node, read=True, owner=post.account_id if post else None)
    if error is not None:
        return error
    if post is None:
        return not_found(node)
    names = [m.strip() for m in p.get("metric", "").split(",") if m.strip()]
    bad = [m for m in names if m not in FB_METRICS]
    if not names or bad:
        return invalid(f"(#100) The value must be a valid insights metric ({', '.join(bad) or 'metric'})")
    link = store_of(fb).links.get(post.post_id)
    now = fb.now()
    data = [{"name": name, "period": "lifetime",
             "values": [{"value": fb_metric(name, post, bool(link), now)}],
             "title": name, "description": "Sandbox metric", "id": f"{node}/insights/{name}/lifetime"}
            for name in names]
    return json_response({"data": data})


# -- OAuth (Facebook Login) and the token's pages --------------------------------------------------


def _bad_dialog(request: Request) -> str | None:
    missing = [name for name in ("client_id", "redirect_uri", "state") if not request.args.get(name)]
    if missing:
        return f"Missing parameters: {', '.join(missing)}."
    if request.args.get("response_type", "code") != "code":
        return "response_type must be code."
    if urlsplit(request.args["redirect_uri"]).scheme not in ("http", "https"):
        return "redirect_uri must be an http(s) URL."
    return None


def _cannot(problem: str) -> Response:
    return html_page("Sandbox Facebook — cannot log in", f"<h1>Cannot log in</h1><p>{escape(problem)}</p>", status=400)


def consent_page(state: SandboxState, request: Request, version: str) -> Response:
    """``GET /dialog/oauth``: Facebook Login's consent page; names the Page to connect."""
    problem = _bad_dialog(request)
    if problem:
        return _cannot(problem)
    body = (
        f"<h1>Connect a sandbox Facebook Page</h1><p>The app <strong>{escape(request.args['client_id'])}</strong> "
        f"asks for: {escape(request.args.get('scope', ''))}. Any Page name works and is created if new; an "
        "Instagram account with the same username is linked to it.</p><form method=\"post\">"
        '<p><label for="username">Page username</label> <input id="username" name="username" required '
        'pattern="[A-Za-z0-9_]{1,30}" autocomplete="off"></p><p><label for="name">Page name</label> '
        '<input id="name" name="name"></p><p><button name="decision" value="allow">Allow</button> '
        '<button name="decision" value="deny" formnovalidate>Cancel</button></p></form>'
    )
    return html_page("Sandbox Facebook — log in", body)



def consent(state: SandboxState, request: Request, version: str) -> Response:
    """``POST /dialog/oauth``: Allow sends the browser back with ``code`` and ``state``."""
    problem = _bad_dialog(request)
    if problem:
        return _cannot(problem)
    args, username = request.args, request.form.get("username", "")
    if request.form.get("decision") != "allow":
        return redirect_back(args["redirect_uri"], {"error": "access_denied", "error_reason": "user_denied",
                                            "error_description": "Permissions error", "state": args["state"]})
    if not USERNAME.match(username):
        return consent_page(state, request, version)
    name = request.form.get("name", "")
    code = state.network(Network.FACEBOOK).authorize(username, name, args["redirect_uri"], "", "plain")
    if "instagram_basic" in args.get("scope", "").split(","):
        # The page promises a linked Instagram account: an Instagram sign-in must find one, so make it.
        ig = state.network(Network.INSTAGRAM)
        if not any(account.username == username for account in ig.accounts()):
            ig.add_account(username, name)
    return redirect_back(args["redirect_uri"], {"code": code, "state": args["state"]})


def access_token(state: SandboxState, request: Request, version: str) -> Response:
    """``GET /oauth/access_token``: code → short-lived user token; ``fb_exchange_token`` → long-lived."""
    fb = state.network(Network.FACEBOOK)
    if not gate.arrive(fb):
        return refusal(gate.OUTAGE, "", None, "pages", 0.0)
    p = params(request)
    if p.get("grant_type") == "fb_exchange_token":
        account = fb.authenticate(p.get("fb_exchange_token", ""))
        if account is None:
            return refusal(gate.UNAUTHORIZED, "", None, "pages", 0.0)
        _, grant = fb.add_account(account.username, account.name, expires_in=LONG_LIVED_TTL_S)
    else:
        redeemed = fb.redeem_code(p.get("code", ""), p.get("redirect_uri", ""), "")
        if redeemed is None:
            return graph_error(400, 100, "Invalid verification code format.", subcode=36007)
        grant = redeemed
    expires_in = int((grant.expires_at - fb.now()).total_seconds())
    return json_response({"access_token": grant.access_token, "token_type": "bearer", "expires_in": expires_in})


def me(state: SandboxState, request: Request, version: str) -> Response:
    """``GET /me``: who the token belongs to (the sandbox user is its Page)."""
    fb = state.network(Network.FACEBOOK)
    p = params(request)
    account, error = admit(fb, request, p, "me", read=True)
    if error is not None or account is None:
        return error or not_found("me")
    return json_response({"id": account.account_id, "name": account.name or account.username})


def me_accounts(state: SandboxState, request: Request, version: str) -> Response:
    """``GET /me/accounts``: the user's Pages, each with a Page token (and its linked IG account)."""
    fb, ig = state.network(Network.FACEBOOK), state.network(Network.INSTAGRAM)
    p = params(request)
    account, error = admit(fb, request, p, "me", read=True)
    if error is not None or account is None:
        return error or not_found("me")
    _, page_grant = fb.add_account(account.username, account.name, expires_in=PAGE_TOKEN_TTL_S)
    page: dict[str, Any] = {
        "id": account.account_id, "name": account.name or account.username, "access_token": page_grant.access_token,
        "category": "Sandbox", "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
    }
    if "instagram_business_account" in fields_of(p, ""):
        linked = next((a for a in ig.accounts() if a.username == account.username), None)
        if linked is not None:
            _, ig_grant = ig.add_account(linked.username, linked.name, expires_in=LONG_LIVED_TTL_S)
            # The sandbox keeps one token book per network: the IG user's token rides along here.
            page["instagram_business_account"] = {"id": linked.account_id, "username": linked.username,
                                                  "access_token": ig_grant.access_token}
    return json_response({"data": [page], "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}})


# -- Graph admin -----------------------------------------------------------------------------------


def push_faults(state: SandboxState, request: Request, network: str) -> Response:
    """``POST /_sandbox/graph/<network>/faults`` ``{"next": [368, {"code": 4, "minutes": 5}], "clear"?}``."""
    body = read_json_object(request) or {}
    entries = []
    for item in body.get("next") or []:
        entry = {"code": item} if isinstance(item, int) else item
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), int):
            return json_response({"error": "each fault is a Graph error code or {\"code\": int, ...}"}, 400)
        entries.append(entry)
    store = store_of(state.network(network))
    with store.lock:
        if body.get("clear"):
            store.faults.clear()
        store.faults.extend(entries)
        return json_response({"next": list(store.faults)})


def settings(state: SandboxState, request: Request, network: str) -> Response:
    """``GET``/``PUT /_sandbox/graph/<network>/settings``: ``container_ready_s`` (IG processing delay)."""
    store = store_of(state.network(network))
    if request.method == "PUT":
        value = (read_json_object(request) or {}).get("container_ready_s")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return json_response({"error": "container_ready_s must be a number of seconds ≥ 0"}, 400)
        store.container_ready_s = float(value)
    return json_response({"container_ready_s": store.container_ready_s})

