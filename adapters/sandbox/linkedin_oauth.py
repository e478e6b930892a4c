"""LinkedIn's OAuth 2.0 (3-legged, no PKCE) as the sandbox plays it: a consent page and the token endpoint.

The real pages live on www.linkedin.com; the sandbox serves them on its one host. Refresh tokens
rotate here (the shared account book rotates them); real LinkedIn keeps the refresh token and only
counts its fixed 365-day lifetime down, which the sandbox does not model.
"""

from __future__ import annotations

from html import escape

from werkzeug.wrappers import Request, Response

from adapters.sandbox import gate
from adapters.sandbox.admin import USERNAME
from adapters.sandbox.linkedin_errors import error, oauth_error
from adapters.sandbox.pages import html_page
from adapters.sandbox.records import Grant
from adapters.sandbox.routing import Route, consent_request_problem, json_response, redirect_back
from adapters.sandbox.state import SandboxState
from scheduler.networks import Network

REQUIRED = ("response_type", "client_id", "redirect_uri", "state")
REFRESH_TOKEN_TTL_S = 31_536_000  # reported, not enforced
BAD_CODE = ("Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. "
            "Or authorization code expired.")


def routes() -> list[Route]:
    """Return the OAuth routes at www.linkedin.com's paths."""
    return [
        Route("/oauth/v2/authorization", ("GET",), authorize_page),
        Route("/oauth/v2/authorization", ("POST",), authorize),
        Route("/oauth/v2/accessToken", ("POST",), access_token),
    ]



def _cannot(problem: str) -> Response:
    return html_page("Sandbox LinkedIn — cannot authorize",
                     f"<h1>Cannot authorize</h1><p>{escape(problem)}</p>", status=400)


def authorize_page(state: SandboxState, request: Request) -> Response:
    """``GET /oauth/v2/authorization``: ask which sandbox member (and so which page) connects."""
    problem = consent_request_problem(request, REQUIRED)
    if problem:
        return _cannot(problem)
    client = escape(request.args["client_id"])
    body = (
        f"<h1>Connect a sandbox LinkedIn page</h1><p>The app <strong>{client}</strong> asks to post for you "
        f"(scopes: {escape(request.args.get('scope', ''))}). This is the sandbox: any member name works and is "
        "created if new; it administers one company page of the same name.</p><form method=\"post\">"
        '<p><label for="username">Member</label> <input id="username" name="username" required '
        'pattern="[A-Za-z0-9_]{1,30}" autocomplete="off"></p>'
        '<p><label for="name">Page name</label> <input id="name" name="name"></p>'
        '<p><button name="decision" value="allow">Allow</button> '
        '<button name="decision" value="deny" formnovalidate>Cancel</button></p></form>'
    )
    return html_page("Sandbox LinkedIn — authorize app", body)



def authorize(state: SandboxState, request: Request) -> Response:
    """``POST /oauth/v2/authorization``: record the consent and send the browser back with a code."""
    problem = consent_request_problem(request, REQUIRED)
    if problem:
        return _cannot(problem)
    args, username = request.args, request.form.get("username", "").lstrip("@")
    if request.form.get("decision") == "deny":
        return redirect_back(args["redirect_uri"], {"error": "user_cancelled_authorize",
                                            "error_description": "The user cancelled the authorization",
                                            "state": args["state"]})
    if not USERNAME.match(username):
        return authorize_page(state, request)
    # No PKCE on LinkedIn: an empty "plain" challenge matches the empty verifier of the exchange.
    code = state.network(Network.LINKEDIN).authorize(
        username, request.form.get("name", ""), args["redirect_uri"], "", "plain"
    )
    return redirect_back(args["redirect_uri"], {"code": code, "state": args["state"]})


def access_token(state: SandboxState, request: Request) -> Response:
    """``POST /oauth/v2/accessToken``: authorization_code or refresh_token grants (form, client id required)."""
    net = state.network(Network.LINKEDIN)
    if not gate.arrive(net):  # latency and outages apply to the token endpoint too
        return error(503, "SERVICE_UNAVAILABLE", "Service Unavailable")
    form, grant_type = request.form, request.form.get("grant_type")
    if not form.get("client_id"):
        return oauth_error(401, "invalid_client", "Client authentication failed")
    grant: Grant | None
    if grant_type == "refresh_token":
        grant = net.refresh(form.get("refresh_token", ""))
        description = "The provided refresh token is invalid or expired."
    elif grant_type == "authorization_code":
        grant = net.redeem_code(form.get("code", ""), form.get("redirect_uri", ""), "")
        description = BAD_CODE
    else:
        return oauth_error(400, "unsupported_grant_type", "Unsupported grant type.")
    if grant is None:
        return oauth_error(400, "invalid_request", description)
    return json_response({
        "access_token": grant.access_token,
        "expires_in": int((grant.expires_at - net.now()).total_seconds()),
        "refresh_token": grant.refresh_token,
        "refresh_token_expires_in": REFRESH_TOKEN_TTL_S,
        "scope": "r_organization_social,rw_organization_admin,w_organization_social",
    })
