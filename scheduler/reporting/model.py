"""Report results as frozen dataclasses; None always means "unknown", never zero."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from scheduler.clock import ensure_utc


class BadPeriodError(ValueError):
    """A report period that is not a non-empty, aware [start, end) range."""


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator ÷ denominator, or None when either is unknown or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def relative_change(current: float | None, previous: float | None) -> float | None:
    """Return (current − previous) ÷ previous, or None when the previous value is unknown or zero."""
    if current is None or previous is None:
        return None
    return ratio(current - previous, previous)


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open [start, end) range in aware UTC."""

    start: datetime  # first instant inside the period (aware UTC)
    end: datetime  # first instant after the period (aware UTC)

    def __post_init__(self) -> None:
        try:
            start, end = ensure_utc(self.start), ensure_utc(self.end)
        except ValueError as error:
            raise BadPeriodError(str(error)) from error
        if end <= start:
            raise BadPeriodError("a period must end after it starts")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def length(self) -> timedelta:
        """Return how long the period is."""
        return self.end - self.start

    def previous(self) -> Period:
        """Return the period of the same length immediately before this one."""
        return Period(self.start - self.length, self.start)

    def contains(self, at: datetime) -> bool:
        """Tell whether ``at`` lies inside [start, end)."""
        return self.start <= ensure_utc(at) < self.end


class Metric(StrEnum):
    """A figure whose posts can be listed ("every figure links to the posts behind it")."""

    PUBLISHED = "published"  # deliveries published in the period
    IMPRESSIONS = "impressions"  # their latest snapshot's impressions
    ENGAGEMENT = "engagement"  # their latest snapshot's reactions + comments + shares + network clicks
    CLICKS = "clicks"  # human clicks in the period
    BOT_CLICKS = "bot_clicks"  # clicks excluded as bots in the period
    APPLICATIONS = "applications"  # applications received in the period
    INTERVIEWS = "interviews"  # interviews held (interview_at) in the period
    HIRES = "hires"  # hires (hired_at) in the period
    LEADS = "leads"  # leads created in the period


@dataclass(frozen=True, slots=True)
class NetworkMetrics:
    """Sums over the latest snapshot of each delivery published in the period, with their coverage."""

    posts: int = 0  # deliveries published in the period (the "m" in "reported for n of m posts")
    impressions: int | None = None  # sum of known impressions; None when no delivery reported any
    reactions: int | None = None  # likewise for reactions (likes …)
    comments: int | None = None  # likewise for comments
    shares: int | None = None  # likewise for shares / reposts
    clicks: int | None = None  # likewise for clicks the network counted (not our tracked clicks)
    impressions_reported: int = 0  # deliveries whose latest snapshot reported impressions
    reactions_reported: int = 0  # … reported reactions
    comments_reported: int = 0  # … reported comments
    shares_reported: int = 0  # … reported shares
    clicks_reported: int = 0  # … reported network clicks

    @property
    def engagement(self) -> int | None:
        """Return reactions + comments + shares + network clicks (known parts), None if none is known."""
        parts = [p for p in (self.reactions, self.comments, self.shares, self.clicks) if p is not None]
        return sum(parts) if parts else None

    @property
    def engagement_rate(self) -> float | None:
        """Return engagement per impression (the LinkedIn-native definition)."""
        return ratio(self.engagement, self.impressions)


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What happened after the posts, counted by the event's own timestamp inside the period."""

    human_clicks: int = 0  # clicks with `at` in the period, not bot, not repeat
    applications: int = 0  # received_at in the period
    interviews: int = 0  # interview_at in the period
    hires: int = 0  # hired_at in the period
    leads: int = 0  # created_at in the period (merged duplicates are one lead)
    cost_cents: int | None = None  # entered channel costs with spent_at in the period; None: none entered

    @property
    def click_to_application(self) -> float | None:
        """Return applications ÷ human clicks."""
        return ratio(self.applications, self.human_clicks)

    @property
    def application_to_hire(self) -> float | None:
        """Return hires ÷ applications."""
        return ratio(self.hires, self.applications)

    @property
    def click_to_lead(self) -> float | None:
        """Return leads ÷ human clicks."""
        return ratio(self.leads, self.human_clicks)

    @property
    def cost_per_application(self) -> float | None:
        """Return cost in cents per application; None without a cost or without applications."""
        return ratio(self.cost_cents, self.applications)

    @property
    def cost_per_hire(self) -> float | None:
        """Return cost in cents per hire; None without a cost or without hires."""
        return ratio(self.cost_cents, self.hires)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One channel's figures for the period."""

    channel_id: int  # Channel.id
    network: str  # Network value, e.g. "linkedin"
    name: str  # the channel's display name
    metrics: NetworkMetrics  # network-reported figures of its deliveries published in the period
    outcomes: Outcomes  # clicks, applications, hires, leads, cost attributed to this channel
    bot_clicks: int = 0  # clicks excluded as bots
    repeat_clicks: int = 0  # clicks excluded as repeats (same visitor, same link, within the hour)

    @property
    def ctr(self) -> float | None:
        """Return human clicks ÷ impressions."""
        return ratio(self.outcomes.human_clicks, self.metrics.impressions)

    @property
    def applications_per_post(self) -> float | None:
        """Return applications ÷ deliveries published."""
        return ratio(self.outcomes.applications, self.metrics.posts)


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """One channel's funnel for one vacancy; channel_id None = applications not attributed to a channel."""

    channel_id: int | None  # Channel.id, None for "not attributed"
    network: str  # Network value, "" when not attributed
    name: str  # channel name, "" when not attributed
    metrics: NetworkMetrics  # this vacancy's deliveries on this channel published in the period
    outcomes: Outcomes  # clicks on them, applications/interviews/hires via this channel, vacancy cost

    @property
    def ctr(self) -> float | None:
        """Return human clicks ÷ impressions."""
        return ratio(self.outcomes.human_clicks, self.metrics.impressions)


@dataclass(frozen=True, slots=True)
class VacancyRow:
    """One vacancy's funnel (impressions → clicks → applications → interviews → hires) for the period."""

    vacancy_id: int  # Vacancy.id
    title: str  # the vacancy's title
    location: str  # where the job is
    status: str  # VacancyStatus value
    metrics: NetworkMetrics  # deliveries of the vacancy's posts published in the period
    outcomes: Outcomes  # clicks on its deliveries; all its applications/interviews/hires; its costs
    by_channel: tuple[FunnelRow, ...] = ()  # the same funnel per channel (plus "not attributed")
    first_published_at: datetime | None = None  # first publication of any of its deliveries (ever)
    first_application_at: datetime | None = None  # first application received at or after that (ever)
    time_to_hire: timedelta | None = None  # median (hired_at − received_at) of its hires in the period

    @property
    def time_to_first_application(self) -> timedelta | None:
        """Return first application − first publication, None if either is missing."""
        if self.first_published_at is None or self.first_application_at is None:
            return None
        return self.first_application_at - self.first_published_at

    @property
    def ctr(self) -> float | None:
        """Return human clicks ÷ impressions."""
        return ratio(self.outcomes.human_clicks, self.metrics.impressions)


@dataclass(frozen=True, slots=True)
class CampaignChannelRow:
    """One channel's share of a campaign."""

    channel_id: int  # Channel.id
    network: str  # Network value
    name: str  # channel name
    published: int  # deliveries of the campaign on this channel published in the period
    human_clicks: int  # human clicks on the campaign's deliveries on this channel
    leads: int  # leads attributed to those deliveries
    applications: int  # applications attributed to those deliveries


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A campaign: Post.campaign, else the vacancy for job ads, else "(no campaign)"."""

    key: str  # stable id for links and deliveries_behind: "c:<campaign>", "v:<vacancy id>" or "none"
    campaign: str  # Post.campaign; "" when grouped by vacancy or for "(no campaign)"
    vacancy_id: int | None  # set when the group is a vacancy's job ads without a campaign
    vacancy_title: str  # that vacancy's title, else ""
    published: int  # deliveries published in the period
    human_clicks: int  # human clicks in the period on the campaign's deliveries
    leads: int  # leads in the period attributed to the campaign's deliveries
    applications: int  # applications in the period attributed to the campaign's deliveries
    by_channel: tuple[CampaignChannelRow, ...] = ()  # the same per channel


@dataclass(frozen=True, slots=True)
class TopPost:
    """One delivery (a post on one channel), ranked by human clicks, then leads + applications."""

    delivery_id: int  # Delivery.id (link target: posts.delivery)
    post_id: int  # Post.id
    channel_id: int  # Channel.id
    network: str  # Network value
    channel_name: str  # channel name
    kind: str  # PostKind value
    excerpt: str  # the first characters of the post text
    published_at: datetime | None  # when it went out (may lie before the period for late clicks)
    external_url: str | None  # the post on the network, if known
    campaign_key: str  # CampaignRow.key it belongs to
    human_clicks: int  # human clicks in the period
    applications: int  # applications in the period attributed to it
    leads: int  # leads in the period attributed to it
    impressions: int | None  # its latest snapshot's impressions, None if not reported


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One 7-day bucket of the trend, counted from the period start (the last may be shorter)."""

    start: datetime  # bucket start (aware UTC)
    end: datetime  # bucket end, exclusive (aware UTC)
    published: int  # deliveries published
    human_clicks: int  # human clicks
    applications: int  # applications received
    leads: int  # leads created


@dataclass(frozen=True, slots=True)
class Totals:
    """The headline figures of one period (also computed for the previous period)."""

    period: Period  # the period these totals are for
    metrics: NetworkMetrics  # over all deliveries published in the period
    outcomes: Outcomes  # all clicks, applications, hires, leads, costs (attributed or not)
    bot_clicks: int = 0  # clicks excluded as bots
    repeat_clicks: int = 0  # clicks excluded as repeats
    applications_unattributed: int = 0  # applications without a channel
    leads_unattributed: int = 0  # leads without a channel

    @property
    def ctr(self) -> float | None:
        """Return human clicks ÷ impressions."""
        return ratio(self.outcomes.human_clicks, self.metrics.impressions)


@dataclass(frozen=True, slots=True)
class Finding:
    """A computed statement: a code, the numbers behind it and what to link to; the web layer words it."""

    code: str  # e.g. "best_channel_applications_per_post", "vacancy_clicks_no_applications"
    numbers: Mapping[str, int | float] = field(default_factory=dict)  # the figures behind the statement
    labels: Mapping[str, str] = field(default_factory=dict)  # names to mention (channel, vacancy …)
    channel_id: int | None = None  # link target: deliveries_behind(channel_id=…)
    vacancy_id: int | None = None  # link target: deliveries_behind(vacancy_id=…)
    campaign: str | None = None  # link target: deliveries_behind(campaign=CampaignRow.key)
    metric: Metric = Metric.PUBLISHED  # link target: which figure's posts


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the reports page shows for one period, and the previous period's headline figures."""

    period: Period  # the period reported
    totals: Totals  # headline figures of the period
    previous: Totals  # the same for period.previous()
    channels: tuple[ChannelRow, ...] = ()  # one row per channel, by network then name
    vacancies: tuple[VacancyRow, ...] = ()  # vacancies with any activity in the period
    campaigns: tuple[CampaignRow, ...] = ()  # campaigns with any activity in the period
    top_posts: tuple[TopPost, ...] = ()  # best deliveries first
    weeks: tuple[WeekPoint, ...] = ()  # trend buckets covering the period
    findings: tuple[Finding, ...] = ()  # only those with enough data
    currency: str = "EUR"  # the currency of every cost figure
    costs_other_currency: int = 0  # cost entries left out because they are in another currency

    @property
    def bot_clicks_excluded(self) -> int:
        """Return how many bot clicks the period's figures leave out."""
        return self.totals.bot_clicks

    @property
    def repeat_clicks_excluded(self) -> int:
        """Return how many repeat clicks the period's figures leave out."""
        return self.totals.repeat_clicks

    @property
    def metric_coverage(self) -> tuple[int, int]:
        """Return (deliveries reporting impressions, deliveries published) for "reported for n of m"."""
        return self.totals.metrics.impressions_reported, self.totals.metrics.posts


@dataclass(frozen=True, slots=True)
class BehindRow:
    """One delivery behind a figure, with its share of that figure."""

    delivery_id: int  # Delivery.id
    post_id: int  # Post.id
    channel_id: int  # Channel.id
    network: str  # Network value
    channel_name: str  # channel name
    excerpt: str  # the first characters of the post text
    published_at: datetime | None  # when it went out
    value: int | None  # its part of the figure (None: the network did not report it)


@dataclass(frozen=True, slots=True)
class Behind:
    """The deliveries that make up a figure, and the part of it that belongs to no delivery."""

    metric: Metric  # which figure
    rows: tuple[BehindRow, ...]  # deliveries, largest value first
    unlinked: int = 0  # e.g. applications via a channel but not via one of its posts
