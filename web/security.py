"""Hardened Flask defaults, security headers on every response, and safe redirect targets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import Flask, Response, request

from scheduler.config import Settings

#: Forms carry a few kilobytes; nothing is uploaded yet (media uploads will raise this per route).
MAX_CONTENT_LENGTH = 1024 * 1024

_CSP_PARTS = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
              "form-action 'self'")
CSP = "; ".join(_CSP_PARTS)
# A source a page may be framed by: an http(s) origin, no path, nothing that could end or extend the directive.
_FRAME_SOURCE = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def csp_allowing_frames(ancestors: Sequence[str]) -> str:
    """Return the CSP for a page that this site and ``ancestors`` (origins) may embed; every other page keeps CSP.

    A view sets it as its response's Content-Security-Policy header (the hook below only fills in a missing one).
    """
    sources = " ".join(["'self'", *(a for a in ancestors if _FRAME_SOURCE.match(a))])
    return "; ".join(f"frame-ancestors {sources}" if part.startswith("frame-ancestors") else part
                     for part in _CSP_PARTS)


def init_app(app: Flask, settings: Settings) -> None:
    """Set cookie, size and CSRF options and register the header hook."""
    app.config.update(
        SESSION_COOKIE_NAME="__Host-postillon" if settings.secure_cookies else "postillon_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        # The token is bound to the session, which has an absolute lifetime (web.auth.SESSION_MAX_AGE);
        # a time limit of its own would break pages left open while they poll for updates.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_ENABLED=True,
    )
    hsts = settings.secure_cookies  # secure cookies mean the app is served over HTTPS

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages show schedules and error messages of the company's accounts: keep them out of caches.
            headers.setdefault("Cache-Control", "no-store")
        return response


def is_safe_path(target: str | None) -> bool:
    """Tell whether ``target`` is a path on this site (``/…``), never another host or scheme."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_target(target: str | None, fallback: str) -> str:
    """Return ``target`` when it is a path on this site, else ``fallback``."""
    return target if target is not None and is_safe_path(target) else fallback
