"""X API v2 error answers, shaped exactly like the real problem+json bodies (networks.md §2.8)."""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.wrappers import Response

from adapters.sandbox import gate
from adapters.sandbox.routing import PROBLEM_JSON, json_response

PROBLEMS = "https://api.twitter.com/2/problems/"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."


def refusal(reason: str, headers: Mapping[str, str]) -> Response:
    """Return X's answer for a call refused for ``reason`` (a gate refusal or a fault kind)."""
    if reason in (gate.UNAUTHORIZED, "401"):
        body: dict[str, object] = {
            "title": "Unauthorized",
            "type": "about:blank",
            "status": 401,
            "detail": "Unauthorized",
        }
    elif reason in (gate.RATE_LIMIT, "429"):
        body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
        headers = {**headers, "x-rate-limit-remaining": "0"}
    elif reason == "duplicate":
        body = {"detail": DUPLICATE_DETAIL, "type": "about:blank", "title": "Forbidden", "status": 403}
    elif reason == "500_after_accept":
        body = {
            "title": "Internal Server Error",
            "detail": "Internal Server Error",
            "type": "about:blank",
            "status": 500,
        }
    else:  # outage, "5xx"
        body = {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}
    return json_response(body, int(str(body["status"])), headers, content_type=PROBLEM_JSON)


def refused(verdict: gate.Verdict) -> Response:
    """Return X's answer for a call the gate refused."""
    return refusal(verdict.refusal or gate.UNAUTHORIZED, verdict.rate_headers())


def invalid_request(message: str, parameters: Mapping[str, list[str]], headers: Mapping[str, str]) -> Response:
    """Return X's 400 invalid-request problem with one error entry."""
    body = {
        "errors": [{"parameters": parameters, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEMS + "invalid-request",
    }
    return json_response(body, 400, headers, content_type=PROBLEM_JSON)


def forbidden(title: str, detail: str, problem: str, headers: Mapping[str, str]) -> Response:
    """Return a 403 problem of the given X problem type (e.g. ``not-authorized-for-resource``)."""
    body = {"title": title, "detail": detail, "type": PROBLEMS + problem, "status": 403}
    return json_response(body, 403, headers, content_type=PROBLEM_JSON)
