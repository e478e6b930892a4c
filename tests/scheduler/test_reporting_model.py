"""Report result types: periods, ratios with unknown or zero denominators, engagement from known parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.reporting.model import (
    BadPeriodError,
    ChannelRow,
    Dashboard,
    NetworkMetrics,
    Outcomes,
    Period,
    Totals,
    VacancyRow,
    ratio,
    relative_change,
)

START = datetime(2026, 4, 1, tzinfo=UTC)
END = datetime(2026, 5, 1, tzinfo=UTC)


def test_a_period_is_half_open_and_its_previous_period_has_the_same_length_right_before() -> None:
    period = Period(START, END)
    assert period.length == timedelta(days=30)
    assert period.previous() == Period(START - timedelta(days=30), START)
    assert period.contains(START) and not period.contains(END)
    assert period.contains(END - timedelta(microseconds=1))


def test_a_period_is_stored_in_utc_whatever_zone_it_was_given_in() -> None:
    vienna = datetime(2026, 4, 1, 2, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Vienna"))
    assert Period(vienna, END).start == datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    assert Period(vienna, END).start.tzinfo is UTC


@pytest.mark.parametrize(("start", "end"), [(END, START), (START, START), (START.replace(tzinfo=None), END)])
def test_an_empty_reversed_or_naive_period_is_refused(start: datetime, end: datetime) -> None:
    with pytest.raises(BadPeriodError):
        Period(start, end)


@pytest.mark.parametrize(("numerator", "denominator", "expected"),
                         [(3, 4, 0.75), (3, 0, None), (3, None, None), (None, 4, None), (0, 4, 0.0)])
def test_a_ratio_is_unknown_when_its_denominator_is_zero_or_unknown(numerator: int | None, denominator: int | None,
                                                                     expected: float | None) -> None:
    assert ratio(numerator, denominator) == expected


def test_a_change_against_a_zero_or_unknown_previous_value_is_unknown() -> None:
    assert relative_change(15, 10) == 0.5
    assert relative_change(5, 10) == -0.5
    assert relative_change(5, 0) is None
    assert relative_change(5, None) is None
    assert relative_change(None, 5) is None


def test_engagement_adds_the_known_parts_and_is_unknown_when_none_is_known() -> None:
    partly = NetworkMetrics(posts=2, impressions=1000, reactions=30, comments=None, shares=5, clicks=15)
    assert partly.engagement == 50
    assert partly.engagement_rate == 0.05
    assert NetworkMetrics(posts=1, impressions=1000).engagement is None
    assert NetworkMetrics(posts=1, impressions=1000).engagement_rate is None
    assert NetworkMetrics(posts=1, impressions=0, reactions=3).engagement_rate is None


def test_cost_per_application_needs_a_cost_and_applications() -> None:
    assert Outcomes(applications=4, hires=1, cost_cents=40_000).cost_per_application == 10_000
    assert Outcomes(applications=4, hires=1, cost_cents=40_000).cost_per_hire == 40_000
    assert Outcomes(applications=4, cost_cents=None).cost_per_application is None
    assert Outcomes(applications=0, cost_cents=40_000).cost_per_application is None
    assert Outcomes(applications=4, hires=0, cost_cents=40_000).cost_per_hire is None


def test_conversion_rates_are_unknown_without_clicks_or_applications() -> None:
    assert Outcomes(human_clicks=50, applications=5, hires=1).click_to_application == 0.1
    assert Outcomes(human_clicks=50, applications=5, hires=1).application_to_hire == 0.2
    assert Outcomes(human_clicks=0, applications=2).click_to_application is None
    assert Outcomes(applications=0).application_to_hire is None


def test_click_through_rate_is_unknown_when_impressions_are() -> None:
    known = ChannelRow(1, "linkedin", "L", NetworkMetrics(posts=2, impressions=400), Outcomes(human_clicks=8))
    unknown = ChannelRow(2, "xing", "X", NetworkMetrics(posts=2), Outcomes(human_clicks=8))
    assert known.ctr == 0.02 and unknown.ctr is None
    assert known.applications_per_post == 0.0
    assert ChannelRow(3, "x", "X", NetworkMetrics(), Outcomes()).applications_per_post is None


def test_time_to_first_application_needs_both_moments() -> None:
    base = VacancyRow(1, "Dreher (m/w/d)", "Graz", "open", NetworkMetrics(), Outcomes())
    assert base.time_to_first_application is None
    found = VacancyRow(1, "Dreher (m/w/d)", "Graz", "open", NetworkMetrics(), Outcomes(),
                       first_published_at=START, first_application_at=START + timedelta(days=2))
    assert found.time_to_first_application == timedelta(days=2)


def test_the_dashboard_reports_excluded_clicks_and_metric_coverage_from_its_totals() -> None:
    period = Period(START, END)
    totals = Totals(period, NetworkMetrics(posts=7, impressions=900, impressions_reported=5), Outcomes(),
                    bot_clicks=12, repeat_clicks=3)
    board = Dashboard(period=period, totals=totals, previous=Totals(period.previous(), NetworkMetrics(), Outcomes()))
    assert (board.bot_clicks_excluded, board.repeat_clicks_excluded, board.metric_coverage) == (12, 3, (5, 7))
