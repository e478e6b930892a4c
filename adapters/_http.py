"""HTTP plumbing shared by every adapter: sessions, host rewriting, timeouts, transport errors.

Every network adapter (X through tweepy, LinkedIn, Facebook, Instagram through plain ``requests``)
goes through a session from :func:`new_session`, so each request gets a timeout, no request is ever
retried by urllib3 (a retried POST could publish twice), and a hard-coded SDK host can be pointed at
the sandbox. :func:`classify_transport_error` turns a ``requests`` exception into our error taxonomy
by asking one question: could the request have reached the network?
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.request import getproxies

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ClosedPoolError, ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from scheduler.errors import MAX_DETAIL, OutcomeUnknownError, PublishError, TransientError
from scheduler.ports import AdapterConfig

Timeout = tuple[float, float]

# One pool per host, sized for the worker's thread count (about 64 concurrent publishes).
POOL_SIZE = 128

# Never let urllib3 retry: a POST that reached the network and is sent again may post twice.
NO_RETRIES = Retry(total=0, read=False, redirect=False)

_SECRETS = re.compile(
    r"(?i)(\bbearer\s+)[^\s'\",]+"
    r"|(\b(?:access_token|refresh_token|client_secret|code_verifier|code|token|password|oauth_[a-z_]+)=)"
    r"[^&\s'\"]+"
)

# Raised before a byte of the request left this machine (bad URL, refused connection, TLS handshake).
_NOT_SENT = (
    requests.ConnectTimeout,
    requests.exceptions.ProxyError,
    requests.exceptions.SSLError,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
)

# Reasons inside a requests.ConnectionError that mean no connection was made.
_CONNECT_FAILURES = (ConnectTimeoutError, NewConnectionError, ClosedPoolError, ConnectionRefusedError)


def redact(text: str) -> str:
    """Return ``text`` with bearer tokens and token-like query or form values replaced by ``***``."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


def truncate(text: str, limit: int = MAX_DETAIL) -> str:
    """Return ``text`` redacted and cut to ``limit`` characters, for messages and error details."""
    text = redact(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeouts(config: AdapterConfig) -> Timeout:
    """Return the (connect, read) timeout pair an adapter applies to every request."""
    return (config.connect_timeout_s, config.read_timeout_s)


class RoutingAdapter(HTTPAdapter):
    """Transport adapter that applies a default timeout and rewrites fixed origins to other bases.

    SDKs such as tweepy build URLs from a hard-coded host and take no timeout argument; mounting
    this adapter on their ``requests.Session`` gives both without touching the SDK.
    """

    def __init__(
        self,
        *,
        timeout: Timeout,
        rewrites: Mapping[str, str] | None = None,
        pool_size: int = POOL_SIZE,
    ) -> None:
        super().__init__(pool_connections=8, pool_maxsize=pool_size, max_retries=NO_RETRIES)
        self.timeout = timeout
        # Origins without a trailing slash, e.g. {"https://api.twitter.com": "http://127.0.0.1:8025"}.
        self.rewrites = {
            origin.rstrip("/"): base.rstrip("/")
            for origin, base in (rewrites or {}).items()
            if origin.rstrip("/") != base.rstrip("/")
        }

    def rewrite(self, url: str) -> str:
        """Return ``url`` with a configured origin replaced by its base URL (unchanged otherwise)."""
        for origin, base in self.rewrites.items():
            if url == origin or (url.startswith(origin) and url[len(origin)] in "/?#"):
                return base + url[len(origin) :]
        return url

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send ``request`` to its (possibly rewritten) URL with the default timeout if none was given."""
        if request.url is not None:
            url = self.rewrite(request.url)
            if url != request.url:
                request.url = url
                if proxies:
                    # The session chose proxies for the original host; choose again for the new one
                    # so NO_PROXY=127.0.0.1 keeps sandbox traffic local.
                    proxies = requests.utils.get_environ_proxies(url)
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def new_session(
    user_agent: str,
    *,
    timeout: Timeout = (5.0, 30.0),
    rewrites: Mapping[str, str] | None = None,
    pool_size: int = POOL_SIZE,
) -> requests.Session:
    """Return a session with timeouts, no retries, no cookies and optional origin rewrites.

    The session is meant to be shared by threads: urllib3's pools are thread-safe, nothing here
    mutates session state per request, and cookies are refused so that no response of one account
    can leak a cookie into a request for another account.
    """
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    # Read the proxy settings once instead of on every request: with trust_env requests scans the
    # whole environment and stats ~/.netrc per call, a third of a publish's client-side CPU.
    session.trust_env = False
    session.proxies = {scheme: url for scheme, url in getproxies().items() if scheme in ("http", "https")}
    adapter = RoutingAdapter(timeout=timeout, rewrites=rewrites, pool_size=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def json_object(response: requests.Response) -> dict[str, Any]:
    """Return the response body as a JSON object, or an empty dict when it is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def request_was_sent(exc: requests.RequestException) -> bool:
    """Tell whether the request behind ``exc`` may have reached the server.

    False only when the failure happened before sending: DNS or connect failure, connect timeout,
    TLS handshake, proxy, or a malformed URL. A read timeout or a connection reset after the
    request went out counts as sent: the server may have acted on it.
    """
    if isinstance(exc, _NOT_SENT):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        # NewConnectionError (refused, DNS) is a ConnectTimeoutError subclass in urllib3 2.
        return not isinstance(reason, _CONNECT_FAILURES)
    return True


def classify_transport_error(exc: requests.RequestException, *, network: str, mutation: bool) -> PublishError:
    """Turn a ``requests`` exception into a typed error.

    Args:
        exc: what ``requests`` (or an SDK on top of it) raised.
        network: the network's name for the message, e.g. ``"X"``.
        mutation: True for calls that create something (publish); a request that may have
            reached the network then yields OutcomeUnknownError instead of TransientError.

    Returns:
        TransientError when nothing was sent or the call only reads; OutcomeUnknownError when a
        creating call was sent and no answer came.
    """
    detail = truncate(f"{type(exc).__name__}: {exc}")
    if not request_was_sent(exc):
        return TransientError(f"Could not reach {network}: {_reason(exc)}.", detail=detail)
    if mutation:
        return OutcomeUnknownError(
            f"{network} did not answer after the post was sent ({_reason(exc)}); it may be live.",
            detail=detail,
        )
    return TransientError(f"{network} did not answer ({_reason(exc)}).", detail=detail)


def _reason(exc: requests.RequestException) -> str:
    """Return a few plain words for what went wrong on the wire."""
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.ReadTimeout):
        return "read timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy failed"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed" if not request_was_sent(exc) else "connection lost"
    return type(exc).__name__


class RedactingFilter(logging.Filter):
    """Logging filter that removes tokens from records (tweepy logs request headers at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message in place; never drops a record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_logger(name: str) -> None:
    """Attach a RedactingFilter to logger ``name`` once (idempotent)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
