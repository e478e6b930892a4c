"""The short links' hot path: a cache of codes, the click taken from the request, and a WSGI fast path.

A short link is clicked far more often than any page is viewed, so a code already in the process's cache
is answered before Flask is entered: the middleware replays the headers the full app gave the first
redirect of the process (security headers included) with the new Location. Everything else, a first
click on a code included, goes through the Flask view in ``web.links``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from flask import Flask
from redis import Redis

from scheduler.config import Settings
from web.click_recorder import ClickRecorder, RawClick

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PREFIX = "/r/"
EXTENSION = "postillon.links"


class Target(NamedTuple):
    """A cached short link: the ids its clicks carry and the ready Location header."""

    link_id: int
    delivery_id: int
    channel_id: int
    location: str


class LinkCache:
    """A bounded least-recently-used map of codes to targets, shared by the process's threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, Target] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, code: str) -> Target | None:
        """Return the cached target of ``code``, or None."""
        with self._lock:
            found = self._items.get(code)
            if found is not None:
                self._items.move_to_end(code)
            return found

    def put(self, code: str, target: Target) -> None:
        """Remember ``target``, forgetting the least recently used one when full."""
        with self._lock:
            self._items[code] = target
            self._items.move_to_end(code)
            if len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class Links:
    """What a redirect needs besides the request: the cache, the recorder, the proxy headers' WSGI keys."""

    cache: LinkCache
    recorder: ClickRecorder
    country_key: str  # e.g. HTTP_CF_IPCOUNTRY; empty: no country
    address_key: str  # e.g. HTTP_X_FORWARDED_FOR; empty: the socket's address

    def click(self, environ: WSGIEnvironment, target: Target, now: datetime) -> RawClick:
        """Return the click a request makes on ``target``."""
        address = environ.get("REMOTE_ADDR") or ""
        forwarded = environ.get(self.address_key, "") if self.address_key else ""
        if forwarded:
            # X-Forwarded-For lists every hop: the last one was added by our own proxy, the rest can be forged.
            address = forwarded.rsplit(",", 1)[-1].strip()
        return RawClick(target.link_id, target.delivery_id, target.channel_id, now,
                        environ.get("REQUEST_METHOD", "GET"), environ.get("HTTP_USER_AGENT", ""),
                        environ.get("HTTP_REFERER"), address,
                        environ.get(self.country_key) if self.country_key else None)


def build_links(settings: Settings) -> Links:
    """Create the cache and the recorder (no connection is opened until the first click)."""
    def connect() -> Redis:
        return Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=2)

    return Links(LinkCache(10_000), ClickRecorder(connect, secret=settings.secret_key),
                 _environ_key(settings.country_header), _environ_key(settings.client_ip_header))


def links_of(app: Flask) -> Links:
    """Return the app's short-link services."""
    found: Links = app.extensions[EXTENSION]
    return found


class FastPath:
    """WSGI middleware: redirects codes already cached without entering Flask; everything else passes on."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self._app = app
        self._wsgi_app = wsgi_app
        self._headers: list[tuple[str, str]] | None = None  # the full app's redirect headers, but Location

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a cached short link at once, or hand the request to the app."""
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self._wsgi_app(environ, start_response)
        links, headers = links_of(self._app), self._headers
        target = links.cache.get(path[len(PREFIX):]) if headers is not None else None
        if headers is None or target is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self._wsgi_app(environ, self._learn(start_response))
        links.recorder.record(links.click(environ, target, self._app.extensions["postillon"].clock()))
        start_response("302 FOUND", [("Location", target.location), *headers])
        return [b""]

    def _learn(self, start_response: StartResponse) -> StartResponse:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            if self._headers is None and status.startswith("302"):
                self._headers = [(name, value) for name, value in headers if name.lower() != "location"]
            return start_response(status, headers, exc_info)

        return start


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_") if header else ""
