"""The report statements: each source (deliveries, clicks, applications, leads) is read once and grouped in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String, and_, case, cast, func, literal, null, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE

from scheduler.lifecycle import DeliveryState
from scheduler.models import Application, Click, Delivery, Lead, MetricSnapshot, Post
from scheduler.reporting.model import Period
from scheduler.reporting.sql import (
    METRIC_COLUMNS,
    PREVIOUS,
    Rows,
    campaign_key_sql,
    grouped,
    latest_snapshot_id,
    week_bucket,
    within,
)


def count_sum(column: Any) -> ColumnElement[int]:
    """Return the sum of a count as a plain integer, 0 for no rows (PostgreSQL would return a NUMERIC or NULL)."""
    return func.coalesce(cast(func.sum(column), BigInteger), 0)


#: Candidates for the top posts: deliveries ranked up to this by human clicks (ties included).
TOP_CANDIDATES = 10


def published_rows(session: Session, period: Period) -> Rows:
    """Deliveries published in the period (and the previous one) with their latest snapshot, in every grouping."""
    base = (
        select(Delivery.channel_id, Post.vacancy_id, campaign_key_sql().label("ckey"),
               week_bucket(session, Delivery.published_at, period).label("bucket"),
               *(getattr(MetricSnapshot, name).label(name) for name in METRIC_COLUMNS))
        .join(Post, Post.id == Delivery.post_id)
        .outerjoin(MetricSnapshot, MetricSnapshot.id == latest_snapshot_id(Delivery.id))
        .where(Delivery.state == DeliveryState.PUBLISHED,
               within(Delivery.published_at, period.previous().start, period.end))
        .cte("published")
    )

    def measures(rows: CTE) -> list[object]:
        sums: list[object] = [func.count().label("posts")]
        for name in METRIC_COLUMNS:
            sums += [func.sum(rows.c[name]).label(name), func.count(rows.c[name]).label(f"{name}_n")]
        return sums

    return grouped(base, measures, current=base.c.bucket != PREVIOUS)  # type: ignore[arg-type]


def click_rows(session: Session, period: Period) -> Rows:
    """Clicks (human, bot, repeat): the period's per delivery and week, then in every grouping and as top
    candidates; the previous period's only per channel (its totals need no more, and it halves the work).

    Weeks in a pass of their own would let PostgreSQL aggregate per delivery in parallel, but a third pass
    over the clicks cost more than that saved (bench/reports.py).
    """
    bucket = week_bucket(session, Click.at, period, inside_only=True).label("bucket")
    per_delivery = (
        select(Click.delivery_id, Click.channel_id, bucket, *_click_counts())
        .where(within(Click.at, period.start, period.end))
        .group_by(Click.delivery_id, Click.channel_id, bucket)
        .subquery()
    )
    base = (select(per_delivery, Post.vacancy_id, campaign_key_sql().label("ckey"))
            .join(Delivery, Delivery.id == per_delivery.c.delivery_id).join(Post, Post.id == Delivery.post_id)
            .cte("clicks"))

    def measures(rows: CTE) -> list[object]:
        return [count_sum(rows.c.human).label("human"), count_sum(rows.c.bots).label("bots"),
                count_sum(rows.c.repeats).label("repeats")]

    totals = (select(base.c.delivery_id, count_sum(base.c.human).label("human"))
              .group_by(base.c.delivery_id).having(func.sum(base.c.human) > 0).subquery())
    ranked = select(totals, func.rank().over(order_by=totals.c.human.desc()).label("rank")).subquery()
    top = (select(literal("top").label("grp"), *_nulls("channel_id", "vacancy_id", "ckey", "bucket"),
                  ranked.c.delivery_id, ranked.c.human, literal(0).label("bots"), literal(0).label("repeats"))
           .where(ranked.c.rank <= TOP_CANDIDATES))
    previous = (select(literal("prev").label("grp"), Click.channel_id.label("channel_id"),
                       *_nulls("vacancy_id", "ckey", "bucket", "delivery_id"), *_click_counts())
                .where(within(Click.at, period.previous().start, period.start)).group_by(Click.channel_id))
    return grouped(base, measures, extra=[top, previous])  # type: ignore[arg-type]


def _click_counts() -> list[ColumnElement[int]]:
    """Count human clicks, bot clicks and (human) repeats in one pass."""
    return [func.count().filter(and_(Click.is_bot.is_(False), Click.repeat.is_(False))).label("human"),
            func.count().filter(Click.is_bot.is_(True)).label("bots"),
            func.count().filter(and_(Click.is_bot.is_(False), Click.repeat.is_(True))).label("repeats")]


def _nulls(*names: str) -> list[ColumnElement[object]]:
    """Return typed NULL columns for the keys a branch does not group by."""
    return [cast(null(), String if name == "ckey" else Integer).label(name) for name in names]


def application_rows(session: Session, period: Period) -> Rows:
    """Applications received, interviewed or hired in the period (and the previous one), in every grouping."""
    before = period.previous().start
    received_now = within(Application.received_at, period.start, period.end)
    counts = []
    for label, (start, end) in (("", (period.start, period.end)), ("prev_", (before, period.start))):
        counts += [func.count().filter(within(column, start, end)).label(f"{label}{name}")
                   for name, column in (("applications", Application.received_at),
                                        ("interviews", Application.interview_at), ("hires", Application.hired_at))]
    ckey = campaign_key_sql().label("ckey")
    bucket = case((received_now, week_bucket(session, Application.received_at, period)), else_=None).label("bucket")
    base = (  # counted per vacancy, channel, campaign and week first: a few thousand rows, not every application
        select(Application.vacancy_id, Application.channel_id, ckey, bucket, *counts)
        .outerjoin(Delivery, Delivery.id == Application.delivery_id)
        .outerjoin(Post, Post.id == Delivery.post_id)
        .where(or_(within(Application.received_at, before, period.end),
                   within(Application.interview_at, before, period.end),
                   within(Application.hired_at, before, period.end)))
        .group_by(Application.vacancy_id, Application.channel_id, ckey, bucket)
        .cte("applications")
    )

    def measures(rows: CTE) -> list[object]:
        return [count_sum(rows.c[name]).label(name) for name in (
            "applications", "interviews", "hires", "prev_applications", "prev_interviews", "prev_hires")]

    return grouped(base, measures)  # type: ignore[arg-type]


def lead_rows(session: Session, period: Period) -> Rows:
    """Leads created in the period (and the previous one), in every grouping."""
    base = (
        select(Lead.channel_id, Lead.delivery_id, cast(null(), Integer).label("vacancy_id"),
               campaign_key_sql().label("ckey"), week_bucket(session, Lead.created_at, period).label("bucket"))
        .outerjoin(Delivery, Delivery.id == Lead.delivery_id)
        .outerjoin(Post, Post.id == Delivery.post_id)
        .where(within(Lead.created_at, period.previous().start, period.end))
        .cte("leads")
    )
    return grouped(base, lambda rows: [func.count().label("leads")],
                   current=base.c.bucket != PREVIOUS)
