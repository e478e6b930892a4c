"""The demo: the reports reproduce the generator's true totals exactly; the same seed gives the same data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.db import make_engine, make_session_factory
from scheduler.demo import generate_demo, has_posts, has_published
from scheduler.demo_data import CHANNELS
from scheduler.demo_truth import DemoTruth
from scheduler.demo_world import build_world
from scheduler.jobrules import has_gender_marker, states_overpay, states_salary
from scheduler.models import (
    Application,
    ApplicationStage,
    Base,
    Click,
    Delivery,
    Lead,
    MetricSnapshot,
    Post,
    TrackedLink,
    Vacancy,
    VacancyStatus,
)
from scheduler.networks import Network
from scheduler.reporting.model import Metric, Period
from scheduler.reporting.queries import dashboard, deliveries_behind
from tests.conftest import drop_schema, schema_engine

NOW = datetime(2026, 6, 30, 9, 30, tzinfo=UTC)
SEED = 11
#: The truth fields each per-delivery figure must match.
BEHIND = {Metric.CLICKS: "human_clicks", Metric.BOT_CLICKS: "bot_clicks", Metric.APPLICATIONS: "applications",
          Metric.HIRES: "hires", Metric.LEADS: "leads"}


def _periods(truth: DemoTruth) -> list[Period]:
    day = NOW.replace(hour=0, minute=0)
    return [truth.everything, Period(day - timedelta(days=29), day + timedelta(days=1)),
            Period(day - timedelta(days=89), day + timedelta(days=1)),
            Period(datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)),
            Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sessionmaker[Session], DemoTruth]]:
    """One demo per database kind, shared by the tests that only read it."""
    engine, _, schema = schema_engine(request.param, tmp_path_factory.mktemp("demo"))
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        truth = generate_demo(session, seed=SEED, now=NOW)
    yield sessions, truth
    engine.dispose()
    drop_schema(schema)


def test_the_concurrent_dashboard_equals_the_one_computed_statement_by_statement(
        demo_db: tuple[sessionmaker[Session], DemoTruth]) -> None:
    sessions, demo = demo_db
    for period in _periods(demo):
        with sessions() as session:
            one_by_one = dashboard(session, period)
        with sessions() as session:
            assert dashboard(session, period, concurrent=True) == one_by_one, period


def test_the_reports_reproduce_the_true_totals_per_channel(demo_db: tuple[sessionmaker[Session], DemoTruth]) -> None:
    sessions, demo = demo_db
    for period in _periods(demo):
        with sessions.begin() as session:
            board = dashboard(session, period)
        truth = demo.per_channel(period)
        assert {row.channel_id for row in board.channels} == set(truth)
        for row in board.channels:
            expected = truth[row.channel_id]
            assert (row.metrics.posts, row.outcomes.human_clicks, row.bot_clicks, row.repeat_clicks) == (
                expected.published, expected.human_clicks, expected.bot_clicks, expected.repeat_clicks), period
            assert (row.outcomes.applications, row.outcomes.hires, row.outcomes.leads) == (
                expected.applications, expected.hires, expected.leads), period
            assert (row.metrics.impressions, row.metrics.reactions) == (expected.impressions, expected.reactions)
        attributed = sum(t.applications for t in truth.values())
        assert board.totals.outcomes.applications - board.totals.applications_unattributed == attributed


def test_the_reports_reproduce_the_true_totals_per_delivery(demo_db: tuple[sessionmaker[Session], DemoTruth]) -> None:
    sessions, demo = demo_db
    for period in _periods(demo)[:3]:
        truth = demo.per_delivery(period)
        with sessions.begin() as session:
            for metric, field in BEHIND.items():
                got = {row.delivery_id: row.value for row in deliveries_behind(session, period, metric=metric).rows}
                assert got == {d: getattr(t, field) for d, t in truth.items() if getattr(t, field)}, (metric, period)
            impressions = deliveries_behind(session, period, metric=Metric.IMPRESSIONS).rows
        assert {row.delivery_id: row.value for row in impressions} == {
            d: t.impressions for d, t in truth.items() if t.published}


def test_the_demo_tells_a_full_story() -> None:
    world = build_world(SEED, NOW)
    assert {CHANNELS[d.channel].network for d in world.deliveries} == set(Network)  # every network
    assert {c.bot_reason for c in world.clicks if c.kind == "bot"} == {"preview", "crawler"}
    assert Counter(c.kind for c in world.clicks)["repeat"] > 0
    assert any(a.channel is None for a in world.applications) and any(a.channel for a in world.applications)
    stages = Counter(a.stage for a in world.applications)
    assert stages[ApplicationStage.HIRED] and stages[ApplicationStage.REJECTED]
    assert any(lead.submissions > 1 for lead in world.leads) and any(lead.channel is None for lead in world.leads)
    assert world.costs and world.filled and len(world.filled) < len(world.opened)
    assert all(d.published_at < NOW for d in world.deliveries)
    assert min(d.published_at for d in world.deliveries) < NOW - timedelta(days=90)  # a previous period to compare


def test_the_demo_vacancies_are_styrian_with_gender_markers_and_austrian_pay_statements(
        demo_db: tuple[sessionmaker[Session], DemoTruth]) -> None:
    sessions = demo_db[0]
    with sessions.begin() as session:
        vacancies = list(session.scalars(select(Vacancy)))
    assert {v.location for v in vacancies} <= {"Graz", "Leoben", "Judenburg"}
    assert all(has_gender_marker(v.title) and states_salary(v.salary_statement) for v in vacancies)
    assert all(states_overpay(v.salary_statement) for v in vacancies if v.overpay)
    assert {v.status for v in vacancies} == {VacancyStatus.OPEN, VacancyStatus.FILLED}


def test_the_demo_makes_findings_and_a_previous_period(demo_db: tuple[sessionmaker[Session], DemoTruth]) -> None:
    sessions, demo = demo_db
    with sessions.begin() as session:
        board = dashboard(session, _periods(demo)[2])
    codes = {finding.code for finding in board.findings}
    assert {"best_channel_applications_per_post", "vacancy_clicks_no_applications"} <= codes
    assert board.previous.outcomes.human_clicks > 0 and board.previous.metrics.posts > 0
    assert any(v.outcomes.cost_per_application is not None for v in board.vacancies)
    assert board.top_posts and board.campaigns


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    tables = (Vacancy, Post, Delivery, TrackedLink, MetricSnapshot, Click, Application, Lead)
    with make_session_factory(engine)() as session:
        return {model.__tablename__: [tuple(row) for row in session.execute(
            select(*[c for c in model.__table__.columns]).order_by(model.id))] for model in tables}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(tmp_path: Path) -> None:
    dumps = []
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        engine = make_engine(f"sqlite:///{tmp_path}/{name}.db")
        Base.metadata.create_all(engine)
        with make_session_factory(engine).begin() as session:
            generate_demo(session, seed=seed, now=NOW)
        dumps.append(_dump(engine))
        engine.dispose()
    assert dumps[0] == dumps[1]
    assert dumps[0]["click"] != dumps[2]["click"]
    assert build_world(SEED, NOW).clicks == build_world(SEED, NOW).clicks


def test_a_second_demo_adds_to_the_first_without_clashing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        demo = generate_demo(session, seed=SEED, now=NOW)
    with sessions.begin() as session:
        assert has_posts(session) and has_published(session)
        again = generate_demo(session, seed=SEED, now=NOW)
    assert set(again.delivery_ids).isdisjoint(demo.delivery_ids)
    assert set(again.channel_ids).isdisjoint(demo.channel_ids)


def test_an_empty_database_has_no_posts(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert not has_posts(session) and not has_published(session)
