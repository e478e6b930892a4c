"""Reconciliation bookkeeping: which unknown deliveries get checked, and what each answer does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import ReconciliationUnsupportedError, TransientError
from scheduler.lifecycle import DeliveryState
from scheduler.media import MediaSigner, MediaStore
from scheduler.models import Delivery, Media
from scheduler.ports import Receipt
from scheduler.publishing import MediaLinks
from scheduler.reconcile import (
    CHECK_LEASE,
    claim_checks,
    load_tasks,
    record_absent,
    record_check_failed,
    record_found,
)
from tests.factories import make_delivery, make_post

S = DeliveryState
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
MEDIA = MediaLinks(MediaStore(Path("/srv/postillon/media")),
                   MediaSigner("secret", "https://postillon.example", timedelta(hours=6)))
REASON = "The worker stopped answering while publishing, so Postillon cannot tell whether the post went out."


def _unknown(sessions: sessionmaker[Session], **values: object) -> int:
    with sessions.begin() as session:
        values.setdefault("reconcile_at", NOW - timedelta(seconds=1))
        return make_delivery(session, post=make_post(session, text="Wir suchen dich!", link="https://ex.at/j/1"),
                             state=S.UNKNOWN, claim_count=1, claimed_at=NOW - timedelta(minutes=3),
                             last_error_message=REASON, **values).id


def _get(sessions: sessionmaker[Session], delivery_id: int) -> Delivery:
    with sessions() as session:
        return session.get_one(Delivery, delivery_id)


def test_only_due_unknown_deliveries_are_claimed_and_each_once(sessions: sessionmaker[Session]) -> None:
    due = _unknown(sessions)
    _unknown(sessions, reconcile_at=NOW + timedelta(minutes=1))
    _unknown(sessions, reconcile_at=None)
    with sessions.begin() as session:
        make_delivery(session, state=S.FAILED, reconcile_at=NOW - timedelta(hours=1))
    with sessions.begin() as session:
        assert claim_checks(session, now=NOW) == [due]
    with sessions.begin() as session:
        assert claim_checks(session, now=NOW) == []
    assert _get(sessions, due).reconcile_at == NOW + CHECK_LEASE


def test_a_task_looks_for_the_rendered_text_since_shortly_before_the_claim(sessions: sessionmaker[Session]) -> None:
    delivery_id = _unknown(sessions)
    with sessions() as session:
        [task] = load_tasks(session, [delivery_id], media=MEDIA, now=NOW)
    assert task.content.text == "Wir suchen dich!\nhttps://ex.at/j/1"
    assert task.since < NOW - timedelta(minutes=3) and task.fence == 1


def test_a_task_carries_the_posts_images_like_the_publish_did(sessions: sessionmaker[Session]) -> None:
    delivery_id = _unknown(sessions)
    with sessions.begin() as session:
        post_id = session.get_one(Delivery, delivery_id).post_id
        media = Media(post_id=post_id, filename="team.jpg", mime_type="image/jpeg", size_bytes=2048, width=1080,
                      height=1080, sha256="d" * 64, storage_key="dd/" + "d" * 64 + ".jpg")
        session.add(media)
        session.flush()
        url = MEDIA.signer.url(media, NOW)
    with sessions() as session:
        [task] = load_tasks(session, [delivery_id], media=MEDIA, now=NOW)
    assert [(item.url, item.mime_type, item.width) for item in task.content.media] == [(url, "image/jpeg", 1080)]


def test_a_found_post_publishes_the_delivery(sessions: sessionmaker[Session]) -> None:
    delivery_id = _unknown(sessions)
    with sessions() as session:
        [task] = load_tasks(session, [delivery_id], media=MEDIA, now=NOW)
    with sessions.begin() as session:
        assert record_found(session, task, Receipt("77", "https://x.com/a/status/77"), now=NOW)
    delivery = _get(sessions, delivery_id)
    assert (delivery.state, delivery.external_id, delivery.last_error_message) == (S.PUBLISHED, "77", None)


def test_a_found_post_does_not_override_a_person_who_acted_meanwhile(sessions: sessionmaker[Session]) -> None:
    delivery_id = _unknown(sessions)
    with sessions() as session:
        [task] = load_tasks(session, [delivery_id], media=MEDIA, now=NOW)
    with sessions.begin() as session:
        session.get_one(Delivery, delivery_id).state = S.SCHEDULED  # "publish again" was clicked
    with sessions.begin() as session:
        assert not record_found(session, task, Receipt("77"), now=NOW)
    assert _get(sessions, delivery_id).state is S.SCHEDULED


def test_absence_and_failures_leave_a_note_that_replaces_the_previous_one(sessions: sessionmaker[Session]) -> None:
    delivery_id = _unknown(sessions)
    with sessions() as session:
        [task] = load_tasks(session, [delivery_id], media=MEDIA, now=NOW)
    with sessions.begin() as session:
        record_check_failed(session, task, TransientError("X is unavailable right now (503)"), now=NOW)
    failed = _get(sessions, delivery_id)
    assert failed.reconcile_at == NOW + CHECK_LEASE
    assert failed.last_error_message == f"{REASON} (Could not check X for the post: X is unavailable right now (503))"
    with sessions.begin() as session:
        record_absent(session, task, now=NOW)
    absent = _get(sessions, delivery_id)
    assert absent.state is S.UNKNOWN and absent.reconcile_at is None
    assert absent.last_error_message is not None
    assert absent.last_error_message.startswith(REASON + " (Checked X at 2026-11-30 08:00 UTC: no such post found")
    assert "Could not check" not in absent.last_error_message


def test_a_check_the_network_cannot_answer_is_not_repeated(sessions: sessionmaker[Session]) -> None:
    delivery_id = _unknown(sessions)
    with sessions() as session:
        [task] = load_tasks(session, [delivery_id], media=MEDIA, now=NOW)
    with sessions.begin() as session:
        record_check_failed(session, task, ReconciliationUnsupportedError("X reads are not available"), now=NOW)
    assert _get(sessions, delivery_id).reconcile_at is None
