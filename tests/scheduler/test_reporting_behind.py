"""The posts behind a figure: the deliveries that make up each count, filtered like the figure was."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import PostKind
from scheduler.networks import Network
from scheduler.reporting.model import Metric
from scheduler.reporting.queries import dashboard, deliveries_behind
from tests.factories import make_channel
from tests.scheduler.report_builders import (
    DAY,
    PERIOD,
    START,
    application,
    clicks,
    lead,
    published,
    snapshot,
    vacancy,
)


def _world(session: Session) -> dict[str, int]:
    linkedin, x = make_channel(session, network=Network.LINKEDIN), make_channel(session, network=Network.X)
    job = vacancy(session)
    ad = published(session, linkedin, START + DAY, kind=PostKind.JOB_AD, vacancy_id=job.id, text="Stellenanzeige")
    news = published(session, x, START + 2 * DAY, campaign="Intertool 2026", text="Messe")
    old = published(session, linkedin, START - 5 * DAY, text="Alt")
    snapshot(session, ad, START + 3 * DAY, impressions=800, reactions=10, comments=2)
    snapshot(session, news, START + 3 * DAY, impressions=None, reactions=3)
    clicks(session, ad, START + 2 * DAY, 6)
    clicks(session, ad, START + 2 * DAY, 4, is_bot=True)
    clicks(session, news, START + 3 * DAY, 2)
    clicks(session, old, START + DAY, 1)
    application(session, job.id, START + 2 * DAY, delivery=ad, hired_at=START + 20 * DAY)
    application(session, job.id, START + 2 * DAY)
    lead(session, START + 3 * DAY, delivery=news)
    lead(session, START + 3 * DAY)
    return {"linkedin": linkedin.id, "x": x.id, "job": job.id, "ad": ad.id, "news": news.id, "old": old.id}


def _values(sessions: sessionmaker[Session], **kwargs: object) -> dict[int, int | None]:
    with sessions.begin() as session:
        behind = deliveries_behind(session, PERIOD, **kwargs)  # type: ignore[arg-type]
    return {row.delivery_id: row.value for row in behind.rows}


def test_the_published_figure_lists_the_deliveries_published_in_the_period(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ids = _world(session)
    assert _values(sessions) == {ids["ad"]: 1, ids["news"]: 1}
    assert _values(sessions, channel_id=ids["linkedin"]) == {ids["ad"]: 1}
    assert _values(sessions, metric=Metric.IMPRESSIONS) == {ids["ad"]: 800, ids["news"]: None}
    assert _values(sessions, metric=Metric.ENGAGEMENT) == {ids["ad"]: 12, ids["news"]: 3}


def test_the_click_figures_list_deliveries_with_clicks_in_the_period_wherever_published(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ids = _world(session)
    assert _values(sessions, metric=Metric.CLICKS) == {ids["ad"]: 6, ids["news"]: 2, ids["old"]: 1}
    assert _values(sessions, metric=Metric.BOT_CLICKS) == {ids["ad"]: 4}
    assert _values(sessions, metric=Metric.CLICKS, vacancy_id=ids["job"]) == {ids["ad"]: 6}
    assert _values(sessions, metric=Metric.CLICKS, campaign="c:Intertool 2026") == {ids["news"]: 2}
    assert _values(sessions, metric=Metric.CLICKS, campaign="none") == {ids["old"]: 1}
    assert _values(sessions, metric=Metric.CLICKS, campaign=f"v:{ids['job']}") == {ids["ad"]: 6}


def test_outcome_figures_list_their_deliveries_and_count_what_no_post_brought(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ids = _world(session)
        applications = deliveries_behind(session, PERIOD, metric=Metric.APPLICATIONS, vacancy_id=ids["job"])
        leads = deliveries_behind(session, PERIOD, metric=Metric.LEADS)
        hires = deliveries_behind(session, PERIOD, metric=Metric.HIRES, channel_id=ids["linkedin"])
    assert [(r.delivery_id, r.value) for r in applications.rows] == [(ids["ad"], 1)] and applications.unlinked == 1
    assert [(r.delivery_id, r.value) for r in leads.rows] == [(ids["news"], 1)] and leads.unlinked == 1
    assert [(r.delivery_id, r.value) for r in hires.rows] == [(ids["ad"], 1)] and hires.unlinked == 0
    assert hires.rows[0].excerpt == "Stellenanzeige" and hires.rows[0].network == "linkedin"


def test_the_deliveries_behind_a_channel_figure_add_up_to_it(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _world(session)
        board = dashboard(session, PERIOD)
        for row in board.channels:
            behind = deliveries_behind(session, PERIOD, channel_id=row.channel_id, metric=Metric.CLICKS)
            assert sum(r.value or 0 for r in behind.rows) == row.outcomes.human_clicks
            behind = deliveries_behind(session, PERIOD, channel_id=row.channel_id, metric=Metric.LEADS)
            assert sum(r.value or 0 for r in behind.rows) + behind.unlinked == row.outcomes.leads


def test_an_unknown_campaign_key_matches_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _world(session)
    assert _values(sessions, campaign="v:abc") == {}
    assert _values(sessions, campaign="bogus", metric=Metric.LEADS) == {}
