"""Accounts and issued tokens of one network; not locked here, the network state locks around it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from adapters.sandbox.records import Account, Grant


class AccountBook:
    """Fake accounts with OAuth-like access/refresh token pairs."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._by_username: dict[str, Account] = {}
        self._grants: dict[str, Grant] = {}  # access token → grant
        self._refresh: dict[str, Grant] = {}  # refresh token → grant

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

    def __len__(self) -> int:
        return len(self._accounts)
