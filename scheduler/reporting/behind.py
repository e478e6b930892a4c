"""The posts behind a figure: which deliveries make up a count on the reports page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.models import Application, Channel, Click, Delivery, Lead, MetricSnapshot, Post
from scheduler.reporting.model import Behind, BehindRow, Metric, NetworkMetrics, Period
from scheduler.reporting.sections import excerpt
from scheduler.reporting.sql import METRIC_COLUMNS, Rows, campaign_filter, latest_snapshot_id

_APPLICATION_TIME = {Metric.APPLICATIONS: Application.received_at, Metric.INTERVIEWS: Application.interview_at,
                     Metric.HIRES: Application.hired_at}


def deliveries_behind(session: Session, period: Period, *, channel_id: int | None = None,
                      vacancy_id: int | None = None, campaign: str | None = None,
                      metric: Metric = Metric.PUBLISHED) -> Behind:
    """Return the deliveries that make up ``metric`` for the period, filtered like the figure was."""
    post_filters: list[ColumnElement[bool]] = [] if campaign is None else [campaign_filter(campaign)]
    if metric in (Metric.PUBLISHED, Metric.IMPRESSIONS, Metric.ENGAGEMENT):
        return _published(session, period, metric, channel_id, vacancy_id, post_filters)
    unlinked = 0
    if metric in (Metric.CLICKS, Metric.BOT_CLICKS):
        kept = Click.is_bot.is_(True) if metric is Metric.BOT_CLICKS else and_(Click.is_bot.is_(False),
                                                                                Click.repeat.is_(False))
        where = [kept, Click.at >= period.start, Click.at < period.end]
        if channel_id is not None:
            where.append(Click.channel_id == channel_id)
        if vacancy_id is not None:
            post_filters.append(Post.vacancy_id == vacancy_id)
        counts = select(Click.delivery_id.label("delivery_id"), func.count().label("value")).where(*where)
        if post_filters:
            counts = counts.join(Delivery, Delivery.id == Click.delivery_id).join(Post, Post.id == Delivery.post_id)
        counts = counts.where(*post_filters).group_by(Click.delivery_id)
    elif metric is Metric.LEADS:
        if vacancy_id is not None:
            post_filters.append(Post.vacancy_id == vacancy_id)
        counts, unlinked = _outcome_counts(session, Lead, Lead.created_at, period, channel_id, post_filters, [])
    else:
        extra = [] if vacancy_id is None else [Application.vacancy_id == vacancy_id]
        counts, unlinked = _outcome_counts(session, Application, _APPLICATION_TIME[metric], period, channel_id,
                                           post_filters, extra)
    sub = counts.subquery()
    rows = session.execute(
        _details(sub.c.value).join(sub, sub.c.delivery_id == Delivery.id)
        .order_by(sub.c.value.desc(), Delivery.published_at.desc(), Delivery.id))
    return Behind(metric=metric, rows=tuple(_row(row, row.value) for row in rows), unlinked=unlinked)


def _outcome_counts(session: Session, model: type[Application] | type[Lead], at: Any,
                    period: Period, channel_id: int | None, post_filters: list[ColumnElement[bool]],
                    extra: list[ColumnElement[bool]]) -> tuple[Rows, int]:
    where = [at >= period.start, at < period.end, *extra]
    if channel_id is not None:
        where.append(model.channel_id == channel_id)
    unlinked = 0
    # A filter on the post (campaign) can only match outcomes that came through a post.
    needs_post = bool(post_filters)
    if not needs_post:
        unlinked = session.scalar(select(func.count()).select_from(model).where(*where,
                                                                               model.delivery_id.is_(None))) or 0
    counts = select(model.delivery_id.label("delivery_id"), func.count().label("value")).where(
        *where, model.delivery_id.is_not(None))
    if needs_post:
        counts = counts.join(Delivery, Delivery.id == model.delivery_id).join(Post, Post.id == Delivery.post_id)
        counts = counts.where(*post_filters)
    return counts.group_by(model.delivery_id), unlinked


def _published(session: Session, period: Period, metric: Metric, channel_id: int | None, vacancy_id: int | None,
               post_filters: list[ColumnElement[bool]]) -> Behind:
    where = [Delivery.state == DeliveryState.PUBLISHED, Delivery.published_at >= period.start,
             Delivery.published_at < period.end, *post_filters]
    if channel_id is not None:
        where.append(Delivery.channel_id == channel_id)
    if vacancy_id is not None:
        where.append(Post.vacancy_id == vacancy_id)
    statement = (_details(*(getattr(MetricSnapshot, name) for name in METRIC_COLUMNS))
                 .outerjoin(MetricSnapshot, MetricSnapshot.id == latest_snapshot_id(Delivery.id)).where(*where))
    rows = []
    for row in session.execute(statement):
        figures = NetworkMetrics(**{name: getattr(row, name) for name in METRIC_COLUMNS})
        value = {Metric.PUBLISHED: 1, Metric.IMPRESSIONS: figures.impressions,
                 Metric.ENGAGEMENT: figures.engagement}[metric]
        rows.append(_row(row, value))
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), -(r.published_at.timestamp() if r.published_at else 0),
                             r.delivery_id))
    return Behind(metric=metric, rows=tuple(rows))


def _details(*columns: Any) -> Rows:
    return (select(Delivery.id, Delivery.post_id, Delivery.channel_id, Delivery.published_at, Channel.network,
                   Channel.name, Post.text, *columns)
            .join(Channel, Channel.id == Delivery.channel_id).join(Post, Post.id == Delivery.post_id))


def _row(row: Any, value: int | None) -> BehindRow:
    """Return a BehindRow from a row with the _details columns."""
    return BehindRow(delivery_id=row.id, post_id=row.post_id, channel_id=row.channel_id, network=str(row.network),
                     channel_name=row.name, excerpt=excerpt(row.text), published_at=row.published_at, value=value)
