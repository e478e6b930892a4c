"""Channel credentials encrypted at rest with MultiFernet (newest key first, old keys still read)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from scheduler.ports import Credentials


class CredentialKeyError(ValueError):
    """No usable encryption key, or a stored secret that no configured key can open."""


class CredentialBox:
    """Encrypts and decrypts channel credentials."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise CredentialKeyError("no encryption key configured (POSTILLON_ENCRYPTION_KEYS)")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise CredentialKeyError(f"invalid encryption key: {exc}") from None

    @staticmethod
    def new_key() -> str:
        """Return a fresh random key."""
        return Fernet.generate_key().decode()

    def seal(self, credentials: Credentials) -> str:
        """Return the encrypted form of ``credentials``."""
        data = asdict(credentials)
        data["expires_at"] = credentials.expires_at.isoformat() if credentials.expires_at else None
        data["extra"] = dict(credentials.extra)
        return self._fernet.encrypt(json.dumps(data).encode()).decode()

    def open(self, sealed: str) -> Credentials:
        """Return the credentials inside ``sealed``."""
        try:
            data = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            raise CredentialKeyError("stored credentials cannot be decrypted with the configured keys") from None
        expires = data.get("expires_at")
        return Credentials(
            access_token=data["access_token"],
            account_id=data.get("account_id", ""),
            refresh_token=data.get("refresh_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            extra=data.get("extra") or {},
        )

    def rotate(self, sealed: str) -> str:
        """Re-encrypt ``sealed`` with the newest key."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise CredentialKeyError("stored credentials cannot be decrypted with the configured keys") from None
