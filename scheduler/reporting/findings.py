"""Findings: computed statements (codes and numbers, no prose) that help read the figures, only with enough data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scheduler.reporting.model import ChannelRow, Finding, Metric, Totals, VacancyRow, ratio, relative_change

#: A channel takes part in a comparison only with at least this many posts published in the period.
MIN_POSTS = 5
#: Statements about clicks need at least this many human clicks behind them.
MIN_CLICKS = 30
#: Statements about applications or leads need at least this many.
MIN_OUTCOMES = 10
#: A change is only worth a statement from this relative size on.
MIN_CHANGE = 0.2
#: Unattributed applications are worth a statement from this share on.
MIN_UNATTRIBUTED_SHARE = 0.25
MAX_FINDINGS = 6

Rule = Callable[[Totals, Totals, Sequence[ChannelRow], Sequence[VacancyRow]], list[Finding]]


def compute_findings(totals: Totals, previous: Totals, channels: Sequence[ChannelRow],
                     vacancies: Sequence[VacancyRow]) -> tuple[Finding, ...]:
    """Return the findings the data supports, most useful first."""
    found: list[Finding] = []
    for rule in RULES:
        found += rule(totals, previous, channels, vacancies)
    return tuple(found[:MAX_FINDINGS])


def _compared(channels: Sequence[ChannelRow]) -> list[ChannelRow]:
    return [c for c in channels if c.metrics.posts >= MIN_POSTS]


def best_applications_per_post(totals: Totals, previous: Totals, channels: Sequence[ChannelRow],
                               vacancies: Sequence[VacancyRow]) -> list[Finding]:
    """Which channel brings the most applications per post (two channels with enough posts needed)."""
    compared = _compared(channels)
    if len(compared) < 2 or sum(c.outcomes.applications for c in compared) < MIN_OUTCOMES:
        return []
    ranked = sorted(compared, key=lambda c: (-(c.applications_per_post or 0), c.channel_id))
    best, runner_up = ranked[0], ranked[1]
    if not best.outcomes.applications or best.applications_per_post == runner_up.applications_per_post:
        return []
    return [Finding(code="best_channel_applications_per_post",
                    numbers={"applications": best.outcomes.applications, "posts": best.metrics.posts,
                             "per_post": best.applications_per_post or 0.0,
                             "next_per_post": runner_up.applications_per_post or 0.0},
                    labels={"channel": best.name, "network": best.network, "next_channel": runner_up.name},
                    channel_id=best.channel_id, metric=Metric.APPLICATIONS)]


def best_ctr(totals: Totals, previous: Totals, channels: Sequence[ChannelRow],
             vacancies: Sequence[VacancyRow]) -> list[Finding]:
    """Which channel turns impressions into clicks best (only channels whose impressions are known)."""
    compared = [c for c in _compared(channels) if c.ctr is not None and c.outcomes.human_clicks >= MIN_CLICKS]
    if len(compared) < 2:
        return []
    best = max(compared, key=lambda c: (c.ctr or 0.0, -c.channel_id))
    return [Finding(code="best_channel_ctr",
                    numbers={"ctr": best.ctr or 0.0, "human_clicks": best.outcomes.human_clicks,
                             "impressions": best.metrics.impressions or 0,
                             "impressions_reported": best.metrics.impressions_reported, "posts": best.metrics.posts},
                    labels={"channel": best.name, "network": best.network},
                    channel_id=best.channel_id, metric=Metric.CLICKS)]


def clicks_without_applications(totals: Totals, previous: Totals, channels: Sequence[ChannelRow],
                                vacancies: Sequence[VacancyRow]) -> list[Finding]:
    """Vacancies with many clicks but no application: the ad or the form may be the problem."""
    return [Finding(code="vacancy_clicks_no_applications",
                    numbers={"human_clicks": v.outcomes.human_clicks, "applications": 0, "posts": v.metrics.posts},
                    labels={"vacancy": v.title}, vacancy_id=v.vacancy_id, metric=Metric.CLICKS)
            for v in sorted(vacancies, key=lambda v: -v.outcomes.human_clicks)
            if v.outcomes.human_clicks >= MIN_CLICKS and v.outcomes.applications == 0][:2]


def change_vs_previous(totals: Totals, previous: Totals, channels: Sequence[ChannelRow],
                       vacancies: Sequence[VacancyRow]) -> list[Finding]:
    """Human clicks and applications that changed clearly against the previous period."""
    found = []
    for code, metric, now, before, least in (
            ("clicks_changed", Metric.CLICKS, totals.outcomes.human_clicks, previous.outcomes.human_clicks,
             MIN_CLICKS),
            ("applications_changed", Metric.APPLICATIONS, totals.outcomes.applications,
             previous.outcomes.applications, MIN_OUTCOMES)):
        change = relative_change(now, before)
        if min(now, before) >= least and change is not None and abs(change) >= MIN_CHANGE:
            found.append(Finding(code=code, numbers={"current": now, "previous": before, "change": change},
                                 metric=metric))
    return found


def data_quality(totals: Totals, previous: Totals, channels: Sequence[ChannelRow],
                 vacancies: Sequence[VacancyRow]) -> list[Finding]:
    """Bot share of all clicks, and applications that no post can be credited with."""
    found = []
    all_clicks = totals.outcomes.human_clicks + totals.bot_clicks + totals.repeat_clicks
    if all_clicks >= MIN_CLICKS and totals.bot_clicks:
        found.append(Finding(code="bot_clicks_excluded",
                             numbers={"bot_clicks": totals.bot_clicks, "all_clicks": all_clicks,
                                      "share": ratio(totals.bot_clicks, all_clicks) or 0.0},
                             metric=Metric.BOT_CLICKS))
    share = ratio(totals.applications_unattributed, totals.outcomes.applications)
    if totals.outcomes.applications >= MIN_OUTCOMES and share is not None and share >= MIN_UNATTRIBUTED_SHARE:
        found.append(Finding(code="applications_unattributed",
                             numbers={"unattributed": totals.applications_unattributed,
                                      "applications": totals.outcomes.applications, "share": share},
                             metric=Metric.APPLICATIONS))
    return found


RULES: tuple[Rule, ...] = (best_applications_per_post, clicks_without_applications, best_ctr, change_vs_previous,
                           data_quality)
