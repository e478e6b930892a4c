"""Token refresh ahead of expiry: which channels are due, and storing what the network returned."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.channels import store_credentials
from scheduler.crypto import CredentialBox
from scheduler.models import Channel, ChannelStatus
from scheduler.ports import Credentials

#: Refresh this long before the access token expires (X's tokens live two hours).
REFRESH_AHEAD = timedelta(minutes=10)


def channels_to_refresh(session: Session, *, now: datetime) -> list[int]:
    """Return connected channels whose access token expires within REFRESH_AHEAD."""
    return list(session.scalars(
        select(Channel.id).where(Channel.status == ChannelStatus.CONNECTED, Channel.token_expires_at.is_not(None),
                                 Channel.token_expires_at <= now + REFRESH_AHEAD)
    ))


def still_due(channel: Channel, *, now: datetime) -> bool:
    """Tell whether the channel still needs a refresh (another worker may have done it meanwhile)."""
    return (channel.status is ChannelStatus.CONNECTED and channel.token_expires_at is not None
            and channel.token_expires_at <= now + REFRESH_AHEAD)


def store_refreshed(session: Session, box: CredentialBox, channel: Channel, old: Credentials,
                    new: Credentials) -> None:
    """Store refreshed credentials; never replace a refresh token with an empty one."""
    if not new.refresh_token and old.refresh_token:
        new = replace(new, refresh_token=old.refresh_token)
    if not new.account_id:
        new = replace(new, account_id=old.account_id)
    new = replace(new, extra={**old.extra, **new.extra})
    store_credentials(channel, box, new)
    audit(session, None, "channel.token_refreshed", f"channel:{channel.id}")


def mark_refresh_refused(session: Session, channel_id: int, message: str) -> None:
    """The network refused the refresh: the channel needs a person to reconnect it."""
    session.execute(update(Channel).where(Channel.id == channel_id, Channel.status == ChannelStatus.CONNECTED)
                    .values(status=ChannelStatus.NEEDS_RECONNECT, status_detail=message))
    audit(session, None, "channel.refresh_refused", f"channel:{channel_id}", message)
