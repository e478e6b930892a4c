"""X's OAuth 2.0 (PKCE) as the sandbox plays it: a consent page and the token endpoint."""

from __future__ import annotations

from html import escape

from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate
from adapters.sandbox.admin import USERNAME
from adapters.sandbox.pages import html_page
from adapters.sandbox.records import Grant
from adapters.sandbox.routing import Route, consent_request_problem, json_response, redirect_back
from adapters.sandbox.state import SandboxState
from adapters.sandbox.x_errors import refusal
from scheduler.networks import Network

SCOPE = "tweet.read tweet.write users.read offline.access media.write"
REQUIRED = ("response_type", "client_id", "redirect_uri", "state", "code_challenge")


def routes() -> list[Route]:
    """Return the OAuth routes at X's paths (the real consent page lives on x.com, not the API host)."""
    return [
        Route("/i/oauth2/authorize", ("GET",), authorize_page),
        Route("/i/oauth2/authorize", ("POST",), authorize),
        Route("/2/oauth2/token", ("POST",), token),
    ]



def authorize_page(state: SandboxState, request: Request) -> Response:
    """``GET /i/oauth2/authorize``: ask which sandbox account should connect to the app."""
    problem = consent_request_problem(request, REQUIRED)
    if problem:
        return html_page(
            "Sandbox X — cannot authorize", f"<h1>Cannot authorize</h1><p>{escape(problem)}</p>", status=400
        )
    client = escape(request.args["client_id"])
    body = (
        f"<h1>Connect a sandbox X account</h1><p>The app <strong>{client}</strong> asks to post for you "
        f"(scopes: {escape(request.args.get('scope', ''))}). This is the sandbox: any username works and is "
        'created if new.</p><form method="post"><p><label for="username">Username</label> '
        '<input id="username" name="username" required pattern="[A-Za-z0-9_]{1,30}" autocomplete="off"></p>'
        '<p><label for="name">Display name</label> <input id="name" name="name"></p>'
        '<p><button name="decision" value="allow">Authorize app</button> '
        '<button name="decision" value="deny" formnovalidate>Cancel</button></p></form>'
    )
    return html_page("Sandbox X — authorize app", body)



def authorize(state: SandboxState, request: Request) -> Response:
    """``POST /i/oauth2/authorize``: record the consent and send the browser back with a one-time code."""
    problem = consent_request_problem(request, REQUIRED)
    if problem:
        return html_page(
            "Sandbox X — cannot authorize", f"<h1>Cannot authorize</h1><p>{escape(problem)}</p>", status=400
        )
    args, username = request.args, request.form.get("username", "").lstrip("@")
    if request.form.get("decision") == "deny":
        return redirect_back(args["redirect_uri"], {"error": "access_denied", "state": args["state"]})
    if not USERNAME.match(username):
        return authorize_page(state, request)
    code = state.network(Network.X).authorize(
        username,
        request.form.get("name", ""),
        args["redirect_uri"],
        args["code_challenge"],
        args.get("code_challenge_method", "plain"),
    )
    return redirect_back(args["redirect_uri"], {"state": args["state"], "code": code})


def token(state: SandboxState, request: Request) -> Response:
    """``POST /2/oauth2/token``: authorization_code (with PKCE) or refresh_token grants; rotates refresh tokens."""
    net = state.network(Network.X)
    if not gate.arrive(net):  # latency and outages apply to the token endpoint too
        return refusal(gate.OUTAGE, {})
    form, grant_type = request.form, request.form.get("grant_type")
    grant: Grant | None
    if grant_type == "refresh_token":
        grant = net.refresh(form.get("refresh_token", ""))
    elif grant_type == "authorization_code":
        grant = net.redeem_code(form.get("code", ""), form.get("redirect_uri", ""), form.get("code_verifier", ""))
    else:
        return json_response({"error": "unsupported_grant_type", "error_description": "Unsupported grant type."}, 400)
    if grant is None:
        description = "Value passed for the token was invalid."
        return json_response({"error": "invalid_request", "error_description": description}, 400)
    expires_in = int((grant.expires_at - net.now()).total_seconds())
    return json_response(
        {
            "token_type": "bearer",
            "expires_in": expires_in,
            "access_token": grant.access_token,
            "scope": SCOPE,
            "refresh_token": grant.refresh_token,
        }
    )
