"""The pure OAuth pieces: state and PKCE verifier, and the checks a callback must pass."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.networks import Network
from scheduler.oauth import (
    PENDING_TTL,
    ExpiredAuthorizationError,
    MissingAuthorizationError,
    PendingAuthorization,
    StateMismatchError,
    WrongNetworkError,
    check_callback,
    is_valid_verifier,
    new_code_verifier,
    new_state,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_states_are_long_url_safe_and_unique() -> None:
    states = {new_state() for _ in range(200)}
    assert len(states) == 200
    assert all(len(state) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", state) for state in states)


def test_verifiers_meet_rfc_7636_and_are_unique() -> None:
    verifiers = {new_code_verifier() for _ in range(200)}
    assert len(verifiers) == 200
    assert all(43 <= len(v) <= 128 and is_valid_verifier(v) for v in verifiers)


@pytest.mark.parametrize("verifier, valid", [
    ("a" * 42, False), ("a" * 43, True), ("a" * 128, True), ("a" * 129, False), ("a" * 50 + " ", False),
    ("Az09-._~" * 6, True),
])
def test_verifier_rules(verifier: str, valid: bool) -> None:
    assert is_valid_verifier(verifier) is valid


def test_a_pending_authorization_never_shows_its_secrets() -> None:
    pending = PendingAuthorization.start(Network.X, NOW, channel_id=7)
    assert (pending.network, pending.channel_id, pending.created_at) == (Network.X, 7, NOW)
    assert pending.state not in repr(pending) and pending.code_verifier not in repr(pending)


def test_a_matching_callback_within_ten_minutes_is_accepted() -> None:
    pending = PendingAuthorization.start(Network.X, NOW)
    assert check_callback(pending, "x", pending.state, NOW + PENDING_TTL) is pending


def test_an_expired_authorization_is_refused() -> None:
    pending = PendingAuthorization.start(Network.X, NOW)
    with pytest.raises(ExpiredAuthorizationError, match="expired"):
        check_callback(pending, Network.X, pending.state, NOW + PENDING_TTL + timedelta(seconds=1))


@pytest.mark.parametrize("state", [None, "", "forged", "x" * 43])
def test_a_wrong_or_missing_state_is_refused(state: str | None) -> None:
    pending = PendingAuthorization.start(Network.X, NOW)
    with pytest.raises(StateMismatchError):
        check_callback(pending, Network.X, state, NOW)


def test_a_callback_for_another_network_is_refused() -> None:
    pending = PendingAuthorization.start(Network.X, NOW)
    with pytest.raises(WrongNetworkError):
        check_callback(pending, Network.LINKEDIN, pending.state, NOW)


def test_nothing_pending_is_refused_as_already_used() -> None:
    # The store hands a pending authorization out once; the replay finds nothing.
    with pytest.raises(MissingAuthorizationError, match="already used"):
        check_callback(None, Network.X, new_state(), NOW)
