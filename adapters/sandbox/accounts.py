"""Accounts and issued tokens of one network; not locked here, the network state locks around it."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.sandbox.records import Account, Grant

CODE_TTL = timedelta(seconds=30)  # X wants the authorization code exchanged within 30 seconds


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """A consent given on the sandbox's authorize page, waiting to be exchanged for tokens."""

    account_id: str
    redirect_uri: str
    code_challenge: str
    method: str  # "S256" or "plain"
    expires_at: datetime

    def accepts(self, redirect_uri: str, verifier: str, now: datetime) -> bool:
        """Tell whether the exchange matches this consent (same redirect URI, PKCE verifier, in time)."""
        if now >= self.expires_at or redirect_uri != self.redirect_uri:
            return False
        if self.method == "plain":
            return secrets.compare_digest(verifier, self.code_challenge)
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        return secrets.compare_digest(digest, self.code_challenge)


class AccountBook:
    """Fake accounts with OAuth-like access/refresh token pairs."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._by_username: dict[str, Account] = {}
        self._grants: dict[str, Grant] = {}  # access token → grant
        self._refresh: dict[str, Grant] = {}  # refresh token → grant
        self._codes: dict[str, AuthorizationCode] = {}

    def add(self, account_id: str, username: str, name: str, now: datetime) -> Account:
        """Return the account with this username (case-insensitive), creating it when new."""
        account = self._by_username.get(username.lower())
        if account is None:
            account = Account(account_id, username, name or username, now)
            self._accounts[account_id] = account
            self._by_username[username.lower()] = account
        return account

    def issue(self, account_id: str, expires_at: datetime) -> Grant:
        """Issue a fresh random token pair to ``account_id``."""
        grant = Grant(account_id, secrets.token_urlsafe(32), secrets.token_urlsafe(32), expires_at)
        self._grants[grant.access_token] = grant
        self._refresh[grant.refresh_token] = grant
        return grant

    def all(self) -> list[Account]:
        """Return every account, oldest first."""
        return list(self._accounts.values())

    def revoke(self, account_id: str) -> bool:
        """Invalidate every token of ``account_id``; False when there is no such account."""
        for grant in self._grants.values():
            if grant.account_id == account_id:
                grant.revoked = True
        return account_id in self._accounts

    def authenticate(self, access_token: str, now: datetime) -> Account | None:
        """Return the account of an unexpired, unrevoked access token."""
        grant = self._grants.get(access_token)
        if grant is None or grant.revoked or grant.expires_at <= now:
            return None
        return self._accounts[grant.account_id]

    def redeem(self, refresh_token: str, ttl_s: float, now: datetime) -> Grant | None:
        """Trade a refresh token for a new pair; both old tokens stop working (rotation)."""
        grant = self._refresh.pop(refresh_token, None)
        if grant is None or grant.revoked:
            return None
        grant.revoked = True
        return self.issue(grant.account_id, now + timedelta(seconds=ttl_s))

    def add_code(self, consent: AuthorizationCode) -> str:
        """Store a consent and return the one-time code that stands for it."""
        code = secrets.token_urlsafe(24)
        self._codes[code] = consent
        return code

    def redeem_code(self, code: str, redirect_uri: str, verifier: str, ttl_s: float, now: datetime) -> Grant | None:
        """Trade a one-time code (and its PKCE verifier) for a token pair, or None when it does not match."""
        consent = self._codes.pop(code, None)
        if consent is None or not consent.accepts(redirect_uri, verifier, now):
            return None
        return self.issue(consent.account_id, now + timedelta(seconds=ttl_s))

    def __len__(self) -> int:
        return len(self._accounts)
