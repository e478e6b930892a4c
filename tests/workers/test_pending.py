"""Instagram through the whole engine against the sandbox Graph API: images, processing, one publish.

The sandbox never fetches ``image_url`` (it only requires an http(s) URL ending in ``.jpg``), so
Postillon's media route need not run here: the signed URL the engine hands over is asserted as a
value, and the file itself is checked to be in the MediaStore under the test's data directory.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import requests
from PIL import Image
from sqlalchemy import select, update

from adapters.sandbox.graph_store import Container, store_of
from adapters.sandbox.knobs import Knobs
from adapters.sandbox.server import start_in_thread, stop
from adapters.sandbox.state import SandboxState
from scheduler.clock import utcnow
from scheduler.lifecycle import DeliveryState
from scheduler.media import inspect_image
from scheduler.models import Attempt, Delivery, Media, MetricSnapshot, Post
from scheduler.networks import Network
from tests.engine_fixtures import Sandbox
from workers.context import JobContext
from workers.dispatcher import Dispatcher
from workers.metrics import collect_batch
from workers.pending import check_batch
from workers.reconcile import reconcile_batch
from workers.worker import build_worker

S = DeliveryState
COLOURS = ("#c0392b", "#27ae60", "#2980b9")


@pytest.fixture
def sandbox_state() -> SandboxState:
    """The sandbox's in-memory state, so a test can let Instagram's processing fail."""
    return SandboxState(knobs={n: Knobs(duplicate_window_s=0) for n in ("x", "linkedin", "facebook", "instagram")})


@pytest.fixture
def sandbox(sandbox_state: SandboxState) -> Iterator[Sandbox]:
    """The sandbox server on that state (replaces the engine fixture of the same name)."""
    server, thread, url = start_in_thread("127.0.0.1", 0, state=sandbox_state)
    yield Sandbox(url)
    stop(server, thread)


def _processing_delay(sandbox: Sandbox, seconds: float) -> None:
    requests.put(f"{sandbox.url}/_sandbox/graph/instagram/settings", json={"container_ready_s": seconds},
                 timeout=5).raise_for_status()


def _jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1080, 1080), colour).save(out, "JPEG")  # square: inside Instagram's 4:5 to 1.91:1
    return out.getvalue()


def _image_post(ctx: JobContext, channel_id: int, text: str, images: int = 1) -> int:
    """A post with JPEG images stored in the MediaStore, and its delivery due now; return the delivery id."""
    now = utcnow()
    with ctx.sessions.begin() as session:
        post = Post(text=text)
        session.add(post)
        session.flush()
        for position, colour in enumerate(COLOURS[:images]):
            data = _jpeg(colour)
            info = inspect_image(data, f"photo{position}.jpg", max_bytes=8 << 20)
            session.add(Media(post_id=post.id, position=position, filename=f"photo{position}.jpg",
                              mime_type=info.mime_type, size_bytes=info.size_bytes, width=info.width,
                              height=info.height, sha256=info.sha256, storage_key=ctx.media_store.save(data, info)))
        delivery = Delivery(post_id=post.id, channel_id=channel_id, state=S.SCHEDULED, due_at=now, run_at=now)
        session.add(delivery)
        session.flush()
        return delivery.id


def _work(ctx: JobContext) -> None:
    build_worker(ctx).work(burst=True, logging_level="WARNING")


def _publish(ctx: JobContext, make_channel: Callable[..., int], text: str, images: int = 1) -> int:
    delivery_id = _image_post(ctx, make_channel(network=Network.INSTAGRAM), text, images)
    assert Dispatcher(ctx).tick(sweep=False).enqueued == 1
    _work(ctx)
    return delivery_id


def _delivery(ctx: JobContext, delivery_id: int) -> Delivery:
    with ctx.sessions() as session:
        return session.get_one(Delivery, delivery_id)


def _make_due(ctx: JobContext, delivery_id: int) -> None:
    with ctx.sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id)
                        .values(check_at=utcnow() - timedelta(seconds=1)))


def _containers(sandbox_state: SandboxState) -> list[Container]:
    store = store_of(sandbox_state.network(Network.INSTAGRAM))
    with store.lock:
        return list(store.containers.values())


def test_an_image_post_is_processed_then_published_once_with_its_permalink(
        ctx: JobContext, sandbox: Sandbox, sandbox_state: SandboxState, make_channel: Callable[..., int]) -> None:
    _processing_delay(sandbox, 600)
    delivery_id = _publish(ctx, make_channel, "Unser Team in Wien #hiring")
    delivery = _delivery(ctx, delivery_id)
    assert delivery.state is S.PROCESSING and delivery.check_at is not None and delivery.check_at > utcnow()
    [container] = _containers(sandbox_state)
    assert json.loads(delivery.pending_data or "")["data"]["container"] == container.container_id
    with ctx.sessions() as session:
        media = session.scalars(select(Media)).one()
    # The network was handed Postillon's signed URL of the stored file.
    assert container.image_url.startswith(f"{ctx.settings.base_url}/media/{media.id}/")
    assert container.image_url.endswith(".jpg") and ctx.media_store.path(media.storage_key).is_file()

    dispatcher = Dispatcher(ctx)
    assert dispatcher.check_processing() == 0  # not due yet
    _make_due(ctx, delivery_id)
    assert dispatcher.tick(sweep=True).checking == 1
    _work(ctx)
    still = _delivery(ctx, delivery_id)
    assert still.state is S.PROCESSING and still.check_at is not None and still.check_at > utcnow()
    assert sandbox.posts("instagram") == []  # IN_PROGRESS: nothing was published

    _processing_delay(sandbox, 0)
    _make_due(ctx, delivery_id)
    assert dispatcher.check_processing() == 1
    _work(ctx)
    published = _delivery(ctx, delivery_id)
    assert published.state is S.PUBLISHED and published.check_at is None
    assert published.external_url is not None and published.external_url.startswith("https://www.instagram.com/p/")
    assert [p["text"] for p in sandbox.posts("instagram")] == ["Unser Team in Wien #hiring"]
    assert sandbox.stats("instagram")["create_calls"] == 1
    with ctx.sessions() as session:
        outcomes = session.scalars(select(Attempt.outcome).where(Attempt.delivery_id == delivery_id)
                                   .order_by(Attempt.id)).all()
    assert outcomes == ["processing", "published"]


def test_a_container_instagram_cannot_process_fails_the_delivery(
        ctx: JobContext, sandbox: Sandbox, sandbox_state: SandboxState, make_channel: Callable[..., int]) -> None:
    _processing_delay(sandbox, 600)
    delivery_id = _publish(ctx, make_channel, "Kaputtes Bild")
    assert _delivery(ctx, delivery_id).state is S.PROCESSING
    [container] = _containers(sandbox_state)
    container.failed = True  # Meta's processing ends in status ERROR (e.g. an image it cannot decode)
    _make_due(ctx, delivery_id)
    assert Dispatcher(ctx).check_processing() == 1
    _work(ctx)
    failed = _delivery(ctx, delivery_id)
    assert (failed.state, failed.last_error_kind) == (S.FAILED, "rejected")
    assert "container status ERROR" in (failed.last_error_message or "")
    assert sandbox.posts("instagram") == [] and sandbox.stats("instagram")["create_calls"] == 0


def test_a_carousel_of_three_images_is_published_as_one_post(
        ctx: JobContext, sandbox: Sandbox, sandbox_state: SandboxState, make_channel: Callable[..., int]) -> None:
    _processing_delay(sandbox, 600)
    delivery_id = _publish(ctx, make_channel, "Drei Bilder vom Sommerfest", images=3)
    assert _delivery(ctx, delivery_id).state is S.PROCESSING
    with ctx.sessions() as session:
        media_ids = session.scalars(select(Media.id).order_by(Media.position)).all()
    items = [c for c in _containers(sandbox_state) if c.is_item]
    assert [c.image_url.split("/media/")[1].split("/")[0] for c in items] == [str(i) for i in media_ids]
    _processing_delay(sandbox, 0)
    assert check_batch(ctx, [delivery_id]) == {"published": 1}
    [post] = sandbox.posts("instagram")
    assert post["text"] == "Drei Bilder vom Sommerfest" and len(post["media_ids"]) == 3
    assert _delivery(ctx, delivery_id).state is S.PUBLISHED


def test_a_lost_answer_to_the_publish_step_is_recognised_from_the_container(
        ctx: JobContext, sandbox: Sandbox, make_channel: Callable[..., int]) -> None:
    _processing_delay(sandbox, 600)
    delivery_id = _publish(ctx, make_channel, "Antwort verloren")
    _processing_delay(sandbox, 0)
    requests.post(f"{sandbox.url}/_sandbox/instagram/faults", json={"next": ["500_after_accept"]},
                  timeout=5).raise_for_status()
    assert check_batch(ctx, [delivery_id]) == {"published": 1}
    delivery = _delivery(ctx, delivery_id)
    [post] = sandbox.posts("instagram")
    assert delivery.state is S.PUBLISHED and delivery.external_url
    assert sandbox.stats("instagram")["create_calls"] == 1 and post["text"] == "Antwort verloren"


def test_metrics_and_reconciliation_work_for_instagram(ctx: JobContext, sandbox: Sandbox,
                                                     make_channel: Callable[..., int]) -> None:
    delivery_id = _publish(ctx, make_channel, "Gleich online")  # processed at once: no processing state
    published = _delivery(ctx, delivery_id)
    assert published.state is S.PUBLISHED and published.external_id
    assert collect_batch(ctx, [delivery_id]) == {"snapshots": 1, "postponed": 0}
    with ctx.sessions.begin() as session:
        snapshot = session.scalars(select(MetricSnapshot)).one()
        assert snapshot.impressions is not None and snapshot.reactions is not None
        # Pretend the receipt was lost: reconciliation must find the post by its caption.
        session.execute(update(Delivery).values(state=S.UNKNOWN, external_id=None, external_url=None))
    assert reconcile_batch(ctx, [delivery_id]) == {"found": 1, "absent": 0, "check_failed": 0}
    found = _delivery(ctx, delivery_id)
    assert (found.state, found.external_id) == (S.PUBLISHED, published.external_id)
