"""Fixtures for the engine's processes: real Redis, the sandbox networks, a JobContext (a pytest plugin)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
import requests
from redis import Redis
from sqlalchemy import select

from adapters.sandbox.knobs import Knobs
from adapters.sandbox.server import start_in_thread, stop
from adapters.sandbox_accounts import create_sandbox_account
from scheduler.channels import add_channel
from scheduler.clock import utcnow
from scheduler.config import Settings
from scheduler.crypto import CredentialBox
from scheduler.lifecycle import DeliveryState
from scheduler.models import Delivery, Post
from scheduler.networks import Network
from tests.conftest import REDIS_URL
from workers.context import JobContext, set_context

KEY = CredentialBox.new_key()


@dataclass
class Sandbox:
    """The sandbox networks running in a thread, with helpers for its admin API."""

    url: str

    def knobs(self, **values: Any) -> None:
        """Change X's knobs."""
        requests.put(f"{self.url}/_sandbox/x/knobs", json=values, timeout=5).raise_for_status()

    def faults(self, *kinds: str) -> None:
        """Script the next create calls' faults."""
        requests.post(f"{self.url}/_sandbox/x/faults", json={"next": list(kinds)}, timeout=5).raise_for_status()

    def posts(self, network: str = "x") -> list[dict[str, Any]]:
        """Return every post stored on one sandbox network."""
        data = requests.get(f"{self.url}/_sandbox/{network}/posts", timeout=5).json()
        return list(data["posts"] if isinstance(data, dict) else data)

    def stats(self, network: str = "x") -> dict[str, Any]:
        """Return one sandbox network's counters."""
        return dict(requests.get(f"{self.url}/_sandbox/stats", timeout=5).json()[network])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox server on a free port."""
    # duplicate_window_s=0: a second publish of the same text is stored (and counted as a
    # duplicate) instead of refused as the real networks would, so at-most-once checks can fail.
    lenient = Knobs(duplicate_window_s=0)
    server, thread, url = start_in_thread("127.0.0.1", 0, knobs={n: lenient for n in ("x", "linkedin", "facebook")})
    yield Sandbox(url)
    stop(server, thread)


@pytest.fixture
def redis_conn() -> Iterator[Redis]:
    """The real Redis, on a database of its own, empty before and after."""
    conn = Redis.from_url(REDIS_URL)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox, tmp_path: Any) -> Settings:
    """Settings for a fast engine pointed at the test database, Redis and sandbox."""
    return Settings(
        database_url=database_url, redis_url=REDIS_URL, secret_key="test", encryption_keys=(KEY,),
        data_dir=str(tmp_path), api_urls={network: sandbox.url for network in Network}, sandbox=False,
        queue_name="publish-test",
        dispatch_interval_s=0.1, requeue_after_s=0.5, lease_s=30, retry_base_s=1, retry_cap_s=2,
        connect_timeout_s=2, read_timeout_s=2, testing=True,
    )


@pytest.fixture
def ctx(settings: Settings, redis_conn: Redis) -> Iterator[JobContext]:
    """A JobContext installed for in-process jobs."""
    context = JobContext(settings)
    set_context(context)
    yield context
    set_context(None)
    context.engine.dispose()


@pytest.fixture
def make_channel(ctx: JobContext, sandbox: Sandbox) -> Callable[..., int]:
    """Connect a sandbox X account as a channel; return its id."""
    counter = iter(range(1, 10_000))

    def make(handle: str | None = None, network: Network = Network.X) -> int:
        handle = handle or f"acct{next(counter)}"
        account = create_sandbox_account(sandbox.url, network, username=handle, name=handle.title())
        with ctx.sessions.begin() as session:
            return add_channel(session, ctx.box, network, account, user_id=None).id

    return make


@pytest.fixture
def make_deliveries(ctx: JobContext) -> Callable[..., list[int]]:
    """Create one scheduled delivery per text on a channel, due now (or at ``due``)."""

    def make(channel_id: int, texts: list[str], due: Any = None) -> list[int]:
        due = due or utcnow()
        ids = []
        with ctx.sessions.begin() as session:
            for text in texts:
                post = Post(text=text)
                session.add(post)
                session.flush()
                delivery = Delivery(post_id=post.id, channel_id=channel_id, state=DeliveryState.SCHEDULED,
                                    due_at=due, run_at=due)
                session.add(delivery)
                session.flush()
                ids.append(delivery.id)
        return ids

    return make


def states(ctx: JobContext, ids: list[int]) -> dict[int, DeliveryState]:
    """Return each delivery's state."""
    with ctx.sessions() as session:
        rows = session.execute(select(Delivery.id, Delivery.state).where(Delivery.id.in_(ids))).all()
        return dict(rows)


def with_settings(ctx: JobContext, **changes: Any) -> JobContext:
    """Return a context with changed settings (sharing nothing cached)."""
    return JobContext(replace(ctx.settings, **changes))
