"""The dashboard's tables built from the ledger: vacancy funnels, campaigns and top posts."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import Channel, Delivery, MetricSnapshot, Post, Vacancy
from scheduler.reporting.lookups import first_rows, hire_rows, outcome_rows
from scheduler.reporting.model import (
    CampaignChannelRow,
    CampaignRow,
    ChannelRow,
    FunnelRow,
    Period,
    TopPost,
    VacancyRow,
)
from scheduler.reporting.rollup import Ledger
from scheduler.reporting.sql import campaign_key, latest_snapshot_id

TOP_POSTS = 10
EXCERPT = 120  # characters of post text shown for a post


def excerpt(text: str) -> str:
    """Return the start of a post text on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def _median(spans: list[timedelta]) -> timedelta | None:
    """Return the median duration, None for none."""
    if not spans:
        return None
    seconds = statistics.median(span.total_seconds() for span in spans)
    return timedelta(seconds=seconds)


def vacancy_rows(session: Session, period: Period, ledger: Ledger,
                 channels: Sequence[ChannelRow]) -> tuple[VacancyRow, ...]:
    """Return the funnel of every vacancy with activity in the period, most applications first."""
    ids = {key[1] for key in ledger.of_kind("vacancy")}
    if not ids:
        return ()
    info = {row.id: row for row in session.execute(
        select(Vacancy.id, Vacancy.title, Vacancy.location, Vacancy.status).where(Vacancy.id.in_(ids)))}
    firsts = {row.vacancy_id: row for row in session.execute(first_rows(ids))}
    spans: defaultdict[int, list[timedelta]] = defaultdict(list)
    for row in session.execute(hire_rows(period)):
        spans[row.vacancy_id].append(row.hired_at - row.received_at)
    names = {c.channel_id: (c.network, c.name) for c in channels}
    funnels: defaultdict[int, list[FunnelRow]] = defaultdict(list)
    for key in ledger.of_kind("vch"):
        network, name = names.get(key[2], ("", ""))
        funnels[key[1]].append(FunnelRow(channel_id=key[2], network=network, name=name,
                                         metrics=ledger.metrics_of(key), outcomes=ledger.outcomes_of(key)))
    rows = []
    for vacancy_id in ids:
        vacancy, first = info[vacancy_id], firsts.get(vacancy_id)
        rows.append(VacancyRow(
            vacancy_id=vacancy_id, title=vacancy.title, location=vacancy.location, status=str(vacancy.status),
            metrics=ledger.metrics_of(("vacancy", vacancy_id)), outcomes=ledger.outcomes_of(("vacancy", vacancy_id)),
            by_channel=tuple(sorted(funnels[vacancy_id], key=lambda f: (f.channel_id is None, f.network, f.name))),
            first_published_at=first.first_published_at if first else None,
            first_application_at=first.first_application_at if first else None,
            time_to_hire=_median(spans[vacancy_id])))
    return tuple(sorted(rows, key=lambda r: (-r.outcomes.applications, -r.outcomes.human_clicks, r.title,
                                             r.vacancy_id)))


def campaign_rows(session: Session, ledger: Ledger, channels: Sequence[ChannelRow],
                  titles: dict[int, str]) -> tuple[CampaignRow, ...]:
    """Return every campaign with activity in the period, most human clicks first."""
    keys = {key[1] for key in ledger.of_kind("campaign")}
    vacancy_ids = {int(key[2:]) for key in keys if key.startswith("v:")} - set(titles)
    if vacancy_ids:
        titles = {**titles, **dict(session.execute(
            select(Vacancy.id, Vacancy.title).where(Vacancy.id.in_(vacancy_ids))).all())}
    order = {c.channel_id: i for i, c in enumerate(channels)}
    by_campaign: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for group in ledger.of_kind("cch"):
        by_campaign[group[1]].append(group)
    rows = []
    for key in keys:
        parts = []
        for group in sorted(by_campaign[key], key=lambda g: order.get(g[2], len(order))):
            channel, sums = channels[order[group[2]]], ledger.outcomes_of(group)
            parts.append(CampaignChannelRow(channel_id=channel.channel_id, network=channel.network,
                                            name=channel.name, published=ledger.metrics_of(group).posts,
                                            human_clicks=sums.human_clicks, leads=sums.leads,
                                            applications=sums.applications))
        vacancy_id = int(key[2:]) if key.startswith("v:") else None
        sums = ledger.outcomes_of(("campaign", key))
        rows.append(CampaignRow(key=key, campaign=key[2:] if key.startswith("c:") else "", vacancy_id=vacancy_id,
                                vacancy_title=titles.get(vacancy_id, "") if vacancy_id is not None else "",
                                published=ledger.metrics_of(("campaign", key)).posts,
                                human_clicks=sums.human_clicks, leads=sums.leads, applications=sums.applications,
                                by_channel=tuple(parts)))
    return tuple(sorted(rows, key=lambda r: (-r.human_clicks, -(r.leads + r.applications), r.key)))


def top_posts(session: Session, period: Period, candidates: dict[int, int],
              limit: int = TOP_POSTS) -> tuple[TopPost, ...]:
    """Return the deliveries with the most human clicks in the period, then the most leads + applications.

    ``candidates`` maps the deliveries ranked up to ``limit`` by human clicks (ties included) to their clicks.
    """
    outcomes = {row.delivery_id: (int(row.applications), int(row.leads))
                for row in session.execute(outcome_rows(period, candidates, limit))} if candidates else {}
    if len(candidates) < limit:  # every delivery with clicks is a candidate: the rest rank by outcomes alone
        for row in session.execute(outcome_rows(period, None, limit + len(candidates))):
            outcomes.setdefault(row.delivery_id, (int(row.applications), int(row.leads)))
    ranked = sorted(set(candidates) | set(outcomes),
                    key=lambda d: (-candidates.get(d, 0), -sum(outcomes.get(d, (0, 0))), d))[:limit]
    if not ranked:
        return ()
    details = {row.id: row for row in session.execute(
        select(Delivery.id, Delivery.post_id, Delivery.channel_id, Delivery.published_at, Delivery.external_url,
               Channel.network, Channel.name, Post.kind, Post.text, Post.campaign, Post.vacancy_id,
               MetricSnapshot.impressions)
        .join(Channel, Channel.id == Delivery.channel_id).join(Post, Post.id == Delivery.post_id)
        .outerjoin(MetricSnapshot, MetricSnapshot.id == latest_snapshot_id(Delivery.id))
        .where(Delivery.id.in_(ranked)))}
    posts = []
    for delivery_id in ranked:
        d, (applications, leads) = details[delivery_id], outcomes.get(delivery_id, (0, 0))
        posts.append(TopPost(
            delivery_id=d.id, post_id=d.post_id, channel_id=d.channel_id, network=str(d.network),
            channel_name=d.name, kind=str(d.kind), excerpt=excerpt(d.text), published_at=d.published_at,
            external_url=d.external_url, campaign_key=campaign_key(d.kind, d.campaign, d.vacancy_id),
            human_clicks=candidates.get(delivery_id, 0), applications=applications, leads=leads,
            impressions=d.impressions))
    return tuple(posts)
