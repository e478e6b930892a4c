"""Sandbox routes for linkedin (being built); registered in server.NETWORK_APIS."""

from __future__ import annotations

from adapters.sandbox.routing import Route

#: Paths under which errors are answered as JSON (the network's error envelope), not HTML.
JSON_PREFIXES: tuple[str, ...] = ()


def routes() -> list[Route]:
    """Return this network's routes."""
    return []
