"""What the Graph sandbox keeps beyond the shared network state: photos, IG containers, scripted errors.

One ``GraphStore`` per network state (Facebook, Instagram). It is dropped when that network state is
reset (``POST /_sandbox/reset``), so it never outlives the posts it refers to.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.sandbox.network_state import NetworkState

# Container states (networks.md §5.2).
IN_PROGRESS, FINISHED, ERROR, PUBLISHED = "IN_PROGRESS", "FINISHED", "ERROR", "PUBLISHED"


@dataclass(slots=True)
class Photo:
    """A Facebook photo uploaded to a Page (published or not yet attached to a post)."""

    photo_id: str
    account_id: str
    url: str
    caption: str
    published: bool


@dataclass(slots=True)
class Container:
    """An Instagram media container: created, processed after a delay, then published once."""

    container_id: str
    account_id: str
    image_url: str
    caption: str
    created_at: datetime
    is_item: bool = False
    children: tuple[str, ...] = ()
    failed: bool = False
    media_id: str | None = None


@dataclass(slots=True)
class Media:
    """A published Instagram media object (its post lives in the network's post store)."""

    media_id: str
    post_id: str
    account_id: str
    container_id: str
    shortcode: str


@dataclass(slots=True)
class GraphStore:
    """Graph-only objects of one network; guard every access with ``lock``."""

    marker: Any
    lock: threading.RLock = field(default_factory=threading.RLock)
    photos: dict[str, Photo] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    media: dict[str, Media] = field(default_factory=dict)
    media_by_post: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # post id → link
    faults: deque[dict[str, Any]] = field(default_factory=deque)  # scripted Graph errors, next first
    container_ready_s: float = 0.0  # how long a container stays IN_PROGRESS
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str, digits: int = 14) -> str:
        """Return a fresh numeric id starting with ``prefix`` (178… containers, 179… IG media, 10… photos)."""
        return f"{prefix}{next(self._ids):0{digits}d}"

    def status(self, container: Container, now: datetime) -> str:
        """Return the container's ``status_code`` at ``now``."""
        if container.media_id:
            return PUBLISHED
        if container.failed:
            return ERROR
        if (now - container.created_at).total_seconds() < self.container_ready_s:
            return IN_PROGRESS
        return FINISHED

    def next_fault(self) -> dict[str, Any] | None:
        """Pop the next scripted Graph error, if any."""
        with self.lock:
            return self.faults.popleft() if self.faults else None


_STORES: weakref.WeakKeyDictionary[NetworkState, GraphStore] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def store_of(net: NetworkState) -> GraphStore:
    """Return the Graph store of ``net``, a fresh one after the network state was reset."""
    marker = net._posts  # NetworkState.reset() replaces its post store: reset ours with it
    with _LOCK:
        store = _STORES.get(net)
        if store is None or store.marker is not marker:
            store = _STORES[net] = GraphStore(marker)
        return store
