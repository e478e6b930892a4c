"""Processing deliveries (Instagram containers): which get checked, and what each answer does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler import reconcile
from scheduler.errors import AuthExpiredError, OutcomeUnknownError, RateLimitedError, RejectedError, TransientError
from scheduler.lifecycle import DeliveryState
from scheduler.metrics import first_collection
from scheduler.models import Attempt, Channel, ChannelStatus, Delivery
from scheduler.networks import Network
from scheduler.pending import (
    CHECK_LEASE,
    MAX_CHECK_INTERVAL,
    PENDING_DEADLINE,
    PendingCheck,
    claim_checks,
    load_checks,
    record_check,
)
from scheduler.ports import Receipt
from scheduler.publishing import FIRST_CHECK, RetryPolicy
from tests.factories import make_channel, make_delivery, make_post

S = DeliveryState
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ACCEPTED = NOW - timedelta(minutes=2)
POLICY = RetryPolicy(reconcile_after_s=30.0)
PENDING = json.dumps({"external_id": "17800000000001", "url": None,
                      "data": {"container": "17800000000001", "caption": "Hallo"}})


def _processing(sessions: sessionmaker[Session], **values: object) -> int:
    values.setdefault("check_at", NOW - timedelta(seconds=1))
    values.setdefault("claimed_at", ACCEPTED)
    with sessions.begin() as session:
        channel = make_channel(session, network=Network.INSTAGRAM, credentials="sealed", handle="acme")
        return make_delivery(session, post=make_post(session, text="Hallo"), channel=channel, state=S.PROCESSING,
                             claim_count=1, attempts=1, pending_data=PENDING, **values).id


def _get(sessions: sessionmaker[Session], delivery_id: int) -> Delivery:
    with sessions() as session:
        return session.get_one(Delivery, delivery_id)


def _check(sessions: sessionmaker[Session], delivery_id: int) -> PendingCheck:
    with sessions.begin() as session:
        claim_checks(session, now=NOW)
    with sessions() as session:
        [check] = load_checks(session, [delivery_id], now=NOW)
    return check


def _record(sessions: sessionmaker[Session], check: PendingCheck, outcome: Receipt | BaseException,
            now: datetime = NOW) -> DeliveryState | None:
    with sessions.begin() as session:
        return record_check(session, check, outcome, now=now, policy=POLICY, worker="w9")


def _attempts(sessions: sessionmaker[Session], delivery_id: int) -> list[Attempt]:
    with sessions() as session:
        return list(session.scalars(select(Attempt).where(Attempt.delivery_id == delivery_id)))


def test_only_due_processing_deliveries_are_claimed_and_each_once(sessions: sessionmaker[Session]) -> None:
    due = _processing(sessions)
    _processing(sessions, check_at=NOW + timedelta(seconds=5))
    with sessions.begin() as session:
        make_delivery(session, state=S.UNKNOWN, check_at=NOW - timedelta(hours=1))
    with sessions.begin() as session:
        assert claim_checks(session, now=NOW) == [due]
    with sessions.begin() as session:
        assert claim_checks(session, now=NOW) == []
    delivery = _get(sessions, due)
    assert delivery.check_at == NOW + CHECK_LEASE  # a lost job only delays the next look
    assert delivery.claim_count == 2  # a new fence per check


def test_a_check_carries_the_stored_pending_receipt(sessions: sessionmaker[Session]) -> None:
    check = _check(sessions, _processing(sessions))
    assert check.receipt == Receipt("17800000000001", pending=True,
                                    pending_data={"container": "17800000000001", "caption": "Hallo"})
    assert (check.network, check.fence, check.accepted_at) == (Network.INSTAGRAM, 2, ACCEPTED)


def test_a_published_receipt_publishes_and_logs_the_publish_step(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    check = _check(sessions, delivery_id)
    later = NOW + timedelta(seconds=2)
    receipt = Receipt("17900000000002", "https://www.instagram.com/p/abc/")
    assert _record(sessions, check, receipt, now=later) is S.PUBLISHED
    delivery = _get(sessions, delivery_id)
    assert (delivery.state, delivery.external_id, delivery.external_url) == (S.PUBLISHED, receipt.external_id,
                                                                             receipt.url)
    assert (delivery.published_at, delivery.metrics_due_at) == (later, first_collection(later))
    assert delivery.check_at is None and delivery.attempts == 1  # the publish attempt was counted once
    [attempt] = _attempts(sessions, delivery_id)
    assert (attempt.outcome, attempt.number, attempt.worker) == ("published", 2, "w9")
    assert (attempt.started_at, attempt.finished_at) == (NOW, later) and receipt.external_id in attempt.detail


def test_still_processing_looks_again_later_and_less_often_as_time_passes(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    check = _check(sessions, delivery_id)
    assert _record(sessions, check, check.receipt) is S.PROCESSING
    assert _get(sessions, delivery_id).check_at == NOW + timedelta(seconds=30)  # a quarter of 2 minutes
    young = _check(sessions, _processing(sessions, claimed_at=NOW - timedelta(seconds=5)))
    _record(sessions, young, young.receipt)
    assert _get(sessions, young.delivery_id).check_at == NOW + FIRST_CHECK
    old = _check(sessions, _processing(sessions, claimed_at=NOW - timedelta(hours=3)))
    _record(sessions, old, old.receipt)
    assert _get(sessions, old.delivery_id).check_at == NOW + MAX_CHECK_INTERVAL
    assert _attempts(sessions, delivery_id) == []  # a look that changes nothing is not an attempt


def test_a_container_still_processing_after_a_day_fails_in_plain_words(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions, claimed_at=NOW - PENDING_DEADLINE)
    check = _check(sessions, delivery_id)
    assert _record(sessions, check, TransientError("Instagram is unavailable")) is S.FAILED
    delivery = _get(sessions, delivery_id)
    assert delivery.last_error_kind == "expired" and delivery.check_at is None
    assert "did not finish processing the media within 24 hours" in (delivery.last_error_message or "")
    assert [a.outcome for a in _attempts(sessions, delivery_id)] == ["expired"]


def test_a_container_error_fails_with_the_networks_words(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    error = RejectedError("Instagram could not process the image (container status ERROR); publish the post again.")
    assert _record(sessions, _check(sessions, delivery_id), error) is S.FAILED
    delivery = _get(sessions, delivery_id)
    assert (delivery.last_error_kind, delivery.last_error_message) == ("rejected", error.message)
    assert [a.outcome for a in _attempts(sessions, delivery_id)] == ["rejected"]


def test_an_expired_token_parks_the_delivery_and_marks_the_channel(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    check = _check(sessions, delivery_id)
    assert _record(sessions, check, AuthExpiredError("Error validating access token", status=401)) \
        is S.NEEDS_RECONNECT
    with sessions() as session:
        channel = session.get_one(Channel, check.channel_id)
        assert (channel.status, channel.status_detail) == (ChannelStatus.NEEDS_RECONNECT,
                                                           "Error validating access token")
    assert _get(sessions, delivery_id).check_at is None


def test_a_rate_limit_looks_again_at_the_reset(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    check = _check(sessions, delivery_id)
    reset = NOW + timedelta(minutes=20)
    assert _record(sessions, check, RateLimitedError("Application request limit reached", retry_at=reset)) \
        is S.PROCESSING
    delivery = _get(sessions, delivery_id)
    assert (delivery.check_at, delivery.last_error_kind) == (reset, "rate_limited")
    with sessions() as session:
        assert session.get_one(Channel, check.channel_id).rate_limited_until == reset


def test_a_transient_error_stays_processing_with_a_note(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    assert _record(sessions, _check(sessions, delivery_id), TransientError("Instagram answered 503")) is S.PROCESSING
    delivery = _get(sessions, delivery_id)
    assert delivery.check_at == NOW + timedelta(seconds=30)
    assert (delivery.last_error_kind, delivery.last_error_message) == ("transient", "Instagram answered 503")
    check = _check(sessions, delivery_id)
    assert _record(sessions, check, check.receipt) is S.PROCESSING
    assert _get(sessions, delivery_id).last_error_message is None  # the network answered again
    _record(sessions, check, TransientError("Instagram answered 503"))
    assert _record(sessions, _check(sessions, delivery_id), Receipt("1", "u")) is S.PUBLISHED
    assert _get(sessions, delivery_id).last_error_message is None


@pytest.mark.parametrize("error", [OutcomeUnknownError("Read timed out"), RuntimeError("boom")],
                         ids=["OutcomeUnknownError", "RuntimeError"])
def test_an_unclear_publish_step_is_left_to_reconciliation(sessions: sessionmaker[Session],
                                                           error: BaseException) -> None:
    delivery_id = _processing(sessions)
    assert _record(sessions, _check(sessions, delivery_id), error) is S.UNKNOWN
    delivery = _get(sessions, delivery_id)
    assert delivery.reconcile_at == NOW + timedelta(seconds=30) and delivery.check_at is None
    assert [a.outcome for a in _attempts(sessions, delivery_id)] == ["unknown"]
    with sessions.begin() as session:
        assert reconcile.claim_checks(session, now=NOW + timedelta(seconds=31)) == [delivery_id]


def test_an_overtaken_check_changes_nothing(sessions: sessionmaker[Session]) -> None:
    delivery_id = _processing(sessions)
    stale = _check(sessions, delivery_id)
    with sessions.begin() as session:  # its lease ran out and a newer check was claimed
        assert claim_checks(session, now=NOW + CHECK_LEASE) == [delivery_id]
    assert _record(sessions, stale, stale.receipt) is None
    assert _record(sessions, stale, RejectedError("ERROR")) is None
    delivery = _get(sessions, delivery_id)
    assert (delivery.state, delivery.check_at) == (S.PROCESSING, NOW + 2 * CHECK_LEASE)
    [attempt] = _attempts(sessions, delivery_id)
    assert "overtaken" in attempt.detail
