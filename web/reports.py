"""Reports ("Social Media Controlling"): the dashboard for a period, and the posts behind every figure.

Exports (CSV, PDF), channel costs and digest subscriptions add their views to this blueprint from
web/report_exports.py, web/report_costs.py and web/report_digest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from scheduler.models import Channel, ClickLoss, Post, Role, Vacancy
from scheduler.reporting.model import Dashboard, Metric, Period
from scheduler.reporting.queries import dashboard, deliveries_behind
from web.auth import roles_required, user
from web.charts import svg
from web.db import get_session
from web.filters import user_tz
from web.i18n import _, current_locale
from web.report_figures import METRIC_LABELS, headlines, most_active
from web.report_format import Figures
from web.report_period import PRESETS, PeriodChoice, choose_period
from web.services import services
from workers.digest_schedule import REPORT_ROLES
from workers.report_charts import channel_chart, funnel_chart, trend_chart
from workers.report_texts import definitions, finding_sentence
from workers.report_words import Words

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Read the reports: managers and admins, recruiters and marketers (their own numbers), viewers (read everything).
READ_ROLES = REPORT_ROLES


@dataclass(frozen=True, slots=True)
class Filters:
    """Which figure a "posts behind" link narrows to."""

    metric: Metric
    channel_id: int | None = None
    vacancy_id: int | None = None
    campaign: str | None = None


def current_choice() -> PeriodChoice:
    """Return the period the request's query string chooses, in the user's time zone."""
    return choose_period(request.args, services().clock(), user_tz())


def behind_url(choice: PeriodChoice, metric: Metric | str, **filters: Any) -> str:
    """Return the address of the posts behind a figure of the chosen period."""
    return behind_links(choice)(metric, **filters)


def behind_links(choice: PeriodChoice) -> Callable[..., str]:
    """Return a function making "posts behind" addresses for the chosen period.

    The page has thousands of figures; building the path once and adding the query by hand is
    several times faster than ``url_for`` per figure.
    """
    path, period = url_for("reports.posts"), choice.args()

    def link(metric: Metric | str, **filters: Any) -> str:
        args = {**period, "metric": str(metric), **{k: v for k, v in filters.items() if v is not None}}
        return f"{path}?{urlencode(args)}"

    return link


def report_of(period: Period) -> Dashboard:
    """Return the dashboard of ``period`` from the request's database session."""
    return dashboard(get_session(), period, concurrent=True)  # a read-only request


def lost_clicks(period: Period) -> int:
    """Return how many redirects in the period's UTC days could not be recorded (Redis was unreachable)."""
    first = period.start.date().isoformat()
    last = (period.end - timedelta(microseconds=1)).date().isoformat()
    total = get_session().scalar(select(func.coalesce(func.sum(ClickLoss.lost), 0))
                                 .where(ClickLoss.day >= first, ClickLoss.day <= last))
    return int(total or 0)


@bp.get("")
@roles_required(*READ_ROLES)
def index() -> ResponseReturnValue:
    """Show the dashboard of the chosen period (a bad custom period shows the picker with the problem, 422)."""
    choice = current_choice()
    tz_name = user_tz()
    if choice.problems:
        return render_template("reports/index.html", choice=choice, presets=PRESETS, report=None, tz_name=tz_name,
                               can_load_demo=False), 422
    report = report_of(choice.period)
    words = Words(current_locale())
    findings = [(finding, finding_sentence(finding, words),
                 behind_url(choice, finding.metric, channel=finding.channel_id, vacancy=finding.vacancy_id,
                            campaign=finding.campaign)) for finding in report.findings]
    charts = {"trend": svg(trend_chart(report, words, tz_name), "trend"),
              "funnel": svg(funnel_chart(report.totals.metrics, report.totals.outcomes, words), "funnel"),
              "channels": svg(channel_chart(report, words), "channels")}
    show_all = request.args.get("all", "")
    vacancies = most_active(report.vacancies, lambda v: (v.outcomes.applications, v.outcomes.human_clicks,
                                                         v.metrics.posts), show_all == "vacancies")
    campaigns = most_active(report.campaigns, lambda c: (c.human_clicks, c.leads + c.applications, c.published),
                            show_all == "campaigns")
    vacancy_funnels = {row.vacancy_id: svg(funnel_chart(row.metrics, row.outcomes, words, row.title),
                                           f"funnel-v{row.vacancy_id}") for row in vacancies}
    empty = get_session().scalar(select(func.count(Post.id))) == 0
    return render_template("reports/index.html", choice=choice, presets=PRESETS, report=report, tz_name=tz_name,
                           fig=Figures(tz_name), headlines=headlines(report), findings=findings, charts=charts,
                           vacancies=vacancies, campaigns=campaigns, vacancy_funnels=vacancy_funnels,
                           definitions=definitions(words, tz_name), lost_clicks=lost_clicks(choice.period),
                           behind=behind_links(choice),
                           network_name=words.network, can_load_demo=empty and user().role is Role.ADMIN,
                           Metric=Metric)


def _filters() -> Filters | None:
    args = request.args
    try:
        metric = Metric(args.get("metric", Metric.PUBLISHED.value))
        channel_id = int(args["channel"]) if args.get("channel") else None
        vacancy_id = int(args["vacancy"]) if args.get("vacancy") else None
    except ValueError:
        return None
    return Filters(metric, channel_id, vacancy_id, args.get("campaign") or None)


@bp.get("/posts")
@roles_required(*READ_ROLES)
def posts() -> ResponseReturnValue:
    """List the deliveries behind one figure of the chosen period, each linking to its delivery page."""
    choice = current_choice()
    filters = _filters()
    if filters is None or choice.problems:
        return render_template("reports/posts.html", problem=_("This link names no figure of the report."),
                               choice=choice, behind=None, filters=None, fig=Figures(user_tz())), 400
    found = deliveries_behind(get_session(), choice.period, channel_id=filters.channel_id,
                              vacancy_id=filters.vacancy_id, campaign=filters.campaign, metric=filters.metric)
    fig = Figures(user_tz())
    return render_template("reports/posts.html", problem=None, choice=choice, behind=found, filters=filters,
                           fig=fig, back=url_for("reports.index", **choice.args()), network_name=fig.words.network,
                           metric_label=METRIC_LABELS[filters.metric], narrowed=_narrowed(filters, fig.words))


def _narrowed(filters: Filters, words: Words) -> str:
    """Return what a figure was narrowed to, in words ("Channel: LinkedIn · Jobs · Vacancy: Koch")."""
    db, parts = get_session(), []
    if filters.channel_id is not None:
        channel = db.get(Channel, filters.channel_id)
        parts.append(_("Channel: %(name)s", name=f"{words.network(channel.network)} · {channel.name}"
                       if channel else "?"))
    if filters.vacancy_id is not None:
        vacancy = db.get(Vacancy, filters.vacancy_id)
        parts.append(_("Vacancy: %(title)s", title=vacancy.title if vacancy else "?"))
    if filters.campaign is not None:
        key = filters.campaign
        name = key[2:] if key.startswith("c:") else _("(no campaign)") if key == "none" else _("job ads")
        parts.append(_("Campaign: %(name)s", name=name))
    return " · ".join(parts)


@bp.post("/demo")
@roles_required(Role.ADMIN)
def load_demo() -> ResponseReturnValue:
    """Fill an empty installation with the demo quarter (after a confirmation), then show its reports."""
    from scheduler.demo import generate_demo, has_posts  # only this rarely used view needs the generator

    db = get_session()
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that invented data may be added."), "error")
        return redirect(url_for("reports.index"), 303)
    if has_posts(db):
        flash(_("Demo data is only added to an installation without posts."), "error")
        return redirect(url_for("reports.index"), 303)
    generate_demo(db, now=services().clock())  # the default seed: the same quarter on every installation
    db.commit()
    flash(_("The demo quarter is loaded: posts, clicks, applications and leads of an invented company."), "success")
    return redirect(url_for("reports.index", preset="90d"), 303)

