"""The HTML pages: what was posted on each sandbox network, and one post on its own."""

from __future__ import annotations

from html import escape

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from adapters.sandbox.records import Post, iso
from adapters.sandbox.routing import Route
from adapters.sandbox.state import SandboxState
from scheduler.networks import Network

PAGE_SIZE = 200  # newest posts shown per network; the admin API lists them all
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 72rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #ccc; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
a { color: #0645ad; } .muted { color: #555; }
"""


def routes() -> list[Route]:
    """Return the page routes: the overview and one post at ``/<network>/<username>/status/<id>``."""
    networks = ", ".join(network.value for network in Network)
    return [
        Route("/", ("GET",), index),
        Route(f"/<any({networks}):network>/<username>/status/<post_id>", ("GET",), single_post),
    ]


def permalink(post: Post) -> str:
    """Return the sandbox path that shows ``post`` on its own."""
    return f"/{post.network}/{escape(post.username)}/status/{post.post_id}"


def html_page(title: str, body: str, refresh: bool = False, status: int = 200) -> Response:
    """Return a plain, accessible HTML page (reloading every 5 s when ``refresh``)."""
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    html = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">{meta}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _rows(posts: list[Post]) -> str:
    rows = []
    for post in posts:
        when = iso(post.created_at)
        rows.append(
            f'<tr><td>@{escape(post.username)}</td><td><time datetime="{when}">{when}</time></td>'
            f'<td class="text">{escape(post.text)}</td>'
            f'<td>{_n(len(post.media_ids), "image") if post.media_ids else ""}</td>'
            f'<td><a href="{permalink(post)}">{post.post_id}</a></td></tr>'
        )
    return "".join(rows)


def index(state: SandboxState, request: Request) -> Response:
    """``GET /``: per network, the newest posts first (the page reloads every 5 s unless ``?refresh=0``)."""
    refresh = request.args.get("refresh") != "0"
    parts = ["<h1>Sandbox networks — what was posted</h1>"]
    if refresh:
        parts.append('<p class="muted">This page reloads every 5 seconds. <a href="/?refresh=0">Stop</a>.</p>')
    else:
        parts.append('<p class="muted">Automatic reload is off. <a href="/">Reload every 5 seconds</a>.</p>')
    for network, net in state.networks.items():
        stats, posts = net.stats(), net.posts(PAGE_SIZE)
        if network is not Network.X and not stats["create_calls"]:
            continue  # a network appears once something was sent to it
        parts.append(f'<section aria-labelledby="{network.value}"><h2 id="{network.value}">{network.label}</h2>')
        parts.append(
            f'<p class="muted">{_n(stats["accepted_posts"], "post")} accepted from '
            f"{_n(stats['create_calls'], 'create call')}; {_n(stats['duplicates'], 'text')} stored twice; "
            f"{_n(stats['accounts'], 'account')}.</p>"
        )
        if posts:
            shown = f"newest {len(posts)} of {stats['accepted_posts']}, newest first"
            parts.append(
                f'<table><caption class="muted">{network.label} posts ({shown})</caption><thead><tr>'
                '<th scope="col">Account</th><th scope="col">Time (UTC)</th><th scope="col">Text</th>'
                '<th scope="col">Media</th>'
                f'<th scope="col">Id</th></tr></thead><tbody>{_rows(posts)}</tbody></table>'
            )
        else:
            parts.append("<p>Nothing posted yet.</p>")
        parts.append("</section>")
    return html_page("Sandbox networks — what was posted", "".join(parts), refresh)


def single_post(state: SandboxState, request: Request, network: str, username: str, post_id: str) -> Response:
    """``GET /<network>/<username>/status/<id>``: one post, like the network's permalink page."""
    post = state.network(network).get_post(post_id)
    if post is None or post.username.lower() != username.lower():
        raise NotFound(f"No post {post_id} by @{username} on the {network} sandbox.")
    when = iso(post.created_at)
    body = (
        f'<p><a href="/">← All sandbox posts</a></p><h1>Post by @{escape(post.username)} on '
        f'{Network(network).label}</h1><article><p class="text">'
        f'{escape(post.text)}</p><dl><dt>Time (UTC)</dt><dd><time datetime="{when}">{when}</time></dd>'
        f"<dt>Id</dt><dd>{post.post_id}</dd><dt>Account id</dt><dd>{post.account_id}</dd>"
        f"<dt>Media ids</dt><dd>{', '.join(post.media_ids) or 'none'}</dd>"
        f"<dt>In reply to</dt><dd>{post.in_reply_to or 'nothing'}</dd></dl></article>"
    )
    return html_page(f"Post {post.post_id} by @{post.username}", body, refresh=False)
