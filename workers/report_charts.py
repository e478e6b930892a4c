"""The report's three charts, laid out from a Dashboard: trend per week, funnel, channel comparison."""

from __future__ import annotations

from babel.dates import format_date

from scheduler.clock import to_local
from scheduler.reporting.model import Dashboard, NetworkMetrics, Outcomes
from workers.chart_layout import PALETTE, Chart, Series, bar_panels, column_panels
from workers.report_words import Words

#: How a week's start date is written under its column.
WEEK_LABEL = {"de": "d.M.", "en": "MMM d"}


def _series(name: str, values: list[int | None], colour: str, words: Words) -> Series:
    return Series(name, tuple(values), colour, tuple(words.count(v) for v in values))


def trend_chart(dashboard: Dashboard, words: Words, tz_name: str) -> Chart:
    """Return human clicks, applications and leads per week of the period, one panel each."""
    weeks = dashboard.weeks
    labels = [format_date(to_local(w.start, tz_name).date(), WEEK_LABEL[words.lang], locale=words.lang)
              for w in weeks]
    series = [_series(words("Human clicks"), [w.human_clicks for w in weeks], PALETTE[0], words),
              _series(words("Applications"), [w.applications for w in weeks], PALETTE[1], words),
              _series(words("Leads"), [w.leads for w in weeks], PALETTE[2], words)]
    parts = "; ".join(f"{label}: {', '.join(f'{s.name} {s.shown[i]}' for s in series)}"
                      for i, label in enumerate(labels))
    desc = words("Per week from the start of the period (the week is labelled with its first day). %(weeks)s",
                 weeks=parts)
    return column_panels(labels, series, title=words("Trend per week"), desc=desc, unknown=words.unknown,
                         number=lambda v: words.count(v))


def funnel_chart(metrics: NetworkMetrics, outcomes: Outcomes, words: Words, title: str | None = None) -> Chart:
    """Return impressions → human clicks → applications → interviews → hires as bars on a logarithmic scale."""
    steps = [words("Impressions"), words("Human clicks"), words("Applications"), words("Interviews"), words("Hires")]
    values = [metrics.impressions, outcomes.human_clicks, outcomes.applications, outcomes.interviews, outcomes.hires]
    series = _series(words("Count"), values, PALETTE[0], words)
    parts = ", ".join(f"{step} {series.shown[i]}" for i, step in enumerate(steps))
    desc = words("Funnel: %(steps)s. Bar lengths on a logarithmic scale.", steps=parts)
    return bar_panels(steps, [series], title=title or words("Funnel"), desc=desc, unknown=words.unknown, log=True)


def channel_chart(dashboard: Dashboard, words: Words) -> Chart:
    """Return posts, human clicks, applications and leads per channel (channels with any activity)."""
    rows = [c for c in dashboard.channels if c.metrics.posts or c.outcomes.human_clicks or c.outcomes.applications
            or c.outcomes.leads]
    names = [f"{words.network(c.network)} · {c.name}" for c in rows]
    series = [_series(words("Posts published"), [c.metrics.posts for c in rows], PALETTE[3], words),
              _series(words("Human clicks"), [c.outcomes.human_clicks for c in rows], PALETTE[0], words),
              _series(words("Applications"), [c.outcomes.applications for c in rows], PALETTE[1], words),
              _series(words("Leads"), [c.outcomes.leads for c in rows], PALETTE[2], words)]
    parts = "; ".join(f"{name}: {', '.join(f'{s.name} {s.shown[i]}' for s in series)}"
                      for i, name in enumerate(names))
    desc = words("Channel comparison, each measure on its own scale. %(channels)s", channels=parts or "–")
    return bar_panels(names, series, title=words("Channel comparison"), desc=desc, unknown=words.unknown)
