""""Still hiring" re-posts: same local wall-clock time across DST, idempotent, stop when filled or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from adapters.textcount import weighted_length
from scheduler.clock import to_local
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, Delivery, Media, Post, PostKind, PostText, Vacancy, VacancyStatus
from scheduler.networks import Network
from scheduler.rendering import render_text
from scheduler.reposts import OPENERS, fit_x, plan_reposts, same_wall_clock
from scheduler.vacancies import set_status
from tests.factories import make_channel, make_delivery, make_post

S = DeliveryState
VIENNA = "Europe/Vienna"
URL = "https://karriere.acme.at/jobs/1"


def _setup(sessions: sessionmaker[Session], first_due: datetime, *, every: int = 7,
           valid_through: datetime | None = None, approval: ApprovalState = ApprovalState.NOT_REQUIRED,
           state: S = S.PUBLISHED, language: str = "de") -> tuple[int, int]:
    """An open vacancy with one job ad on a Vienna and a UTC channel; return (vacancy id, post id)."""
    with sessions.begin() as session:
        vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", repost_every_days=every, language=language,
                          valid_through=valid_through)
        session.add(vacancy)
        session.flush()
        post = make_post(session, text=f"Wir suchen: Koch (m/w/d) {URL}", link=URL, kind=PostKind.JOB_AD,
                         vacancy_id=vacancy.id, approval=approval, campaign="job-1-koch")
        for tz_name in (VIENNA, "UTC"):
            make_delivery(session, post=post, channel=make_channel(session, tz_name=tz_name), state=state,
                          due_at=first_due)
        return vacancy.id, post.id


def _reposts(sessions: sessionmaker[Session], vacancy_id: int) -> list[tuple[int, str, list[tuple[str, datetime]]]]:
    with sessions() as session:
        posts = session.scalars(select(Post).where(Post.vacancy_id == vacancy_id, Post.repost_number > 0)
                                .order_by(Post.repost_number))
        return [(p.repost_number, p.text, sorted((d.channel.tz_name, d.due_at) for d in p.deliveries))
                for p in posts]


def _local(value: datetime) -> str:
    return to_local(value, VIENNA).strftime("%Y-%m-%d %H:%M %Z")


def test_reposts_keep_nine_oclock_vienna_time_across_the_spring_change(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 3, 25, 8, 0, tzinfo=UTC)  # 09:00 CET
    vacancy_id, _ = _setup(sessions, first)
    with sessions.begin() as session:
        assert plan_reposts(session, first) == 1
    [(number, _text, dues)] = _reposts(sessions, vacancy_id)
    assert number == 1
    assert dues == [("Europe/Vienna", datetime(2026, 4, 1, 7, 0, tzinfo=UTC)),  # 09:00 CEST
                    ("UTC", datetime(2026, 4, 1, 8, 0, tzinfo=UTC))]
    assert _local(dues[0][1]) == "2026-04-01 09:00 CEST"
    with sessions.begin() as session:  # the re-post is out: the next one follows a week later
        session.execute(update(Delivery).values(state=S.PUBLISHED))
        assert plan_reposts(session, datetime(2026, 4, 1, 8, 0, tzinfo=UTC)) == 1
    assert _reposts(sessions, vacancy_id)[1][2][0] == ("Europe/Vienna", datetime(2026, 4, 8, 7, 0, tzinfo=UTC))


def test_reposts_keep_nine_oclock_vienna_time_across_the_autumn_change(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 10, 21, 7, 0, tzinfo=UTC)  # 09:00 CEST
    vacancy_id, _ = _setup(sessions, first)
    with sessions.begin() as session:
        assert plan_reposts(session, first + timedelta(hours=1)) == 1
    dues = _reposts(sessions, vacancy_id)[0][2]
    assert dues == [("Europe/Vienna", datetime(2026, 10, 28, 8, 0, tzinfo=UTC)),  # 09:00 CET
                    ("UTC", datetime(2026, 10, 28, 7, 0, tzinfo=UTC))]
    assert _local(dues[0][1]) == "2026-10-28 09:00 CET"


def test_a_time_skipped_by_the_spring_change_moves_forward_by_the_gap() -> None:
    before = datetime(2026, 3, 22, 1, 30, tzinfo=UTC)  # 02:30 CET
    moved = same_wall_clock(before, VIENNA, 7)  # 2026-03-29 02:30 does not exist in Vienna
    assert _local(moved) == "2026-03-29 03:30 CEST"


def test_running_it_twice_creates_nothing_new(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, _ = _setup(sessions, first)
    with sessions.begin() as session:
        assert plan_reposts(session, first) == 1
    with sessions.begin() as session:
        assert plan_reposts(session, first + timedelta(hours=1)) == 0
    assert [n for n, _, _ in _reposts(sessions, vacancy_id)] == [1]


def test_nothing_is_planned_before_the_last_ads_first_delivery_is_due(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, _ = _setup(sessions, first, state=S.SCHEDULED)
    with sessions.begin() as session:
        assert plan_reposts(session, first - timedelta(seconds=1)) == 0


@pytest.mark.parametrize(("approval", "state"), [
    (ApprovalState.DRAFT, S.DRAFT), (ApprovalState.PENDING, S.AWAITING_APPROVAL),
    (ApprovalState.CHANGES_REQUESTED, S.DRAFT), (ApprovalState.NOT_REQUIRED, S.CANCELLED),
    (ApprovalState.PENDING, S.SCHEDULED),
])
def test_unreleased_or_cancelled_ads_are_not_reposted(sessions: sessionmaker[Session], approval: ApprovalState,
                                                      state: S) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    _setup(sessions, first, approval=approval, state=state)
    with sessions.begin() as session:
        assert plan_reposts(session, first + timedelta(days=1)) == 0


def test_approved_ads_are_reposted_as_approved(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, _ = _setup(sessions, first, approval=ApprovalState.APPROVED, state=S.SCHEDULED)
    with sessions.begin() as session:
        assert plan_reposts(session, first) == 1
        repost = session.scalars(select(Post).where(Post.repost_number == 1)).one()
        assert repost.approval is ApprovalState.APPROVED
        assert {d.state for d in repost.deliveries} == {S.SCHEDULED}


def test_filling_the_vacancy_stops_reposts_and_cancels_the_planned_one(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, _ = _setup(sessions, first)
    with sessions.begin() as session:
        assert plan_reposts(session, first) == 1
        assert set_status(session, vacancy_id, VacancyStatus.FILLED, None, first) == 2
    with sessions.begin() as session:
        session.execute(update(Delivery).values(state=S.PUBLISHED))
        assert plan_reposts(session, first + timedelta(days=8)) == 0


def test_no_repost_on_or_after_valid_through(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, _ = _setup(sessions, first, valid_through=first + timedelta(days=7))  # the UTC channel's next due
    with sessions.begin() as session:
        assert plan_reposts(session, first) == 0
    expired, _ = _setup(sessions, first, valid_through=first + timedelta(hours=1))
    with sessions.begin() as session:
        assert plan_reposts(session, first + timedelta(hours=1)) == 0
    assert _reposts(sessions, vacancy_id) == [] and _reposts(sessions, expired) == []


def test_a_late_run_skips_to_the_next_future_date(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, _ = _setup(sessions, first)
    with sessions.begin() as session:
        assert plan_reposts(session, first + timedelta(days=10)) == 1
    assert _reposts(sessions, vacancy_id)[0][2][1] == ("UTC", first + timedelta(days=14))


def test_each_repost_opens_differently_and_keeps_link_campaign_and_images(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    vacancy_id, post_id = _setup(sessions, first, every=1, language="en")
    with sessions.begin() as session:
        session.add(Media(post_id=post_id, filename="team.jpg", mime_type="image/jpeg", size_bytes=10, width=1080,
                          height=1080, sha256="a" * 64, storage_key="aa/team.jpg"))
    for day in range(4):
        with sessions.begin() as session:
            session.execute(update(Delivery).values(state=S.PUBLISHED))
            assert plan_reposts(session, first + timedelta(days=day)) == 1
    with sessions() as session:
        reposts = list(session.scalars(select(Post).where(Post.repost_number > 0).order_by(Post.repost_number)))
        texts = [p.text.split("\n")[0] for p in reposts]
        assert all((p.link, p.campaign, p.vacancy_id) == (URL, "job-1-koch", vacancy_id) for p in reposts)
        assert all([m.storage_key for m in p.media] == ["aa/team.jpg"] for p in reposts)
    assert texts == list(OPENERS["en"])


def test_x_texts_are_shortened_to_fit_with_the_opener(sessions: sessionmaker[Session]) -> None:
    first = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    with sessions.begin() as session:
        vacancy = Vacancy(title="Koch", location="Wien", repost_every_days=7)
        session.add(vacancy)
        session.flush()
        post = make_post(session, text="x" * 250 + f" {URL} #Jobs", link=URL, kind=PostKind.JOB_AD,
                         vacancy_id=vacancy.id)
        make_delivery(session, post=post, channel=make_channel(session, network=Network.X), state=S.PUBLISHED,
                      due_at=first)
        assert plan_reposts(session, first) == 1
        override = session.scalars(select(PostText).where(PostText.network == Network.X)).one()
    assert override.text.startswith(OPENERS["de"][0]) and override.text.endswith(f"… {URL} #Jobs")
    assert weighted_length(render_text(override.text, URL, Network.X)) <= 280


def test_fit_x_keeps_short_texts_and_cuts_texts_without_a_link() -> None:
    assert fit_x("Kurz", None) == "Kurz"
    cut = fit_x("ü" * 400, None)
    assert weighted_length(cut) <= 280 and cut.endswith("…")
