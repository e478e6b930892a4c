"""The report page's figures: headline figures with their comparison, figure names, the most active rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from scheduler.reporting.model import Dashboard, Metric
from web.i18n import _
from web.i18n import lazy_gettext as _l

#: Vacancies and campaigns shown on the dashboard before "show all" (the CSV has every one).
MOST_ACTIVE = 15
T = TypeVar("T")
#: What each figure that links to its posts is called on the "posts behind" page.
METRIC_LABELS: dict[Metric, str] = {
    Metric.PUBLISHED: _l("Posts published"), Metric.IMPRESSIONS: _l("Impressions"),
    Metric.ENGAGEMENT: _l("Engagement (reactions, comments, shares, network clicks)"),
    Metric.CLICKS: _l("Human clicks"), Metric.BOT_CLICKS: _l("Bot clicks (excluded from every figure)"),
    Metric.APPLICATIONS: _l("Applications"), Metric.INTERVIEWS: _l("Interviews"), Metric.HIRES: _l("Hires"),
    Metric.LEADS: _l("Leads"),
}


@dataclass(frozen=True, slots=True)
class Headline:
    """One headline figure with the previous period's value; ``kind`` is count, percent or money."""

    label: str
    current: float | None
    previous: float | None
    kind: str = "count"
    metric: Metric | None = None  # the posts behind it (None: not a count of posts' outcomes)


def headlines(report: Dashboard) -> list[Headline]:
    """Return the headline figures of the report in reading order (output → outcome → outflow)."""
    now, before = report.totals, report.previous
    m, o, pm, po = now.metrics, now.outcomes, before.metrics, before.outcomes
    return [
        Headline(_("Posts published"), m.posts, pm.posts, metric=Metric.PUBLISHED),
        Headline(_("Impressions"), m.impressions, pm.impressions, metric=Metric.IMPRESSIONS),
        Headline(_("Engagement rate"), m.engagement_rate, pm.engagement_rate, "percent", Metric.ENGAGEMENT),
        Headline(_("Human clicks"), o.human_clicks, po.human_clicks, metric=Metric.CLICKS),
        Headline(_("Click-through rate"), now.ctr, before.ctr, "percent", Metric.CLICKS),
        Headline(_("Applications"), o.applications, po.applications, metric=Metric.APPLICATIONS),
        Headline(_("Interviews"), o.interviews, po.interviews, metric=Metric.INTERVIEWS),
        Headline(_("Hires"), o.hires, po.hires, metric=Metric.HIRES),
        Headline(_("Leads"), o.leads, po.leads, metric=Metric.LEADS),
        Headline(_("Cost"), o.cost_cents, po.cost_cents, "money"),
        Headline(_("Cost per application"), o.cost_per_application, po.cost_per_application, "money"),
    ]


def most_active(rows: Sequence[T], activity: Callable[[T], tuple[int, ...]], everything: bool) -> Sequence[T]:
    """Return the MOST_ACTIVE rows with the most activity (all of them when asked), most active first."""
    ranked = sorted(rows, key=activity, reverse=True)
    return ranked if everything else ranked[:MOST_ACTIVE]
