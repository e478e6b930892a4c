"""Local secrets for a zero-configuration install: generated once into the data directory."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path

from scheduler.config import Settings
from scheduler.crypto import CredentialBox


def with_local_secrets(settings: Settings) -> Settings:
    """Fill an empty secret key or encryption key from files in the data dir, creating them once.

    Production sets POSTILLON_SECRET_KEY and POSTILLON_ENCRYPTION_KEYS instead; then nothing is read.
    """
    secret_key = settings.secret_key or _read_or_create(settings.data_path / "secret_key", secrets.token_urlsafe(48))
    keys = settings.encryption_keys or (
        _read_or_create(settings.data_path / "encryption_key", CredentialBox.new_key()),
    )
    return replace(settings, secret_key=secret_key, encryption_keys=tuple(keys))


def _read_or_create(path: Path, fresh: str) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(fresh)
    return fresh
