"""Small report look-ups: costs, hires, first publication and application, outcomes of top-post candidates."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, literal, select

from scheduler.lifecycle import DeliveryState
from scheduler.models import Application, ChannelCost, Delivery, Lead, Post
from scheduler.reporting.model import Period
from scheduler.reporting.sql import Rows, within


def outcome_rows(period: Period, delivery_ids: Iterable[int] | None, limit: int) -> Rows:
    """Applications and leads in the period per delivery: for ``delivery_ids``, or the ``limit`` with the most."""
    parts = []
    for model, at, name in ((Application, Application.received_at, "applications"),
                            (Lead, Lead.created_at, "leads")):
        counts = [func.count().label(n) if n == name else literal(0).label(n) for n in ("applications", "leads")]
        part = select(model.delivery_id.label("delivery_id"), *counts).where(
            within(at, period.start, period.end), model.delivery_id.is_not(None))
        if delivery_ids is not None:
            part = part.where(model.delivery_id.in_(list(delivery_ids)))
        parts.append(part.group_by(model.delivery_id))
    both = parts[0].union_all(parts[1]).subquery()
    total = func.sum(both.c.applications) + func.sum(both.c.leads)
    statement = select(both.c.delivery_id, func.sum(both.c.applications).label("applications"),
                       func.sum(both.c.leads).label("leads")).group_by(both.c.delivery_id)
    return statement if delivery_ids is not None else statement.order_by(total.desc(), both.c.delivery_id).limit(limit)


def cost_rows(period: Period) -> Rows:
    """Channel costs spent in the period (and the previous one), per channel, vacancy, currency and period."""
    current = (ChannelCost.spent_at >= period.start).label("current")
    return (
        select(ChannelCost.channel_id, ChannelCost.vacancy_id, ChannelCost.currency, current,
               func.sum(ChannelCost.amount_cents).label("cents"), func.count().label("entries"))
        .where(within(ChannelCost.spent_at, period.previous().start, period.end))
        .group_by(ChannelCost.channel_id, ChannelCost.vacancy_id, ChannelCost.currency, current)
    )


def hire_rows(period: Period) -> Rows:
    """Each hire in the period: its vacancy and when it was received and hired (for the median time to hire)."""
    return (select(Application.vacancy_id, Application.received_at, Application.hired_at)
            .where(within(Application.hired_at, period.start, period.end)))


def first_rows(vacancy_ids: Iterable[int]) -> Rows:
    """Per vacancy: its first publication ever, and its first application received at or after it."""
    first_pub = (
        select(Post.vacancy_id, func.min(Delivery.published_at).label("first_published_at"))
        .join(Delivery, Delivery.post_id == Post.id)
        .where(Post.vacancy_id.in_(list(vacancy_ids)), Delivery.state == DeliveryState.PUBLISHED)
        .group_by(Post.vacancy_id)
        .subquery()
    )
    first_app = (
        select(func.min(Application.received_at))
        .where(Application.vacancy_id == first_pub.c.vacancy_id,
               Application.received_at >= first_pub.c.first_published_at)
        .scalar_subquery()
    )
    return select(first_pub.c.vacancy_id, first_pub.c.first_published_at, first_app.label("first_application_at"))
