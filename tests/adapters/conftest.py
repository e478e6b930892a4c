"""Fixtures for adapter tests: recorded responses, a real local HTTP server, adapter configs."""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from adapters.sandbox.server import start_in_thread, stop
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, Credentials

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOKEN = "user-access-token-SECRET-123"


class Recorded:
    """Readers for the recorded responses in tests/fixtures (helpers reach tests as fixtures)."""

    @staticmethod
    def json(name: str) -> Any:
        """Return a JSON fixture."""
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    @staticmethod
    def cassette(name: str) -> list[dict[str, Any]]:
        """Return a VCR cassette's interactions with the gzip bodies decompressed to text."""
        data = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
        interactions = data["interactions"]
        for interaction in interactions:
            body = interaction["response"]["body"]["string"]
            if isinstance(body, bytes):
                interaction["response"]["body"]["string"] = gzip.decompress(body).decode("utf-8")
        return list(interactions)

    def x_error(self, status: int, contains: str = "") -> dict[str, Any]:
        """Return the transcribed X v2 error body with ``status`` whose entry mentions ``contains``."""
        entries = self.json("x/transcribed_v2_error_bodies.from-issues.json")["entries"]
        for entry in entries:
            if entry["http_status"] == status and contains in json.dumps(entry):
                return dict(entry["body"])
        raise LookupError(f"no transcribed {status} body containing {contains!r}")


@pytest.fixture
def recorded() -> Recorded:
    """Readers for the recorded responses."""
    return Recorded()


@dataclass
class Seen:
    """One request the local server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str], bytes] | None  # None: drop the connection without answering


@dataclass
class LocalServer:
    """A real HTTP server on 127.0.0.1 answering through ``handler``; records what it received."""

    handler: Callable[[Seen], Reply]
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            server.seen.append(seen)
            reply = server.handler(seen)
            if reply is None:  # reset the connection after the request was read
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            status, headers, body = reply
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen() backlog: 50 clients connect at once in the concurrency test


@pytest.fixture
def local_server() -> Iterator[Callable[[Callable[[Seen], Reply]], LocalServer]]:
    """Start real local HTTP servers; each answers through the handler it is given."""
    started: list[tuple[ThreadingHTTPServer, LocalServer]] = []

    def start(handler: Callable[[Seen], Reply]) -> LocalServer:
        state = LocalServer(handler)
        httpd = _Server(("127.0.0.1", 0), _make_handler(state))
        httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append((httpd, state))
        return state

    yield start
    for httpd, state in started:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """Return a URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _x_config(api_url: str | None = None, **kwargs: Any) -> AdapterConfig:
    options: dict[str, Any] = {"client_ids": {Network.X: "client-id-1"}, "connect_timeout_s": 2.0,
                               "read_timeout_s": 2.0}
    options.update(kwargs)
    if api_url:
        options["api_urls"] = {Network.X: api_url}
    return AdapterConfig(**options)


@pytest.fixture
def x_config() -> Callable[..., AdapterConfig]:
    """Return a factory of AdapterConfigs for X, pointing at ``api_url`` when given."""
    return _x_config


@pytest.fixture
def token() -> str:
    """The access token of ``credentials``; it must never show up in messages or details."""
    return TOKEN


@pytest.fixture
def credentials() -> Credentials:
    """Credentials of an X account with a known handle."""
    return Credentials(access_token=TOKEN, account_id="2244994945", refresh_token="refresh-SECRET-1",
                       extra={"handle": "TwitterDev"})


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[str]:
    """The real sandbox server, one per test module."""
    server, thread, url = start_in_thread("127.0.0.1", 0)
    yield url
    stop(server, thread)


@pytest.fixture
def sandbox(sandbox_server: str) -> str:
    """The sandbox's base URL, with accounts, posts, knobs and faults reset for each test."""
    requests.post(f"{sandbox_server}/_sandbox/reset", timeout=5).raise_for_status()
    return sandbox_server
