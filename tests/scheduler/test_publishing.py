"""Claiming deliveries for publishing, and recording what the network answered."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.dispatch import expire_leases
from scheduler.errors import (
    MAX_DETAIL,
    AuthExpiredError,
    OutcomeUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from scheduler.lifecycle import DeliveryState, backoff
from scheduler.media import MediaSigner, MediaStore
from scheduler.models import Attempt, Channel, ChannelStatus, Delivery, Media, TrackedLink
from scheduler.networks import Network
from scheduler.ports import Receipt
from scheduler.publishing import (
    FIRST_CHECK,
    Claim,
    MediaLinks,
    RetryPolicy,
    claim,
    describe,
    record_failure,
    record_pending,
    record_success,
)
from scheduler.transitions import move
from tests.factories import make_channel, make_delivery, make_post

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LEASE_S = 120.0
POLICY = RetryPolicy(max_attempts=3, base_s=30.0, cap_s=1800.0)
# media_items only computes file paths and URLs; nothing is read from this directory.
MEDIA = MediaLinks(MediaStore(Path("/srv/postillon/media")),
                   MediaSigner("secret", "https://postillon.example", timedelta(hours=6)))


def _queued(sessions: sessionmaker[Session], *, state: DeliveryState = S.QUEUED, **channel: Any) -> int:
    with sessions.begin() as session:
        ch = make_channel(session, network=Network.LINKEDIN, credentials="sealed-token", handle="acme", **channel)
        post = make_post(session, text="Wir suchen eine Entwicklerin", link="https://acme.example/jobs/1")
        return make_delivery(session, post=post, channel=ch, state=state, due_at=NOW).id


def _claim(sessions: sessionmaker[Session], ids: list[int], *, now: datetime = NOW,
           worker: str = "w1") -> list[Claim]:
    with sessions.begin() as session:
        return claim(session, ids, now=now, lease_s=LEASE_S, worker=worker, media=MEDIA)


def _claim_one(sessions: sessionmaker[Session], delivery_id: int, **kwargs: Any) -> Claim:
    (claimed,) = _claim(sessions, [delivery_id], **kwargs)
    return claimed


def _delivery(sessions: sessionmaker[Session], delivery_id: int) -> Delivery:
    with sessions() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery


def _attempts(sessions: sessionmaker[Session], delivery_id: int) -> list[Attempt]:
    with sessions() as session:
        return list(session.scalars(select(Attempt).where(Attempt.delivery_id == delivery_id).order_by(Attempt.id)))


def _channel(sessions: sessionmaker[Session], channel_id: int) -> Channel:
    with sessions() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        return channel


def _fail(sessions: sessionmaker[Session], claimed: Claim, error: BaseException, *, now: datetime = NOW,
          jitter: float = 0.5) -> DeliveryState | None:
    with sessions.begin() as session:
        return record_failure(session, claimed, error, now=now, policy=POLICY, jitter=jitter)


def _succeed(sessions: sessionmaker[Session], claimed: Claim, receipt: Receipt, *, now: datetime = NOW) -> bool:
    with sessions.begin() as session:
        return record_success(session, claimed, receipt, now=now)


# --- claim ---------------------------------------------------------------------------------------


def test_claim_moves_a_queued_delivery_to_publishing_and_logs_an_attempt(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id, worker="worker-7")

    delivery = _delivery(sessions, delivery_id)
    assert delivery.state is S.PUBLISHING
    assert delivery.claim_count == claimed.fence == 1
    assert delivery.claimed_at == NOW
    assert delivery.lease_until == NOW + timedelta(seconds=LEASE_S)
    assert delivery.attempts == 0  # spent when the outcome is recorded
    (attempt,) = _attempts(sessions, delivery_id)
    assert (attempt.id, attempt.number, attempt.started_at, attempt.worker) == (claimed.attempt_id, 1, NOW,
                                                                                "worker-7")
    assert attempt.finished_at is None and attempt.outcome is None


def test_claim_carries_everything_the_network_call_needs(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    assert claimed.delivery_id == delivery_id
    assert claimed.network is Network.LINKEDIN
    assert (claimed.sealed_credentials, claimed.handle) == ("sealed-token", "acme")
    assert claimed.content.delivery_id == delivery_id
    with sessions.begin() as session:  # the link goes out as its tracked short link
        code = session.scalars(select(TrackedLink.code).where(TrackedLink.delivery_id == delivery_id)).one()
    assert claimed.content.text == f"Wir suchen eine Entwicklerin\nhttps://postillon.example/r/{code}"
    assert claimed.content.link == f"https://postillon.example/r/{code}"
    assert claimed.content.media == ()  # a text post has no images


def _add_image(session: Session, post_id: int, position: int, sha: str) -> Media:
    media = Media(post_id=post_id, position=position, filename=f"{sha}.jpg", mime_type="image/jpeg",
                  size_bytes=1000 + position, width=1080, height=1350, sha256=sha * 64,
                  storage_key=f"{sha * 2}/{sha * 64}.jpg", alt_text=f"Bild {position}")
    session.add(media)
    session.flush()
    return media


def test_claim_hands_the_posts_images_to_the_adapter_in_order(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    with sessions.begin() as session:
        post_id = session.get_one(Delivery, delivery_id).post_id
        second, first = _add_image(session, post_id, 1, "b"), _add_image(session, post_id, 0, "a")
        _add_image(session, make_post(session).id, 0, "c")  # another post's image stays out
        expected = [MEDIA.signer.url(m, NOW) for m in (first, second)]
    claimed = _claim_one(sessions, delivery_id)
    assert [item.url for item in claimed.content.media] == expected
    assert expected[0].startswith("https://postillon.example/media/") and expected[0].endswith(".jpg")
    assert [item.alt_text for item in claimed.content.media] == ["Bild 0", "Bild 1"]
    assert claimed.content.media[0].path == "/srv/postillon/media/aa/" + "a" * 64 + ".jpg"
    assert (claimed.content.media[1].width, claimed.content.media[1].size_bytes) == (1080, 1001)


def test_claim_increments_the_fence_of_a_delivery_claimed_before(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    with sessions.begin() as session:
        session.get_one(Delivery, delivery_id).claim_count = 5
    assert _claim_one(sessions, delivery_id).fence == 6
    assert _attempts(sessions, delivery_id)[0].number == 6


def test_claim_takes_only_queued_deliveries(sessions: sessionmaker[Session]) -> None:
    others = {state: _queued(sessions, state=state) for state in S if state is not S.QUEUED}
    queued = _queued(sessions)
    assert [c.delivery_id for c in _claim(sessions, [*others.values(), queued])] == [queued]
    for state, delivery_id in others.items():
        delivery = _delivery(sessions, delivery_id)
        assert (delivery.state, delivery.claim_count) == (state, 0)
        assert _attempts(sessions, delivery_id) == []


def test_claim_of_a_batch_claims_the_queued_ones(sessions: sessionmaker[Session]) -> None:
    queued = [_queued(sessions) for _ in range(3)]
    cancelled = _queued(sessions, state=S.CANCELLED)
    claims = _claim(sessions, [*queued, cancelled, 999_999])
    assert sorted(c.delivery_id for c in claims) == sorted(queued)
    assert len({c.attempt_id for c in claims}) == 3


@pytest.mark.parametrize("status", [ChannelStatus.NEEDS_RECONNECT, ChannelStatus.DISABLED])
def test_claim_parks_deliveries_of_a_disconnected_channel_without_claiming(
    sessions: sessionmaker[Session], status: ChannelStatus
) -> None:
    delivery_id = _queued(sessions, status=status)
    assert _claim(sessions, [delivery_id]) == []
    delivery = _delivery(sessions, delivery_id)
    assert delivery.state is S.NEEDS_RECONNECT
    assert delivery.claim_count == 0 and delivery.attempts == 0
    assert delivery.last_error_kind == "channel_unavailable"
    expected = "enable it" if status is ChannelStatus.DISABLED else "reconnected"
    assert expected in (delivery.last_error_message or "")
    assert _attempts(sessions, delivery_id) == []


def test_claim_parks_deliveries_of_a_rate_limited_channel_until_the_limit(sessions: sessionmaker[Session]) -> None:
    until = NOW + timedelta(minutes=15)
    delivery_id = _queued(sessions, rate_limited_until=until)
    assert _claim(sessions, [delivery_id]) == []
    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.run_at) == (S.SCHEDULED, until)
    assert delivery.claim_count == 0 and delivery.attempts == 0
    assert _attempts(sessions, delivery_id) == []


def test_claim_ignores_a_rate_limit_that_has_passed(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions, rate_limited_until=NOW - timedelta(seconds=1))
    assert _claim_one(sessions, delivery_id).fence == 1


def test_a_second_claim_of_the_same_delivery_gets_nothing(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    first = _claim(sessions, [delivery_id], worker="a")
    second = _claim(sessions, [delivery_id], worker="b")
    assert [c.fence for c in first] == [1] and second == []
    assert _delivery(sessions, delivery_id).claim_count == 1
    assert [a.worker for a in _attempts(sessions, delivery_id)] == ["a"]


def test_concurrent_claims_of_the_same_deliveries_have_one_winner_each(sessions: sessionmaker[Session]) -> None:
    ids = [_queued(sessions) for _ in range(5)]
    start = threading.Barrier(4)
    results: dict[str, list[Claim]] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            results[name] = _claim(sessions, ids, worker=name)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    won = [c.delivery_id for claims in results.values() for c in claims]
    assert sorted(won) == sorted(ids)  # every delivery claimed exactly once
    for delivery_id in ids:
        assert len(_attempts(sessions, delivery_id)) == 1
        assert _delivery(sessions, delivery_id).claim_count == 1


# --- record_success ------------------------------------------------------------------------------


def test_success_with_the_current_fence_publishes(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    later = NOW + timedelta(seconds=3)
    assert _succeed(sessions, claimed, Receipt("urn:li:share:42", "https://lnkd.in/42"), now=later) is True

    delivery = _delivery(sessions, delivery_id)
    assert delivery.state is S.PUBLISHED
    assert (delivery.external_id, delivery.external_url) == ("urn:li:share:42", "https://lnkd.in/42")
    assert delivery.published_at == later
    assert delivery.attempts == 1
    assert delivery.lease_until is None
    (attempt,) = _attempts(sessions, delivery_id)
    assert (attempt.outcome, attempt.finished_at) == ("published", later)
    assert "urn:li:share:42" in attempt.detail


def test_success_with_a_stale_fence_does_not_publish(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    stale = _claim_one(sessions, delivery_id, worker="old")
    # The delivery was given up and claimed again by another worker (a newer fence).
    with sessions.begin() as session:
        assert move(session, delivery_id, S.PUBLISHING, S.RETRY_WAIT, fence=stale.fence)
        assert move(session, delivery_id, S.RETRY_WAIT, S.QUEUED)
    current = _claim_one(sessions, delivery_id, worker="new")
    assert current.fence == stale.fence + 1

    assert _succeed(sessions, stale, Receipt("old-1", None)) is False
    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.external_id, delivery.claim_count) == (S.PUBLISHING, None, current.fence)
    # The stale receipt is still on record, in the stale claim's own attempt.
    attempts = {a.worker: a for a in _attempts(sessions, delivery_id)}
    assert attempts["old"].outcome == "published" and "old-1" in attempts["old"].detail
    assert "adopted" not in attempts["old"].detail  # nothing was adopted: the log must not say so
    assert "claim lost" in attempts["old"].detail
    assert attempts["new"].outcome is None

    assert _succeed(sessions, current, Receipt("new-2", None)) is True
    assert _delivery(sessions, delivery_id).external_id == "new-2"


def test_a_late_receipt_is_adopted_after_the_lease_expired_to_unknown(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    with sessions.begin() as session:
        assert expire_leases(session, now=NOW + timedelta(seconds=LEASE_S + 1)) == [delivery_id]
    assert _delivery(sessions, delivery_id).state is S.UNKNOWN

    assert _succeed(sessions, claimed, Receipt("1790", "https://x.com/acme/status/1790")) is True
    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.external_id) == (S.PUBLISHED, "1790")
    assert delivery.last_error_kind is None and delivery.last_error_message is None
    (attempt,) = _attempts(sessions, delivery_id)
    assert attempt.outcome == "published" and "adopted" in attempt.detail


def test_a_late_receipt_does_not_override_a_persons_decision(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    with sessions.begin() as session:
        expire_leases(session, now=NOW + timedelta(seconds=LEASE_S + 1))
        assert move(session, delivery_id, S.UNKNOWN, S.FAILED)
    assert _succeed(sessions, claimed, Receipt("1790", None)) is False
    assert _delivery(sessions, delivery_id).state is S.FAILED
    assert "claim lost" in _attempts(sessions, delivery_id)[0].detail


# --- record_pending ------------------------------------------------------------------------------


def test_a_pending_receipt_moves_the_delivery_to_processing(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    receipt = Receipt("17890001", pending=True, pending_data={"container": "17890001", "caption": "Hallo"})
    assert _succeed(sessions, claimed, receipt) is True  # record_success hands pending receipts on

    delivery = _delivery(sessions, delivery_id)
    assert delivery.state is S.PROCESSING
    assert delivery.check_at == NOW + FIRST_CHECK and FIRST_CHECK <= timedelta(seconds=30)
    assert delivery.lease_until is None and delivery.attempts == 1
    assert delivery.external_id is None and delivery.published_at is None  # not live yet
    assert json.loads(delivery.pending_data or "") == {
        "external_id": "17890001", "url": None, "data": {"container": "17890001", "caption": "Hallo"}}
    (attempt,) = _attempts(sessions, delivery_id)
    assert (attempt.outcome, attempt.finished_at) == ("processing", NOW)
    assert "17890001" in attempt.detail


def test_a_pending_receipt_of_a_lost_claim_changes_nothing(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    with sessions.begin() as session:
        expire_leases(session, now=NOW + timedelta(seconds=LEASE_S + 1))
    with sessions.begin() as session:
        assert record_pending(session, claimed, Receipt("c1", pending=True), now=NOW) is False
    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.pending_data, delivery.check_at) == (S.UNKNOWN, None, None)
    (attempt,) = _attempts(sessions, delivery_id)
    assert attempt.outcome == "processing" and "claim lost" in attempt.detail


# --- record_failure ------------------------------------------------------------------------------


def test_a_transient_error_waits_for_a_retry_after_now(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    assert _fail(sessions, claimed, TransientError("503 Service Unavailable", status=503), jitter=0.0) is S.RETRY_WAIT

    delivery = _delivery(sessions, delivery_id)
    assert delivery.state is S.RETRY_WAIT
    assert delivery.run_at == NOW + backoff(1, base_s=30, cap_s=1800, jitter=0.0)
    assert delivery.run_at > NOW
    assert delivery.attempts == 1
    assert (delivery.last_error_kind, delivery.last_error_message) == ("transient", "503 Service Unavailable")
    assert delivery.lease_until is None
    (attempt,) = _attempts(sessions, delivery_id)
    assert (attempt.outcome, attempt.finished_at) == ("transient", NOW)


def test_transient_errors_give_up_after_max_attempts(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    now = NOW
    states = []
    for _ in range(POLICY.max_attempts):
        claimed = _claim_one(sessions, delivery_id, now=now)
        states.append(_fail(sessions, claimed, TransientError("connection refused"), now=now))
        delivery = _delivery(sessions, delivery_id)
        if delivery.state is S.RETRY_WAIT:
            assert delivery.run_at > now
            now = delivery.run_at
            with sessions.begin() as session:
                assert move(session, delivery_id, S.RETRY_WAIT, S.QUEUED)
    assert states == [S.RETRY_WAIT, S.RETRY_WAIT, S.FAILED]
    delivery = _delivery(sessions, delivery_id)
    assert delivery.state is S.FAILED and delivery.attempts == 3
    assert delivery.last_error_message == "Gave up after 3 attempts. Last error: connection refused"
    assert [a.outcome for a in _attempts(sessions, delivery_id)] == ["transient"] * 3


def test_a_rate_limit_reschedules_at_retry_at_without_spending_an_attempt(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    with sessions.begin() as session:
        session.get_one(Delivery, delivery_id).attempts = 2  # two transient failures earlier
    claimed = _claim_one(sessions, delivery_id)
    retry_at = NOW + timedelta(minutes=15)
    assert _fail(sessions, claimed, RateLimitedError("Too Many Requests", retry_at=retry_at)) is S.SCHEDULED

    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.run_at, delivery.attempts) == (S.SCHEDULED, retry_at, 2)
    assert delivery.last_error_kind == "rate_limited"
    assert _channel(sessions, claimed.channel_id).rate_limited_until == retry_at


def test_the_channels_other_deliveries_wait_for_the_rate_limit(sessions: sessionmaker[Session]) -> None:
    first = _queued(sessions)
    channel_id = _delivery(sessions, first).channel_id
    with sessions.begin() as session:
        channel = session.get_one(Channel, channel_id)
        sibling = make_delivery(session, channel=channel, state=S.QUEUED, due_at=NOW).id
    retry_at = NOW + timedelta(minutes=15)
    _fail(sessions, _claim_one(sessions, first), RateLimitedError("429", retry_at=retry_at))
    assert _claim(sessions, [sibling], now=NOW + timedelta(minutes=1)) == []
    assert (_delivery(sessions, sibling).state, _delivery(sessions, sibling).run_at) == (S.SCHEDULED, retry_at)


def test_auth_expired_parks_the_delivery_and_marks_the_channel(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    assert _fail(sessions, claimed, AuthExpiredError("Invalid access token", status=401)) is S.NEEDS_RECONNECT

    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.last_error_kind, delivery.attempts) == (S.NEEDS_RECONNECT, "auth_expired", 1)
    channel = _channel(sessions, claimed.channel_id)
    assert channel.status is ChannelStatus.NEEDS_RECONNECT
    assert channel.status_detail == "Invalid access token"


def test_auth_expired_leaves_a_disabled_channel_disabled(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    with sessions.begin() as session:
        session.get_one(Channel, claimed.channel_id).status = ChannelStatus.DISABLED
    _fail(sessions, claimed, AuthExpiredError("revoked"))
    assert _channel(sessions, claimed.channel_id).status is ChannelStatus.DISABLED


def test_a_rejection_fails_with_the_networks_message(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    error = RejectedError("Content is a duplicate", status=422, detail='{"code": "DUPLICATE_POST"}')
    assert _fail(sessions, claimed, error) is S.FAILED

    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.last_error_kind, delivery.attempts) == (S.FAILED, "rejected", 1)
    assert delivery.last_error_message == 'Content is a duplicate ({"code": "DUPLICATE_POST"})'
    assert _attempts(sessions, delivery_id)[0].outcome == "rejected"


@pytest.mark.parametrize(
    ("error", "kind", "message_part"),
    [
        (OutcomeUnknownError("Read timed out after the request was sent"), "unknown", "Read timed out"),
        (RuntimeError("segfault in the TLS library"), "unknown", "Unexpected RuntimeError"),
    ],
    ids=["OutcomeUnknownError", "RuntimeError"],
)
def test_an_unknown_outcome_is_never_retried(sessions: sessionmaker[Session], error: BaseException, kind: str,
                                             message_part: str) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    run_at_before = _delivery(sessions, delivery_id).run_at
    assert _fail(sessions, claimed, error) is S.UNKNOWN

    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.last_error_kind) == (S.UNKNOWN, kind)
    assert message_part in (delivery.last_error_message or "")
    assert delivery.run_at == run_at_before  # nothing tells the dispatcher to act again
    assert _attempts(sessions, delivery_id)[0].outcome == kind


def test_a_failure_with_a_stale_fence_changes_no_delivery(sessions: sessionmaker[Session]) -> None:
    delivery_id = _queued(sessions)
    claimed = _claim_one(sessions, delivery_id)
    with sessions.begin() as session:
        assert move(session, delivery_id, S.PUBLISHING, S.PUBLISHED, fence=claimed.fence, external_id="live")
    assert _fail(sessions, claimed, TransientError("503")) is None
    delivery = _delivery(sessions, delivery_id)
    assert (delivery.state, delivery.attempts, delivery.last_error_kind) == (S.PUBLISHED, 0, None)


# --- describe ------------------------------------------------------------------------------------


def test_describe_keeps_the_networks_words_once() -> None:
    assert describe(RejectedError("Too long", detail="Too long")) == ("rejected", "Too long")
    assert describe(RejectedError("Too long", detail="max 280")) == ("rejected", "Too long (max 280)")


def test_describe_truncates_long_messages() -> None:
    kind, message = describe(RejectedError("x" * 5000, detail="y" * 5000))
    assert kind == "rejected" and len(message) == 2000
    assert len(RejectedError("m", detail="d" * 5000).detail) == MAX_DETAIL


def test_describe_an_unexpected_exception_does_not_leak_its_text() -> None:
    kind, message = describe(ValueError("token=SECRET"))
    assert kind == "unknown" and "SECRET" not in message and "ValueError" in message


def test_no_attempt_row_is_left_open_after_any_outcome(sessions: sessionmaker[Session]) -> None:
    outcomes = [TransientError("x"), RejectedError("x"), OutcomeUnknownError("x"), AuthExpiredError("x")]
    for error in outcomes:
        _fail(sessions, _claim_one(sessions, _queued(sessions)), error)
    _succeed(sessions, _claim_one(sessions, _queued(sessions)), Receipt("1"))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.finished_at.is_(None))) == 0
        assert session.scalar(select(func.count()).select_from(Attempt)) == len(outcomes) + 1
