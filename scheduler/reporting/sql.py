"""SQL building blocks for the reports: week buckets, campaign keys, latest snapshots and the grouping sets."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE

from scheduler.models import Delivery, MetricSnapshot, Post, PostKind
from scheduler.reporting.model import Period

#: A statement whose rows are read by column name.
Rows = Select[*tuple[Any, ...]]
WEEK_S = 7 * 24 * 3600
#: Bucket number of everything in the previous period (the trend only covers the period itself).
PREVIOUS = -1
#: Network figures read from the latest snapshot.
METRIC_COLUMNS = ("impressions", "reactions", "comments", "shares", "clicks")
#: The groupings every figure is added up by, in the database: name → key columns of the base rows.
GROUPINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ()), ("channel", ("channel_id",)), ("vacancy", ("vacancy_id",)), ("vch", ("vacancy_id", "channel_id")),
    ("campaign", ("ckey",)), ("cch", ("ckey", "channel_id")), ("week", ("bucket",)))
_KEYS = (("channel_id", Integer()), ("vacancy_id", Integer()), ("ckey", String()), ("bucket", Integer()),
         ("delivery_id", Integer()))
#: Positions in a grouped row: grp, then the _KEYS, then the measures.
BUCKET, DELIVERY, MEASURES = 4, 5, 6


def week_bucket(session: Session, at: Any, period: Period, *, inside_only: bool = False) -> ColumnElement[int]:
    """Return the 7-day bucket of ``at`` counted from the period start; PREVIOUS before the start.

    ``inside_only``: the rows all lie inside the period, so the test for "before the start" is left out.
    """
    start_s = math.floor(period.start.timestamp())
    if session.get_bind().dialect.name == "sqlite":
        # Stored as "YYYY-MM-DD HH:MM:SS.ffffff": strftime('%s') would round the fraction up to the next
        # second (and week), so cut it off; integer division then floors the non-negative seconds.
        seconds = cast(func.strftime("%s", func.substr(at, 1, 19)), Integer) - start_s
        inside: ColumnElement[int] = seconds.self_group().op("/")(WEEK_S)
    else:
        # timestamp without time zone holds UTC: its epoch is the UTC epoch.
        inside = cast(func.floor((func.date_part("epoch", at) - start_s) / WEEK_S), Integer)
    return inside if inside_only else case((at < period.start, literal(PREVIOUS)), else_=inside)


def within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    """Return start <= column < end."""
    return and_(column >= start, column < end)


def latest_snapshot_id(delivery_id: Any) -> ColumnElement[int]:
    """Return the id of the latest snapshot of ``delivery_id`` (one index probe per delivery, whatever the stats)."""
    snapshot = aliased(MetricSnapshot)  # the outer query joins MetricSnapshot itself
    return (select(snapshot.id).where(snapshot.delivery_id == delivery_id)
            .order_by(snapshot.taken_at.desc(), snapshot.id.desc()).limit(1).correlate(Delivery).scalar_subquery())


def campaign_key(kind: str | None, campaign: str | None, vacancy_id: int | None) -> str:
    """Return the campaign a post belongs to: "c:<campaign>", "v:<vacancy id>" for job ads, else "none"."""
    if campaign:
        return f"c:{campaign}"
    if kind == PostKind.JOB_AD and vacancy_id is not None:
        return f"v:{vacancy_id}"
    return "none"


def campaign_key_sql() -> ColumnElement[str]:
    """Return campaign_key() as SQL on an (outer-joined) Post; NULL when there is no post."""
    return case((Post.id.is_(None), null()),
                (Post.campaign != "", literal("c:") + Post.campaign),
                (and_(Post.kind == PostKind.JOB_AD, Post.vacancy_id.is_not(None)),
                 literal("v:") + cast(Post.vacancy_id, String)),
                else_=literal("none"))


def campaign_filter(key: str) -> ColumnElement[bool]:
    """Return the WHERE clause on Post that selects the posts of campaign ``key``."""
    if key.startswith("c:"):
        return Post.campaign == key[2:]
    job_ad = and_(Post.kind == PostKind.JOB_AD, Post.vacancy_id.is_not(None))
    if key.startswith("v:") and key[2:].isdigit():
        return and_(Post.campaign == "", job_ad, Post.vacancy_id == int(key[2:]))
    if key == "none":
        return and_(Post.campaign == "", or_(Post.kind != PostKind.JOB_AD, Post.vacancy_id.is_(None)))
    return literal(False)


Measures = Callable[[CTE], Sequence[ColumnElement[Any]]]


def grouped(base: CTE, measures: Measures, *, current: ColumnElement[bool] | None = None,
            extra: Sequence[Rows] = ()) -> Rows:
    """Return one UNION ALL of every GROUPINGS entry of ``base``, each row tagged ``grp``.

    With ``current``, the groupings count the period's rows only and "prev" rows (per channel) the others;
    ``extra`` selects with the same columns are appended as they are.
    """
    branches = []
    for name, keys in GROUPINGS:
        columns = [base.c[key].label(key) if key in keys else cast(null(), kind).label(key) for key, kind in _KEYS]
        branch = select(literal(name).label("grp"), *columns, *measures(base))
        if current is not None:
            branch = branch.where(current)
        branches.append(branch.group_by(*(base.c[key] for key in keys)) if keys else branch)
    if current is not None:  # the previous period: per channel, for its totals and unattributed share
        columns = [base.c.channel_id.label(key) if key == "channel_id" else cast(null(), kind).label(key)
                   for key, kind in _KEYS]
        branches.append(select(literal("prev").label("grp"), *columns, *measures(base)).where(~current)
                        .group_by(base.c.channel_id))
    return select(union_all(*branches, *extra).subquery())
