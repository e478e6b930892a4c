"""The demo's generative model, assembled: one seeded quarter (plus the one before) of a Styrian B2B firm."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler.demo_data import CHANNELS, VACANCIES
from scheduler.demo_model import (
    DAYS,
    DemoClick,
    DemoDelivery,
    DemoPost,
    deliver,
    job_ad,
    job_ad_channels,
    other_posts,
    publish_time,
)
from scheduler.demo_outcomes import (
    DemoApplication,
    DemoLead,
    applications_from_clicks,
    direct_applications,
    fill,
    leads_from_clicks,
    run_pipeline,
    website_leads,
)
from scheduler.models import PostKind
from scheduler.networks import Network

#: How much more a campaign's readers ask for a quote than readers of ordinary news.
LEAD_FACTOR = {"Retrofit SmartLine": 2.0, "Intertool 2026": 1.5, "": 1.0}
#: (network, vacancy title start or None, campaign, euros, note): what the firm paid for reach.
COSTS = ((Network.LINKEDIN, "Konstrukteur", "", 420, "Sponsored Job"),
         (Network.LINKEDIN, "Vertriebsingenieur", "", 380, "Sponsored Job"),
         (Network.XING, "CNC-Fräser", "", 549, "XING Stellenanzeige Standard"),
         (Network.INSTAGRAM, "Lehrling", "", 150, "Beitrag beworben"),
         (Network.FACEBOOK, "Schweißer", "", 120, "Beitrag beworben"),
         (Network.LINKEDIN, None, "Intertool 2026", 300, "Sponsored Content"))


@dataclass
class DemoCost:
    """An entered channel cost."""

    channel: int
    vacancy: int | None
    campaign: str
    amount_cents: int
    spent_at: datetime
    note: str


@dataclass
class DemoWorld:
    """Everything the demo inserts, with indexes between the lists instead of database ids."""

    seed: int
    now: datetime
    start: datetime
    posts: list[DemoPost] = field(default_factory=list)
    deliveries: list[DemoDelivery] = field(default_factory=list)
    clicks: list[DemoClick] = field(default_factory=list)
    applications: list[DemoApplication] = field(default_factory=list)
    leads: list[DemoLead] = field(default_factory=list)
    costs: list[DemoCost] = field(default_factory=list)
    opened: dict[int, datetime] = field(default_factory=dict)  # vacancy → first day it was advertised
    filled: dict[int, datetime] = field(default_factory=dict)  # vacancy → when its last wanted hire started

    def publish(self, rng: random.Random, post: DemoPost, at: datetime, channels: Sequence[int],
                boost: float = 1.0) -> list[tuple[int, list[DemoClick]]]:
        """Add a post and its deliveries; return (delivery index, its clicks) for each."""
        self.posts.append(post)
        made = []
        for channel in channels:
            index = len(self.deliveries)
            delivery, clicks = deliver(rng, index, len(self.posts) - 1, channel, at, self.start, self.now,
                                       post.kind, boost)
            self.deliveries.append(delivery)
            self.clicks += clicks
            made.append((index, clicks))
        return made


def build_world(seed: int, now: datetime) -> DemoWorld:
    """Generate the demo from ``random.Random(seed)`` and ``now`` alone."""
    rng = random.Random(seed)
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    world = DemoWorld(seed=seed, now=now, start=start)
    for vacancy in range(len(VACANCIES)):
        _advertise(rng, world, vacancy)
    for post, at, channels in other_posts(rng, start, now):
        factor = LEAD_FACTOR.get(post.campaign, 1.0) * (0.3 if post.kind == PostKind.EVENT_PHOTOS else 1.0)
        for index, clicks in world.publish(rng, post, at, channels):
            channel = world.deliveries[index].channel
            if post.vacancy is not None:
                apps = applications_from_clicks(rng, post.vacancy, index, channel, clicks, now,
                                                len(world.applications))
                for app in apps:
                    run_pipeline(rng, app, now)
                world.applications += apps
            else:
                world.leads += leads_from_clicks(rng, index, channel, clicks, factor, now, len(world.leads))
    world.leads += website_leads(rng, start, now, len(world.leads))
    for vacancy, spec in enumerate(VACANCIES):
        filled = fill([a for a in world.applications if a.vacancy == vacancy], spec.hires)
        if filled is not None:
            world.filled[vacancy] = filled
    world.costs = _costs(world)
    return world


def _advertise(rng: random.Random, world: DemoWorld, vacancy: int) -> None:
    """Post job ads for a vacancy every two to three weeks until it is filled or the data ends."""
    opened = world.start + timedelta(days=rng.randint(0, 150))
    world.opened[vacancy] = opened
    spec, day, repost = VACANCIES[vacancy], opened, 0
    apps: list[DemoApplication] = []
    # The long form of this vacancy: many people click, nobody applies (a finding points at it).
    boost = 1.8 if spec.appeal == 0 else 1.0
    while day < world.now - timedelta(days=1):
        at = publish_time(rng, day)
        for index, clicks in world.publish(rng, job_ad(rng, vacancy, repost, at), at, job_ad_channels(rng, vacancy),
                                           boost):
            new = applications_from_clicks(rng, vacancy, index, world.deliveries[index].channel, clicks,
                                           world.now, len(world.applications) + len(apps))
            for app in new:
                run_pipeline(rng, app, world.now)
            apps += new
        hires = sorted(a.hired_at for a in apps if a.hired_at is not None)
        if len(hires) >= spec.hires and hires[spec.hires - 1] <= day:
            break
        day += timedelta(days=rng.randint(12, 21))
        repost += 1
    direct = direct_applications(rng, vacancy, opened, world.now, len(world.applications) + len(apps))
    for app in direct:
        run_pipeline(rng, app, world.now)
    world.applications += apps + direct


def _costs(world: DemoWorld) -> list[DemoCost]:
    """Return the entered costs, each dated at the first matching post of the last quarter."""
    recent = world.now - timedelta(days=90)
    costs = []
    for network, title, campaign, euros, note in COSTS:
        channel = next(i for i, spec in enumerate(CHANNELS) if spec.network == network)
        vacancy = next((i for i, v in enumerate(VACANCIES) if title and v.title.startswith(title)), None)
        dates = [d.published_at for d in world.deliveries
                 if d.channel == channel and d.published_at >= recent
                 and ((vacancy is not None and world.posts[d.post].vacancy == vacancy)
                      or (campaign and world.posts[d.post].campaign == campaign))]
        if dates:
            costs.append(DemoCost(channel, vacancy, campaign, euros * 100, min(dates), note))
    return costs
