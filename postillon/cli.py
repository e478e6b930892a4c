"""`postillon` subcommands: init, run, web, worker, dispatcher, clicks, sandbox, create-user, demo, purge…"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import replace

import click

from scheduler.config import Settings
from scheduler.secrets import with_local_secrets


def _settings() -> Settings:
    return with_local_secrets(Settings.from_env())


def _logging(level: str = "INFO") -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")


@click.group()
@click.option("--log-level", default=lambda: os.environ.get("POSTILLON_LOG_LEVEL", "INFO"), show_default="INFO")
def main(log_level: str) -> None:
    """Postillon: social media scheduling for recruiting and leads."""
    _logging(log_level)


@main.command()
@click.option("--admin-email", default=None, help="E-mail of the first admin (default admin@example.com).")
@click.option("--admin-password", default=None, help="Password of the first admin (default: generated).")
def init(admin_email: str | None, admin_password: str | None) -> None:
    """Create or migrate the database and create the first admin."""
    from postillon.migrate import ensure_admin, upgrade

    settings = _settings()
    upgrade(settings.database_url)
    email, password = ensure_admin(settings, admin_email, admin_password)
    click.echo(f"database ready: {_safe_url(settings.database_url)}")
    click.echo(f"admin: {email}" + (f" / password: {password}" if password else " (exists)"))


@main.command()
@click.option("--workers", type=int, default=None, help="Worker processes (default POSTILLON_WORKERS or 2).")
@click.option("--no-sandbox", is_flag=True, help="Do not start the sandbox networks.")
def run(workers: int | None, no_sandbox: bool) -> None:
    """Run everything on this machine: web, dispatcher, workers and the sandbox networks."""
    from postillon.supervisor import run_all

    settings = _settings()
    if workers is not None:
        settings = replace(settings, workers=workers)
    if no_sandbox:
        settings = replace(settings, sandbox=False)
    run_all(settings)


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--processes", type=int, default=2, show_default=True)
def web(host: str | None, port: int | None, processes: int) -> None:
    """Serve the web UI with gunicorn."""
    from postillon.webserver import serve

    settings = _settings()
    serve(settings, host or settings.web_host, port or settings.web_port, processes)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run one publish worker."""
    from workers.context import JobContext
    from workers.worker import run_worker

    run_worker(JobContext(_sandboxed(_settings())), burst=burst)


@main.command()
@click.option("--once", is_flag=True, help="Run one round and exit.")
def dispatcher(once: bool) -> None:
    """Run the dispatcher loop (safe to run more than one)."""
    from workers.context import JobContext
    from workers.dispatcher import Dispatcher

    dispatch = Dispatcher(JobContext(_settings()))
    if once:
        click.echo(str(dispatch.tick(sweep=True)))
        from workers import digest, mail

        mail.wait_for_sender()  # notifications and digests are mailed in background threads; let them finish
        digest.wait_for_sender()
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    dispatch.run(stop)


@main.command()
def clicks() -> None:
    """Run the click worker: move short-link clicks from Redis into the database (safe to run more than one)."""
    from workers.clicks import ClickDrain
    from workers.context import JobContext

    settings = _settings()
    ctx = JobContext(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ClickDrain(ctx.redis, ctx.sessions, burst_per_minute=settings.click_burst_per_minute).run(stop)


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--smtp-port", type=int, default=None, help="Port of the sandbox mailbox (default 8026).")
def sandbox(host: str | None, port: int | None, smtp_port: int | None) -> None:
    """Run the sandbox networks (fake X and friends) and the sandbox mailbox for development and tests."""
    from adapters.sandbox.knobs import knobs_from_env
    from adapters.sandbox.mailbox import mailbox_for, start_smtp
    from adapters.sandbox.server import base_url, make_sandbox_server
    from adapters.sandbox.state import SandboxState

    settings = _settings()
    host = host or settings.sandbox_host
    # Start knobs from POSTILLON_SANDBOX_KNOBS, e.g. '{"x": {"latency_ms": 200}}'.
    state = SandboxState(knobs_from_env(os.environ))
    server = make_sandbox_server(host, port or settings.sandbox_port, state=state, quiet=True)
    log = logging.getLogger("postillon.sandbox")
    try:
        smtp = start_smtp(mailbox_for(state), host, smtp_port or settings.sandbox_smtp_port)
        log.info("sandbox mailbox: SMTP on %s:%s, read it at %s/_sandbox/mailbox", host, smtp.port, base_url(server))
    except (OSError, RuntimeError, TimeoutError) as exc:  # port taken: the networks still work without it
        smtp = None
        log.error("sandbox mailbox not started on port %s: %s", smtp_port or settings.sandbox_smtp_port, exc)
    log.info("sandbox networks on %s (what was posted: %s/)", base_url(server), base_url(server))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if smtp is not None:
            smtp.stop()
        state.close()
        server.server_close()


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice(["admin", "recruiter", "marketer", "manager", "ambassador", "viewer"]),
              default="viewer", show_default=True)
@click.password_option()
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a user."""
    from scheduler.db import make_engine, make_session_factory
    from scheduler.models import Role
    from scheduler.users import UserInputError, create_user

    settings = _settings()
    try:
        with make_session_factory(make_engine(settings.database_url)).begin() as session:
            create_user(session, email=email, name=name, password=password, role=Role(role),
                        tz_name=settings.default_tz)
    except UserInputError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {role} {email}")


@main.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt every channel's credentials with the newest key (put it first in POSTILLON_ENCRYPTION_KEYS)."""
    from sqlalchemy import select

    from scheduler.crypto import CredentialBox
    from scheduler.db import make_engine, make_session_factory
    from scheduler.models import Channel

    settings = _settings()
    box = CredentialBox(settings.encryption_keys)
    with make_session_factory(make_engine(settings.database_url)).begin() as session:
        channels = list(session.scalars(select(Channel).where(Channel.credentials != "")))
        for channel in channels:
            channel.credentials = box.rotate(channel.credentials)
    click.echo(f"re-encrypted the credentials of {len(channels)} channel(s)")


@main.command()
def purge() -> None:
    """Anonymize applicant and lead data whose retention ended now (the dispatcher does it daily)."""
    from scheduler.clock import utcnow
    from scheduler.db import make_engine, make_session_factory
    from scheduler.retention import purge_expired

    settings = _settings()
    engine = make_engine(settings.database_url)
    with make_session_factory(engine).begin() as session:
        report = purge_expired(session, now=utcnow(), data_dir=settings.data_path)
    engine.dispose()
    click.echo(f"anonymized {report.applications} application(s) and {report.leads} lead(s), "
               f"deleted {report.cv_files} CV file(s), cleared {report.visitor_hashes} visitor hash(es)")


@main.command()
@click.option("--seed", type=int, default=None, help="Seed of the generator (default 2026); same seed, same data.")
@click.option("--force", is_flag=True, help="Add the demo although the database already has posts (deletes nothing).")
@click.option("--print-truth", is_flag=True, help="Print the generator's true totals per channel and delivery.")
def demo(seed: int | None, force: bool, print_truth: bool) -> None:
    """Fill the database with a realistic demo quarter of a fictional Styrian firm, so the reports have content."""
    from postillon.migrate import upgrade
    from scheduler.clock import utcnow
    from scheduler.db import make_engine, make_session_factory
    from scheduler.demo import DEFAULT_SEED, generate_demo, has_posts

    settings = _settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            if has_posts(session) and not force:
                raise click.ClickException(
                    "this database already has posts, and the demo would mix invented figures into your reports. "
                    "Use a fresh database, or add --force to add the demo anyway (nothing is deleted).")
            truth = generate_demo(session, seed=DEFAULT_SEED if seed is None else seed, now=utcnow())
    finally:
        engine.dispose()
    world = truth.world
    click.echo(f"demo data added (seed {world.seed}): {len(world.posts)} posts, {len(world.deliveries)} published "
               f"deliveries, {len(world.clicks)} clicks, {len(world.applications)} applications, "
               f"{len(world.leads)} leads. Open Reports to see them.")
    if print_truth:
        click.echo(truth.format())

def _sandboxed(settings: Settings) -> Settings:
    # With the sandbox on, every network without an explicit API URL points at it.
    return settings.with_sandbox_urls() if settings.sandbox else settings


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


if __name__ == "__main__":
    main()
