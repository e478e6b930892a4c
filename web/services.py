"""App-scoped services, built once per app from Settings and kept in ``app.extensions["postillon"]``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import utcnow
from scheduler.config import Settings
from scheduler.crypto import CredentialBox
from scheduler.db import make_engine, make_session_factory
from scheduler.media import MediaSigner, MediaStore
from scheduler.networks import Network
from scheduler.ports import AdapterConfig


@dataclass(frozen=True)
class AppServices:
    """What views need beyond the request: settings, database, credential box, adapter config, the clock.

    Views ask ``clock()`` for the time instead of calling ``utcnow`` themselves, so tests can run the
    app at a fixed moment (e.g. before a DST change) without patching.
    """

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    box: CredentialBox
    adapter_config: AdapterConfig
    media_store: MediaStore
    media_signer: MediaSigner
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def build(cls, settings: Settings) -> AppServices:
        """Create the engine (no connection is opened yet) and the other services."""
        engine = make_engine(settings.database_url)
        config = AdapterConfig(api_urls=settings.api_urls, upload_urls=settings.upload_urls,
                               client_ids=settings.client_ids, client_secrets=settings.client_secrets,
                               connect_timeout_s=settings.connect_timeout_s, read_timeout_s=settings.read_timeout_s)
        return cls(settings=settings, engine=engine, sessions=make_session_factory(engine),
                   box=CredentialBox(settings.encryption_keys), adapter_config=config,
                   media_store=MediaStore(settings.data_path / "media"),
                   media_signer=MediaSigner(settings.secret_key, settings.base_url,
                                            timedelta(seconds=settings.media_url_ttl_s)))

    def uses_sandbox(self, network: Network) -> bool:
        """Tell whether ``network`` is served by the sandbox (its accounts come from the sandbox, not OAuth)."""
        s = self.settings
        return s.sandbox and s.api_urls.get(network, s.sandbox_url).rstrip("/") == s.sandbox_url


def services() -> AppServices:
    """Return the current app's services."""
    return cast(AppServices, current_app.extensions["postillon"])
