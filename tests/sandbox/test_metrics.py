"""Synthetic metrics: deterministic per post, growing with age and saturating after about two days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.sandbox import metrics

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
POST_ID = "1895000000000000001"


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_same_post_and_age_give_the_same_numbers() -> None:
    assert metrics.public_metrics(POST_ID, T0, _at(5)) == metrics.public_metrics(POST_ID, T0, _at(5))


def test_a_new_post_has_nothing_yet() -> None:
    assert set(metrics.public_metrics(POST_ID, T0, T0).values()) == {0}


def test_metrics_never_shrink_and_level_off_after_two_days() -> None:
    series = [metrics.public_metrics(POST_ID, T0, _at(hours)) for hours in (0, 1, 6, 12, 24, 48, 96)]
    for earlier, later in zip(series, series[1:], strict=False):
        assert all(later[key] >= earlier[key] for key in earlier)
    assert series[-1]["impression_count"] > 0
    assert series[-2]["impression_count"] >= 0.98 * series[-1]["impression_count"]


def test_public_metrics_have_xs_keys() -> None:
    assert set(metrics.public_metrics(POST_ID, T0, _at(1))) == {
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "bookmark_count",
        "impression_count",
    }


def test_private_metrics_add_up_and_need_a_link_for_link_clicks() -> None:
    private = metrics.non_public_metrics(POST_ID, T0, _at(72), has_link=True)
    public = metrics.public_metrics(POST_ID, T0, _at(72))
    assert private["impression_count"] == public["impression_count"]
    assert private["url_link_clicks"] > 0
    assert private["engagements"] >= private["url_link_clicks"] + private["user_profile_clicks"]
    assert metrics.non_public_metrics(POST_ID, T0, _at(72), has_link=False)["url_link_clicks"] == 0
    organic = metrics.organic_metrics(POST_ID, T0, _at(72), has_link=True)
    assert organic["like_count"] == public["like_count"]


def test_different_posts_travel_differently() -> None:
    reaches = {metrics.profile(str(1895000000000000000 + n)).reach for n in range(20)}
    assert len(reaches) > 10
