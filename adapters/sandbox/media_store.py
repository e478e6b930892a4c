"""Uploaded media of the sandbox networks (X media ids, LinkedIn image URNs), kept per network in memory."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from adapters.sandbox.network_state import NetworkState

BYTES_BUDGET = 64 * 1024 * 1024  # per network; the oldest bytes are dropped first (metadata stays)
MAX_RECORDS = 10_000  # per network; the oldest records are forgotten first

# Magic numbers of the image formats the networks take (the sandbox uses no imaging library).
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> str:
    """Return the image MIME type that ``data`` starts with, or ``""`` when it is none we know."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


@dataclass(slots=True)
class StoredMedia:
    """One uploaded (or, on LinkedIn, initialized) media item."""

    media_id: str  # X: numeric id; LinkedIn: the image URN
    account_id: str
    created_at: datetime
    expires_at: datetime
    status: str = "AVAILABLE"  # LinkedIn: WAITING_UPLOAD, AVAILABLE or PROCESSING_FAILED
    mime_type: str = ""
    category: str = ""
    alt_text: str = ""
    size: int = 0
    data: bytes = field(default=b"", repr=False)

    def to_dict(self) -> dict[str, object]:
        """Return the record as JSON-ready data (without the bytes)."""
        return {"id": self.media_id, "account_id": self.account_id, "status": self.status,
                "mime_type": self.mime_type, "category": self.category, "alt_text": self.alt_text,
                "size": self.size}


class MediaStore:
    """Media records by id with a byte budget; every method is thread-safe."""

    def __init__(self, budget: int = BYTES_BUDGET, max_records: int = MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, StoredMedia] = OrderedDict()
        self._budget = budget
        self._max_records = max_records
        self._bytes = 0

    def add(self, media: StoredMedia) -> StoredMedia:
        """Store ``media`` (its bytes count against the budget) and return it."""
        with self._lock:
            self._items[media.media_id] = media
            self._bytes += len(media.data)
            self._trim()
            return media

    def get(self, media_id: str) -> StoredMedia | None:
        """Return the record with this id, or None."""
        with self._lock:
            return self._items.get(media_id)

    def fill(self, media_id: str, data: bytes, mime_type: str, status: str) -> StoredMedia | None:
        """Put the uploaded bytes into an initialized record; None when there is no such record."""
        with self._lock:
            media = self._items.get(media_id)
            if media is None:
                return None
            self._bytes += len(data) - len(media.data)
            media.data, media.size, media.mime_type, media.status = data, len(data), mime_type, status
            self._trim()
            return media

    def set_alt_text(self, media_id: str, text: str) -> None:
        """Record the alt text of a media item (no-op for unknown ids)."""
        with self._lock:
            if media_id in self._items:
                self._items[media_id].alt_text = text

    def _trim(self) -> None:
        # Oldest first: drop whole records beyond the count, then bytes beyond the budget.
        while len(self._items) > self._max_records:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped.data)
        for media in self._items.values():
            if self._bytes <= self._budget:
                break
            self._bytes -= len(media.data)
            media.data = b""

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


_STORES: weakref.WeakKeyDictionary[NetworkState, MediaStore] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def media_of(net: NetworkState) -> MediaStore:
    """Return the media store of one sandbox network (created on first use).

    Kept beside the network state rather than in it: a reset forgets the accounts, so media of
    earlier accounts can no longer be used by anyone and only wait for the budget to push them out.
    """
    with _STORES_LOCK:
        store = _STORES.get(net)
        if store is None:
            store = _STORES[net] = MediaStore()
        return store
