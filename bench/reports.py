"""Reports benchmark: the dashboard on 1,000,000 clicks against the best hand-written SQL, and the page served.

Creates a PostgreSQL database ``postillon_bench_<pid>`` next to ``test`` (dropped afterwards unless --keep),
fills it with 1,000,000 clicks, 20,000 deliveries, 50,000 applications and 10,000 leads (bench/reports_data.py),
then times, in the same run, ``scheduler.reporting.queries.dashboard`` for the last 90 days, the hand-written
GROUPING SETS SQL for the same figures (bench/reports_baseline.py) and ``GET /reports?preset=90d`` through the
Flask app. Targets: dashboard ≤ 2× the SQL and ≤ 1 s, page ≤ 1.5 s. The last line is one JSON object.

    python bench/reports.py                 # full size
    python bench/reports.py --scale 0.1     # a quick run
    python bench/reports.py --explain       # also print EXPLAIN ANALYZE of each dashboard statement
    python bench/reports.py --keep          # keep the database; then --reuse NAME measures it again
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reports_baseline import baseline  # noqa: E402
from bench.reports_data import Size, fill  # noqa: E402
from scheduler.config import Settings  # noqa: E402
from scheduler.crypto import CredentialBox  # noqa: E402
from scheduler.db import make_engine, make_session_factory  # noqa: E402
from scheduler.models import Application, Base, Click, Delivery, Lead, Role, User  # noqa: E402
from scheduler.reporting.model import Period  # noqa: E402
from scheduler.reporting.queries import dashboard  # noqa: E402
from scheduler.users import hash_password  # noqa: E402

PG_URL = os.environ.get("POSTILLON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
PASSWORD = "bench password 2026"
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
#: Proposed in docs/decisions.md: clicks of a period read from the index alone (an index-only scan).
PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_click_at_report ON click (at) INCLUDE (delivery_id, channel_id, is_bot, repeat)",
)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every row count (0.1: a quick run)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measurement (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", metavar="NAME", help="measure a database kept by --keep instead of filling one")
    parser.add_argument("--proposed-indexes", action="store_true",
                        help="add the indexes proposed in docs/decisions.md before measuring")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the dashboard statements")
    args = parser.parse_args()
    base = Size()
    size = Size(**{name: max(1, round(value * args.scale)) if name not in ("channels", "vacancies") else value
                   for name, value in base.__dict__.items()})
    # One database per run: two runs at once (two people benchmarking) must not drop each other's data.
    database = args.reuse or f"postillon_bench_{os.getpid()}"
    url = PG_URL.rsplit("/", 1)[0] + f"/{database}"
    if not args.reuse:
        _create_database(database)
    engine = make_engine(url)
    try:
        result = run(engine, url, size, args)
    finally:
        engine.dispose()
        if args.keep or args.reuse:
            print(f"kept database {database}")
        else:
            _drop_database(database)
    print(json.dumps(result))


def run(engine: Engine, url: str, size: Size, args: argparse.Namespace) -> dict[str, Any]:
    """Fill the bench database and measure; return the figures."""
    started = time.perf_counter()
    if not args.reuse:
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            fill(conn, NOW, size)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does on a live install: stats, visibility map
    generate_s = time.perf_counter() - started
    if args.proposed_indexes:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in PROPOSED_INDEXES:
                conn.execute(text(statement))
            conn.execute(text("VACUUM ANALYZE"))
    sessions = make_session_factory(engine)
    with sessions() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (Click, Delivery, Application, Lead)}
    print(f"generated {counts} in {generate_s:.1f} s")
    day = NOW.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    period = Period(day - timedelta(days=90), day)

    cpu: dict[str, list[float]] = {"dashboard": [], "baseline": []}

    def report() -> None:
        with sessions() as session:
            dashboard(session, period, concurrent=True)  # timed as the reports page runs it

    def report_cpu() -> None:
        # CPU is counted on one backend, so this pass runs the statements one after another on it.
        with sessions() as session:
            used = _cpu(session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
            dashboard(session, period)
            cpu["dashboard"].append(used())

    def hand_written() -> None:
        with engine.connect() as conn:
            used = _cpu(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
            baseline(conn, period.start, period.end)
            cpu["baseline"].append(used())

    if args.explain:
        explain(engine, report)
    dashboard_s, dashboard_runs = _median(report, args.runs)
    _median(report_cpu, args.runs)
    baseline_s, baseline_runs = _median(hand_written, args.runs)
    print(f"dashboard() 90 days: median {dashboard_s:.3f} s of {_fmt(dashboard_runs)}")
    print(f"hand-written SQL:    median {baseline_s:.3f} s of {_fmt(baseline_runs)}")
    page_s, page_runs, status = page(url, sessions, args.runs)
    print(f"GET /reports?preset=90d: median {page_s:.3f} s of {_fmt(page_runs)} (HTTP {status})")
    ratio = dashboard_s / baseline_s
    load = os.getloadavg()[0]
    dashboard_cpu, baseline_cpu = (statistics.median(cpu[k][1:]) for k in ("dashboard", "baseline"))
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (other work inflates every time alike)")
    print(f"CPU seconds (this process + its PostgreSQL backend; what an idle machine would take): "
          f"dashboard {dashboard_cpu:.3f} s, hand-written SQL {baseline_cpu:.3f} s")
    print(f"ratio {ratio:.2f} (target ≤ 2), dashboard {dashboard_s:.3f} s (≤ 1 s), page {page_s:.3f} s (≤ 1.5 s)")
    return {"dashboard_s": round(dashboard_s, 4), "baseline_sql_s": round(baseline_s, 4), "ratio": round(ratio, 3),
            "page_s": round(page_s, 4), "page_status": status, "generate_s": round(generate_s, 1),
            "rows": counts, "runs": args.runs, "period_days": 90, "proposed_indexes": args.proposed_indexes,
            "dashboard_cpu_s": round(dashboard_cpu, 4), "baseline_cpu_s": round(baseline_cpu, 4),
            "load_avg": round(load, 1)}


def page(url: str, sessions: Any, runs: int) -> tuple[float, list[float], int]:
    """Time GET /reports?preset=90d through the Flask app, logged in as an admin."""
    from web import create_app

    with sessions.begin() as session:
        if session.scalar(select(User.id).where(User.email == "bench@example.com")) is None:
            session.add(User(email="bench@example.com", name="Bench", password_hash=hash_password(PASSWORD),
                             role=Role.ADMIN, tz_name="UTC", locale="en"))
    settings = Settings(database_url=url, secret_key="bench-secret", encryption_keys=(CredentialBox.new_key(),),
                        data_dir=tempfile.mkdtemp(prefix="postillon-bench-"), sandbox=False)
    app = create_app(settings)
    app.extensions["postillon"] = replace(app.extensions["postillon"], clock=lambda: NOW)
    client = app.test_client()
    token = _TOKEN.search(client.get("/login").get_data(as_text=True))
    login = client.post("/login", data={"csrf_token": token.group(1) if token else "", "email": "bench@example.com",
                                        "password": PASSWORD, "next": ""})
    if login.status_code != 303:
        raise SystemExit(f"bench login failed: HTTP {login.status_code}")
    status = 0

    def get() -> None:
        nonlocal status
        response = client.get("/reports?preset=90d")
        status = response.status_code
        response.get_data()

    median, values = _median(get, runs)
    app.extensions["postillon"].engine.dispose()
    return median, values, status


def explain(engine: Engine, report: Callable[[], None]) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of every statement the dashboard runs."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    report()
    event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for statement, parameters in captured:
            with raw.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


def _cpu(backend_pid: int) -> Callable[[], float]:
    """Start counting CPU seconds of this process and of one PostgreSQL backend (same machine); return the reader."""
    def seconds() -> float:
        try:
            fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # PostgreSQL on another machine: count this process only
            return time.process_time()
        return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    start = seconds()
    return lambda: seconds() - start


def _median(action: Callable[[], None], runs: int) -> tuple[float, list[float]]:
    action()  # warm: connection pool, compiled-statement cache, database buffers
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        values.append(time.perf_counter() - started)
    return statistics.median(values), values


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def _admin() -> Engine:
    return make_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _create_database(name: str) -> None:
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _drop_database(name: str) -> None:
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
