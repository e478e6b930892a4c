"""Tracked links: which links a delivery gets, their codes and UTM destinations, and how a code is looked up."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import DeliveryState
from scheduler.models import Click, PostKind, PostText, TrackedLink, Vacancy
from scheduler.networks import Network
from scheduler.tracking import (
    CODE,
    campaign_slug,
    drop_links,
    ensure_links,
    find_urls,
    is_own_url,
    link_target,
    short_link,
)
from scheduler.utm import with_utm
from tests.factories import make_channel, make_delivery, make_post

BASE = "https://postillon.acme.at"


def _urls(text: str) -> list[str]:
    return [text[start:end] for start, end in find_urls(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Bewirb dich: https://acme.at/jobs/7.", ["https://acme.at/jobs/7"]),
    ("(siehe https://acme.at/jobs/7)", ["https://acme.at/jobs/7"]),
    ("Wiki: https://de.wikipedia.org/wiki/Graz_(Stadt)!", ["https://de.wikipedia.org/wiki/Graz_(Stadt)"]),
    ("„https://acme.at/a?x=1&y=2#top“ und http://acme.at/b", ["https://acme.at/a?x=1&y=2#top", "http://acme.at/b"]),
    ("HTTPS://ACME.AT/X, ftp://acme.at/y, acme.at/z, https://", ["HTTPS://ACME.AT/X"]),
    ("<https://acme.at/jobs/7>", ["https://acme.at/jobs/7"]),
])
def test_links_are_found_without_the_sentence_punctuation_around_them(text: str, expected: list[str]) -> None:
    assert _urls(text) == expected


def test_postillons_own_short_links_and_image_urls_are_not_tracked_again() -> None:
    assert is_own_url(f"{BASE}/r/Ab3dEf7h")
    assert is_own_url(f"{BASE}/media/12/1767225600/{'a' * 32}.jpg")
    assert is_own_url("https://old-host.example/r/Ab3dEf7h")  # a short link from anywhere Postillon ran
    assert is_own_url(f"{BASE}/r/anything-here", BASE)
    assert not is_own_url(f"{BASE}/careers/7-koch", BASE)  # the careers pages are tracked: they take applications
    assert not is_own_url("https://acme.at/r/team", BASE)
    assert not is_own_url("https://acme.at/jobs/7", BASE)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://acme.at/jobs/7", "https://acme.at/jobs/7?utm_source=x&utm_content=d1"),
    ("https://acme.at/jobs?id=7&lang=de#apply", "https://acme.at/jobs?id=7&lang=de&utm_source=x&utm_content=d1#apply"),
    ("https://acme.at/jobs?q=K%C3%B6chin+Graz", "https://acme.at/jobs?q=K%C3%B6chin+Graz&utm_source=x&utm_content=d1"),
    ("https://acme.at/?UTM_SOURCE=newsletter", "https://acme.at/?UTM_SOURCE=newsletter&utm_content=d1"),
    ("https://acme.at?utm_source=x&utm_content=mine", "https://acme.at?utm_source=x&utm_content=mine"),
])
def test_utm_parameters_are_added_and_the_authors_own_parameters_kept_as_written(url: str, expected: str) -> None:
    assert with_utm(url, {"utm_source": "x", "utm_content": "d1"}) == expected


@pytest.mark.parametrize(("campaign", "kind", "vacancy", "expected"), [
    ("Sommerfest 2026 – Grüße!", PostKind.EVENT_PHOTOS, None, "sommerfest-2026-gruesse"),
    ("", PostKind.JOB_AD, (7, "Köchin (m/w/d)"), "job-7-koechin"),
    ("", PostKind.PRODUCT_NEWS, None, "product-news-42"),
    ("!!!", PostKind.EVENT_PHOTOS, None, "event-photos-42"),
])
def test_the_campaign_is_the_posts_campaign_else_the_vacancy_else_kind_and_post(
        campaign: str, kind: PostKind, vacancy: tuple[int, str] | None, expected: str) -> None:
    vacancy_id, title = vacancy or (None, "")
    assert campaign_slug(campaign, kind, 42, vacancy_id, title) == expected


def _links(session: Session, delivery_id: int) -> dict[str, TrackedLink]:
    found = session.scalars(select(TrackedLink).where(TrackedLink.delivery_id == delivery_id))
    return {row.original: row for row in found}


def test_every_link_of_every_delivery_gets_its_own_code_and_utm_destination(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        post = make_post(session, text="Neu: https://acme.at/produkt?v=2#daten und mehr.", link="https://acme.at/news",
                         campaign="Frühjahr 2026")
        on_x = make_delivery(session, post=post, channel=make_channel(session, network=Network.X))
        on_li = make_delivery(session, post=post, channel=make_channel(session, network=Network.LINKEDIN))
        assert ensure_links(session, [on_x.id, on_li.id]) == 4
        x_links, li_links = _links(session, on_x.id), _links(session, on_li.id)
    assert set(x_links) == set(li_links) == {"https://acme.at/produkt?v=2#daten", "https://acme.at/news"}
    codes = {link.code for link in [*x_links.values(), *li_links.values()]}
    assert len(codes) == 4 and all(CODE.fullmatch(code) for code in codes)
    destination = urlsplit(x_links["https://acme.at/produkt?v=2#daten"].destination)
    assert destination.fragment == "daten"
    assert dict(parse_qsl(destination.query)) == {"v": "2", "utm_source": "x", "utm_medium": "social",
                                                  "utm_campaign": "fruehjahr-2026", "utm_content": f"d{on_x.id}"}
    assert "utm_source=linkedin" in li_links["https://acme.at/news"].destination
    assert f"utm_content=d{on_li.id}" in li_links["https://acme.at/news"].destination


def test_ensuring_links_again_creates_none_and_keeps_the_codes(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, post=make_post(session, text="https://acme.at/a https://acme.at/a"))
        assert ensure_links(session, [delivery.id]) == 1  # the same link twice is one tracked link
        first = {link.code for link in _links(session, delivery.id).values()}
        assert ensure_links(session, [delivery.id]) == 0
        assert {link.code for link in _links(session, delivery.id).values()} == first


def test_a_networks_own_text_decides_which_links_that_delivery_tracks(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        post = make_post(session, text="Allgemein: https://acme.at/common")
        session.add(PostText(post_id=post.id, network=Network.LINKEDIN, text="Für LinkedIn: https://acme.at/li"))
        on_li = make_delivery(session, post=post, channel=make_channel(session, network=Network.LINKEDIN))
        on_x = make_delivery(session, post=post, channel=make_channel(session, network=Network.X))
        ensure_links(session, [on_li.id, on_x.id])
        assert set(_links(session, on_li.id)) == {"https://acme.at/li"}
        assert set(_links(session, on_x.id)) == {"https://acme.at/common"}


def test_drafts_own_links_and_overlong_links_get_no_tracked_link(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        draft = make_delivery(session, post=make_post(session, text="https://acme.at/a"), state=DeliveryState.DRAFT)
        long_url = "https://acme.at/" + "x" * 2100
        own = make_delivery(session, post=make_post(session, text=f"{BASE}/r/Ab3dEf7h {BASE}/r/promo {long_url}"))
        assert ensure_links(session, [draft.id, own.id], base_url=BASE) == 0


def test_a_code_leads_to_its_destination_and_unknown_or_malformed_codes_to_nothing(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, post=make_post(session, text="https://acme.at/a"))
        ensure_links(session, [delivery.id])
        link = session.scalars(select(TrackedLink)).one()
        target = link_target(session, link.code)
        assert target is not None
        assert (target.link_id, target.delivery_id, target.channel_id, target.destination) == \
            (link.id, delivery.id, delivery.channel_id, link.destination)
        for code in ("Zz9Zz9Zz", "short", "https://evil.example", "a" * 40, "Ab3d'--;"):
            assert link_target(session, code) is None
    assert short_link(BASE + "/", link.code) == f"{BASE}/r/{link.code}"


def test_dropping_a_deliverys_links_takes_their_clicks_along(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, post=make_post(session, text="https://acme.at/a"))
        ensure_links(session, [delivery.id])
        link = session.scalars(select(TrackedLink)).one()
        session.add(Click(link_id=link.id, delivery_id=delivery.id, channel_id=delivery.channel_id,
                          at=delivery.due_at))
        session.flush()
        drop_links(session, [delivery.id])
        assert session.scalar(select(func.count()).select_from(TrackedLink)) == 0
        assert session.scalar(select(func.count()).select_from(Click)) == 0


def test_a_job_ads_links_carry_the_vacancy_as_campaign(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy = Vacancy(title="Lohnverrechnung (m/w/d)", location="Graz")
        session.add(vacancy)
        session.flush()
        post = make_post(session, text="Wir suchen! https://acme.at/jobs/9", kind=PostKind.JOB_AD,
                         vacancy_id=vacancy.id)
        delivery = make_delivery(session, post=post, channel=make_channel(session, network=Network.XING))
        ensure_links(session, [delivery.id])
        (link,) = _links(session, delivery.id).values()
    query = dict(parse_qsl(urlsplit(link.destination).query))
    assert query["utm_campaign"] == f"job-{vacancy.id}-lohnverrechnung"
    assert query["utm_source"] == "xing"
