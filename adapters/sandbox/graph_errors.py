"""Graph API error answers (Facebook Pages and Instagram): Meta's envelope, networks.md §4.4 / §5.5."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping

from werkzeug.wrappers import Response

from adapters.sandbox import gate
from adapters.sandbox.routing import json_response

#: (HTTP status, code, subcode, type, message) per refusal reason or sandbox fault kind.
ERRORS: dict[str, tuple[int, int, int | None, str, str]] = {
    gate.UNAUTHORIZED: (400, 190, 463, "OAuthException",
                        "Error validating access token: Session has expired or the token is invalid."),
    "401": (400, 190, 463, "OAuthException",
            "Error validating access token: Session has expired or the token is invalid."),
    "duplicate": (400, 506, None, "OAuthException", "(#506) Duplicate status message"),
    "5xx": (503, 2, None, "OAuthException", "(#2) Service temporarily unavailable"),
    gate.OUTAGE: (503, 2, None, "OAuthException", "(#2) Service temporarily unavailable"),
    "500_after_accept": (500, 1, None, "OAuthException", "An unknown error has occurred."),
}
RATE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account.",
}
MESSAGES = {
    368: "The action attempted has been deemed abusive or is otherwise disallowed",
    100: "(#100) Invalid parameter",
    9: "(#9) Application request limit reached",
    9007: "Media ID is not available",
    1: "An unknown error has occurred.",
    2: "(#2) Service temporarily unavailable",
    190: "Error validating access token: Session has expired or the token is invalid.",
    506: "(#506) Duplicate status message",
}


def graph_error(
    status: int,
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    type_: str = "OAuthException",
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Response:
    """Return Meta's error envelope ``{"error": {message, type, code, error_subcode?, fbtrace_id}}``."""
    error: dict[str, object] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra or {})
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(15)
    return json_response({"error": error}, status, headers)


def usage_headers(object_id: str, minutes: int, kind: str) -> dict[str, str]:
    """Return ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` as Meta sends them (values in %)."""
    full = 100 if minutes else 1
    buc = {object_id: [{"type": kind, "call_count": full, "total_cputime": 1, "total_time": 1,
                        "estimated_time_to_regain_access": minutes}]}
    app = {"call_count": full, "total_time": 1, "total_cputime": 1}
    return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(buc)}


def rate_limited(object_id: str, code: int, minutes: int, kind: str) -> Response:
    """Return a throttling error (codes 4/17/32/613/80001) with the usage headers."""
    message = RATE_MESSAGES.get(code, f"(#{code}) Request limit reached")
    return graph_error(400, code, message, headers=usage_headers(object_id, minutes, kind),
                       extra={"is_transient": True})


def refusal(reason: str, object_id: str, verdict: gate.Verdict | None, kind: str, now_epoch: float) -> Response:
    """Return the Graph answer for a gate refusal or a fault kind (``429`` → code 32 or 4)."""
    if reason in (gate.RATE_LIMIT, "429"):
        minutes = 1
        if verdict is not None and verdict.window is not None:
            minutes = max(1, math.ceil((verdict.window.reset_epoch - now_epoch) / 60))
        return rate_limited(object_id, 32 if kind == "pages" else 4, minutes, kind)
    status, code, subcode, type_, message = ERRORS.get(reason, ERRORS["5xx"])
    return graph_error(status, code, message, subcode=subcode, type_=type_)


def scripted(entry: Mapping[str, object], object_id: str, kind: str) -> Response:
    """Return the error a test scripted: ``{"code", "subcode"?, "status"?, "message"?, "minutes"?}``."""
    code = int(str(entry.get("code", 1)))
    if code in RATE_MESSAGES:
        return rate_limited(object_id, code, int(str(entry.get("minutes", 0))), kind)
    subcode = entry.get("subcode")
    status = int(str(entry.get("status", 500 if code == 1 else 503 if code == 2 else 400)))
    message = str(entry.get("message") or MESSAGES.get(code, f"(#{code}) Error"))
    return graph_error(status, code, message, subcode=int(str(subcode)) if subcode is not None else None)
