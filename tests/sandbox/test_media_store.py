"""The sandbox's media store: image sniffing, the byte budget, one store per network."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from adapters.sandbox.media_store import MediaStore, StoredMedia, media_of, sniff
from adapters.sandbox.state import SandboxState
from scheduler.networks import Network

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def record(media_id: str, data: bytes = b"", status: str = "AVAILABLE") -> StoredMedia:
    return StoredMedia(media_id, "acct", NOW, NOW + timedelta(days=1), status=status, data=data, size=len(data))


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"),
                                           ("WEBP", "image/webp")])
def test_sniff_recognises_real_images(fmt: str, mime: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, fmt)
    assert sniff(buffer.getvalue()) == mime


@pytest.mark.parametrize("data", [b"", b"hello", b"RIFF\x00\x00\x00\x00WAVE", b"BM\x00\x00"])
def test_sniff_returns_nothing_for_other_bytes(data: bytes) -> None:
    assert sniff(data) == ""


def test_fill_puts_bytes_into_an_initialized_record() -> None:
    store = MediaStore()
    store.add(record("urn:li:image:1", status="WAITING_UPLOAD"))
    filled = store.fill("urn:li:image:1", b"\x89PNG", "image/png", "AVAILABLE")
    assert filled is not None and (filled.status, filled.size, filled.mime_type) == ("AVAILABLE", 4, "image/png")
    assert store.fill("urn:li:image:2", b"x", "", "AVAILABLE") is None


def test_the_oldest_bytes_go_first_when_over_budget_but_records_stay() -> None:
    store = MediaStore(budget=10)
    for n in range(3):
        store.add(record(str(n), b"x" * 4))
    kept = [store.get(str(n)) for n in range(3)]
    assert [m.data if m else None for m in kept] == [b"", b"xxxx", b"xxxx"]
    assert all(m is not None and m.size == 4 for m in kept)


def test_the_oldest_records_go_beyond_the_count_limit() -> None:
    store = MediaStore(max_records=2)
    for n in range(3):
        store.add(record(str(n)))
    assert store.get("0") is None and store.get("2") is not None and len(store) == 2


def test_alt_text_is_kept_for_known_ids_only() -> None:
    store = MediaStore()
    store.add(record("1"))
    store.set_alt_text("1", "A cat")
    store.set_alt_text("9", "nobody")
    kept = store.get("1")
    assert kept is not None and kept.alt_text == "A cat"
    assert store.get("9") is None


def test_each_network_has_its_own_store() -> None:
    state = SandboxState()
    x, linkedin = state.network(Network.X), state.network(Network.LINKEDIN)
    assert media_of(x) is media_of(x) and media_of(x) is not media_of(linkedin)


def test_concurrent_adds_are_all_kept() -> None:
    store = MediaStore()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: store.add(record(str(n), b"ab")), range(500)))
    assert len(store) == 500
