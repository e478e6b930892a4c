"""The dashboard's figures on hand-built data, on SQLite and PostgreSQL: each definition, unknown versus zero."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Channel, PostKind
from scheduler.networks import Network
from scheduler.reporting.model import ChannelRow, Dashboard
from scheduler.reporting.queries import dashboard
from tests.factories import make_channel
from tests.scheduler.report_builders import (
    DAY,
    END,
    PERIOD,
    START,
    application,
    clicks,
    cost,
    lead,
    published,
    snapshot,
    vacancy,
)


def _board(sessions: sessionmaker[Session]) -> Dashboard:
    with sessions.begin() as session:
        return dashboard(session, PERIOD)


def _row(board: Dashboard, channel: Channel | int) -> ChannelRow:
    wanted = channel if isinstance(channel, int) else channel.id
    return next(row for row in board.channels if row.channel_id == wanted)


def test_human_clicks_leave_out_bots_and_repeats_which_are_counted_separately(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        delivery = published(session, channel, START + DAY)
        clicks(session, delivery, START + 2 * DAY, 5)
        clicks(session, delivery, START + 2 * DAY, 3, is_bot=True)
        clicks(session, delivery, START + 2 * DAY, 1, is_bot=True, repeat=True)  # a bot: counted as a bot once
        clicks(session, delivery, START + 2 * DAY, 2, repeat=True)
        channel_id = channel.id
    board = _board(sessions)
    row = _row(board, channel_id)
    assert (row.outcomes.human_clicks, row.bot_clicks, row.repeat_clicks) == (5, 4, 2)
    assert (board.totals.outcomes.human_clicks, board.bot_clicks_excluded, board.repeat_clicks_excluded) == (5, 4, 2)


def test_the_latest_snapshot_counts_even_when_an_older_one_was_stored_later(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, network=Network.LINKEDIN)
        delivery = published(session, channel, START + DAY)
        snapshot(session, delivery, START + 8 * DAY, impressions=900, reactions=20)
        snapshot(session, delivery, START + 2 * DAY, impressions=300, reactions=5)  # back-filled, older
        channel_id = channel.id
    metrics = _row(_board(sessions), channel_id).metrics
    assert (metrics.impressions, metrics.reactions, metrics.impressions_reported) == (900, 20, 1)


def test_impressions_nobody_reported_are_unknown_not_zero(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        xing = make_channel(session, network=Network.XING)
        linkedin = make_channel(session, network=Network.LINKEDIN)
        published(session, xing, START + DAY)  # no snapshot at all
        reported = published(session, linkedin, START + DAY)
        unreported = published(session, linkedin, START + 2 * DAY)
        snapshot(session, reported, START + 3 * DAY, impressions=500, comments=None)
        snapshot(session, unreported, START + 3 * DAY, impressions=None, reactions=4)
        clicks(session, reported, START + 3 * DAY, 10)
        ids = xing.id, linkedin.id
    board = _board(sessions)
    xing_row, linkedin_row = _row(board, ids[0]), _row(board, ids[1])
    assert xing_row.metrics.posts == 1
    assert xing_row.metrics.impressions is None and xing_row.ctr is None
    assert xing_row.metrics.engagement_rate is None
    assert (linkedin_row.metrics.impressions, linkedin_row.metrics.impressions_reported) == (500, 1)
    assert linkedin_row.metrics.posts == 2  # "reported for 1 of 2 posts"
    assert linkedin_row.metrics.comments is None and linkedin_row.metrics.reactions == 4
    assert linkedin_row.ctr == 10 / 500
    assert board.metric_coverage == (1, 3)


def test_a_reported_zero_is_zero_and_its_click_through_rate_unknown(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        delivery = published(session, channel, START + DAY)
        snapshot(session, delivery, START + 2 * DAY, impressions=0, reactions=0)
        clicks(session, delivery, START + 2 * DAY, 2)
        channel_id = channel.id
    row = _row(_board(sessions), channel_id)
    assert row.metrics.impressions == 0 and row.metrics.reactions == 0
    assert row.ctr is None and row.metrics.engagement_rate is None


def test_each_figure_counts_by_its_own_time_inside_the_half_open_period(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        job = vacancy(session)
        old = published(session, channel, START - 3 * DAY, kind=PostKind.JOB_AD, vacancy_id=job.id)
        clicks(session, old, START, 2)  # the first instant belongs to the period
        clicks(session, old, END, 7)  # the end does not
        clicks(session, old, START - timedelta(microseconds=1), 4)
        application(session, job.id, START - 5 * DAY, delivery=old, interview_at=START + DAY, hired_at=START + 9 * DAY)
        application(session, job.id, START + DAY, delivery=old, interview_at=END + DAY)
        channel_id = channel.id
    board = _board(sessions)
    outcomes = _row(board, channel_id).outcomes
    assert _row(board, channel_id).metrics.posts == 0  # published before the period
    assert (outcomes.human_clicks, outcomes.applications, outcomes.interviews, outcomes.hires) == (2, 1, 1, 1)
    assert (board.previous.outcomes.human_clicks, board.previous.outcomes.applications) == (4, 1)
    assert board.previous.metrics.posts == 1


def test_the_previous_period_has_the_same_figures_for_the_same_length_before(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        earlier = published(session, channel, START - 20 * DAY)
        snapshot(session, earlier, START - 19 * DAY, impressions=200)
        published(session, channel, START - 40 * DAY)  # before the previous period too
        clicks(session, earlier, START - 19 * DAY, 6)
        clicks(session, earlier, START - 19 * DAY, 2, is_bot=True)
        lead(session, START - 2 * DAY, delivery=earlier)
        cost(session, channel, 10_000, START - 10 * DAY)
    previous = _board(sessions).previous
    assert previous.period.end == START and previous.period.length == timedelta(days=30)
    assert (previous.metrics.posts, previous.metrics.impressions) == (1, 200)
    assert (previous.outcomes.human_clicks, previous.bot_clicks, previous.outcomes.leads) == (6, 2, 1)
    assert previous.outcomes.cost_cents == 10_000


def test_unattributed_outcomes_count_in_the_totals_but_in_no_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        job = vacancy(session)
        delivery = published(session, channel, START + DAY, kind=PostKind.JOB_AD, vacancy_id=job.id)
        application(session, job.id, START + 2 * DAY, delivery=delivery)
        application(session, job.id, START + 2 * DAY)
        application(session, job.id, START + 3 * DAY, name="", email="", anonymized_at=START + 4 * DAY)
        lead(session, START + 2 * DAY)
        lead(session, START + 2 * DAY, delivery=delivery, submissions=3)  # merged duplicates: one lead
        channel_id = channel.id
    board = _board(sessions)
    assert (board.totals.outcomes.applications, board.totals.applications_unattributed) == (3, 2)
    assert (board.totals.outcomes.leads, board.totals.leads_unattributed) == (2, 1)
    assert (_row(board, channel_id).outcomes.applications, _row(board, channel_id).outcomes.leads) == (1, 1)
    funnel = {f.channel_id: f.outcomes.applications for f in board.vacancies[0].by_channel}
    assert funnel == {channel_id: 1, None: 2}


def test_cost_per_application_uses_the_vacancy_costs_on_that_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        paid, free = make_channel(session, network=Network.LINKEDIN), make_channel(session, network=Network.X)
        job = vacancy(session)
        for channel in (paid, free):
            delivery = published(session, channel, START + DAY, kind=PostKind.JOB_AD, vacancy_id=job.id)
            application(session, job.id, START + 2 * DAY, delivery=delivery, hired_at=START + 9 * DAY)
            application(session, job.id, START + 3 * DAY, delivery=delivery)
        cost(session, paid, 30_000, START + DAY, vacancy_id=job.id)
        cost(session, paid, 10_000, START - DAY, vacancy_id=job.id)  # previous period
        cost(session, paid, 99_900, START + DAY, vacancy_id=job.id, currency="CHF")
        ids = paid.id, free.id
    board = _board(sessions)
    funnel = {f.channel_id: f.outcomes for f in board.vacancies[0].by_channel}
    assert (funnel[ids[0]].cost_per_application, funnel[ids[0]].cost_per_hire) == (15_000, 30_000)
    assert funnel[ids[1]].cost_cents is None and funnel[ids[1]].cost_per_application is None
    assert board.vacancies[0].outcomes.cost_per_application == 30_000 / 4
    assert _row(board, ids[0]).outcomes.cost_cents == 30_000
    assert board.costs_other_currency == 1 and board.currency == "EUR"


def test_vacancy_times_run_from_the_first_post_and_take_the_median_hire(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        job = vacancy(session)
        application(session, job.id, START - 30 * DAY)  # before any post: not a response to one
        first = published(session, channel, START - 10 * DAY, kind=PostKind.JOB_AD, vacancy_id=job.id)
        published(session, channel, START + DAY, kind=PostKind.JOB_AD, vacancy_id=job.id)
        application(session, job.id, START - 7 * DAY, delivery=first, hired_at=START + 3 * DAY)  # 10 days
        application(session, job.id, START + 2 * DAY, delivery=first, hired_at=START + 22 * DAY)  # 20 days
        application(session, job.id, START + 3 * DAY, delivery=first, hired_at=START + 43 * DAY)  # after the end
        application(session, job.id, START + 4 * DAY, delivery=first, hired_at=START + 28 * DAY)  # 24 days
    row = _board(sessions).vacancies[0]
    assert row.time_to_first_application == timedelta(days=3)
    assert row.time_to_hire == timedelta(days=20)
    assert (row.metrics.posts, row.outcomes.applications, row.outcomes.hires) == (1, 3, 3)


def test_campaigns_group_by_campaign_then_vacancy_then_no_campaign(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        job = vacancy(session, "Schweißer (m/w/d)")
        fair = published(session, channel, START + DAY, campaign="Intertool 2026")
        ad = published(session, channel, START + DAY, kind=PostKind.JOB_AD, vacancy_id=job.id)
        tagged_ad = published(session, channel, START + DAY, kind=PostKind.JOB_AD, vacancy_id=job.id,
                              campaign="Lehrlingsoffensive")
        news = published(session, channel, START + DAY)
        photos = published(session, channel, START + DAY, kind=PostKind.EVENT_PHOTOS)
        for delivery, count in ((fair, 9), (ad, 7), (tagged_ad, 5), (news, 3), (photos, 1)):
            clicks(session, delivery, START + 2 * DAY, count)
        lead(session, START + 2 * DAY, delivery=fair)
        application(session, job.id, START + 2 * DAY, delivery=ad)
        job_id = job.id
    campaigns = {row.key: row for row in _board(sessions).campaigns}
    assert list(campaigns) == ["c:Intertool 2026", f"v:{job_id}", "c:Lehrlingsoffensive", "none"]
    assert (campaigns["c:Intertool 2026"].human_clicks, campaigns["c:Intertool 2026"].leads) == (9, 1)
    assert campaigns[f"v:{job_id}"].vacancy_title == "Schweißer (m/w/d)"
    assert campaigns[f"v:{job_id}"].applications == 1
    assert (campaigns["none"].published, campaigns["none"].human_clicks) == (2, 4)
    assert [part.human_clicks for part in campaigns["none"].by_channel] == [4]


def test_weeks_are_seven_day_buckets_from_the_period_start(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        delivery = published(session, channel, START)
        clicks(session, delivery, START + 7 * DAY - timedelta(microseconds=1), 1)
        clicks(session, delivery, START + 7 * DAY, 2)
        clicks(session, delivery, END - timedelta(seconds=1), 3)
        lead(session, START + 29 * DAY, delivery=delivery)
    weeks = _board(sessions).weeks
    assert [w.start for w in weeks] == [START + 7 * i * DAY for i in range(5)]
    assert weeks[-1].end == END  # the last bucket is two days long
    assert [w.human_clicks for w in weeks] == [1, 2, 0, 0, 3]
    assert [w.published for w in weeks] == [1, 0, 0, 0, 0]
    assert [w.leads for w in weeks] == [0, 0, 0, 0, 1]


def test_top_posts_rank_by_human_clicks_then_leads_and_applications(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session)
        many = published(session, channel, START + DAY, text="Viele Klicks")
        tied = published(session, channel, START + DAY, text="Gleich viele, mehr Leads")
        quiet = published(session, channel, START + DAY, text="Keine Klicks")
        published(session, channel, START + DAY, text="Nichts")
        clicks(session, many, START + 2 * DAY, 8)
        clicks(session, tied, START + 2 * DAY, 3)
        clicks(session, tied, START + 2 * DAY, 20, is_bot=True)
        lead(session, START + 2 * DAY, delivery=tied)
        lead(session, START + 2 * DAY, delivery=quiet)
        snapshot(session, many, START + 3 * DAY, impressions=700)
    board = _board(sessions)
    top = board.top_posts
    assert [post.excerpt for post in top] == ["Viele Klicks", "Gleich viele, mehr Leads", "Keine Klicks"]
    assert (top[0].human_clicks, top[0].impressions, top[1].impressions) == (8, 700, None)
    counts = [top[0].human_clicks, top[1].leads, board.totals.outcomes.human_clicks, board.totals.bot_clicks,
              board.channels[0].outcomes.leads, board.weeks[0].human_clicks, board.totals.metrics.impressions]
    assert all(type(count) is int for count in counts), counts  # not PostgreSQL's NUMERIC sums as Decimal


def test_an_empty_database_gives_zero_counts_and_unknown_network_figures(sessions: sessionmaker[Session]) -> None:
    board = _board(sessions)
    assert board.channels == () and board.vacancies == () and board.findings == ()
    assert board.totals.outcomes.human_clicks == 0 and board.totals.metrics.impressions is None
    assert board.totals.ctr is None and board.totals.outcomes.cost_cents is None
