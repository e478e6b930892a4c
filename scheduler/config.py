"""Settings: the one place that reads the environment (``POSTILLON_*``, ``DATABASE_URL``, ``REDIS_URL``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from scheduler.networks import Network

PREFIX = "POSTILLON_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, read once at start-up; tests build it directly."""

    database_url: str = "sqlite:///instance/postillon.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    secret_key: str = ""  # Flask sessions and CSRF; generated into the data dir when empty
    encryption_keys: tuple[str, ...] = ()  # Fernet keys, newest first; generated when empty
    data_dir: str = "instance"
    default_tz: str = "Europe/Vienna"
    base_url: str = "http://127.0.0.1:8000"
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8025
    sandbox: bool = True  # start the sandbox networks in `postillon run`
    api_urls: Mapping[Network, str] = field(default_factory=dict)
    upload_urls: Mapping[Network, str] = field(default_factory=dict)
    client_ids: Mapping[Network, str] = field(default_factory=dict)
    client_secrets: Mapping[Network, str] = field(default_factory=dict)
    queue_name: str = "publish"
    dispatch_interval_s: float = 0.25  # idle lateness: at most this plus one publish
    dispatch_batch: int = 500  # deliveries claimed per dispatcher round
    job_batch: int = 100  # deliveries per publish job, published concurrently inside it
    publish_concurrency: int = 100  # network calls in flight per worker process
    requeue_after_s: float = 20.0  # a queued delivery older than this is checked for a lost job
    lease_s: float = 120.0  # a delivery `publishing` longer than this is moved to `unknown`
    reconcile_after_s: float = 30.0  # wait before asking the network whether an `unknown` post exists
    max_attempts: int = 4
    retry_base_s: float = 30.0
    retry_cap_s: float = 1800.0
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    workers: int = 2  # worker processes `postillon run` starts
    secure_cookies: bool = False
    smtp_url: str = ""  # smtp://user:password@host:port or smtps://…; empty: the sandbox mailbox in `run`
    mail_from: str = "Postillon <postillon@localhost>"
    sandbox_smtp_port: int = 8026  # the sandbox's mailbox, where `postillon run` sends mail by default
    media_url_ttl_s: int = 6 * 3600  # how long a signed media URL handed to a network stays valid
    max_upload_bytes: int = 8 * 1024 * 1024  # per file; Instagram's JPEG limit
    max_cv_bytes: int = 10 * 1024 * 1024  # a CV on the apply form (PDF or DOCX)
    task_overdue_after_s: float = 4 * 3600.0  # an assisted-channel task open this long after its due time is overdue
    country_header: str = ""  # a trusted proxy's country header for clicks, e.g. CF-IPCountry; empty: none
    client_ip_header: str = ""  # behind a proxy: the header with the visitor's address, e.g. X-Forwarded-For
    click_burst_per_minute: int = 20  # more clicks than this from one visitor in a minute are a bot
    testing: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables; unknown ones are ignored."""
        env = os.environ if environ is None else environ
        base = cls()
        values: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            values["database_url"] = _normalise_db_url(env["DATABASE_URL"])
        if env.get("REDIS_URL"):
            values["redis_url"] = env["REDIS_URL"]
        for name in base.__dataclass_fields__:
            raw = env.get(PREFIX + name.upper())
            if raw is None or name in _MAPPING_SUFFIXES:
                continue
            values[name] = _parse(name, raw, getattr(base, name))
        if "database_url" in values:
            values["database_url"] = _normalise_db_url(str(values["database_url"]))
        if "database_url" not in values:
            # Zero configuration: a SQLite file in the data directory.
            values["database_url"] = f"sqlite:///{values.get('data_dir', base.data_dir)}/postillon.db"
        for name, suffix in _MAPPING_SUFFIXES.items():
            values[name] = _per_network(env, suffix)
        return replace(base, **values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """Return environment variables from which ``from_env`` rebuilds these settings (for child processes)."""
        env = {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in ("database_url", "redis_url"):
                continue
            if isinstance(value, Mapping):
                suffix = _MAPPING_SUFFIXES[name]
                env.update({f"{PREFIX}{network.value.upper()}_{suffix}": url for network, url in value.items()})
            elif isinstance(value, bool):
                env[PREFIX + name.upper()] = "1" if value else "0"
            elif isinstance(value, tuple):
                env[PREFIX + name.upper()] = ",".join(value)
            else:
                env[PREFIX + name.upper()] = str(value)
        return env

    @property
    def data_path(self) -> Path:
        """Return the data directory (SQLite file, generated keys, uploads)."""
        return Path(self.data_dir)

    @property
    def sandbox_url(self) -> str:
        """Return the base URL of the sandbox networks."""
        return f"http://{self.sandbox_host}:{self.sandbox_port}"

    def with_sandbox_urls(self) -> Settings:
        """Point every network without an explicit API URL at the sandbox."""
        urls = {network: self.sandbox_url for network in Network} | dict(self.api_urls)
        uploads = {network: self.sandbox_url for network in Network} | dict(self.upload_urls)
        return replace(self, api_urls=urls, upload_urls=uploads)


_MAPPING_SUFFIXES = {"api_urls": "API_URL", "upload_urls": "UPLOAD_URL", "client_ids": "CLIENT_ID",
                     "client_secrets": "CLIENT_SECRET"}


def _per_network(env: Mapping[str, str], suffix: str) -> dict[Network, str]:
    found: dict[Network, str] = {}
    for network in Network:
        value = env.get(f"{PREFIX}{network.value.upper()}_{suffix}")
        if value:
            found[network] = value.rstrip("/")
    return found


def _parse(name: str, raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def _normalise_db_url(url: str) -> str:
    # Heroku-style postgres:// URLs name no driver; Postillon uses psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
