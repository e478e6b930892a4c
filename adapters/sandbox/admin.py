"""The JSON admin API under ``/_sandbox/``: accounts, posts, knobs, forced faults, stats, reset, mail."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.wrappers import Request, Response

from adapters.sandbox.knobs import KnobError
from adapters.sandbox.mailbox import mailbox_for, mailbox_page
from adapters.sandbox.routing import Route, json_response, read_json_object
from adapters.sandbox.state import NetworkState, SandboxState
from scheduler.networks import Network

USERNAME = re.compile(r"^[A-Za-z0-9_]{1,30}$")


def routes() -> list[Route]:
    """Return the admin routes; ``<network>`` only matches the networks Postillon knows."""
    net = "/_sandbox/<any(" + ", ".join(network.value for network in Network) + "):network>"
    return [
        Route("/_sandbox/stats", ("GET",), stats),
        Route("/_sandbox/reset", ("POST",), reset),
        Route("/_sandbox/mail", ("GET",), list_mail),
        Route("/_sandbox/mail", ("DELETE",), clear_mail),
        Route("/_sandbox/mailbox", ("GET",), mailbox_page),
        Route(f"{net}/accounts", ("GET",), list_accounts),
        Route(f"{net}/accounts", ("POST",), create_account),
        Route(f"{net}/accounts/<account_id>/revoke", ("POST",), revoke_account),
        Route(f"{net}/posts", ("GET",), list_posts),
        Route(f"{net}/knobs", ("GET",), get_knobs),
        Route(f"{net}/knobs", ("PUT", "PATCH"), put_knobs),
        Route(f"{net}/faults", ("GET",), get_faults),
        Route(f"{net}/faults", ("POST",), post_faults),
    ]


def _error(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def stats(state: SandboxState, request: Request) -> Response:
    """``GET /_sandbox/stats``: counters per network (calls, accepted posts, duplicates, faults served)."""
    return json_response({network.value: net.stats() for network, net in state.networks.items()})


def reset(state: SandboxState, request: Request) -> Response:
    """``POST /_sandbox/reset``: forget everything (mail too); knobs return to their start values."""
    state.reset()
    mailbox_for(state).clear()
    return json_response({"reset": True})


def list_mail(state: SandboxState, request: Request) -> Response:
    """``GET /_sandbox/mail[?to=…]``: the mail the sandbox SMTP server received, newest first."""
    to = request.args.get("to", "").lower()
    mails = [mail.to_dict() for mail in mailbox_for(state).mails()
             if not to or any(to in address.lower() for address in mail.to)]
    return json_response({"mail": mails, "count": len(mails)})


def clear_mail(state: SandboxState, request: Request) -> Response:
    """``DELETE /_sandbox/mail``: forget every received mail."""
    return json_response({"deleted": mailbox_for(state).clear()})


def list_accounts(state: SandboxState, request: Request, network: str) -> Response:
    """``GET /_sandbox/<network>/accounts``: every account, oldest first."""
    return json_response({"accounts": [account.to_dict() for account in state.network(network).accounts()]})


def create_account(state: SandboxState, request: Request, network: str) -> Response:
    """``POST /_sandbox/<network>/accounts``: create (or reuse) an account and issue fresh tokens."""
    body = read_json_object(request) or {}
    username, name, expires_in = body.get("username"), body.get("name") or "", body.get("expires_in")
    if not isinstance(username, str) or not USERNAME.match(username):
        return _error("username is required: 1 to 30 letters, digits or underscores")
    if not isinstance(name, str):
        return _error("name must be a string")
    if expires_in is not None and (
        isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in < 0
    ):
        return _error("expires_in must be a number of seconds, 0 or more")
    net = state.network(network)
    account, grant = net.add_account(username, name, None if expires_in is None else float(expires_in))
    data = {
        "account_id": account.account_id,
        "username": account.username,
        "name": account.name,
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token,
        "expires_in": int((grant.expires_at - net.now()).total_seconds()),
    }
    return json_response(data, 201)


def revoke_account(state: SandboxState, request: Request, network: str, account_id: str) -> Response:
    """``POST /_sandbox/<network>/accounts/<id>/revoke``: every token of the account answers 401 from now on."""
    if not state.network(network).revoke(account_id):
        return _error(f"no account {account_id} on {network}", 404)
    return json_response({"revoked": account_id})


def list_posts(state: SandboxState, request: Request, network: str) -> Response:
    """``GET /_sandbox/<network>/posts[?username=…]``: every stored post, newest first."""
    net: NetworkState = state.network(network)
    username = request.args.get("username", "").lower()
    with net.lock:  # one consistent snapshot of posts and call counters
        posts: list[dict[str, Any]] = []
        for post in net.posts():
            if username and post.username.lower() != username:
                continue
            posts.append({**post.to_dict(), "create_calls_with_this_text": net.calls_with_text(post)})
    return json_response({"posts": posts, "count": len(posts)})


def get_knobs(state: SandboxState, request: Request, network: str) -> Response:
    """``GET /_sandbox/<network>/knobs``: the current knobs."""
    return json_response(state.network(network).knobs.to_dict())


def put_knobs(state: SandboxState, request: Request, network: str) -> Response:
    """``PUT /_sandbox/<network>/knobs``: change the knobs named in the body, keep the others."""
    patch = read_json_object(request)
    if patch is None:
        return _error("send a JSON object of knob names and values")
    try:
        knobs = state.network(network).update_knobs(patch)
    except KnobError as error:
        return _error(str(error))
    return json_response(knobs.to_dict())


def get_faults(state: SandboxState, request: Request, network: str) -> Response:
    """``GET /_sandbox/<network>/faults``: the forced faults still queued, next first."""
    return json_response({"pending": state.network(network).pending_faults()})


def post_faults(state: SandboxState, request: Request, network: str) -> Response:
    """``POST /_sandbox/<network>/faults`` ``{"next": [...], "clear": false}``: queue forced faults."""
    body = read_json_object(request)
    kinds = (body or {}).get("next", [])
    if body is None or not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        return _error('send {"next": ["5xx", "ok", ...]} (and "clear": true to drop the queue first)')
    net = state.network(network)
    with net.lock:
        if body.get("clear") is True:
            net.clear_faults()
        try:
            pending = net.push_faults(kinds)
        except KnobError as error:
            return _error(str(error))
    return json_response({"pending": pending})
