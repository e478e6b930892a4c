"""A thin Graph API caller shared by the Facebook and Instagram adapters (one pooled session each)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests

from adapters._http import json_object, new_session, timeouts, truncate
from adapters.graph_errors import from_response, parse_error, translate
from scheduler.errors import AuthExpiredError, OutcomeUnknownError, RejectedError, TransientError
from scheduler.ports import AdapterConfig

GRAPH_VERSION = "v23.0"  # available until 2027-10-08 (networks.md §4.1)
GRAPH_URL = "https://graph.facebook.com"
WWW_URL = "https://www.facebook.com"
USER_AGENT = "Postillon (self-hosted scheduler)"
INVALID_PARAMETER = 100


class GraphClient:
    """Calls ``{base}/{version}/{path}`` with a bearer token; failures become typed errors."""

    def __init__(self, config: AdapterConfig, base_url: str, network: str, version: str = GRAPH_VERSION) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.network = network
        self.session = new_session(USER_AGENT, timeout=timeouts(config))

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()

    def url(self, path: str) -> str:
        """Return the versioned URL of ``path``."""
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def get(self, path: str, token: str | None, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET a Graph object or edge (a read: failures are never OutcomeUnknownError)."""
        return self.call("GET", path, token, params=params) or {}

    def post(self, path: str, token: str, data: Mapping[str, str], *, mutation: bool) -> dict[str, Any]:
        """POST form ``data``; ``mutation`` marks calls that may publish something."""
        return self.call("POST", path, token, data=data, mutation=mutation) or {}

    def call(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        mutation: bool = False,
        none_on_invalid: bool = False,
    ) -> dict[str, Any] | None:
        """Make one call; return its JSON object, or None on a code-100 answer when ``none_on_invalid``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.session.request(method, self.url(path), params=params, data=data, headers=headers)
        except requests.RequestException as exc:
            raise translate(exc, network=self.network, mutation=mutation) from exc
        if not response.ok:
            error = parse_error(json_object(response))
            if none_on_invalid and error is not None and error.code == INVALID_PARAMETER:
                return None
            raise from_response(response, network=self.network, mutation=mutation)
        body = json_object(response)
        if not body:
            kind = OutcomeUnknownError if mutation else TransientError
            raise kind(f"{self.network} sent an answer that could not be read.", status=response.status_code,
                       detail=truncate(response.text))
        return body


def parse_time(value: Any) -> datetime | None:
    """Parse a Graph timestamp (``2019-08-12T03:45:11+0000``); None when it is not one."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def insight_values(body: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{metric name: value}`` from an insights answer (``values[-1].value`` or ``total_value.value``)."""
    out: dict[str, Any] = {}
    for entry in body.get("data") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        values = entry.get("values")
        if isinstance(values, list) and values and isinstance(values[-1], dict):
            out[str(entry["name"])] = values[-1].get("value")
        elif isinstance(entry.get("total_value"), dict):
            out[str(entry["name"])] = entry["total_value"].get("value")
    return out


def as_count(value: Any) -> int | None:
    """Return ``value`` as an int, summing a ``{type: count}`` object; None when absent or odd."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        counts = [as_count(v) for v in value.values()]
        return sum(c for c in counts if c is not None) if counts else 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def long_lived_user_token(graph: GraphClient, client_id: str, client_secret: str, code: str, redirect_uri: str) -> str:
    """Facebook Login: redeem ``code`` for a user token, then exchange it for a long-lived (≈60 days) one."""
    app = {"client_id": client_id, "client_secret": client_secret}
    short = _token(graph, {**app, "redirect_uri": redirect_uri, "code": code})
    return _token(graph, {**app, "grant_type": "fb_exchange_token", "fb_exchange_token": short})


def _token(graph: GraphClient, params: dict[str, str]) -> str:
    try:
        body = graph.get("oauth/access_token", None, params)
    except RejectedError as exc:  # an invalid or used code: the user has to log in again
        raise AuthExpiredError(f"{graph.network} refused the sign-in: {exc.message}", status=exc.status,
                               detail=exc.detail) from exc
    if not body.get("access_token"):
        raise TransientError(f"{graph.network}'s token endpoint sent no access token.")
    return str(body["access_token"])
