"""Which channels are due for a token refresh, and how refreshed credentials are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.crypto import CredentialBox
from scheduler.models import Channel, ChannelStatus
from scheduler.ports import Credentials
from scheduler.tokens import REFRESH_AHEAD, channels_to_refresh, mark_refresh_refused, still_due, store_refreshed
from tests.factories import make_channel

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
BOX = CredentialBox([CredentialBox.new_key()])


def test_only_connected_channels_expiring_soon_are_due(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        soon = make_channel(session, token_expires_at=NOW + REFRESH_AHEAD - timedelta(seconds=1)).id
        make_channel(session, token_expires_at=NOW + REFRESH_AHEAD + timedelta(minutes=1))
        make_channel(session, token_expires_at=None)
        make_channel(session, token_expires_at=NOW, status=ChannelStatus.NEEDS_RECONNECT)
    with sessions() as session:
        assert channels_to_refresh(session, now=NOW) == [soon]
        assert still_due(session.get_one(Channel, soon), now=NOW)


def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one(sessions: sessionmaker[Session]) -> None:
    old = Credentials(access_token="a1", account_id="42", refresh_token="r1", extra={"handle": "careers"})
    new = Credentials(access_token="access.token.2", expires_at=NOW + timedelta(hours=2))
    with sessions.begin() as session:
        channel = make_channel(session)
        store_refreshed(session, BOX, channel, old, new)
        channel_id = channel.id
    with sessions() as session:
        channel = session.get_one(Channel, channel_id)
        stored = BOX.open(channel.credentials)
        assert (stored.access_token, stored.refresh_token, stored.account_id) == ("access.token.2", "r1", "42")
        assert stored.extra["handle"] == "careers" and channel.token_expires_at == NOW + timedelta(hours=2)
        assert "access.token.2" not in channel.credentials  # sealed, never plain (no "." in base64url)


def test_a_refused_refresh_marks_the_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        channel_id = make_channel(session).id
    with sessions.begin() as session:
        mark_refresh_refused(session, channel_id, "X no longer accepts this channel's token")
    with sessions() as session:
        channel = session.get_one(Channel, channel_id)
        assert channel.status is ChannelStatus.NEEDS_RECONNECT and "no longer accepts" in channel.status_detail
