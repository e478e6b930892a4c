"""Findings: statements with their numbers and link targets, and none without enough data."""

from __future__ import annotations

from scheduler.reporting.findings import compute_findings
from scheduler.reporting.model import (
    ChannelRow,
    Metric,
    NetworkMetrics,
    Outcomes,
    Period,
    Totals,
    VacancyRow,
)
from tests.scheduler.report_builders import PERIOD


def _channel(channel_id: int, posts: int, applications: int, clicks: int = 40,
             impressions: int | None = 4000) -> ChannelRow:
    return ChannelRow(channel_id, "linkedin", f"Channel {channel_id}",
                      NetworkMetrics(posts=posts, impressions=impressions,
                                     impressions_reported=posts if impressions is not None else 0),
                      Outcomes(human_clicks=clicks, applications=applications))


def _totals(period: Period = PERIOD, clicks: int = 0, applications: int = 0, bots: int = 0,
            unattributed: int = 0) -> Totals:
    return Totals(period, NetworkMetrics(), Outcomes(human_clicks=clicks, applications=applications),
                  bot_clicks=bots, applications_unattributed=unattributed)


def _codes(*args: object) -> list[str]:
    return [finding.code for finding in compute_findings(*args)]  # type: ignore[arg-type]


def test_the_channel_with_most_applications_per_post_is_named_with_its_numbers() -> None:
    channels = [_channel(1, posts=10, applications=8), _channel(2, posts=5, applications=2)]
    finding = compute_findings(_totals(), _totals(PERIOD.previous()), channels, [])[0]
    assert finding.code == "best_channel_applications_per_post"
    assert finding.numbers == {"applications": 8, "posts": 10, "per_post": 0.8, "next_per_post": 0.4}
    assert finding.labels["channel"] == "Channel 1" and finding.labels["next_channel"] == "Channel 2"
    assert (finding.channel_id, finding.metric) == (1, Metric.APPLICATIONS)


def test_no_channel_comparison_with_too_few_posts_or_applications() -> None:
    few_posts = [_channel(1, posts=10, applications=8), _channel(2, posts=4, applications=3)]
    few_applications = [_channel(1, posts=10, applications=5), _channel(2, posts=5, applications=2)]
    for channels in (few_posts, few_applications):
        assert "best_channel_applications_per_post" not in _codes(_totals(), _totals(), channels, [])


def test_a_vacancy_with_many_clicks_and_no_application_points_at_the_ad_or_the_form() -> None:
    busy = VacancyRow(7, "Servicetechniker (m/w/d)", "Leoben", "open", NetworkMetrics(posts=4),
                      Outcomes(human_clicks=45))
    quiet = VacancyRow(8, "Dreher (m/w/d)", "Graz", "open", NetworkMetrics(posts=4), Outcomes(human_clicks=29))
    working = VacancyRow(9, "Fräser (m/w/d)", "Graz", "open", NetworkMetrics(posts=4),
                         Outcomes(human_clicks=80, applications=3))
    findings = compute_findings(_totals(), _totals(), [], [busy, quiet, working])
    assert [(f.code, f.vacancy_id, f.metric) for f in findings] == [("vacancy_clicks_no_applications", 7,
                                                                     Metric.CLICKS)]
    assert findings[0].numbers["human_clicks"] == 45 and findings[0].labels["vacancy"] == "Servicetechniker (m/w/d)"


def test_click_through_rate_is_only_compared_between_channels_whose_impressions_are_known() -> None:
    channels = [_channel(1, posts=6, applications=0, clicks=60, impressions=2000),
                _channel(2, posts=6, applications=0, clicks=40, impressions=None)]
    assert "best_channel_ctr" not in _codes(_totals(), _totals(), channels, [])
    channels.append(_channel(3, posts=6, applications=0, clicks=90, impressions=9000))
    best = next(f for f in compute_findings(_totals(), _totals(), channels, []) if f.code == "best_channel_ctr")
    assert best.channel_id == 1 and best.numbers["ctr"] == 0.03


def test_a_clear_change_against_the_previous_period_needs_enough_on_both_sides() -> None:
    grown = compute_findings(_totals(clicks=90), _totals(clicks=60), [], [])
    assert [(f.code, f.numbers["change"]) for f in grown] == [("clicks_changed", 0.5)]
    assert _codes(_totals(clicks=90), _totals(clicks=20), [], []) == []  # too few before
    assert _codes(_totals(clicks=66), _totals(clicks=60), [], []) == []  # too small a change


def test_bot_share_and_unattributed_applications_are_stated_from_enough_data() -> None:
    findings = compute_findings(_totals(clicks=70, bots=30, applications=12, unattributed=4), _totals(), [], [])
    assert [f.code for f in findings] == ["bot_clicks_excluded", "applications_unattributed"]
    assert findings[0].numbers == {"bot_clicks": 30, "all_clicks": 100, "share": 0.3}
    assert _codes(_totals(clicks=10, bots=5, applications=9, unattributed=9), _totals(), [], []) == []


def test_an_empty_period_has_no_findings() -> None:
    assert compute_findings(_totals(), _totals(), [], []) == ()
