"""Helpers for the sandbox tests: a controllable clock, the admin API, tweepy pointed at the sandbox."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from adapters.sandbox.state import SandboxState

TWEEPY_ORIGIN = "https://api.twitter.com"


class FakeClock:
    """An aware-UTC clock that tests move by hand; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = datetime.now(UTC)

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        """Put the clock at ``moment``."""
        with self._lock:
            self._now = moment


class RewriteToSandbox(requests.adapters.HTTPAdapter):
    """Transport adapter that sends tweepy's https://api.twitter.com calls to the sandbox (networks.md §2.10)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        request.url = str(request.url).replace(TWEEPY_ORIGIN, self.base_url, 1)
        return super().send(request, **kwargs)


@dataclass
class Sandbox:
    """A running sandbox: its URL, its state and clock, and a pooled session for the admin API."""

    url: str
    state: SandboxState
    clock: FakeClock
    session: requests.Session = field(default_factory=requests.Session)

    def admin(self, method: str, path: str, expect: int | None = None, **kwargs: Any) -> Any:
        """Call ``/_sandbox/<path>`` and return its JSON (checking the status when ``expect`` is given)."""
        response = self.session.request(method, f"{self.url}/_sandbox/{path}", timeout=5, **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response.json()

    def account(self, username: str = "acme_jobs", **extra: Any) -> dict[str, Any]:
        """Create a sandbox X account and return the admin API's answer (ids and tokens)."""
        return dict(self.admin("POST", "x/accounts", 201, json={"username": username, "name": username, **extra}))

    def knobs(self, **values: Any) -> dict[str, Any]:
        """Change X's knobs."""
        return dict(self.admin("PUT", "x/knobs", 200, json=values))

    def faults(self, *kinds: str) -> None:
        """Script the faults of the next X create calls."""
        self.admin("POST", "x/faults", 200, json={"next": list(kinds)})

    def stats(self) -> dict[str, Any]:
        """Return the X counters."""
        return dict(self.admin("GET", "stats", 200)["x"])

    def posts(self) -> list[dict[str, Any]]:
        """Return every stored X post, newest first."""
        return list(self.admin("GET", "x/posts", 200)["posts"])

    def create(self, token: str, text: str, timeout: float = 5, **body: Any) -> requests.Response:
        """``POST /2/tweets`` with plain requests."""
        return self.session.post(
            f"{self.url}/2/tweets",
            json={"text": text, **body},
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}"},
        )

    def get(self, token: str, path: str, **params: Any) -> requests.Response:
        """``GET`` an X API path with plain requests."""
        return self.session.get(
            f"{self.url}{path}", params=params, timeout=5, headers={"Authorization": f"Bearer {token}"}
        )

    def tweepy(self, token: str) -> tweepy.Client:
        """Return a real tweepy Client for an OAuth 2.0 user token, pointed at the sandbox."""
        client = tweepy.Client(bearer_token=token)
        client.session.mount(TWEEPY_ORIGIN, RewriteToSandbox(self.url))
        return client
