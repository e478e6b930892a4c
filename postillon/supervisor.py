"""`postillon run`: everything on one machine, supervised; restarts a process that dies."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import click
import requests

from postillon.migrate import ensure_admin, upgrade
from postillon.redis_server import ensure_redis
from postillon.sandbox_channels import connect_sandbox_channels
from scheduler.config import Settings

log = logging.getLogger("postillon.run")

@dataclass
class Child:
    """One supervised process."""

    name: str
    args: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    def start(self, env: dict[str, str]) -> None:
        """Start (or restart) the process."""
        self.process = subprocess.Popen([sys.executable, "-m", "postillon.cli", *self.args], env=env)
        self.started_at = time.monotonic()


def run_all(settings: Settings) -> None:
    """Start Redis if needed, migrate, then run sandbox, web, dispatcher, click worker and workers until stopped."""
    data = settings.data_path.resolve()
    settings = replace(settings, data_dir=str(data))
    redis = ensure_redis(settings.redis_url, data / "redis")
    log.info("Redis: %s (%s)", redis.url, {"configured": "the configured server",
                                           "redis-server": "a redis-server started for this run",
                                           "embedded": "embedded fakeredis; slow, for trying out only"}[redis.kind])
    settings = replace(settings, redis_url=redis.url)
    log.info("database: %s", "SQLite file " + settings.database_url.split("///", 1)[-1]
             if settings.database_url.startswith("sqlite") else "PostgreSQL")
    upgrade(settings.database_url)
    email, password = ensure_admin(settings)
    settings = with_sandbox_mailbox(settings)
    log.info("mail: %s", mail_target(settings))
    env = _child_env(settings)
    children = [Child("web", ["web", "--processes", "2"]), Child("dispatcher", ["dispatcher"]),
                Child("clicks", ["clicks"])]  # short-link clicks: Redis stream -> database
    children += [Child(f"worker-{i + 1}", ["worker"]) for i in range(settings.workers)]
    if settings.sandbox:
        children.insert(0, Child("sandbox", ["sandbox"]))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        for child in children:
            child.start(env)
        if settings.sandbox:
            wait_for_http(settings.sandbox_url + "/")
            connect_sandbox_channels(settings, email)
        # The banner promises a working address: say it only once the web answers.
        wait_for_http(f"http://{settings.web_host}:{settings.web_port}/login", timeout_s=90)
        _banner(settings, email, password)
        _supervise(children, env, stop)
    finally:
        for child in children:
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in children:
            if child.process:
                try:
                    child.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.process.kill()
        redis.stop()


def _supervise(children: list[Child], env: dict[str, str], stop: threading.Event) -> None:
    while not stop.wait(1.0):
        for child in children:
            if child.process is None or child.process.poll() is None:
                continue
            # Back off when a process keeps dying right after start (bad config, port taken).
            if time.monotonic() - child.started_at < 10 and child.restarts >= 3:
                log.error("%s keeps exiting (code %s); giving up on it", child.name, child.process.returncode)
                child.process = None
                continue
            log.warning("%s exited with %s; restarting", child.name, child.process.returncode)
            child.restarts += 1
            child.start(env)


def with_sandbox_mailbox(settings: Settings) -> Settings:
    """With the sandbox on and no SMTP server configured, send mail to the sandbox mailbox."""
    if not settings.sandbox or settings.smtp_url:
        return settings
    return replace(settings, smtp_url=sandbox_mailbox_url(settings))


def sandbox_mailbox_url(settings: Settings) -> str:
    """Return the SMTP URL of the sandbox mailbox (started with the sandbox networks)."""
    return f"smtp://{settings.sandbox_host}:{settings.sandbox_smtp_port}"


def mail_target(settings: Settings) -> str:
    """Return where mail goes, for the log: never the user name or password."""
    if not settings.smtp_url:
        return "off (set POSTILLON_SMTP_URL to send notifications by e-mail)"
    if settings.sandbox and settings.smtp_url == sandbox_mailbox_url(settings):
        return f"the sandbox mailbox, {settings.sandbox_url}/_sandbox/mailbox"
    try:
        parts = urlsplit(settings.smtp_url)
        return f"SMTP server {parts.hostname}:{parts.port or 'default port'}"
    except ValueError:
        return "SMTP server (the URL is malformed)"


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings.to_env())
    return env


def wait_for_http(url: str, timeout_s: float = 30.0) -> None:
    """Wait until ``url`` answers at all (any status), or raise after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f}s")


def _banner(settings: Settings, email: str, password: str | None) -> None:
    lines = [
        "",
        "  Postillon is running.",
        f"  Open       {settings.base_url}",
        f"  Log in as  {email}" + (f"  password: {password}" if password else "  (password as set)"),
    ]
    if settings.sandbox:
        lines.append(f"  Sandbox    {settings.sandbox_url}/  (what was 'posted' to the sandbox networks)")
        if settings.smtp_url == sandbox_mailbox_url(settings):
            lines.append(f"  Mailbox    {settings.sandbox_url}/_sandbox/mailbox  (the e-mail Postillon sent)")
    if not has_published(settings):
        lines.append("  Demo data  none yet: `make demo` (or `postillon demo`) adds a quarter of example figures")
    lines += ["  Stop with Ctrl-C.", ""]
    click.echo("\n".join(lines))


def has_published(settings: Settings) -> bool:
    """Tell whether the database has a published delivery (without one the reports are empty)."""
    from sqlalchemy.exc import SQLAlchemyError

    from scheduler.db import make_engine, make_session_factory
    from scheduler.demo import has_published as any_published

    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return any_published(session)
    except SQLAlchemyError:
        return True  # cannot tell: better not to suggest invented data
    finally:
        engine.dispose()


__all__ = ["run_all"]
