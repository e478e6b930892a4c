"""The dashboard: four grouped statements (deliveries, clicks, applications, leads) and a few small look-ups."""

from __future__ import annotations

import math
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from scheduler.models import Channel
from scheduler.reporting.behind import deliveries_behind
from scheduler.reporting.findings import compute_findings
from scheduler.reporting.lookups import cost_rows
from scheduler.reporting.model import ChannelRow, Dashboard, Period, Totals, WeekPoint
from scheduler.reporting.rollup import Ledger
from scheduler.reporting.sections import campaign_rows, top_posts, vacancy_rows
from scheduler.reporting.sql import BUCKET, DELIVERY, MEASURES, WEEK_S
from scheduler.reporting.statements import application_rows, click_rows, lead_rows, published_rows

__all__ = ["REPORT_CURRENCY", "dashboard", "deliveries_behind"]

#: Costs in other currencies are left out (and counted), never added up with euros.
REPORT_CURRENCY = "EUR"
CURRENT, PREV = ("total",), ("prev",)
#: Networks in the order managers in DACH read them.
NETWORK_ORDER = ("linkedin", "xing", "facebook", "instagram", "x")


class _Counts:
    """The period's week buckets and the figures only Totals carry."""

    def __init__(self, period: Period) -> None:
        self.weeks = [[0, 0, 0, 0] for _ in range(math.ceil(period.length / timedelta(seconds=WEEK_S)))]
        self.unattributed = {CURRENT: [0, 0], PREV: [0, 0]}  # applications, leads
        self.other_currency = 0
        self.top: dict[int, int] = {}  # candidate delivery → human clicks

    def week(self, bucket: int | None, column: int, amount: int) -> None:
        """Add to one week's published (0), clicks (1), applications (2) or leads (3)."""
        if bucket is not None and 0 <= bucket < len(self.weeks):
            self.weeks[bucket][column] += amount


def dashboard(session: Session, period: Period, *, concurrent: bool = False) -> Dashboard:
    """Compute every figure of the reports page for ``period`` and the previous period's totals.

    ``concurrent``: on PostgreSQL, run the four grouped statements at the same time on connections of
    their own (the page's latency is their sum otherwise). Only for callers whose session has written
    nothing uncommitted, since those connections cannot see it; each statement reads its own snapshot,
    which a report of past periods can afford.
    """
    ledger, counts = Ledger(), _Counts(period)
    statements = [published_rows(session, period), click_rows(session, period),
                  application_rows(session, period), lead_rows(session, period)]
    published, clicks, applications, leads = _fetch(session, statements, concurrent=concurrent)
    _add_published(published, ledger, counts)
    _add_clicks(clicks, ledger, counts)
    _add_applications(applications, ledger, counts)
    _add_leads(leads, ledger, counts)
    _add_costs(session, period, ledger, counts)
    totals = _totals(period, ledger, counts, CURRENT)
    previous = _totals(period.previous(), ledger, counts, PREV)
    channels = _channel_rows(session, ledger)
    vacancies = vacancy_rows(session, period, ledger, channels)
    campaigns = campaign_rows(session, ledger, channels, {row.vacancy_id: row.title for row in vacancies})
    weeks = tuple(WeekPoint(start=period.start + timedelta(seconds=WEEK_S * i),
                            end=min(period.start + timedelta(seconds=WEEK_S * (i + 1)), period.end),
                            published=w[0], human_clicks=w[1], applications=w[2], leads=w[3])
                  for i, w in enumerate(counts.weeks))
    return Dashboard(period=period, totals=totals, previous=previous, channels=channels, vacancies=vacancies,
                     campaigns=campaigns, top_posts=top_posts(session, period, counts.top), weeks=weeks,
                     findings=compute_findings(totals, previous, channels, vacancies), currency=REPORT_CURRENCY,
                     costs_other_currency=counts.other_currency)


def _group(row: Any) -> Hashable | None:
    """Return the ledger group of a grouped row, None for rows that belong to no group (no vacancy, no post).

    Rows are read by position (grp, channel, vacancy, campaign key, bucket, delivery, measures…): thousands of
    them per statement, and attribute access by name would cost more than the rest of the work.
    """
    grp, channel, vacancy, ckey = row[0], row[1], row[2], row[3]
    if grp == "total":
        return CURRENT
    if grp == "prev":
        return PREV
    if grp == "channel":
        return None if channel is None else ("channel", channel)
    if grp == "vacancy":
        return None if vacancy is None else ("vacancy", vacancy)
    if grp == "vch":  # an unattributed application still has a vacancy: its channel is None
        return None if vacancy is None else ("vch", vacancy, channel)
    if grp == "campaign":
        return None if ckey is None else ("campaign", ckey)
    if grp == "cch":
        return None if ckey is None or channel is None else ("cch", ckey, channel)
    return None


def _fetch(session: Session, statements: list[Any], *, concurrent: bool) -> list[Any]:
    """Run the grouped statements and return their rows (plain Core rows: no ORM machinery for numbers)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return [session.connection().execute(statement).all() for statement in statements]
    if not concurrent or not isinstance(bind, Engine):
        _jit_off(session.connection())
        return [session.connection().execute(statement).all() for statement in statements]

    def run(statement: Any) -> Any:
        with bind.connect() as connection:
            _jit_off(connection)
            return connection.execute(statement).all()

    with ThreadPoolExecutor(max_workers=len(statements), thread_name_prefix="report") as pool:
        return list(pool.map(run, statements))


def _jit_off(connection: Connection) -> None:
    # These statements run for a fraction of a second, but their (over-)estimated group counts cross
    # jit_above_cost: JIT compiling cost more CPU than it saved (bench/reports.py). This transaction only.
    connection.execute(text("SET LOCAL jit = off"))


def _add_published(rows: Any, ledger: Ledger, counts: _Counts) -> None:
    for row in rows:
        if row[0] == "week":
            counts.week(row[BUCKET], 0, row[MEASURES])
        elif (group := _group(row)) is not None:
            ledger.metrics[group].add(row[MEASURES:])


def _add_clicks(rows: Any, ledger: Ledger, counts: _Counts) -> None:
    for row in rows:
        human, bots, repeats = row[MEASURES:MEASURES + 3]
        if row[0] == "week":
            counts.week(row[BUCKET], 1, human)
        elif row[0] == "top":
            counts.top[row[DELIVERY]] = human
        elif (group := _group(row)) is not None and (human or bots or repeats):
            sums = ledger.outcomes[group]
            sums.human_clicks += human
            sums.bot_clicks += bots
            sums.repeat_clicks += repeats


def _add_applications(rows: Any, ledger: Ledger, counts: _Counts) -> None:
    for row in rows:
        applications, interviews, hires, *prev = row[MEASURES:MEASURES + 6]
        if row[0] == "total":
            ledger.outcomes[PREV].applications, ledger.outcomes[PREV].interviews, ledger.outcomes[PREV].hires = prev
        elif row[0] == "channel" and row[1] is None:
            counts.unattributed[CURRENT][0], counts.unattributed[PREV][0] = applications, prev[0]
        if row[0] == "week":
            counts.week(row[BUCKET], 2, applications)
        elif (group := _group(row)) is not None and (applications or interviews or hires):
            sums = ledger.outcomes[group]
            sums.applications += applications
            sums.interviews += interviews
            sums.hires += hires


def _add_leads(rows: Any, ledger: Ledger, counts: _Counts) -> None:
    for row in rows:
        leads = row[MEASURES]
        if row[0] == "week":
            counts.week(row[BUCKET], 3, leads)
            continue
        if row[0] in ("channel", "prev") and row[1] is None:
            counts.unattributed[PREV if row[0] == "prev" else CURRENT][1] += leads
        if (group := _group(row)) is not None and leads:
            ledger.outcomes[group].leads += leads


def _add_costs(session: Session, period: Period, ledger: Ledger, counts: _Counts) -> None:
    for row in session.execute(cost_rows(period)):
        if row.currency != REPORT_CURRENCY:
            counts.other_currency += row.entries if row.current else 0
            continue
        groups: list[Hashable] = [CURRENT, ("channel", row.channel_id)] if row.current else [PREV]
        if row.current and row.vacancy_id is not None:
            groups += [("vacancy", row.vacancy_id), ("vch", row.vacancy_id, row.channel_id)]
        for group in groups:
            ledger.outcomes[group].add_cost(int(row.cents))


def _totals(period: Period, ledger: Ledger, counts: _Counts, which: tuple[str]) -> Totals:
    sums = ledger.outcomes[which]
    applications, leads = counts.unattributed[which]
    return Totals(period=period, metrics=ledger.metrics_of(which), outcomes=sums.freeze(),
                  bot_clicks=sums.bot_clicks, repeat_clicks=sums.repeat_clicks,
                  applications_unattributed=applications, leads_unattributed=leads)


def _channel_rows(session: Session, ledger: Ledger) -> tuple[ChannelRow, ...]:
    rows = []
    for channel_id, network, name in session.execute(select(Channel.id, Channel.network, Channel.name)):
        sums = ledger.outcomes.get(("channel", channel_id))
        rows.append(ChannelRow(channel_id=channel_id, network=str(network), name=name,
                               metrics=ledger.metrics_of(("channel", channel_id)),
                               outcomes=ledger.outcomes_of(("channel", channel_id)),
                               bot_clicks=sums.bot_clicks if sums else 0,
                               repeat_clicks=sums.repeat_clicks if sums else 0))
    order = {network: i for i, network in enumerate(NETWORK_ORDER)}
    return tuple(sorted(rows, key=lambda r: (order.get(r.network, 99), r.name.lower(), r.channel_id)))
