"""Channels: store a connected account (credentials sealed), reconnect, disable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.clock import utcnow
from scheduler.crypto import CredentialBox, CredentialKeyError
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery
from scheduler.networks import Network
from scheduler.ports import ConnectedAccount, Credentials
from scheduler.transitions import move_many


def add_channel(session: Session, box: CredentialBox, network: Network, account: ConnectedAccount, *,
                user_id: int | None, tz_name: str = "Europe/Vienna") -> Channel:
    """Store a newly connected account as a channel (or refresh the existing one for that account)."""
    channel = session.scalar(select(Channel).where(Channel.network == network,
                                                   Channel.account_id == account.account_id))
    if channel is None:
        channel = Channel(network=network, account_id=account.account_id, tz_name=tz_name)
        session.add(channel)
    channel.name = account.name
    channel.handle = account.handle
    store_credentials(channel, box, account.credentials)
    channel.status = ChannelStatus.CONNECTED
    channel.status_detail = ""
    channel.reconnect_notified_at = None  # a later disconnect is news again
    session.flush()
    audit(session, user_id, "channel.connected", f"channel:{channel.id}", f"{network.value} {account.handle}")
    return channel


def reconnect_channel(session: Session, box: CredentialBox, channel_id: int, account: ConnectedAccount, *,
                      user_id: int | None, now: datetime) -> int:
    """Store fresh credentials, mark the channel connected and resume its waiting deliveries; return how many."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise LookupError(f"channel {channel_id} does not exist")
    store_credentials(channel, box, account.credentials)
    channel.status = ChannelStatus.CONNECTED
    channel.status_detail = ""
    channel.rate_limited_until = None
    channel.reconnect_notified_at = None  # a later disconnect is news again
    waiting = list(session.scalars(select(Delivery.id).where(Delivery.channel_id == channel_id,
                                                             Delivery.state == DeliveryState.NEEDS_RECONNECT)))
    resumed = move_many(session, waiting, DeliveryState.NEEDS_RECONNECT, DeliveryState.SCHEDULED, run_at=now,
                        last_error_kind=None, last_error_message=None)
    audit(session, user_id, "channel.reconnected", f"channel:{channel_id}", f"{len(resumed)} deliveries resumed")
    return len(resumed)


class AccountMismatchError(ValueError):
    """A reconnect signed in to another account than the channel's; nothing was stored."""

    def __init__(self, channel: Channel, account: ConnectedAccount) -> None:
        super().__init__(f"channel {channel.id} is account {channel.account_id!r}, not {account.account_id!r}")
        self.channel = channel
        self.account = account


def connect_account(session: Session, box: CredentialBox, network: Network, account: ConnectedAccount, *,
                    user_id: int | None, now: datetime, channel_id: int | None = None,
                    tz_name: str = "Europe/Vienna") -> tuple[Channel, int]:
    """Store an account an OAuth consent returned; return its channel and how many waiting deliveries resumed.

    With ``channel_id`` (a reconnect) the account must be that channel's, else AccountMismatchError
    and nothing changes. Without it, an account that already has a channel is reconnected (so its
    waiting deliveries resume and its history stays); a new account becomes a new channel.

    Raises:
        LookupError: ``channel_id`` names no channel.
        AccountMismatchError: the account (or network) is not the channel's.
    """
    if channel_id is not None:
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise LookupError(f"channel {channel_id} does not exist")
        if channel.network != network or channel.account_id != account.account_id:
            raise AccountMismatchError(channel, account)
    else:
        channel = session.scalar(select(Channel).where(Channel.network == network,
                                                       Channel.account_id == account.account_id))
    if channel is None:
        return add_channel(session, box, network, account, user_id=user_id, tz_name=tz_name), 0
    channel.name = account.name or channel.name
    channel.handle = account.handle or channel.handle
    resumed = reconnect_channel(session, box, channel.id, account, user_id=user_id, now=now)
    return channel, resumed


def store_credentials(channel: Channel, box: CredentialBox, credentials: Credentials) -> None:
    """Seal ``credentials`` into the channel and keep their expiry readable for the refresh sweep."""
    channel.credentials = box.seal(credentials)
    channel.token_expires_at = credentials.expires_at


def token_expiry(box: CredentialBox, channel: Channel) -> datetime | None:
    """Return when the channel's access token expires, or None when unknown (or unreadable)."""
    if not channel.credentials:
        return None
    try:
        return box.open(channel.credentials).expires_at
    except CredentialKeyError:
        return None


def set_disabled(session: Session, channel_id: int, disabled: bool, *, user_id: int | None,
                 now: datetime | None = None) -> int:
    """Disable a channel (its due deliveries wait) or enable it again; return how many deliveries resumed."""
    status = ChannelStatus.DISABLED if disabled else ChannelStatus.CONNECTED
    session.execute(update(Channel).where(Channel.id == channel_id).values(status=status))
    audit(session, user_id, "channel.disabled" if disabled else "channel.enabled", f"channel:{channel_id}")
    if disabled:
        return 0
    waiting = list(session.scalars(select(Delivery.id).where(Delivery.channel_id == channel_id,
                                                             Delivery.state == DeliveryState.NEEDS_RECONNECT)))
    resumed = move_many(session, waiting, DeliveryState.NEEDS_RECONNECT, DeliveryState.SCHEDULED,
                        run_at=now or utcnow(), last_error_kind=None, last_error_message=None)
    return len(resumed)
