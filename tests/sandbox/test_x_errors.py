"""X's error bodies: exactly the shapes of networks.md §2.8, and what tweepy makes of them."""

from __future__ import annotations

import json

import pytest
import requests
import tweepy

from adapters.sandbox import gate
from adapters.sandbox.x_errors import forbidden, invalid_request, refusal


@pytest.mark.parametrize(
    ("reason", "status", "body"),
    [
        (
            gate.UNAUTHORIZED,
            401,
            {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
        ),
        ("401", 401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
        (
            gate.RATE_LIMIT,
            429,
            {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        ),
        (
            "duplicate",
            403,
            {
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
        ),
        (
            "500_after_accept",
            500,
            {"title": "Internal Server Error", "detail": "Internal Server Error", "type": "about:blank", "status": 500},
        ),
        (
            "5xx",
            503,
            {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503},
        ),
        (
            gate.OUTAGE,
            503,
            {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503},
        ),
    ],
)
def test_refusals_have_xs_exact_bodies(reason: str, status: int, body: dict[str, object]) -> None:
    response = refusal(reason, {"x-rate-limit-limit": "100"})
    assert response.status_code == status
    assert response.get_data(as_text=True) == json.dumps(body, separators=(",", ":"))  # same keys, same order
    assert response.content_type == "application/problem+json"
    assert response.headers["x-rate-limit-limit"] == "100"


def test_429_always_says_nothing_remains() -> None:
    assert refusal("429", {"x-rate-limit-remaining": "57"}).headers["x-rate-limit-remaining"] == "0"


def test_invalid_request_has_the_errors_list_first() -> None:
    body = json.loads(invalid_request("Too long", {"text": ["aaa"]}, {}).get_data())
    assert list(body) == ["errors", "title", "detail", "type"]
    assert body["errors"] == [{"parameters": {"text": ["aaa"]}, "message": "Too long"}]


def test_forbidden_uses_xs_problem_type_uri() -> None:
    body = json.loads(forbidden("Authorization Error", "No.", "not-authorized-for-resource", {}).get_data())
    assert body["type"] == "https://api.twitter.com/2/problems/not-authorized-for-resource"


@pytest.mark.parametrize(
    ("reason", "exception", "messages"),
    [
        ("duplicate", tweepy.Forbidden, ["You are not allowed to create a Tweet with duplicate content."]),
        ("429", tweepy.TooManyRequests, ["Too Many Requests"]),
        (gate.UNAUTHORIZED, tweepy.Unauthorized, ["Unauthorized"]),
        ("5xx", tweepy.TwitterServerError, ["Service Unavailable"]),
    ],
)
def test_tweepy_maps_the_bodies_as_networks_md_says(
    reason: str, exception: type[tweepy.HTTPException], messages: list[str]
) -> None:
    sandbox_response = refusal(reason, {"x-rate-limit-reset": "1900000000"})
    response = requests.Response()
    response.status_code = sandbox_response.status_code
    response._content = sandbox_response.get_data()
    response.headers.update(dict(sandbox_response.headers))
    error = exception(response)
    assert error.api_codes == [] and error.api_messages == messages
