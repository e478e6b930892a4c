"""Uploaded CSV files kept between the dry run and the import: one hour, for the person who uploaded them only."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

#: An upload is kept this long after the dry run; afterwards the person uploads the file again.
KEEP_FOR = timedelta(hours=1)
_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16); nothing else ever names a file here


@dataclass(frozen=True, slots=True)
class Upload:
    """One kept file and what it is for."""

    upload_id: str
    user_id: int
    kind: str
    filename: str
    uploaded_at: datetime
    data: bytes


class UploadStore:
    """Files under ``base`` (settings.data_path / "imports"), named by a random id."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def save(self, data: bytes, *, user_id: int, kind: str, filename: str, now: datetime) -> str:
        """Keep ``data`` and return its id; expired uploads of everyone are removed on the way."""
        self.sweep(now)
        self.base.mkdir(parents=True, exist_ok=True)
        upload_id = secrets.token_urlsafe(16)
        (self.base / f"{upload_id}.csv").write_bytes(data)
        meta = {"user_id": user_id, "kind": kind, "filename": filename[:255], "uploaded_at": now.isoformat()}
        (self.base / f"{upload_id}.json").write_text(json.dumps(meta), encoding="utf-8")
        return upload_id

    def load(self, upload_id: str, *, user_id: int, now: datetime) -> Upload | None:
        """Return the upload if it exists, belongs to ``user_id`` and has not expired; else None."""
        if not _ID.fullmatch(upload_id):
            return None
        try:
            meta = json.loads((self.base / f"{upload_id}.json").read_text(encoding="utf-8"))
            data = (self.base / f"{upload_id}.csv").read_bytes()
        except (OSError, ValueError):
            return None
        uploaded_at = datetime.fromisoformat(meta["uploaded_at"])
        if meta["user_id"] != user_id or now - uploaded_at > KEEP_FOR:
            return None
        return Upload(upload_id, int(meta["user_id"]), str(meta["kind"]), str(meta["filename"]), uploaded_at, data)

    def discard(self, upload_id: str) -> None:
        """Remove an upload (after it was imported)."""
        if _ID.fullmatch(upload_id):
            for suffix in (".csv", ".json"):
                (self.base / f"{upload_id}{suffix}").unlink(missing_ok=True)

    def sweep(self, now: datetime) -> int:
        """Remove every expired upload; return how many."""
        removed = 0
        for meta_path in self.base.glob("*.json") if self.base.is_dir() else ():
            try:
                uploaded_at = datetime.fromisoformat(json.loads(meta_path.read_text(encoding="utf-8"))["uploaded_at"])
            except (OSError, ValueError, KeyError):
                uploaded_at = None
            if uploaded_at is None or now - uploaded_at > KEEP_FOR:
                self.discard(meta_path.stem)
                removed += 1
        return removed
