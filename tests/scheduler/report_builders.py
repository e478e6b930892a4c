"""Small builders for report tests: published deliveries, snapshots, clicks, applications, leads, costs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.models import (
    Application,
    Channel,
    ChannelCost,
    Click,
    Delivery,
    Lead,
    MetricSnapshot,
    PostKind,
    TrackedLink,
    Vacancy,
)
from scheduler.reporting.model import Period
from tests.factories import make_delivery, make_post

START = datetime(2026, 4, 1, tzinfo=UTC)
END = datetime(2026, 5, 1, tzinfo=UTC)
PERIOD = Period(START, END)  # 30 days; the previous period is 2 March – 1 April
DAY = timedelta(days=1)

_codes = itertools.count(1)


def vacancy(session: Session, title: str = "CNC-Fräser (m/w/d)", **values: Any) -> Vacancy:
    """Add a vacancy."""
    row = Vacancy(title=title, location=values.pop("location", "Judenburg"), **values)
    session.add(row)
    session.flush()
    return row


def published(session: Session, channel: Channel, at: datetime, *, kind: PostKind = PostKind.PRODUCT_NEWS,
              campaign: str = "", vacancy_id: int | None = None, text: str = "Neu bei uns") -> Delivery:
    """Add a post published on ``channel`` at ``at``, with a tracked link."""
    post = make_post(session, kind=kind, campaign=campaign, vacancy_id=vacancy_id, text=text)
    delivery = make_delivery(session, post=post, channel=channel, state=DeliveryState.PUBLISHED, due_at=at,
                             published_at=at)
    session.add(TrackedLink(code=f"t{next(_codes)}", delivery_id=delivery.id, original="https://example.com",
                            destination="https://example.com"))
    session.flush()
    return delivery


def snapshot(session: Session, delivery: Delivery, taken_at: datetime, **values: int | None) -> None:
    """Add a metric snapshot (unspecified metrics not reported)."""
    session.add(MetricSnapshot(delivery_id=delivery.id, taken_at=taken_at, **values))
    session.flush()


def clicks(session: Session, delivery: Delivery, at: datetime, count: int = 1, *, is_bot: bool = False,
           repeat: bool = False) -> None:
    """Add ``count`` clicks on the delivery's link at ``at``."""
    link_id = session.query(TrackedLink.id).filter(TrackedLink.delivery_id == delivery.id).scalar()
    session.add_all(Click(link_id=link_id, delivery_id=delivery.id, channel_id=delivery.channel_id, at=at,
                          is_bot=is_bot, repeat=repeat, bot_reason="crawler" if is_bot else "")
                    for _ in range(count))
    session.flush()


def application(session: Session, vacancy_id: int, received_at: datetime, *, delivery: Delivery | None = None,
                **values: Any) -> Application:
    """Add an application, attributed to ``delivery`` (and its channel) when given."""
    values.setdefault("name", "Anna Gruber")
    values.setdefault("email", "anna@example.org")
    row = Application(vacancy_id=vacancy_id, received_at=received_at, delivery_id=delivery.id if delivery else None,
                      channel_id=delivery.channel_id if delivery else None, **values)
    session.add(row)
    session.flush()
    return row


def lead(session: Session, created_at: datetime, *, delivery: Delivery | None = None, **values: Any) -> Lead:
    """Add a lead, attributed to ``delivery`` (and its channel) when given."""
    row = Lead(name="Karl Huber", email="karl@example.com", email_key="karl@example.com", created_at=created_at,
               last_submitted_at=values.pop("last_submitted_at", created_at),
               delivery_id=delivery.id if delivery else None,
               channel_id=delivery.channel_id if delivery else None, **values)
    session.add(row)
    session.flush()
    return row


def cost(session: Session, channel: Channel, cents: int, spent_at: datetime, *, vacancy_id: int | None = None,
         currency: str = "EUR", campaign: str = "") -> None:
    """Add an entered channel cost."""
    session.add(ChannelCost(channel_id=channel.id, vacancy_id=vacancy_id, amount_cents=cents, spent_at=spent_at,
                            currency=currency, campaign=campaign))
    session.flush()
