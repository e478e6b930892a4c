"""Synthetic but plausible post metrics that grow with the post's age, deterministic per post id."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

# Most of a post's reach arrives in its first day; by 48 h the curve is at 99 %.
GROWTH_HOURS = 10.0


@dataclass(frozen=True, slots=True)
class Profile:
    """How far one post will travel and how people react to it (drawn once from its id)."""

    reach: int
    like_rate: float
    retweet_rate: float
    reply_rate: float
    quote_rate: float
    bookmark_rate: float
    link_click_rate: float
    profile_click_rate: float


def profile(post_id: str) -> Profile:
    """Return the post's fixed profile, seeded by its id so every call agrees."""
    rng = random.Random(int(post_id) if post_id.isdigit() else post_id)
    return Profile(
        reach=int(rng.lognormvariate(7.0, 0.8)),  # median ≈ 1,100 impressions
        like_rate=rng.uniform(0.008, 0.04),
        retweet_rate=rng.uniform(0.001, 0.008),
        reply_rate=rng.uniform(0.0005, 0.005),
        quote_rate=rng.uniform(0.0, 0.002),
        bookmark_rate=rng.uniform(0.0005, 0.004),
        link_click_rate=rng.uniform(0.004, 0.03),
        profile_click_rate=rng.uniform(0.002, 0.01),
    )


def impressions(post_id: str, created_at: datetime, now: datetime) -> int:
    """Return the impressions so far: a saturating curve over the post's age, never decreasing."""
    hours = max((now - created_at).total_seconds() / 3600.0, 0.0)
    return int(profile(post_id).reach * (1.0 - math.exp(-hours / GROWTH_HOURS)))


def public_metrics(post_id: str, created_at: datetime, now: datetime) -> dict[str, int]:
    """Return X's ``public_metrics`` for the post at ``now``."""
    seen, p = impressions(post_id, created_at, now), profile(post_id)
    return {
        "retweet_count": int(seen * p.retweet_rate),
        "reply_count": int(seen * p.reply_rate),
        "like_count": int(seen * p.like_rate),
        "quote_count": int(seen * p.quote_rate),
        "bookmark_count": int(seen * p.bookmark_rate),
        "impression_count": seen,
    }


def non_public_metrics(post_id: str, created_at: datetime, now: datetime, has_link: bool) -> dict[str, int]:
    """Return X's ``non_public_metrics`` (author-only) for the post at ``now``; no link, no link clicks."""
    public = public_metrics(post_id, created_at, now)
    seen, p = public["impression_count"], profile(post_id)
    link_clicks = int(seen * p.link_click_rate) if has_link else 0
    profile_clicks = int(seen * p.profile_click_rate)
    reactions = sum(public[key] for key in ("retweet_count", "reply_count", "like_count", "quote_count"))
    return {
        "impression_count": seen,
        "url_link_clicks": link_clicks,
        "user_profile_clicks": profile_clicks,
        "engagements": reactions + public["bookmark_count"] + link_clicks + profile_clicks,
    }


def organic_metrics(post_id: str, created_at: datetime, now: datetime, has_link: bool) -> dict[str, int]:
    """Return X's ``organic_metrics`` (author-only; the sandbox promotes nothing)."""
    public = public_metrics(post_id, created_at, now)
    private = non_public_metrics(post_id, created_at, now, has_link)
    return {
        "impression_count": public["impression_count"],
        "like_count": public["like_count"],
        "reply_count": public["reply_count"],
        "retweet_count": public["retweet_count"],
        "url_link_clicks": private["url_link_clicks"],
        "user_profile_clicks": private["user_profile_clicks"],
    }
