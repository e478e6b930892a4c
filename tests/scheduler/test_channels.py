"""Channels: connecting accounts, reconnecting (which resumes waiting deliveries), disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels import (
    AccountMismatchError,
    add_channel,
    connect_account,
    reconnect_channel,
    set_disabled,
    token_expiry,
)
from scheduler.crypto import CredentialBox
from scheduler.lifecycle import DeliveryState
from scheduler.models import AuditEvent, Channel, ChannelStatus, Delivery
from scheduler.networks import Network
from scheduler.ports import ConnectedAccount, Credentials
from tests.factories import make_channel, make_delivery

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
BOX = CredentialBox([CredentialBox.new_key()])


def _account(token: str = "token-1", account_id: str = "1790", handle: str = "@acme") -> ConnectedAccount:
    return ConnectedAccount(account_id=account_id, name="ACME GmbH", handle=handle,
                            credentials=Credentials(access_token=token, account_id=account_id))


def _channel(sessions: sessionmaker[Session], channel_id: int) -> Channel:
    with sessions() as session:
        return session.get_one(Channel, channel_id)


def _audit(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        return [(e.action, e.subject, e.detail) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_add_channel_stores_the_account_with_sealed_credentials(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel_id = add_channel(session, BOX, Network.X, _account(), user_id=None, tz_name="Europe/Berlin").id
    channel = _channel(sessions, channel_id)
    assert (channel.network, channel.account_id, channel.name, channel.handle, channel.tz_name) == (
        Network.X, "1790", "ACME GmbH", "@acme", "Europe/Berlin")
    assert channel.status is ChannelStatus.CONNECTED
    assert "token-1" not in channel.credentials
    assert BOX.open(channel.credentials).access_token == "token-1"
    assert _audit(sessions) == [("channel.connected", f"channel:{channel_id}", "x @acme")]


def test_adding_the_same_account_again_refreshes_the_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = add_channel(session, BOX, Network.X, _account(), user_id=None).id
    with sessions.begin() as session:
        session.get_one(Channel, first).status = ChannelStatus.NEEDS_RECONNECT
    with sessions.begin() as session:
        again = add_channel(session, BOX, Network.X, _account("token-2", handle="@acme_new"), user_id=None).id
    assert again == first
    channel = _channel(sessions, first)
    assert (channel.status, channel.handle) == (ChannelStatus.CONNECTED, "@acme_new")
    assert BOX.open(channel.credentials).access_token == "token-2"


def test_the_same_account_id_on_another_network_is_another_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        x = add_channel(session, BOX, Network.X, _account(), user_id=None).id
        linkedin = add_channel(session, BOX, Network.LINKEDIN, _account(), user_id=None).id
    assert x != linkedin


def test_reconnect_resumes_deliveries_waiting_for_it(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, status=ChannelStatus.NEEDS_RECONNECT, status_detail="401 Unauthorized",
                               rate_limited_until=NOW + timedelta(hours=1), credentials=BOX.seal(Credentials("old")))
        other = make_channel(session, status=ChannelStatus.NEEDS_RECONNECT)
        waiting = [make_delivery(session, channel=channel, state=S.NEEDS_RECONNECT, due_at=NOW - timedelta(hours=2),
                                 last_error_kind="auth_expired", last_error_message="reconnect").id for _ in range(2)]
        failed = make_delivery(session, channel=channel, state=S.FAILED, due_at=NOW).id
        scheduled = make_delivery(session, channel=channel, state=S.SCHEDULED, due_at=NOW + timedelta(days=1)).id
        elsewhere = make_delivery(session, channel=other, state=S.NEEDS_RECONNECT, due_at=NOW).id
        channel_id = channel.id

    with sessions.begin() as session:
        assert reconnect_channel(session, BOX, channel_id, _account("fresh"), user_id=None, now=NOW) == 2

    with sessions() as session:
        for delivery_id in waiting:
            delivery = session.get_one(Delivery, delivery_id)
            assert (delivery.state, delivery.run_at) == (S.SCHEDULED, NOW)
            assert delivery.due_at == NOW - timedelta(hours=2)
            assert delivery.last_error_kind is None and delivery.last_error_message is None
        assert session.get_one(Delivery, failed).state is S.FAILED
        assert session.get_one(Delivery, scheduled).run_at == NOW + timedelta(days=1)
        assert session.get_one(Delivery, elsewhere).state is S.NEEDS_RECONNECT
    channel = _channel(sessions, channel_id)
    assert (channel.status, channel.status_detail, channel.rate_limited_until) == (ChannelStatus.CONNECTED, "", None)
    assert BOX.open(channel.credentials).access_token == "fresh"
    assert _audit(sessions) == [("channel.reconnected", f"channel:{channel_id}", "2 deliveries resumed")]


def test_reconnecting_a_missing_channel_raises_lookup_error(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(LookupError), sessions.begin() as session:
        reconnect_channel(session, BOX, 999_999, _account(), user_id=None, now=NOW)


def test_disable_and_enable_a_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel_id = make_channel(session).id
    with sessions.begin() as session:
        set_disabled(session, channel_id, True, user_id=None)
    assert _channel(sessions, channel_id).status is ChannelStatus.DISABLED
    with sessions.begin() as session:
        set_disabled(session, channel_id, False, user_id=None)
    assert _channel(sessions, channel_id).status is ChannelStatus.CONNECTED
    assert [action for action, _, _ in _audit(sessions)] == ["channel.disabled", "channel.enabled"]


def test_enabling_a_channel_resumes_the_deliveries_that_waited_for_it(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, status=ChannelStatus.DISABLED)
        channel_id = channel.id
        waiting = make_delivery(session, channel=channel, state=S.NEEDS_RECONNECT,
                                last_error_kind="channel_unavailable", last_error_message="disabled").id
    with sessions.begin() as session:
        assert set_disabled(session, channel_id, False, user_id=None, now=NOW) == 1
    with sessions() as session:
        delivery = session.get_one(Delivery, waiting)
        assert (delivery.state, delivery.run_at, delivery.last_error_message) == (S.SCHEDULED, NOW, None)


def test_connect_account_adds_a_new_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel, resumed = connect_account(session, BOX, Network.X, _account(), user_id=None, now=NOW,
                                           tz_name="Europe/Berlin")
        channel_id = channel.id
    stored = _channel(sessions, channel_id)
    assert (resumed, stored.account_id, stored.tz_name, stored.status) == (0, "1790", "Europe/Berlin",
                                                                            ChannelStatus.CONNECTED)
    assert BOX.open(stored.credentials).access_token == "token-1"


def test_connecting_a_known_account_again_reconnects_it_and_resumes_its_deliveries(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, account_id="1790", status=ChannelStatus.NEEDS_RECONNECT)
        waiting = make_delivery(session, channel=channel, state=S.NEEDS_RECONNECT).id
    with sessions.begin() as session:
        again, resumed = connect_account(session, BOX, Network.X, _account("token-2"), user_id=None, now=NOW)
        assert again.id == channel.id
    assert resumed == 1
    stored = _channel(sessions, channel.id)
    assert (stored.status, stored.name, stored.handle) == (ChannelStatus.CONNECTED, "ACME GmbH", "@acme")
    assert BOX.open(stored.credentials).access_token == "token-2"
    with sessions() as session:
        assert session.get_one(Delivery, waiting).state is S.SCHEDULED


def test_a_reconnect_refuses_another_account_and_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel = make_channel(session, account_id="1790", status=ChannelStatus.NEEDS_RECONNECT)
    with sessions.begin() as session, pytest.raises(AccountMismatchError):
        connect_account(session, BOX, Network.X, _account(account_id="999"), user_id=None, now=NOW,
                        channel_id=channel.id)
    assert _channel(sessions, channel.id).status is ChannelStatus.NEEDS_RECONNECT
    with sessions.begin() as session, pytest.raises(LookupError):
        connect_account(session, BOX, Network.X, _account(), user_id=None, now=NOW, channel_id=channel.id + 100)


def test_token_expiry_is_read_from_the_sealed_credentials(sessions: sessionmaker[Session]) -> None:
    expires = NOW + timedelta(hours=2)
    sealed = BOX.seal(Credentials(access_token="t", expires_at=expires))
    with sessions.begin() as session:
        known = make_channel(session, credentials=sealed)
        unknown = make_channel(session)
        foreign = make_channel(session, credentials=CredentialBox([CredentialBox.new_key()]).seal(
            Credentials(access_token="t", expires_at=expires)))
        assert token_expiry(BOX, known) == expires
        assert token_expiry(BOX, unknown) is None
        assert token_expiry(BOX, foreign) is None
