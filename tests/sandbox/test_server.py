"""The server: routing fallbacks, HTTP/1.1 keep-alive that stays in sync, threads, start and stop."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.test import Client

from adapters.sandbox.knobs import Knobs
from adapters.sandbox.server import MAX_BODY, MAX_UPLOAD_BODY, create_sandbox_app, start_in_thread, stop
from adapters.sandbox.state import SandboxState
from tests.sandbox.support import Sandbox


def _connection(sbx: Sandbox) -> http.client.HTTPConnection:
    parts = urlsplit(sbx.url)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)


def _create(conn: http.client.HTTPConnection, token: str, text: str) -> tuple[int, dict[str, str]]:
    conn.request(
        "POST",
        "/2/tweets",
        body=json.dumps({"text": text}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    response.read()
    return response.status, {key.lower(): value for key, value in response.getheaders()}


def test_one_connection_serves_many_requests_back_to_back(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    conn = _connection(sbx)
    started = time.monotonic()
    results = [_create(conn, token, f"keep-alive {n}") for n in range(50)]
    first_socket = conn.sock
    conn.request("GET", "/2/users/me", headers={"Authorization": f"Bearer {token}"})
    me = conn.getresponse()
    assert me.status == 200 and json.loads(me.read())["data"]["username"] == "acme_jobs"
    assert conn.sock is first_socket  # never reconnected
    assert [status for status, _ in results] == [201] * 50
    assert all("connection" not in headers for _, headers in results)
    assert time.monotonic() - started < 3
    conn.close()


def test_an_unread_or_refused_body_does_not_confuse_the_next_request(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    conn = _connection(sbx)
    assert _create(conn, "wrong-token", "x" * 5000)[0] == 401
    conn.request("PUT", "/2/tweets", body=b"{}")  # 405, body never looked at by a handler
    refused = conn.getresponse()
    assert refused.status == 405 and json.loads(refused.read())["status"] == 405
    assert _create(conn, token, "still in sync")[0] == 201
    conn.close()


def test_chunked_request_body_works_and_then_the_connection_closes(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    conn = _connection(sbx)
    body = iter([b'{"text": ', b'"chunked"}'])
    conn.request(
        "POST",
        "/2/tweets",
        body=body,
        encode_chunked=True,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    assert response.status == 201 and json.loads(response.read())["data"]["text"] == "chunked"
    assert response.will_close
    conn.close()


def test_oversized_body_is_413(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    response = sbx.session.post(
        f"{sbx.url}/2/tweets", data=b"x" * (MAX_BODY + 1), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 413
    assert sbx.create(token, "after a big one").status_code == 201


def test_media_uploads_may_be_larger_than_other_bodies(sbx: Sandbox) -> None:
    token = sbx.account()["access_token"]
    big_gif = b"GIF89a" + bytes(3 * MAX_BODY)  # the sandbox looks at the magic number only
    response = sbx.session.post(f"{sbx.url}/2/media/upload", headers={"Authorization": f"Bearer {token}"},
                                files={"media": ("a.gif", big_gif, "image/gif")}, data={"media_category": "tweet_gif"})
    assert response.status_code == 200, response.text
    too_big = sbx.session.post(f"{sbx.url}/2/media/upload", data=b"x" * (MAX_UPLOAD_BODY + 1),
                               headers={"Authorization": f"Bearer {token}"})
    assert too_big.status_code == 413


def test_unknown_api_paths_get_json_and_other_paths_html(sbx: Sandbox) -> None:
    api = sbx.session.get(f"{sbx.url}/2/spaces")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    page = sbx.session.get(f"{sbx.url}/nothing-here")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_many_concurrent_clients_get_exact_counts(sbx: Sandbox) -> None:
    sbx.knobs(rate_limit=0)
    tokens = [sbx.account(f"user{n}")["access_token"] for n in range(20)]

    def client(n: int) -> list[str]:
        with requests.Session() as session:
            return [
                session.post(
                    f"{sbx.url}/2/tweets",
                    json={"text": f"post {k}"},
                    timeout=10,
                    headers={"Authorization": f"Bearer {tokens[n]}"},
                ).json()["data"]["id"]
                for k in range(25)
            ]

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = [post_id for batch in pool.map(client, range(20)) for post_id in batch]
    stats = sbx.stats()
    assert len(set(ids)) == 500 == stats["accepted_posts"] == stats["create_calls"]
    assert stats["duplicates"] == 0


def test_a_bug_in_the_sandbox_is_a_500_that_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    state = SandboxState()

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(state, "reset", broken)
    with caplog.at_level(logging.ERROR, logger="adapters.sandbox.server"):
        response = Client(create_sandbox_app(state)).post("/_sandbox/reset")
    assert response.status_code == 500 and response.json["title"] == "Sandbox Bug"  # type: ignore[index]
    assert "sandbox failed on POST /_sandbox/reset" in caplog.text


def test_the_app_takes_start_knobs() -> None:
    client = Client(create_sandbox_app(knobs={"x": Knobs(rate_limit=3)}))
    assert client.get("/_sandbox/x/knobs").json["rate_limit"] == 3  # type: ignore[index]


def test_stop_releases_a_hanging_request_and_frees_the_port() -> None:
    state = SandboxState({"x": Knobs(accept_then_timeout=1.0, hang_s=30)})
    server, thread, url = start_in_thread(state=state)
    token = requests.post(f"{url}/_sandbox/x/accounts", json={"username": "a"}, timeout=5).json()["access_token"]
    answers: list[int] = []
    hanging = threading.Thread(
        target=lambda: answers.append(
            requests.post(
                f"{url}/2/tweets",
                json={"text": "hangs"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).status_code
        )
    )
    hanging.start()
    time.sleep(0.2)
    started = time.monotonic()
    stop(server, thread)
    hanging.join(5)
    assert answers == [201] and time.monotonic() - started < 3
    assert not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox/stats", timeout=1)


def test_pipelined_requests_are_answered_in_order_and_a_malformed_one_closes(sbx: Sandbox) -> None:
    parts = urlsplit(sbx.url)
    with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=5) as sock:
        sock.sendall(
            b"GET /_sandbox/stats HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /_sandbox/x/faults HTTP/1.1\r\nHost: x\r\n\r\nGET / too many words HTTP/1.1\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):  # ends when the server closes the connection
            received += chunk
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert [answer[:3] for answer in answers] == [b"200", b"200", b"400"]
    assert b'{"pending":[]}' in answers[1] and b"Connection: close" in answers[2]
