"""The report's tables as CSV for spreadsheets: German Excel gets ``;`` and decimal commas, English ``,`` and points.

UTF-8 with a byte-order mark, because Excel reads CSV without one in the machine's legacy code page and
garbles umlauts. An unknown figure is an empty cell, never 0. Text cells that a spreadsheet would run as
a formula (starting with = + - @) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta

from scheduler.clock import to_local
from scheduler.reporting.model import Dashboard, NetworkMetrics, Outcomes
from web.i18n import _
from workers.report_words import Words

Cell = str | int | float | None
TABLES = ("channels", "vacancies", "campaigns", "top-posts", "weeks")


def _text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _money(cents: float | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 2)


def _funnel(m: NetworkMetrics, o: Outcomes) -> list[Cell]:
    return [m.posts, m.impressions, o.human_clicks, o.applications, o.interviews, o.hires, _money(o.cost_cents),
            _money(o.cost_per_application), _money(o.cost_per_hire)]


def channels(report: Dashboard, words: Words, tz_name: str) -> Iterator[list[Cell]]:
    """Yield the per-channel table, header first."""
    yield [_("Channel"), _("Network"), _("Posts published"), _("Impressions"), _("Posts reporting impressions"),
           _("Reactions"), _("Comments"), _("Shares"), _("Network clicks"), _("Engagement rate"), _("Human clicks"),
           _("CTR"), _("Applications"), _("Interviews"), _("Hires"), _("Leads"), _("Click → application"),
           _("Application → hire"), _("Cost (EUR)"), _("Cost per application (EUR)"), _("Bot clicks excluded"),
           _("Repeat clicks excluded")]
    for row in report.channels:
        m, o = row.metrics, row.outcomes
        yield [_text(row.name), words.network(row.network), m.posts, m.impressions, m.impressions_reported,
               m.reactions, m.comments, m.shares, m.clicks, m.engagement_rate, o.human_clicks, row.ctr,
               o.applications, o.interviews, o.hires, o.leads, o.click_to_application, o.application_to_hire,
               _money(o.cost_cents), _money(o.cost_per_application), row.bot_clicks, row.repeat_clicks]


def vacancies(report: Dashboard, words: Words, tz_name: str) -> Iterator[list[Cell]]:
    """Yield the per-vacancy funnel, one line per vacancy (channel empty) and one per channel of it."""
    yield [_("Vacancy"), _("Location"), _("Channel"), _("Posts published"), _("Impressions"), _("Human clicks"),
           _("Applications"), _("Interviews"), _("Hires"), _("Cost (EUR)"), _("Cost per application (EUR)"),
           _("Cost per hire (EUR)"), _("Time to first application (days)"), _("Time to hire (days)")]
    for row in report.vacancies:
        yield [_text(row.title), _text(row.location), "", *_funnel(row.metrics, row.outcomes),
               _days(row.time_to_first_application), _days(row.time_to_hire)]
        for part in row.by_channel:
            channel = (f"{words.network(part.network)} · {part.name}" if part.channel_id is not None
                       else _("not attributed to a channel"))
            yield [_text(row.title), _text(row.location), _text(channel), *_funnel(part.metrics, part.outcomes),
                   None, None]


def campaigns(report: Dashboard, words: Words, tz_name: str) -> Iterator[list[Cell]]:
    """Yield the per-campaign table, one line per campaign (channel empty) and one per channel of it."""
    yield [_("Campaign"), _("Channel"), _("Posts published"), _("Human clicks"), _("Leads"), _("Applications")]
    for row in report.campaigns:
        name = row.campaign or (_("Job ads: %(title)s", title=row.vacancy_title) if row.vacancy_id
                                else _("(no campaign)"))
        yield [_text(name), "", row.published, row.human_clicks, row.leads, row.applications]
        for part in row.by_channel:
            yield [_text(name), _text(f"{words.network(part.network)} · {part.name}"), part.published,
                   part.human_clicks, part.leads, part.applications]


def top_posts(report: Dashboard, words: Words, tz_name: str) -> Iterator[list[Cell]]:
    """Yield the top posts."""
    yield [_("Delivery"), _("Channel"), _("Published"), _("Post"), _("Impressions"), _("Human clicks"),
           _("Applications"), _("Leads")]
    for post in report.top_posts:
        when = to_local(post.published_at, tz_name).strftime("%Y-%m-%d %H:%M") if post.published_at else ""
        yield [post.delivery_id, _text(f"{words.network(post.network)} · {post.channel_name}"), when,
               _text(post.excerpt), post.impressions, post.human_clicks, post.applications, post.leads]


def weeks(report: Dashboard, words: Words, tz_name: str) -> Iterator[list[Cell]]:
    """Yield the trend per week (first and last local day of each bucket)."""
    yield [_("Week from"), _("Week to"), _("Posts published"), _("Human clicks"), _("Applications"), _("Leads")]
    for week in report.weeks:
        last = to_local(week.end, tz_name) - timedelta(microseconds=1)
        yield [to_local(week.start, tz_name).date().isoformat(), last.date().isoformat(), week.published,
               week.human_clicks, week.applications, week.leads]


BUILDERS: dict[str, Callable[[Dashboard, Words, str], Iterator[list[Cell]]]] = {
    "channels": channels, "vacancies": vacancies, "campaigns": campaigns, "top-posts": top_posts, "weeks": weeks}


def render(rows: Sequence[list[Cell]] | Iterator[list[Cell]], lang: str) -> bytes:
    """Return the rows as CSV bytes in the spreadsheet convention of ``lang``."""
    german = lang == "de"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if german else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else _number(cell, german) if isinstance(cell, float) else cell
                         for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number(value: float, german: bool) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if german else text
