"""Hand-built report Dashboards for tests of the pages, charts, exports and digest (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.reporting.model import (
    CampaignChannelRow,
    CampaignRow,
    ChannelRow,
    Dashboard,
    Finding,
    FunnelRow,
    Metric,
    NetworkMetrics,
    Outcomes,
    Period,
    TopPost,
    Totals,
    VacancyRow,
    WeekPoint,
)

#: 1 February – 2 March 2026 in Vienna (CET, UTC+1): 30 days.
PERIOD = Period(datetime(2026, 1, 31, 23, 0, tzinfo=UTC), datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
EVIL = '<script>alert("x")</script> & Co'


def sample_dashboard(*, channel_name: str = "Karriere Steiermark", vacancy_title: str = "Koch (m/w/d)") -> Dashboard:
    """Return a dashboard with two channels, one vacancy, a campaign, two top posts and findings."""
    linkedin = ChannelRow(channel_id=1, network="linkedin", name=channel_name,
                          metrics=NetworkMetrics(posts=6, impressions=12000, reactions=300, comments=20, shares=10,
                                                 clicks=150, impressions_reported=5, reactions_reported=5,
                                                 comments_reported=5, shares_reported=5, clicks_reported=5),
                          outcomes=Outcomes(human_clicks=240, applications=12, interviews=4, hires=2, leads=3,
                                            cost_cents=60000),
                          bot_clicks=40, repeat_clicks=7)
    x = ChannelRow(channel_id=2, network="x", name="Jobs X", metrics=NetworkMetrics(posts=5),
                   outcomes=Outcomes(human_clicks=35, applications=0, leads=1))
    totals = Totals(period=PERIOD, metrics=NetworkMetrics(posts=11, impressions=12000, reactions=300, comments=20,
                                                          shares=10, clicks=150, impressions_reported=5),
                    outcomes=Outcomes(human_clicks=275, applications=14, interviews=4, hires=2, leads=5,
                                      cost_cents=60000),
                    bot_clicks=40, repeat_clicks=7, applications_unattributed=2, leads_unattributed=1)
    previous = Totals(period=PERIOD.previous(), metrics=NetworkMetrics(posts=8, impressions=None),
                      outcomes=Outcomes(human_clicks=200, applications=0, leads=5))
    funnel = FunnelRow(channel_id=1, network="linkedin", name=channel_name,
                       metrics=NetworkMetrics(posts=3, impressions=6000, impressions_reported=3),
                       outcomes=Outcomes(human_clicks=120, applications=10, interviews=4, hires=2, cost_cents=60000))
    loose = FunnelRow(channel_id=None, network="", name="", metrics=NetworkMetrics(),
                      outcomes=Outcomes(applications=2))
    vacancy = VacancyRow(vacancy_id=7, title=vacancy_title, location="Graz", status="open",
                         metrics=NetworkMetrics(posts=3, impressions=6000, impressions_reported=3),
                         outcomes=Outcomes(human_clicks=120, applications=12, interviews=4, hires=2, cost_cents=60000),
                         by_channel=(funnel, loose), first_published_at=PERIOD.start + timedelta(days=1),
                         first_application_at=PERIOD.start + timedelta(days=3), time_to_hire=timedelta(days=21))
    campaign = CampaignRow(key="c:Messe 2026", campaign="Messe 2026", vacancy_id=None, vacancy_title="", published=4,
                           human_clicks=80, leads=3, applications=0,
                           by_channel=(CampaignChannelRow(1, "linkedin", channel_name, 4, 80, 3, 0),))
    top = TopPost(delivery_id=101, post_id=11, channel_id=1, network="linkedin", channel_name=channel_name,
                  kind="job_ad", excerpt="Wir suchen einen Koch für unser Team in Graz", published_at=PERIOD.start
                  + timedelta(days=1, hours=9), external_url=None, campaign_key="v:7", human_clicks=120,
                  applications=10, leads=0, impressions=6000)
    weeks = tuple(WeekPoint(start=PERIOD.start + timedelta(days=7 * i),
                            end=min(PERIOD.start + timedelta(days=7 * (i + 1)), PERIOD.end), published=2 + i,
                            human_clicks=50 + 10 * i, applications=i, leads=1 if i % 2 else 0) for i in range(5))
    findings = (Finding(code="best_channel_applications_per_post",
                        numbers={"applications": 12, "posts": 6, "per_post": 2.0, "next_per_post": 0.0},
                        labels={"channel": channel_name, "network": "linkedin", "next_channel": "Jobs X"},
                        channel_id=1, metric=Metric.APPLICATIONS),
                Finding(code="bot_clicks_excluded", numbers={"bot_clicks": 40, "all_clicks": 322, "share": 0.124},
                        metric=Metric.BOT_CLICKS))
    return Dashboard(period=PERIOD, totals=totals, previous=previous, channels=(linkedin, x), vacancies=(vacancy,),
                     campaigns=(campaign,), top_posts=(top,), weeks=weeks, findings=findings)


def empty_dashboard() -> Dashboard:
    """Return the dashboard of a period in which nothing happened."""
    return Dashboard(period=PERIOD, totals=Totals(period=PERIOD, metrics=NetworkMetrics(), outcomes=Outcomes()),
                     previous=Totals(period=PERIOD.previous(), metrics=NetworkMetrics(), outcomes=Outcomes()),
                     weeks=(WeekPoint(PERIOD.start, PERIOD.end, 0, 0, 0, 0),))
