"""Routing helpers: JSON replies and JSON bodies."""

from __future__ import annotations

import json

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from adapters.sandbox.routing import json_response, problem, read_json_object


def _request(data: bytes) -> Request:
    return Request(EnvironBuilder(method="POST", data=data).get_environ())


def test_json_response_is_compact_utf8_with_headers() -> None:
    response = json_response({"text": "Grüße"}, 201, {"x-a": "1"})
    assert response.status_code == 201 and response.headers["x-a"] == "1"
    assert response.get_data(as_text=True) == '{"text":"Grüße"}'
    assert response.content_type == "application/json; charset=utf-8"


def test_problem_has_the_rfc7807_fields() -> None:
    body = json.loads(problem(418, "Teapot", "Short and stout").get_data())
    assert body == {"title": "Teapot", "detail": "Short and stout", "type": "about:blank", "status": 418}


def test_read_json_object_accepts_only_objects() -> None:
    assert read_json_object(_request(b'{"a": 1}')) == {"a": 1}
    assert read_json_object(_request(b"[1]")) is None
    assert read_json_object(_request(b"{nope")) is None
    assert read_json_object(_request(b"")) is None
    assert read_json_object(_request(b"\xff\xfe")) is None
