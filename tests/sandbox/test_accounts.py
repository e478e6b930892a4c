"""Accounts and tokens: issue, expire, revoke, rotate, and authorization codes with PKCE."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from adapters.sandbox.accounts import CODE_TTL, AccountBook, AuthorizationCode

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_same_username_reuses_the_account_case_insensitively() -> None:
    book = AccountBook()
    first = book.add("1", "Alice", "Alice A.", NOW)
    assert book.add("2", "alice", "", NOW) is first
    assert len(book) == 1 and book.all() == [first]
    assert book.add("3", "bob", "", NOW).name == "bob"  # the name defaults to the username


def test_token_works_until_it_expires_or_is_revoked() -> None:
    book = AccountBook()
    account = book.add("1", "alice", "", NOW)
    grant = book.issue("1", NOW + timedelta(hours=2))
    assert book.authenticate(grant.access_token, NOW) is account
    assert book.authenticate(grant.access_token, NOW + timedelta(hours=2)) is None
    assert book.authenticate("unknown", NOW) is None
    assert book.revoke("1") and not book.revoke("nobody")
    assert book.authenticate(grant.access_token, NOW) is None


def test_refresh_rotates_the_pair_and_each_refresh_token_works_once() -> None:
    book = AccountBook()
    book.add("1", "alice", "", NOW)
    old = book.issue("1", NOW + timedelta(hours=2))
    new = book.redeem(old.refresh_token, 7200, NOW)
    assert new is not None and new.access_token != old.access_token
    assert book.authenticate(old.access_token, NOW) is None
    assert book.authenticate(new.access_token, NOW) is not None
    assert book.redeem(old.refresh_token, 7200, NOW) is None


def test_revoked_account_cannot_refresh() -> None:
    book = AccountBook()
    book.add("1", "alice", "", NOW)
    grant = book.issue("1", NOW + timedelta(hours=2))
    book.revoke("1")
    assert book.redeem(grant.refresh_token, 7200, NOW) is None


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_authorization_code_needs_the_right_verifier_uri_and_time() -> None:
    consent = AuthorizationCode("1", "http://app/cb", _s256("v" * 64), "S256", NOW + CODE_TTL)
    assert consent.accepts("http://app/cb", "v" * 64, NOW)
    assert not consent.accepts("http://app/cb", "w" * 64, NOW)
    assert not consent.accepts("http://other/cb", "v" * 64, NOW)
    assert not consent.accepts("http://app/cb", "v" * 64, NOW + CODE_TTL)
    assert AuthorizationCode("1", "u", "plain-verifier", "plain", NOW + CODE_TTL).accepts("u", "plain-verifier", NOW)


def test_a_code_is_redeemed_once() -> None:
    book = AccountBook()
    book.add("1", "alice", "", NOW)
    code = book.add_code(AuthorizationCode("1", "http://app/cb", _s256("v" * 64), "S256", NOW + CODE_TTL))
    grant = book.redeem_code(code, "http://app/cb", "v" * 64, 7200, NOW)
    assert grant is not None and book.authenticate(grant.access_token, NOW) is not None
    assert book.redeem_code(code, "http://app/cb", "v" * 64, 7200, NOW) is None
