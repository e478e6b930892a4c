"""python-linkedin-v2's ``LinkedInApplication`` adapted to the versioned REST API (networks.md §3.10, option a)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests
from linkedin_v2.linkedin import LinkedInApplication

RESTLI_PROTOCOL_VERSION = "2.0.0"


class LinkedInRestApplication(LinkedInApplication):
    """python-linkedin-v2's application with ``make_request`` fixed for the versioned REST API."""

    def __init__(self, session: requests.Session, token: str, version: str) -> None:
        super().__init__(token=token)
        self._session = session
        self._version = version

    def make_request(self, method: str, url: str, data: Any = None, params: Mapping[str, str] | None = None,
                     headers: Mapping[str, str] | None = None, timeout: float | None = None) -> requests.Response:
        """Send one REST call with the three mandatory headers; ``data`` is JSON-encoded; never raises on status."""
        sent = {
            "Authorization": f"Bearer {self.authentication.token.access_token}",
            "LinkedIn-Version": self._version,
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
            **(headers or {}),
        }
        body = None
        if data is not None:
            body = data if isinstance(data, str | bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = "application/json"
        return self._session.request(method.upper(), url, data=body, params=params, headers=sent, timeout=timeout)


def urn_param(urn: str) -> str:
    """Return a URN encoded for a Rest.li 2.0 query or path (``urn%3Ali%3Ashare%3A1``)."""
    return quote(urn, safe="")
