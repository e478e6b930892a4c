"""Per-process services for jobs and the dispatcher: settings, database, Redis, adapters."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import ADAPTERS, adapter_for
from scheduler.config import Settings
from scheduler.crypto import CredentialBox
from scheduler.db import make_engine, make_session_factory
from scheduler.media import MediaSigner, MediaStore
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, NetworkAdapter
from scheduler.publishing import MediaLinks, RetryPolicy
from scheduler.secrets import with_local_secrets


@dataclass
class JobContext:
    """What a job needs, built once per process from Settings."""

    settings: Settings
    worker_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    @cached_property
    def engine(self) -> Engine:
        """Return the process's database engine (pool sized for the publish threads)."""
        extra = {} if self.settings.database_url.startswith("sqlite") else {
            "pool_size": min(32, self.settings.publish_concurrency), "max_overflow": 8}
        return make_engine(self.settings.database_url, **extra)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Return the session factory."""
        return make_session_factory(self.engine)

    @cached_property
    def redis(self) -> Redis:
        """Return the Redis connection (transport only; the database is the truth)."""
        return Redis.from_url(self.settings.redis_url, health_check_interval=30)

    @cached_property
    def box(self) -> CredentialBox:
        """Return the credential encryption box."""
        return CredentialBox(self.settings.encryption_keys)

    @cached_property
    def adapter_config(self) -> AdapterConfig:
        """Return how adapters reach the networks."""
        s = self.settings
        return AdapterConfig(api_urls=s.api_urls, upload_urls=s.upload_urls, client_ids=s.client_ids,
                             client_secrets=s.client_secrets, connect_timeout_s=s.connect_timeout_s,
                             read_timeout_s=s.read_timeout_s)

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        """Return the retry policy for transient failures."""
        s = self.settings
        return RetryPolicy(max_attempts=s.max_attempts, base_s=s.retry_base_s, cap_s=s.retry_cap_s,
                           reconcile_after_s=s.reconcile_after_s)

    @cached_property
    def media_store(self) -> MediaStore:
        """Return the store of uploaded images (below the data directory)."""
        return MediaStore(self.settings.data_path / "media")

    @cached_property
    def media_signer(self) -> MediaSigner:
        """Return the signer of the image URLs networks fetch."""
        s = self.settings
        return MediaSigner(s.secret_key, s.base_url, timedelta(seconds=s.media_url_ttl_s))

    @cached_property
    def media(self) -> MediaLinks:
        """Return the images' store and signer together, as the scheduler takes them."""
        return MediaLinks(self.media_store, self.media_signer)

    def warm_up(self) -> None:
        """Import every adapter and open the database and Redis connections before the first job.

        Otherwise the first due post of a fresh worker waits for tweepy's import and new connections.
        """
        for network in ADAPTERS:
            self.adapter(network)
        with self.engine.connect():
            pass
        self.redis.ping()

    def adapter(self, network: Network) -> NetworkAdapter:
        """Return the (shared, thread-safe) adapter for ``network``."""
        return adapter_for(network, self.adapter_config)


_context: JobContext | None = None


def get_context() -> JobContext:
    """Return this process's context, built from the environment on first use."""
    global _context
    if _context is None:
        _context = JobContext(with_local_secrets(Settings.from_env()))
    return _context


def set_context(context: JobContext | None) -> None:
    """Install a context (tests, the benchmark and `postillon worker` use it)."""
    global _context
    _context = context
