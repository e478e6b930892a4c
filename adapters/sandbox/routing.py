"""Small HTTP helpers shared by the sandbox modules: routes, JSON replies, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

Handler = Callable[..., Response]  # (state, request, **url_values) -> Response

PROBLEM_JSON = "application/problem+json"
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Route:
    """One URL rule: a Werkzeug path pattern, its methods and the function that answers it."""

    path: str
    methods: tuple[str, ...]
    handler: Handler


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None, content_type: str = JSON
) -> Response:
    """Return ``data`` serialised as a compact JSON response."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, headers=dict(headers or {}), content_type=content_type)


def problem(
    status: int, title: str, detail: str, headers: Mapping[str, str] | None = None, type_: str = "about:blank"
) -> Response:
    """Return an RFC 7807 problem response (title, detail, type, status), as X sends for most errors."""
    body = {"title": title, "detail": detail, "type": type_, "status": status}
    return json_response(body, status, headers, content_type=PROBLEM_JSON)


def read_json_object(request: Request) -> dict[str, Any] | None:
    """Return the request body as a JSON object, or None when it is missing or not an object."""
    try:
        data = json.loads(request.get_data() or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def redirect_back(redirect_uri: str, params: dict[str, str]) -> Response:
    """Send the browser back to the app's redirect URI with ``params`` added (the OAuth answer)."""
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return redirect(f"{redirect_uri}{separator}{urlencode(params)}", 302)


def consent_request_problem(request: Request, required: tuple[str, ...]) -> str | None:
    """Return what is wrong with an OAuth authorization request (any network's), or None."""
    missing = [name for name in required if not request.args.get(name)]
    if missing:
        return f"Missing parameters: {', '.join(missing)}."
    if request.args["response_type"] != "code":
        return "response_type must be code."
    if request.args.get("code_challenge_method", "plain") not in ("S256", "plain"):
        return "code_challenge_method must be S256 or plain."
    if urlsplit(request.args["redirect_uri"]).scheme not in ("http", "https"):
        return "redirect_uri must be an http(s) URL."
    return None
