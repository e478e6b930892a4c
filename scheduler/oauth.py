"""The pure parts of the OAuth connect flow: a pending authorization (state + PKCE verifier) and its checks.

A ``PendingAuthorization`` waits on the server (``scheduler.oauth_store``) between the redirect to
the network's consent page and the callback; ``check_callback`` decides whether a callback may use it.
Nothing here talks to a network or a database.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.clock import ensure_utc
from scheduler.networks import Network
from scheduler.ports import ExplainedError

#: How long the consent may take: after this the callback is refused and the admin starts again.
PENDING_TTL = timedelta(minutes=10)
#: RFC 7636 §4.1: a verifier has 43 to 128 characters of [A-Za-z0-9-._~].
VERIFIER_MIN, VERIFIER_MAX = 43, 128
_VERIFIER_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class OAuthStateError(ExplainedError):
    """A callback that must not be honoured; ``message`` is plain words for the person, ``code`` the reason."""


class MissingAuthorizationError(OAuthStateError):
    """No sign-in is waiting (never started, already used, or the session was lost)."""

    code = "oauth.missing"


class StateMismatchError(OAuthStateError):
    """The callback's state is not the one this session sent (forged, or from another attempt)."""

    code = "oauth.state_mismatch"


class ExpiredAuthorizationError(OAuthStateError):
    """The sign-in was started too long ago."""

    code = "oauth.expired"


class WrongNetworkError(OAuthStateError):
    """The callback arrived for another network than the one the sign-in went to."""

    code = "oauth.wrong_network"


def new_state() -> str:
    """Return an unguessable state value (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def new_code_verifier() -> str:
    """Return a PKCE code verifier: 86 URL-safe characters (512 bits), within RFC 7636's 43-128."""
    return secrets.token_urlsafe(64)


def is_valid_verifier(verifier: str) -> bool:
    """Tell whether ``verifier`` meets RFC 7636 (length and alphabet)."""
    return VERIFIER_MIN <= len(verifier) <= VERIFIER_MAX and set(verifier) <= _VERIFIER_ALPHABET


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """A sign-in sent to a network's consent page and not yet come back."""

    network: Network
    state: str
    code_verifier: str
    created_at: datetime
    channel_id: int | None = None  # None: connect a new account; else reconnect this channel

    def __repr__(self) -> str:
        return f"PendingAuthorization(network={self.network.value!r}, channel_id={self.channel_id!r}, state='***')"

    @classmethod
    def start(cls, network: Network, now: datetime, channel_id: int | None = None) -> PendingAuthorization:
        """Return a fresh pending authorization with a new state and verifier."""
        return cls(network=network, state=new_state(), code_verifier=new_code_verifier(),
                   created_at=ensure_utc(now), channel_id=channel_id)

    def expired(self, now: datetime) -> bool:
        """Tell whether the sign-in is older than ``PENDING_TTL`` at ``now``."""
        return ensure_utc(now) - self.created_at > PENDING_TTL


def check_callback(pending: PendingAuthorization | None, network: Network | str, state: str | None,
                   now: datetime) -> PendingAuthorization:
    """Return ``pending`` when a callback for ``network`` with ``state`` may use it at ``now``.

    The caller must already have removed ``pending`` from where it was kept (single use, see
    ``oauth_store.take``), whatever this returns.

    Raises:
        MissingAuthorizationError: nothing was pending.
        StateMismatchError: ``state`` is missing or differs (compared in constant time).
        WrongNetworkError: the callback is for another network.
        ExpiredAuthorizationError: the sign-in is older than ``PENDING_TTL``.
    """
    if pending is None:
        raise MissingAuthorizationError(
            "No sign-in is waiting for an answer: it was already used, or it was never started here. "
            "Start again from the channels page.")
    if not state or not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise StateMismatchError(
            "The answer from the network does not belong to the sign-in started here, so it was not used. "
            "Start again from the channels page.")
    if str(network) != pending.network.value:
        raise WrongNetworkError(
            "The answer came for another network than the sign-in was started for, so it was not used. "
            "Start again from the channels page.")
    if pending.expired(now):
        raise ExpiredAuthorizationError(
            "The sign-in took longer than 10 minutes and has expired; nothing was stored. "
            "Start again from the channels page.")
    return pending
