"""Postillon's own explanations on deliveries in the reader's language; the network's words as they were."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from scheduler.dispatch import expire_leases
from scheduler.errors import TransientError
from scheduler.lifecycle import DeliveryState
from scheduler.media import MediaSigner, MediaStore
from scheduler.models import ChannelStatus, Delivery, Role, User
from scheduler.networks import Network
from scheduler.pending import PendingCheck, record_check
from scheduler.ports import PostContent, Receipt
from scheduler.publishing import MediaLinks, RetryPolicy, claim, describe, record_failure
from scheduler.reconcile import ReconcileTask, record_absent, record_check_failed
from tests.factories import make_channel, make_delivery
from tests.web.conftest import Browser, text_of
from web.delivery_texts import delivery_problem

S = DeliveryState
NOW = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST in Vienna
MEDIA = MediaLinks(MediaStore(Path("/srv/postillon/media")),
                   MediaSigner("secret", "https://postillon.example", timedelta(hours=6)))
LEASE_GERMAN = ("Der Worker hat beim Veröffentlichen nicht mehr geantwortet, daher weiß Postillon nicht, ob der "
                "Beitrag erschienen ist.")


@pytest.fixture
def german(app: Flask) -> Iterator[None]:
    """A request from an anonymous German browser (time zone: the default, Europe/Vienna)."""
    with app.test_request_context(headers={"Accept-Language": "de"}):
        yield


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    """A request from an anonymous English browser."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _stored(session: Session, delivery_id: int) -> tuple[str | None, str | None]:
    delivery = session.get_one(Delivery, delivery_id)
    session.refresh(delivery)
    return delivery.last_error_kind, delivery.last_error_message


def _parked(session: Session, status: ChannelStatus) -> tuple[str | None, str | None]:
    delivery = make_delivery(session, channel=make_channel(session, status=status), state=S.QUEUED, due_at=NOW)
    assert claim(session, [delivery.id], now=NOW, lease_s=60, worker="w", media=MEDIA) == []
    return _stored(session, delivery.id)


def _given_up(session: Session) -> tuple[str | None, str | None]:
    delivery = make_delivery(session, channel=make_channel(session), state=S.QUEUED, due_at=NOW)
    [claimed] = claim(session, [delivery.id], now=NOW, lease_s=60, worker="w", media=MEDIA)
    record_failure(session, claimed, TransientError("connection refused"), now=NOW,
                   policy=RetryPolicy(max_attempts=1), jitter=0.0)
    return _stored(session, delivery.id)


def _lease_expired(session: Session) -> tuple[int, tuple[str | None, str | None]]:
    delivery = make_delivery(session, state=S.PUBLISHING, due_at=NOW, lease_until=NOW - timedelta(minutes=1),
                             claim_count=1)
    assert expire_leases(session, now=NOW) == [delivery.id]
    return delivery.id, _stored(session, delivery.id)


def _expired_processing(session: Session) -> tuple[str | None, str | None]:
    channel = make_channel(session, network=Network.INSTAGRAM)
    delivery = make_delivery(session, channel=channel, state=S.PROCESSING, due_at=NOW, claim_count=1)
    check = PendingCheck(delivery.id, 1, channel.id, Network.INSTAGRAM, "", "", Receipt("c1", pending=True),
                         accepted_at=NOW - timedelta(hours=25), started_at=NOW)
    record_check(session, check, Receipt("c1", pending=True), now=NOW, policy=RetryPolicy())
    return _stored(session, delivery.id)


def _task(delivery_id: int) -> ReconcileTask:
    return ReconcileTask(delivery_id, Network.X, "", "acme", PostContent(delivery_id, "Hallo"), since=NOW, fence=1)


def test_parked_and_expired_deliveries_are_explained_in_german(german: None, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        assert delivery_problem(*_parked(session, ChannelStatus.DISABLED)) == \
            "Der Kanal ist deaktiviert; aktivieren Sie ihn, damit er veröffentlichen kann."
        assert delivery_problem(*_parked(session, ChannelStatus.NEEDS_RECONNECT)) == \
            "Der Kanal muss neu verbunden werden, bevor er veröffentlichen kann."
        assert delivery_problem(*_lease_expired(session)[1]).startswith(LEASE_GERMAN)
        assert delivery_problem(*_expired_processing(session)) == (
            "Instagram hat die Medien nicht innerhalb von 24 Stunden verarbeitet, daher sind sie dort verfallen. "
            "Veröffentlichen Sie den Beitrag erneut.")
        assert delivery_problem(*describe(RuntimeError("boom"))) == (
            "Unerwarteter Fehler RuntimeError beim Veröffentlichen; der Beitrag ist vielleicht online, vielleicht "
            "nicht. Prüfen Sie den Kanal, bevor Sie erneut veröffentlichen.")


def test_giving_up_is_explained_in_german_and_the_networks_words_stay(german: None,
                                                                     db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        assert delivery_problem(*_given_up(session)) == \
            "Nach 1 Versuchen aufgegeben. Letzter Fehler: connection refused"
    assert delivery_problem("rejected", "Content is a duplicate") == "Content is a duplicate"
    assert delivery_problem(None, None) == ""


def test_a_reconciliation_note_is_translated_with_the_time_in_the_readers_zone(
        german: None, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        delivery_id, _before = _lease_expired(session)
        record_absent(session, _task(delivery_id), now=NOW)
        absent = delivery_problem(*_stored(session, delivery_id))
        record_check_failed(session, _task(delivery_id), TransientError("503 Service Unavailable"), now=NOW)
        failed = delivery_problem(*_stored(session, delivery_id))
    assert absent.startswith(LEASE_GERMAN)
    assert absent.endswith("(X am 30.03.2026, 09:00 MESZ geprüft: Kein solcher Beitrag gefunden, erneutes "
                           "Veröffentlichen sollte also kein Duplikat erzeugen.)")
    assert failed.startswith(LEASE_GERMAN)
    assert failed.endswith("(X konnte nicht nach dem Beitrag durchsucht werden: 503 Service Unavailable)")
    assert "Checked" not in absent + failed


def test_english_readers_see_what_was_stored(english: None, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        stored = [_parked(session, ChannelStatus.DISABLED), _parked(session, ChannelStatus.NEEDS_RECONNECT),
                  _given_up(session), _lease_expired(session)[1], _expired_processing(session),
                  describe(RuntimeError("boom"))]
    assert [delivery_problem(kind, message) for kind, message in stored] == [message for _kind, message in stored]


def test_the_delivery_list_explains_a_parked_delivery_in_the_users_language(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        _parked(session, ChannelStatus.NEEDS_RECONNECT)
    login_as(Role.MARKETER, locale="de")
    page = text_of(browser.get("/deliveries?group=attention"))
    assert "Der Kanal muss neu verbunden werden, bevor er veröffentlichen kann." in page
    assert "needs to be reconnected" not in page
    rows = browser.get("/api/deliveries?group=attention").get_json()["rows"]
    assert [row["error"] for row in rows] == ["Der Kanal muss neu verbunden werden, bevor er veröffentlichen kann."]
