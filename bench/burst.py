"""Burst benchmark: N deliveries due at the same instant, published through the real processes.

Runs PostgreSQL + Redis + the sandbox X (with a per-call latency) + one dispatcher + worker
processes on this machine, then prints throughput, lateness percentiles, duplicates, lost
deliveries, the workers' peak memory, and a raw RQ baseline measured in the same run (two
non-forking workers processing no-op jobs). The last line is one JSON object.

    python bench/burst.py                      # 10,000 deliveries, 200 ms per network call
    python bench/burst.py --n 1000             # a quick run
    python bench/burst.py --latency-ms 0       # throughput against the RQ baseline
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import requests
from redis import Redis
from rq import Queue
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.sandbox_accounts import create_sandbox_account  # noqa: E402
from postillon.redis_server import free_port  # noqa: E402
from postillon.supervisor import wait_for_http  # noqa: E402
from scheduler.channels import add_channel  # noqa: E402
from scheduler.clock import utcnow  # noqa: E402
from scheduler.config import Settings  # noqa: E402
from scheduler.crypto import CredentialBox  # noqa: E402
from scheduler.db import make_engine, make_session_factory  # noqa: E402
from scheduler.lifecycle import DeliveryState  # noqa: E402
from scheduler.models import Base, Delivery, Post  # noqa: E402
from scheduler.networks import Network  # noqa: E402

PG_URL = os.environ.get("POSTILLON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("POSTILLON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
S = DeliveryState
OPEN_STATES = (S.SCHEDULED, S.QUEUED, S.PUBLISHING, S.RETRY_WAIT)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="deliveries due at the same instant")
    parser.add_argument("--latency-ms", type=float, default=200.0, help="sandbox latency per network call")
    parser.add_argument("--channels", type=int, default=20, help="sandbox X accounts the deliveries spread over")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--baseline-jobs", type=int, default=5000, help="no-op jobs for the raw RQ baseline")
    parser.add_argument("--timeout-s", type=float, default=900.0)
    args = parser.parse_args()

    baseline = rq_baseline(args.baseline_jobs)
    print(f"raw RQ baseline (2 SimpleWorkers, no-op jobs): {baseline:.0f} jobs/s", flush=True)
    result = burst(args)
    result["baseline_rq_per_s"] = round(baseline, 1)
    result["ratio"] = round(result["throughput_per_s"] / baseline, 3) if baseline else None
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    print(json.dumps(result), flush=True)


def burst(args: argparse.Namespace) -> dict[str, object]:
    """Publish ``args.n`` simultaneous deliveries and measure the outcome."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    key = CredentialBox.new_key()
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=db_url, redis_url=REDIS_URL, encryption_keys=(key,), secret_key="bench",
                        sandbox=False, api_urls={Network.X: sandbox_url}, data_dir=f"/tmp/postillon-bench-{schema}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTILLON_")}
    env.update(settings.to_env())
    env.update({
        "POSTILLON_LOG_LEVEL": "WARNING",
        "POSTILLON_SANDBOX_KNOBS": json.dumps({"x": {"latency_ms": args.latency_ms, "rate_limit": 0,
                                                     "read_rate_limit": 0, "token_ttl_s": 86400,
                                                     # store a repeated text so a double post is counted
                                                     "duplicate_window_s": 0}}),
    })
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(_spawn(["sandbox", "--port", str(port)], env))
        wait_for_http(sandbox_url + "/_sandbox/stats")
        sessions = make_session_factory(engine)
        box = CredentialBox([key])
        with sessions.begin() as session:
            channel_ids = [
                add_channel(session, box, Network.X,
                            create_sandbox_account(sandbox_url, Network.X, username=f"bench{i}", name=f"Bench {i}"),
                            user_id=None).id
                for i in range(args.channels)
            ]
        workers = [_spawn(["worker"], env) for _ in range(args.workers)]
        procs += workers
        procs.append(_spawn(["dispatcher"], env))
        roles = {"sandbox": [procs[0]], "workers": workers, "dispatcher": [procs[-1]]}
        time.sleep(2.0)  # let the processes start before the instant
        due = _insert_deliveries(sessions, args.n, channel_ids, lead_s=3.0)
        print(f"{args.n} deliveries due at {due:%H:%M:%S} UTC on {args.channels} channels, "
              f"sandbox latency {args.latency_ms:.0f} ms", flush=True)
        cpu_before = _cpu_seconds(roles)
        done_at = _wait_done(sessions, args.n, args.timeout_s)
        cpu = {role: round(after - cpu_before[role], 1) for role, after in _cpu_seconds(roles).items()}
        peak_mb = max(_peak_rss_mb(p.pid) for p in workers)
        result = _measure(sessions, args, due, done_at, peak_mb, sandbox_url)
        result["cpu_s"] = cpu
        return result
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        redis.flushdb()


def _insert_deliveries(sessions, n: int, channel_ids: list[int], *, lead_s: float):  # type: ignore[no-untyped-def]
    due = utcnow() + timedelta(seconds=lead_s)
    with sessions.begin() as session:
        posts = [{"text": f"Burst post {i}: we are hiring in Graz", "kind": "job_ad", "campaign": "",
                  "created_at": utcnow()} for i in range(n)]
        post_ids = list(session.scalars(insert(Post).returning(Post.id), posts))
        session.execute(insert(Delivery), [
            {"post_id": pid, "channel_id": channel_ids[i % len(channel_ids)], "state": S.SCHEDULED, "due_at": due,
             "run_at": due, "created_at": utcnow(), "updated_at": utcnow()}
            for i, pid in enumerate(post_ids)
        ])
    return due


def _wait_done(sessions, n: int, timeout_s: float) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with sessions() as session:
            open_count = session.scalar(select(func.count(Delivery.id)).where(Delivery.state.in_(OPEN_STATES)))
        if open_count == 0:
            return time.time()
        time.sleep(0.5)
    return time.time()


def _measure(sessions, args: argparse.Namespace, due, done_at: float, peak_mb: float,  # type: ignore[no-untyped-def]
             sandbox_url: str) -> dict[str, object]:
    with sessions() as session:
        rows = session.execute(select(Delivery.state, Delivery.published_at)).all()
        stages = session.execute(select(Delivery.queued_at, Delivery.claimed_at)).all()
    published = sorted((p - due).total_seconds() for state, p in rows if state is S.PUBLISHED and p)
    by_state: dict[str, int] = {}
    for state, _ in rows:
        by_state[state.value] = by_state.get(state.value, 0) + 1
    stats = requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()["x"]
    queued = sorted((q - due).total_seconds() for q, _ in stages if q)
    claimed = sorted((c - due).total_seconds() for _, c in stages if c)
    last = published[-1] if published else 0.0
    return {
        "n": args.n,
        "latency_ms": args.latency_ms,
        "throughput_per_s": round(len(published) / last, 1) if last > 0 else 0.0,
        "p50_lateness_s": round(statistics.median(published), 3) if published else None,
        "p99_lateness_s": round(published[int(0.99 * (len(published) - 1))], 3) if published else None,
        "max_lateness_s": round(last, 3),
        # Where the time goes: due -> queued by the dispatcher -> claimed by a worker -> published.
        "p50_queued_s": round(statistics.median(queued), 3) if queued else None,
        "p50_claimed_s": round(statistics.median(claimed), 3) if claimed else None,
        # Posts stored twice for the same account and text, plus creates beyond one per delivery.
        "duplicates": int(stats["duplicates"]) + max(0, int(stats["create_calls"]) - args.n),
        "lost": sum(count for state, count in by_state.items() if state in {s.value for s in OPEN_STATES}),
        "states": by_state,
        "worker_peak_rss_mb": round(peak_mb, 1),
        "workers": args.workers,
    }


def rq_baseline(jobs: int) -> float:
    """Return no-op jobs per second processed by two non-forking RQ workers (the raw RQ baseline)."""
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    queue = Queue("baseline", connection=redis)
    with redis.pipeline() as pipe:
        queue.enqueue_many([Queue.prepare_data("time.monotonic", result_ttl=0) for _ in range(jobs)], pipeline=pipe)
        pipe.execute()
    cmd = [str(Path(sys.executable).parent / "rq"), "worker", "--burst", "--worker-class", "rq.SimpleWorker",
           "--url", REDIS_URL, "--quiet", "baseline"]
    started = time.monotonic()
    workers = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    # Start the clock when the first job starts, so interpreter start-up is not counted.
    while queue.count == jobs and time.monotonic() - started < 30:
        time.sleep(0.005)
    started = time.monotonic()
    for worker in workers:
        worker.wait()
    elapsed = time.monotonic() - started
    redis.flushdb()
    return jobs / elapsed


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "postillon.cli", *args], env=env, cwd=ROOT,
                            start_new_session=True)


def _cpu_seconds(roles: dict[str, list[subprocess.Popen[bytes]]]) -> dict[str, float]:
    """Return user+system CPU seconds used so far by each role's processes (and the machine)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for role, procs in roles.items():
        total = 0
        for proc in procs:
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except OSError:
                pass
        used[role] = total / ticks
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    used["machine_busy"] = (sum(map(int, cpu)) - int(cpu[3]) - int(cpu[4])) / ticks
    return used


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    main()
