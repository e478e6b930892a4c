"""Composing and scheduling posts; cancelling, re-publishing and resolving deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import CANCELLABLE, DeliveryState
from scheduler.models import AuditEvent, ChannelStatus, Delivery, Post, PostKind
from scheduler.networks import Network
from scheduler.ports import PostContent, Problem
from scheduler.posts import (
    DraftProblems,
    PostDraft,
    cancel_delivery,
    mark_published,
    publish_again,
    schedule_post,
)
from tests.factories import make_channel, make_delivery, make_user

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


@dataclass
class RecordingValidator:
    """A network validator that records its calls and returns scripted problems per network."""

    problems: dict[Network, list[Problem]] = field(default_factory=dict)
    calls: list[tuple[Network, PostContent]] = field(default_factory=list)

    def __call__(self, network: Network, content: PostContent) -> list[Problem]:
        self.calls.append((network, content))
        return list(self.problems.get(network, []))


def _channels(sessions: sessionmaker[Session], *specs: tuple[Network, ChannelStatus]) -> list[int]:
    with sessions.begin() as session:
        return [make_channel(session, network=network, status=status).id for network, status in specs]


def _author(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return make_user(session).id


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                     for model in (Post, Delivery, AuditEvent))


def _schedule(sessions: sessionmaker[Session], validator: RecordingValidator | None = None,
              **draft: Any) -> int:
    draft.setdefault("text", "Wir suchen eine Entwicklerin (m/w/d)")
    draft.setdefault("due_at", LATER)
    author_id = draft.pop("author_id", None)
    with sessions.begin() as session:
        post = schedule_post(session, PostDraft(**draft), author_id=author_id, now=NOW,
                             validate=validator or RecordingValidator())
        return post.id


def _problems(sessions: sessionmaker[Session], validator: RecordingValidator | None = None,
              **draft: Any) -> DraftProblems:
    before = _counts(sessions)
    with pytest.raises(DraftProblems) as caught:
        _schedule(sessions, validator, **draft)
    assert _counts(sessions) == before == (0, 0, 0)  # nothing was written
    return caught.value


def _codes(problems: DraftProblems) -> set[str]:
    return {p.code for p in problems.all()}


# --- schedule_post -------------------------------------------------------------------------------


def test_schedule_post_creates_one_scheduled_delivery_per_channel_in_utc(sessions: sessionmaker[Session]) -> None:
    x, linkedin = _channels(sessions, (Network.X, ChannelStatus.CONNECTED), (Network.LINKEDIN, ChannelStatus.CONNECTED))
    author = _author(sessions)
    due_vienna = datetime(2026, 5, 5, 13, 0, tzinfo=ZoneInfo("Europe/Vienna"))  # stored as UTC
    post_id = _schedule(sessions, text="  Neue Stelle  ", link="https://acme.example/jobs/7", campaign=" spring ",
                        kind=PostKind.JOB_AD, channel_ids=[x, linkedin], due_at=due_vienna, author_id=author)

    with sessions() as session:
        post = session.get_one(Post, post_id)
        assert (post.text, post.link, post.campaign, post.kind, post.author_id) == (
            "Neue Stelle", "https://acme.example/jobs/7", "spring", PostKind.JOB_AD, author)
        deliveries = session.scalars(select(Delivery).where(Delivery.post_id == post_id)).all()
    assert sorted(d.channel_id for d in deliveries) == [x, linkedin]
    for delivery in deliveries:
        assert delivery.state is S.SCHEDULED
        assert delivery.due_at == delivery.run_at == datetime(2026, 5, 5, 11, 0, tzinfo=UTC)
        assert delivery.due_at.tzinfo is UTC and delivery.run_at.tzinfo is UTC
        assert (delivery.attempts, delivery.claim_count, delivery.queue_seq) == (0, 0, 0)


def test_schedule_post_without_a_time_is_due_now(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    post_id = _schedule(sessions, channel_ids=[channel], due_at=None)
    with sessions() as session:
        assert session.scalars(select(Delivery.due_at).where(Delivery.post_id == post_id)).all() == [NOW]


def test_schedule_post_accepts_a_time_just_past_within_the_grace(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    _schedule(sessions, channel_ids=[channel], due_at=NOW - timedelta(minutes=4))
    assert _counts(sessions)[1] == 1


def test_schedule_post_accepts_a_link_without_text(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    validator = RecordingValidator()
    _schedule(sessions, validator, text="  ", link=" https://acme.example/ ", channel_ids=[channel])
    assert validator.calls[0][1].text == "https://acme.example/"


def test_schedule_post_writes_an_audit_event(sessions: sessionmaker[Session]) -> None:
    channels = _channels(sessions, (Network.X, ChannelStatus.CONNECTED), (Network.XING, ChannelStatus.CONNECTED))
    author = _author(sessions)
    post_id = _schedule(sessions, channel_ids=channels, author_id=author)
    with sessions() as session:
        (event,) = session.scalars(select(AuditEvent)).all()
    assert (event.user_id, event.action, event.subject) == (author, "post.scheduled", f"post:{post_id}")
    assert event.detail == "2 channel(s) at 2026-05-05T09:00Z"


def test_schedule_post_validates_the_rendered_text_for_each_channels_network(
    sessions: sessionmaker[Session],
) -> None:
    x, linkedin = _channels(sessions, (Network.X, ChannelStatus.CONNECTED), (Network.LINKEDIN, ChannelStatus.CONNECTED))
    validator = RecordingValidator()
    _schedule(sessions, validator, text="Hallo", link="https://acme.example/a", channel_ids=[x, linkedin])
    assert [network for network, _ in validator.calls] == [Network.X, Network.LINKEDIN]
    assert {content.text for _, content in validator.calls} == {"Hallo\nhttps://acme.example/a"}
    assert {content.link for _, content in validator.calls} == {"https://acme.example/a"}


def test_an_empty_post_is_refused(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    for text in ("", "   ", "\n\t"):
        problems = _problems(sessions, text=text, link=None, channel_ids=[channel])
        assert _codes(problems) == {"empty"}, text
        assert problems.general[0].field == "text"


def test_a_bad_link_is_refused(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    for link in ("acme.example/jobs", "ftp://acme.example/", "javascript:alert(1)", "https://acme.example/a b",
                 "https://"):
        assert _codes(_problems(sessions, link=link, channel_ids=[channel])) == {"bad_url"}, link


def test_a_time_in_the_past_is_refused(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    problems = _problems(sessions, channel_ids=[channel], due_at=NOW - timedelta(minutes=6))
    assert _codes(problems) == {"in_past"}


def test_a_post_without_channels_is_refused(sessions: sessionmaker[Session]) -> None:
    assert _codes(_problems(sessions, channel_ids=[])) == {"none"}


def test_an_unknown_channel_is_refused(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    assert _codes(_problems(sessions, channel_ids=[channel, 999_999])) == {"unknown"}


def test_a_disabled_channel_is_refused_without_asking_the_validator(sessions: sessionmaker[Session]) -> None:
    ok, disabled = _channels(sessions, (Network.X, ChannelStatus.CONNECTED), (Network.LINKEDIN, ChannelStatus.DISABLED))
    validator = RecordingValidator()
    problems = _problems(sessions, validator, channel_ids=[ok, disabled])
    assert list(problems.by_channel) == [disabled]
    assert problems.by_channel[disabled][0].code == "disabled"
    assert [network for network, _ in validator.calls] == [Network.X]


def test_validator_problems_are_reported_per_channel(sessions: sessionmaker[Session]) -> None:
    x, linkedin, x2 = _channels(sessions, (Network.X, ChannelStatus.CONNECTED),
                                (Network.LINKEDIN, ChannelStatus.CONNECTED), (Network.X, ChannelStatus.CONNECTED))
    too_long = Problem("text", "too_long", "The text is 312 characters long; X allows 280.")
    validator = RecordingValidator({Network.X: [too_long]})
    problems = _problems(sessions, validator, channel_ids=[x, linkedin, x2])
    assert problems.general == []
    assert problems.by_channel == {x: [too_long], x2: [too_long]}
    assert str(problems) == f"{too_long.message}; {too_long.message}"


def test_all_problems_are_reported_at_once(sessions: sessionmaker[Session]) -> None:
    problems = _problems(sessions, text="", link="nope", channel_ids=[], due_at=NOW - timedelta(days=1))
    assert [p.code for p in problems.general] == ["bad_url", "in_past", "none"]


def test_a_channel_chosen_twice_gets_one_delivery(sessions: sessionmaker[Session]) -> None:
    (channel,) = _channels(sessions, (Network.X, ChannelStatus.CONNECTED))
    _schedule(sessions, channel_ids=[channel, channel])
    assert _counts(sessions)[1] == 1


# --- cancel, publish again, mark published -------------------------------------------------------


def _delivery(sessions: sessionmaker[Session], state: DeliveryState, **values: Any) -> int:
    with sessions.begin() as session:
        return make_delivery(session, state=state, due_at=NOW, **values).id


def _state(sessions: sessionmaker[Session], delivery_id: int) -> DeliveryState:
    with sessions() as session:
        return session.get_one(Delivery, delivery_id).state


def _audit(sessions: sessionmaker[Session]) -> list[tuple[int | None, str, str, str]]:
    with sessions() as session:
        return [(e.user_id, e.action, e.subject, e.detail)
                for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize("state", sorted(CANCELLABLE))
def test_cancel_from_each_cancellable_state(sessions: sessionmaker[Session], state: DeliveryState) -> None:
    user = _author(sessions)
    delivery_id = _delivery(sessions, state)
    with sessions.begin() as session:
        assert cancel_delivery(session, delivery_id, user_id=user) is True
    assert _state(sessions, delivery_id) is S.CANCELLED
    assert _audit(sessions) == [(user, "delivery.cancelled", f"delivery:{delivery_id}", "")]


def test_cancel_is_refused_once_the_network_may_have_acted(sessions: sessionmaker[Session]) -> None:
    for state in (S.PUBLISHING, S.PUBLISHED, S.UNKNOWN, S.FAILED, S.CANCELLED):
        delivery_id = _delivery(sessions, state)
        with sessions.begin() as session:
            assert cancel_delivery(session, delivery_id, user_id=None) is False, state
        assert _state(sessions, delivery_id) is state
    assert _audit(sessions) == []


@pytest.mark.parametrize("state", [S.UNKNOWN, S.FAILED])
def test_publish_again_reschedules_now_with_a_fresh_budget(sessions: sessionmaker[Session],
                                                          state: DeliveryState) -> None:
    user = _author(sessions)
    delivery_id = _delivery(sessions, state, attempts=4, claim_count=4, last_error_kind="unknown",
                            last_error_message="The worker stopped answering")
    later = NOW + timedelta(hours=2)
    with sessions.begin() as session:
        assert publish_again(session, delivery_id, user_id=user, now=later) is True
    with sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
    assert (delivery.state, delivery.run_at, delivery.attempts) == (S.SCHEDULED, later, 0)
    assert delivery.due_at == NOW  # what the author asked for stays on record
    assert delivery.claim_count == 4  # the fence never goes back
    assert delivery.last_error_kind is None and delivery.last_error_message is None
    assert _audit(sessions) == [(user, "delivery.publish_again", f"delivery:{delivery_id}", "")]


def test_publish_again_is_refused_outside_failed_and_unknown(sessions: sessionmaker[Session]) -> None:
    for state in (S.PUBLISHED, S.PUBLISHING, S.SCHEDULED, S.CANCELLED):
        delivery_id = _delivery(sessions, state)
        with sessions.begin() as session:
            assert publish_again(session, delivery_id, user_id=None, now=NOW) is False, state
        assert _state(sessions, delivery_id) is state
    assert _audit(sessions) == []


def test_mark_published_resolves_an_unknown_delivery(sessions: sessionmaker[Session]) -> None:
    user = _author(sessions)
    delivery_id = _delivery(sessions, S.UNKNOWN, last_error_kind="unknown", last_error_message="timeout")
    url = "https://www.linkedin.com/feed/update/urn:li:share:1"
    with sessions.begin() as session:
        assert mark_published(session, delivery_id, user_id=user, url=url, now=NOW) is True
    with sessions() as session:
        delivery = session.get_one(Delivery, delivery_id)
    assert (delivery.state, delivery.external_url, delivery.published_at) == (S.PUBLISHED, url, NOW)
    assert delivery.last_error_kind is None and delivery.last_error_message is None
    assert _audit(sessions) == [(user, "delivery.marked_published", f"delivery:{delivery_id}", url)]


def test_mark_published_without_a_url(sessions: sessionmaker[Session]) -> None:
    delivery_id = _delivery(sessions, S.UNKNOWN)
    with sessions.begin() as session:
        assert mark_published(session, delivery_id, user_id=None, url="", now=NOW) is True
    with sessions() as session:
        assert session.get_one(Delivery, delivery_id).external_url is None


def test_mark_published_refuses_a_url_that_is_not_a_web_address(sessions: sessionmaker[Session]) -> None:
    delivery_id = _delivery(sessions, S.UNKNOWN)
    with pytest.raises(ValueError, match="https://"), sessions.begin() as session:
        mark_published(session, delivery_id, user_id=None, url="javascript:alert(1)", now=NOW)
    assert _state(sessions, delivery_id) is S.UNKNOWN
    assert _audit(sessions) == []


def test_mark_published_is_only_for_unknown_deliveries(sessions: sessionmaker[Session]) -> None:
    for state in (S.FAILED, S.PUBLISHING, S.SCHEDULED):
        delivery_id = _delivery(sessions, state)
        with sessions.begin() as session:
            assert mark_published(session, delivery_id, user_id=None, url="https://x.com/a/status/1",
                                  now=NOW) is False, state
        assert _state(sessions, delivery_id) is state
    assert _audit(sessions) == []
