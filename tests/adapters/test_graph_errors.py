"""The shared Graph error mapping: every code of networks.md §4.4 / §5.5 to its typed error."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests

from adapters.graph_errors import from_response, parse_error, regain_at, translate
from scheduler.clock import utcnow
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def envelope(code: int, subcode: int | None = None, message: str = "boom", **extra: object) -> dict:
    error: dict[str, object] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Ax"}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "code", "subcode", "mutation", "kind"),
    [
        (400, 190, 463, True, AuthExpiredError),
        (400, 190, None, False, AuthExpiredError),
        (400, 102, None, False, AuthExpiredError),
        (403, 200, None, True, AuthExpiredError),
        (400, 10, None, True, AuthExpiredError),
        (400, 4, None, True, RateLimitedError),
        (400, 17, None, True, RateLimitedError),
        (400, 32, None, True, RateLimitedError),
        (400, 613, None, True, RateLimitedError),
        (400, 80001, None, True, RateLimitedError),
        (400, 9, 2207042, True, RateLimitedError),
        (400, 368, None, True, RejectedError),
        (400, 506, None, True, RejectedError),
        (400, 100, None, True, RejectedError),
        (400, 100, 2207005, True, RejectedError),
        (400, 100, 2207009, True, RejectedError),
        (400, 100, 2207010, True, RejectedError),
        (400, 1609005, None, True, RejectedError),
        (400, 9007, 2207027, True, TransientError),
        (400, 100, 2207052, True, TransientError),
        (503, 2, None, True, TransientError),
        (503, 2, None, False, TransientError),
        (500, 1, None, True, OutcomeUnknownError),
        (500, 1, None, False, TransientError),
        (502, 1, None, True, OutcomeUnknownError),
        (502, 1, None, False, TransientError),
    ],
)
def test_every_code_maps_to_its_error(status, code, subcode, mutation, kind):
    error = from_response(answer(status, envelope(code, subcode)), network="Facebook", mutation=mutation)
    assert type(error) is kind
    assert error.status == status


def test_5xx_without_envelope():
    assert isinstance(from_response(answer(502, "bad gateway"), network="Facebook", mutation=True),
                      OutcomeUnknownError)
    assert isinstance(from_response(answer(503, "down"), network="Facebook", mutation=True), TransientError)


def test_rejected_message_is_metas():
    body = envelope(368, message="The action attempted has been deemed abusive or is otherwise disallowed")
    error = from_response(answer(400, body), network="Facebook", mutation=True)
    assert "deemed abusive" in error.message


def test_rate_limit_waits_estimated_minutes_from_header():
    header = {"X-Business-Use-Case-Usage": json.dumps(
        {"123": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]})}
    error = from_response(answer(400, envelope(32), header), network="Facebook", mutation=True)
    assert isinstance(error, RateLimitedError)
    assert timedelta(minutes=6) < error.retry_at - utcnow() <= timedelta(minutes=7)


def test_rate_limit_waits_estimated_minutes_from_body():
    body = envelope(80001, estimated_time_to_regain_access=3)
    assert regain_at(answer(400, body), 80001) - utcnow() <= timedelta(minutes=3)


def test_rate_limit_defaults():
    now = utcnow()
    assert regain_at(answer(400, envelope(4)), 4, now) == now + timedelta(minutes=15)
    assert regain_at(answer(400, envelope(613)), 613, now) == now + timedelta(hours=1)
    assert regain_at(None, 17, now) == now + timedelta(minutes=15)


def test_transport_errors_use_shared_classifier():
    assert isinstance(translate(requests.ReadTimeout("slow"), network="Facebook", mutation=True),
                      OutcomeUnknownError)
    assert isinstance(translate(requests.ConnectTimeout("no"), network="Facebook", mutation=True), TransientError)
    http = requests.HTTPError(response=answer(400, envelope(190)))
    assert isinstance(translate(http, network="Facebook", mutation=False), AuthExpiredError)


def test_recorded_error_100(recorded):
    body = recorded.json("facebook/error_100_oauthexception_missing_permission.python-facebook.json")
    parsed = parse_error(body)
    assert parsed is not None and parsed.code == 100 and parsed.subcode is None
    error = from_response(answer(400, body), network="Facebook", mutation=False)
    assert isinstance(error, RejectedError)
    assert "pages_read_engagement" in error.message


def test_transcribed_instagram_9007(recorded):
    entries = recorded.json("instagram/transcribed_media_publish_error_9007.from-issues.json")["entries"]
    for entry in entries:
        parsed = parse_error(entry["body"])
        assert parsed is not None and (parsed.code, parsed.subcode) == (9007, 2207027)
        error = from_response(answer(entry["http_status"], entry["body"]), network="Instagram", mutation=True)
        assert isinstance(error, TransientError)  # not ready yet: wait, never a rejection
        assert "not ready" not in error.message or "Media ID" in error.message


def test_parse_error_ignores_non_envelopes():
    assert parse_error({"data": []}) is None
    assert parse_error(["x"]) is None
    assert parse_error({"error": "nope"}) is None
