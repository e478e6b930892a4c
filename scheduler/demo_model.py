"""The demo's generative model, part 1: the posting plan, deliveries, network metrics and clicks (no database)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler.demo_data import (
    CAMPAIGNS,
    CAREERS,
    CHANNELS,
    EVENT_TEXTS,
    JOB_AD_TEXTS,
    NEWS_TEXTS,
    VACANCIES,
    WEBSITE,
    XING_CLICKS_PER_POST,
    salary_statement,
)
from scheduler.jobads_text import slug
from scheduler.models import PostKind
from scheduler.networks import Network

DAYS = 182  # two quarters: the last one in full, the one before for the comparison
SNAPSHOT_AGES = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7), timedelta(days=28))
#: Who fetches a link the moment it is posted, per network (link-preview bots).
PREVIEWERS = {Network.LINKEDIN: "LinkedInBot", Network.XING: "XING-contenttabreceiver",
              Network.FACEBOOK: "facebookexternalhit", Network.INSTAGRAM: "facebookexternalhit",
              Network.X: "Twitterbot"}
REFERRERS = {Network.LINKEDIN: "lnkd.in", Network.XING: "www.xing.com", Network.FACEBOOK: "l.facebook.com",
             Network.INSTAGRAM: "l.instagram.com", Network.X: "t.co"}
IN_APP = {Network.LINKEDIN: "LinkedIn", Network.FACEBOOK: "Facebook", Network.INSTAGRAM: "Instagram"}


@dataclass
class DemoPost:
    """A post of the demo; ``vacancy`` indexes VACANCIES."""

    kind: PostKind
    text: str
    link: str
    campaign: str
    vacancy: int | None
    repost_number: int
    created_at: datetime


@dataclass
class DemoDelivery:
    """A published delivery; ``post`` indexes the posts, ``channel`` CHANNELS."""

    post: int
    channel: int
    published_at: datetime
    reach: float  # impressions it will have reached after four weeks
    snapshots: list[tuple[datetime, dict[str, int | None]]] = field(default_factory=list)


@dataclass
class DemoClick:
    """One request to the delivery's tracked link; ``kind`` is human, repeat or bot."""

    delivery: int
    at: datetime
    kind: str
    bot_reason: str = ""
    browser: str = ""
    device: str = ""
    referrer_host: str = ""


def poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson count (normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def activity(start: datetime, at: datetime) -> float:
    """Return how active the firm is at ``at``: it grew into social recruiting over the two quarters."""
    return 0.6 + 0.4 * min(1.0, max(0.0, (at - start) / timedelta(days=DAYS)))


def publish_time(rng: random.Random, day: datetime) -> datetime:
    """Return a morning publishing time (06:00–10:59 UTC) on ``day``'s date."""
    return day.replace(hour=rng.randint(6, 10), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


def job_ad(rng: random.Random, vacancy: int, repost: int, at: datetime, campaign: str = "") -> DemoPost:
    """Return a job ad for VACANCIES[vacancy]."""
    spec = VACANCIES[vacancy]
    link = f"{CAREERS}/jobs/{slug(spec.title)}"
    text = rng.choice(JOB_AD_TEXTS).format(title=spec.title, location=spec.location, link=link,
                                           salary=salary_statement(spec))
    return DemoPost(PostKind.JOB_AD, text, link, campaign, vacancy, repost, at - timedelta(days=rng.randint(1, 4)))


def job_ad_channels(rng: random.Random, vacancy: int) -> list[int]:
    """Return the channels a job ad goes to: LinkedIn, XING, Facebook; Instagram and X sometimes."""
    wanted = [Network.LINKEDIN, Network.XING, Network.FACEBOOK]
    if "Lehrling" in VACANCIES[vacancy].title or rng.random() < 0.4:
        wanted.append(Network.INSTAGRAM)
    if rng.random() < 0.5:
        wanted.append(Network.X)
    return [i for i, spec in enumerate(CHANNELS) if spec.network in wanted]


def other_posts(rng: random.Random, start: datetime, now: datetime) -> list[tuple[DemoPost, datetime, list[int]]]:
    """Return product news, campaign and event posts with their publishing time and channels."""
    by_network = {spec.network: i for i, spec in enumerate(CHANNELS)}
    plan: list[tuple[DemoPost, datetime, list[int]]] = []
    day = start + timedelta(days=rng.randint(1, 5))
    while day < now - timedelta(days=1):  # product news every week or so
        at, n = publish_time(rng, day), len(plan)
        link = f"{WEBSITE}/news/{n + 1}"
        networks = [Network.LINKEDIN, Network.X, Network.FACEBOOK] + ([Network.XING] if rng.random() < 0.5 else [])
        plan.append((DemoPost(PostKind.PRODUCT_NEWS, rng.choice(NEWS_TEXTS).format(link=link), link, "", None, 0,
                              at - timedelta(days=2)), at, [by_network[x] for x in networks]))
        day += timedelta(days=rng.randint(6, 9))
    for event_day in range(20, DAYS, 28):  # event photos every four weeks
        at = publish_time(rng, start + timedelta(days=event_day + rng.randint(0, 3)))
        link = f"{WEBSITE}/aktuelles/{event_day}"
        plan.append((DemoPost(PostKind.EVENT_PHOTOS, rng.choice(EVENT_TEXTS).format(link=link), link, "", None, 0,
                              at - timedelta(days=1)), at,
                     [by_network[Network.INSTAGRAM], by_network[Network.FACEBOOK], by_network[Network.LINKEDIN]]))
    windows = {"Retrofit SmartLine": (100, 175), "Intertool 2026": (125, 160), "Lehrlingsoffensive": (115, 178)}
    for name, count, text in CAMPAIGNS:
        first, last = windows[name]
        link = f"{WEBSITE}/{slug(name)}"
        networks = {"Retrofit SmartLine": [Network.LINKEDIN, Network.XING, Network.X],
                    "Intertool 2026": [Network.LINKEDIN, Network.XING, Network.FACEBOOK, Network.X],
                    "Lehrlingsoffensive": [Network.INSTAGRAM, Network.FACEBOOK, Network.LINKEDIN]}[name]
        for k in range(count):
            at = publish_time(rng, start + timedelta(days=first + (last - first) * k // max(1, count - 1)))
            kind = PostKind.JOB_AD if name == "Lehrlingsoffensive" else PostKind.PRODUCT_NEWS
            vacancy = next(i for i, v in enumerate(VACANCIES) if "Lehrling" in v.title) if kind == PostKind.JOB_AD \
                else None
            plan.append((DemoPost(kind, text.format(link=link), link, name, vacancy, 0, at - timedelta(days=3)), at,
                         [by_network[x] for x in networks]))
    return [entry for entry in plan if entry[1] < now]


def deliver(rng: random.Random, index: int, post: int, channel: int, at: datetime, start: datetime, now: datetime,
            kind: PostKind, boost: float = 1.0) -> tuple[DemoDelivery, list[DemoClick]]:
    """Return delivery number ``index`` with its metric snapshots, and the clicks on its tracked link."""
    spec = CHANNELS[channel]
    reach = spec.reach * math.exp(rng.gauss(0.0, 0.45)) * activity(start, at)
    delivery = DemoDelivery(post, channel, at, reach)
    rates = {"reactions": rng.uniform(0.01, 0.035), "comments": rng.uniform(0.001, 0.004),
             "shares": rng.uniform(0.0005, 0.002), "clicks": spec.click_rate * rng.uniform(1.2, 1.8)}
    for age in SNAPSHOT_AGES:
        if at + age > now:
            break
        seen = reach * (1 - math.exp(-(age / timedelta(days=1.5))))
        values: dict[str, int | None] = {name: None for name in ("impressions", *rates)}
        for name in spec.reports:
            values[name] = round(seen) if name == "impressions" else round(seen * rates[name])
        if spec.reports and rng.random() < 0.05:
            values["impressions"] = None  # the API answered without impressions this time
        delivery.snapshots.append((at + age, values))
    kind_factor = {PostKind.JOB_AD: 1.2, PostKind.PRODUCT_NEWS: 1.0, PostKind.EVENT_PHOTOS: 0.5}[kind] * boost
    expected = (XING_CLICKS_PER_POST * math.exp(rng.gauss(0.0, 0.4)) * activity(start, at) if not spec.click_rate
                else reach * spec.click_rate)
    return delivery, _clicks(rng, index, spec.network, at, now, poisson(rng, expected * kind_factor))


def _clicks(rng: random.Random, delivery: int, network: Network, at: datetime, now: datetime,
            humans: int) -> list[DemoClick]:
    clicks = [DemoClick(delivery, at + timedelta(seconds=rng.uniform(1, 20)), "bot", "preview", "", "bot")
              for _ in range(rng.randint(1, 2))]
    for _ in range(humans):
        when = at + timedelta(days=rng.expovariate(1.0))
        mobile = rng.random() < 0.65
        browser = IN_APP.get(network, "Safari") if mobile else rng.choice(("Chrome", "Edge", "Firefox"))
        clicks.append(DemoClick(delivery, when, "human", "", browser, "mobile" if mobile else "desktop",
                                REFERRERS[network]))
        if rng.random() < 0.08:  # the same person again within the hour
            clicks.append(DemoClick(delivery, when + timedelta(minutes=rng.uniform(1, 55)), "repeat", "", browser,
                                    "mobile" if mobile else "desktop", REFERRERS[network]))
    for _ in range(poisson(rng, 1.5)):  # crawlers come by later
        clicks.append(DemoClick(delivery, at + timedelta(days=rng.uniform(0.1, 20)), "bot", "crawler", "", "bot"))
    return sorted((c for c in clicks if c.at < now), key=lambda c: c.at)
