"""LinkedIn REST error answers as the sandbox sends them (networks.md §3.3, §3.8).

Shapes follow the REST envelope ``{"status", "code", "message", "serviceErrorCode"}``; the 401 and
403 bodies match the transcribed ones in shared/realdata/linkedin. The 422 duplicate body follows the
reports quoted in networks.md (message "Content is a duplicate of <urn>"); its ``errorDetails`` part
is from memory of public reports, not from a recording.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.wrappers import Response

from adapters.sandbox import gate
from adapters.sandbox.routing import json_response

INVALID_TOKEN = {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                 "message": "Invalid access token"}
THROTTLED = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."


def error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
          service_code: int | None = None) -> Response:
    """Return one LinkedIn REST error body with ``status``."""
    body: dict[str, object] = {"status": status, "code": code, "message": message}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return json_response(body, status, headers)


def refusal(reason: str, duplicate_of: str = "") -> Response:
    """Return LinkedIn's answer for a call refused for ``reason`` (a gate refusal or a fault kind)."""
    if reason in (gate.UNAUTHORIZED, "401"):
        return json_response(INVALID_TOKEN, 401)
    if reason in (gate.RATE_LIMIT, "429"):
        return error(429, "TOO_MANY_REQUESTS", THROTTLED)  # LinkedIn sends no rate headers, no Retry-After
    if reason == "duplicate":
        return duplicate(duplicate_of)
    if reason == "500_after_accept":
        return error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")
    return error(503, "SERVICE_UNAVAILABLE", "Service Unavailable")  # outage, "5xx": nothing was done


def refused(verdict: gate.Verdict) -> Response:
    """Return LinkedIn's answer for a call the gate refused."""
    return refusal(verdict.refusal or gate.UNAUTHORIZED)


def duplicate(urn: str) -> Response:
    """Return the 422 LinkedIn sends when the author posted the same commentary recently."""
    body = {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "code": "DUPLICATE_POST",
        "message": f"Content is a duplicate of {urn}",
        "errorDetails": {"inputErrors": [{"description": "Duplicate post is detected", "input": {},
                                          "code": "DUPLICATE_POST"}]},
        "status": 422,
    }
    return json_response(body, 422)


def access_denied(resource: str) -> Response:
    """Return the 403 for a token that may not act on ``resource`` (e.g. ``partnerApiPostsExternal.CREATE``)."""
    return error(403, "ACCESS_DENIED", f"Not enough permissions to access: {resource}", service_code=100)


def unprocessable(path: str, reason: str) -> Response:
    """Return a 422 validation error naming the field path, as ``ERROR :: /commentary :: …``."""
    return error(422, "UNPROCESSABLE_ENTITY", f"ERROR :: {path} :: {reason}")


def oauth_error(status: int, code: str, description: str) -> Response:
    """Return an OAuth endpoint error ``{"error", "error_description"}``."""
    return json_response({"error": code, "error_description": description}, status)
