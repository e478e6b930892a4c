"""Redirect benchmark: ``/r/<code>`` with click recording against a bare Flask redirect, then the click drain.

Starts two gunicorn servers with identical settings (sync workers ×2, app preloaded, no access log):
Postillon's app serving real tracked links from PostgreSQL, and a bare Flask app whose only route
answers the same 302. A load generator in its own process keeps 32 connections busy against each for
``--duration-s`` (baseline first, alternating for ``--rounds``), then checks that every redirect of
Postillon's reached the click stream. Both servers are warmed up first (2 s each): the figures are the
steady state, every code in the workers' caches (a code's first click in a process reads the database).
Finally ``--drain-events`` synthetic click events are put in the stream and timed through the click
worker into PostgreSQL. The last line is one JSON object.

    python bench/redirect.py                         # 32 connections, 10 s each, 100,000 events drained
    python bench/redirect.py --duration-s 3 --drain-events 20000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import requests
from flask import Flask, redirect
from redis import Redis
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from postillon.redis_server import free_port  # noqa: E402
from scheduler.click_events import CLICK_STREAM, LOST_KEY_PREFIX, make_event  # noqa: E402
from scheduler.clock import utcnow  # noqa: E402
from scheduler.config import Settings  # noqa: E402
from scheduler.crypto import CredentialBox  # noqa: E402
from scheduler.db import make_engine, make_session_factory  # noqa: E402
from scheduler.lifecycle import DeliveryState  # noqa: E402
from scheduler.models import Base, Channel, Click, Delivery, Post, TrackedLink  # noqa: E402
from scheduler.networks import Network  # noqa: E402
from scheduler.tracking import ensure_links  # noqa: E402
from workers.clicks import ClickDrain  # noqa: E402

PG_URL = os.environ.get("POSTILLON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("POSTILLON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BARE_DESTINATION = "https://acme.example/jobs/7?utm_source=linkedin&utm_medium=social&utm_campaign=job-7&utm_content=d1"
#: A realistic mix: mostly phones and in-app browsers, some desktops, the preview fetchers and a script.
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "[LinkedInApp]/9.29.9541",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 "
    "Mobile Safari/537.36 [LinkedInApp]/4.1.960",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "[FBAN/FBIOS;FBAV/460.0.0.36.105;FBBV/600000000;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.4;FBSS/3;FBLC/de_DE]",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36 Instagram 342.0.0.33.103 Android (34/14; 420dpi; "
    "1080x2400; Google/google; Pixel 8; shiba; shiba; de_DE; 625403213)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 "
    "Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 "
    "Chrome/121.0.0.0 Mobile Safari/537.36",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "python-requests/2.32.3",
]


def bare_app() -> Flask:
    """The baseline: a Flask app whose only route answers the same 302 and does nothing else."""
    app = Flask("bare")

    @app.get("/r/<code>")
    def follow(code: str) -> Any:
        return redirect(BARE_DESTINATION, 302)

    return app


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration-s", type=float, default=10.0, help="load per server and round")
    parser.add_argument("--rounds", type=int, default=1, help="baseline/Postillon pairs, alternating")
    parser.add_argument("--links", type=int, default=200, help="tracked links the load spreads over")
    parser.add_argument("--drain-events", type=int, default=100_000)
    args = parser.parse_args()

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    servers: list[subprocess.Popen[bytes]] = []
    try:
        codes = _links(sessions, args.links)
        settings = Settings(database_url=db_url, redis_url=REDIS_URL, secret_key="bench", sandbox=False,
                            encryption_keys=(CredentialBox.new_key(),), data_dir=f"/tmp/postillon-bench-{schema}",
                            base_url="https://go.acme.example")
        ours, bare = free_port(), free_port()
        servers.append(_gunicorn("web:create_app()", ours, settings))
        servers.append(_gunicorn("bench.redirect:bare_app()", bare, settings))
        for port, server in zip((ours, bare), servers, strict=True):
            _wait_for_redirect(f"http://127.0.0.1:{port}/r/{codes[0]}", server)
        paths = [f"/r/{code}" for code in codes]
        for port in (bare, ours):  # steady state: every code in both workers' caches, as in production
            _load(port, paths, args.connections, 2.0)
        time.sleep(1.0)  # let the warm-up clicks flush
        redis.delete(CLICK_STREAM)
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "postillon": []}
        for _ in range(args.rounds):
            for name, port in (("baseline", bare), ("postillon", ours)):
                result = _load(port, paths, args.connections, args.duration_s)
                runs[name].append(result)
                print(f"{name:>9}: {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
                      f"p99 {result['p99_ms']:6.2f} ms  non-302 {result['bad']}  errors {result['errors']}  "
                      f"load generator CPU {result['client_cpu']:.0%}", flush=True)
        time.sleep(1.0)  # the recorders flush every 50 ms
        served = sum(r["ok"] for r in runs["postillon"])
        recorded = int(redis.xlen(CLICK_STREAM))
        lost = sum(int(redis.get(key) or 0) for key in redis.scan_iter(match=LOST_KEY_PREFIX + "*"))
        print(f"clicks: {served} redirects served, {recorded} in the stream, {lost} counted as lost", flush=True)
        drain_rate, stored = _drain(redis, sessions, codes, args.drain_events)
        print(f"drain: {args.drain_events} events into PostgreSQL at {drain_rate:.0f} clicks/s "
              f"({stored} rows)", flush=True)
        result = _summary(runs, args, drain_rate, served, recorded, lost)
        for key, value in result.items():
            print(f"{key:>22}: {value}")
        print(json.dumps(result), flush=True)
    finally:
        for server in servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        redis.flushdb()


def _links(sessions: Any, count: int) -> list[str]:
    """Create one LinkedIn delivery whose text holds ``count`` links; return their codes."""
    with sessions.begin() as session:
        urls = " ".join(f"https://acme.example/jobs/{n}?lang=de" for n in range(count))
        post = Post(text=f"Wir suchen! {urls}", campaign="Bench")
        channel = Channel(network=Network.LINKEDIN, name="Bench")
        session.add_all([post, channel])
        session.flush()
        delivery = Delivery(post_id=post.id, channel_id=channel.id, state=DeliveryState.SCHEDULED, due_at=utcnow(),
                            run_at=utcnow())
        session.add(delivery)
        session.flush()
        ensure_links(session, [delivery.id])
        return list(session.scalars(select(TrackedLink.code).order_by(TrackedLink.id)))


def _wait_for_redirect(url: str, server: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {server.returncode}")
        try:
            if requests.get(url, allow_redirects=False, timeout=1).status_code == 302:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not redirect within {timeout_s:.0f}s")


def _gunicorn(app: str, port: int, settings: Settings) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTILLON_")}
    env.update(settings.to_env())
    # --no-control-socket: gunicorn's control socket has one fixed path; two servers would fight over it.
    cmd = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync", "--preload",
           "--no-control-socket", "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
           "--log-level", os.environ.get("BENCH_LOG_LEVEL", "warning"), app]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)


def _load(port: int, paths: list[str], connections: int, duration_s: float) -> dict[str, Any]:
    """Run the load generator in its own process (it must not share the GIL with the measuring)."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_load_process,
                                                           args=(child, port, paths, connections, duration_s))
    process.start()
    result: dict[str, Any] = parent.recv()
    process.join()
    return result


def _load_process(out: Connection, port: int, paths: list[str], connections: int, duration_s: float) -> None:
    started_cpu = time.process_time()
    began = time.perf_counter()
    load = _LoadGenerator(port, paths, connections)
    load.run(began + duration_s)
    elapsed = time.perf_counter() - began
    latencies = sorted(load.latencies)
    out.send({"rps": len(latencies) / elapsed, "ok": load.ok, "bad": load.bad, "errors": load.errors,
              "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
              "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0.0,
              "client_cpu": (time.process_time() - started_cpu) / elapsed})


class _LoadGenerator:
    """``connections`` concurrent clients on non-blocking sockets and one selector: cheap enough per request
    that the generator is not what limits the servers (it reports its own CPU share to show that)."""

    def __init__(self, port: int, paths: list[str], connections: int) -> None:
        self.address = ("127.0.0.1", port)
        rng = random.Random(port)
        self.requests = [(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {rng.choice(USER_AGENTS)}"
                          "\r\nReferer: https://www.linkedin.com/\r\n\r\n").encode() for path in paths * 4]
        rng.shuffle(self.requests)
        self.connections = connections
        self.selector = selectors.DefaultSelector()
        self.latencies: list[float] = []
        self.ok = self.bad = self.errors = self.sent = 0

    def run(self, deadline: float) -> None:
        """Keep every client busy until ``deadline``; a client reconnects whenever the server closes."""
        for _ in range(self.connections):
            self._start(None)
        while time.perf_counter() < deadline:
            for key, mask in self.selector.select(timeout=0.5):
                client: _Client = key.data
                try:
                    if mask & selectors.EVENT_WRITE:
                        client.sock.send(client.request)
                        self.selector.modify(client.sock, selectors.EVENT_READ, client)
                    else:
                        self._read(client)
                except OSError:
                    self.errors += 1
                    self._close(client)
                    self._start(None)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]

    def _start(self, reuse: _Client | None) -> None:
        request = self.requests[self.sent % len(self.requests)]
        self.sent += 1
        if reuse is not None:  # a kept-alive connection: send right away
            reuse.request, reuse.started, reuse.buffer = request, time.perf_counter(), b""
            self.selector.modify(reuse.sock, selectors.EVENT_WRITE, reuse)
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        client = _Client(sock, request, time.perf_counter())
        sock.connect_ex(self.address)
        self.selector.register(sock, selectors.EVENT_WRITE, client)

    def _read(self, client: _Client) -> None:
        data = client.sock.recv(65536)
        if not data:
            raise OSError("closed before the answer was complete")
        client.buffer += data
        head, found, body = client.buffer.partition(b"\r\n\r\n")
        if not found:
            return
        lower = head.lower()
        length = int(lower.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0]) if b"content-length:" in lower else 0
        if len(body) < length:
            return
        self.latencies.append(time.perf_counter() - client.started)
        if head[9:12] == b"302":
            self.ok += 1
        else:
            self.bad += 1
        if b"connection: close" in lower:
            self._close(client)
            self._start(None)
        else:
            self._start(client)

    def _close(self, client: _Client) -> None:
        self.selector.unregister(client.sock)
        client.sock.close()


@dataclass
class _Client:
    sock: socket.socket
    request: bytes
    started: float
    buffer: bytes = b""


def _drain(redis: Redis, sessions: Any, codes: list[str], events: int) -> tuple[float, int]:
    """Put ``events`` realistic click events in the stream and time the click worker storing them all."""
    redis.delete(CLICK_STREAM)
    with sessions() as session:
        links = session.execute(select(TrackedLink.id, TrackedLink.delivery_id)).all()
        session.execute(text("TRUNCATE click"))
        session.commit()
    rng = random.Random(7)
    now = utcnow()
    pipe = redis.pipeline(transaction=False)
    for n in range(events):
        link_id, delivery_id = rng.choice(links)
        at = now - timedelta(seconds=rng.randrange(3600))
        event = make_event(secret="bench", link_id=link_id, delivery_id=delivery_id, channel_id=1, at=at,
                           method="HEAD" if rng.random() < 0.02 else "GET", user_agent=rng.choice(USER_AGENTS),
                           referrer="https://www.linkedin.com/", address=f"198.51.{rng.randrange(256)}.7",
                           country=rng.choice(["AT", "DE", "CH", None]))
        pipe.xadd(CLICK_STREAM, {"c": event.encode()})
        if n % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    drain = ClickDrain(redis, sessions, consumer="bench")
    drain.setup()
    started = time.perf_counter()
    while drain.drain_once(block=False):
        pass
    elapsed = time.perf_counter() - started
    with sessions() as session:
        stored = int(session.scalar(select(func.count()).select_from(Click)) or 0)
    return stored / elapsed, stored


def _summary(runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace, drain_rate: float, served: int,
             recorded: int, lost: int) -> dict[str, Any]:
    def median(name: str, key: str) -> float:
        return float(statistics.median(r[key] for r in runs[name]))

    rps, baseline = median("postillon", "rps"), median("baseline", "rps")
    return {
        "rps": round(rps, 1), "baseline_rps": round(baseline, 1), "ratio": round(rps / baseline, 3),
        "p50_ms": round(median("postillon", "p50_ms"), 2), "p99_ms": round(median("postillon", "p99_ms"), 2),
        "baseline_p50_ms": round(median("baseline", "p50_ms"), 2),
        "baseline_p99_ms": round(median("baseline", "p99_ms"), 2),
        "drain_clicks_per_s": round(drain_rate, 1), "drain_events": args.drain_events,
        "clicks_served": served, "clicks_in_stream": recorded, "clicks_lost": lost,
        "connections": args.connections, "duration_s": args.duration_s, "rounds": args.rounds,
        "load_generator_cpu": round(median("postillon", "client_cpu"), 2),
    }


if __name__ == "__main__":
    main()
