"""A small, fully known report world in the database: two channels, a vacancy, clicks with bots, outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.models import Application, Click, Lead, MetricSnapshot, PostKind, TrackedLink, Vacancy
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_post


@dataclass(frozen=True)
class World:
    """Ids of what seed() added."""

    linkedin: int
    xing: int
    vacancy: int
    job_delivery: int
    news_delivery: int


def _clicks(session: Session, delivery_id: int, channel_id: int, at: datetime, *, humans: int, bots: int = 0,
            repeats: int = 0) -> None:
    link = TrackedLink(code=f"c{delivery_id}x{humans}", delivery_id=delivery_id, original="https://acme.example/",
                       destination="https://acme.example/?utm_source=x")
    session.add(link)
    session.flush()
    for i, (bot, repeat) in enumerate([(False, False)] * humans + [(True, False)] * bots + [(False, True)] * repeats):
        session.add(Click(link_id=link.id, delivery_id=delivery_id, channel_id=channel_id,
                          at=at + timedelta(minutes=i), is_bot=bot, repeat=repeat))


def seed(session: Session, now: datetime) -> World:
    """Add the world: LinkedIn reports impressions, XING nothing; LinkedIn has 7 human, 2 bot, 1 repeat clicks."""
    linkedin = make_channel(session, network=Network.LINKEDIN, name="Karriere LinkedIn")
    xing = make_channel(session, network=Network.XING, name="Karriere XING")
    vacancy = Vacancy(title="Koch (m/w/d)", location="Graz")
    session.add(vacancy)
    session.flush()
    job = make_post(session, kind=PostKind.JOB_AD, vacancy_id=vacancy.id, text="Wir suchen einen Koch in Graz")
    news = make_post(session, kind=PostKind.PRODUCT_NEWS, campaign="Messe 2026", text="Besuchen Sie uns auf der Messe")
    published = now - timedelta(days=5)
    d1 = make_delivery(session, post=job, channel=linkedin, state=DeliveryState.PUBLISHED, due_at=published,
                       published_at=published)
    d2 = make_delivery(session, post=news, channel=xing, state=DeliveryState.PUBLISHED, due_at=published,
                       published_at=published + timedelta(days=1))
    session.add_all([
        MetricSnapshot(delivery_id=d1.id, taken_at=now - timedelta(days=1), impressions=1000, reactions=40, comments=5,
                       shares=2, clicks=13),
        MetricSnapshot(delivery_id=d2.id, taken_at=now - timedelta(days=1)),  # XING reports nothing
    ])
    _clicks(session, d1.id, linkedin.id, published + timedelta(hours=1), humans=7, bots=2, repeats=1)
    _clicks(session, d2.id, xing.id, published + timedelta(days=1, hours=1), humans=3)
    received = now - timedelta(days=4)
    for name, channel, delivery in (("Anna", linkedin.id, d1.id), ("Berta", linkedin.id, d1.id),
                                    ("Carl", None, None)):
        session.add(Application(vacancy_id=vacancy.id, name=name, email=f"{name.lower()}@example.org",
                                received_at=received, channel_id=channel, delivery_id=delivery))
    session.add(Lead(name="Dora", email="dora@example.org", email_key="dora@example.org", last_submitted_at=received,
                     created_at=received, channel_id=xing.id, delivery_id=d2.id))
    session.flush()
    return World(linkedin.id, xing.id, vacancy.id, d1.id, d2.id)
