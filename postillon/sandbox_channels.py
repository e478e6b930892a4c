"""The channels a new installation gets on the sandbox networks, and their reconnection on every start."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from adapters.registry import ADAPTERS
from scheduler.assisted import add_assisted_channel
from scheduler.clock import utcnow
from scheduler.config import Settings
from scheduler.crypto import CredentialBox
from scheduler.db import make_engine, make_session_factory
from scheduler.models import Channel, ChannelStatus, User
from scheduler.networks import Network

log = logging.getLogger("postillon.run")

#: One channel per network Postillon publishes to (two on X), so every path can be tried at once.
SANDBOX_CHANNELS = (
    (Network.X, "postillon_jobs", "Postillon Careers"),
    (Network.X, "postillon_news", "Postillon News"),
    (Network.LINKEDIN, "postillon_gmbh", "Postillon GmbH"),
    (Network.FACEBOOK, "postillon_page", "Postillon"),
    (Network.INSTAGRAM, "postillon_photos", "Postillon Photos"),
)
XING_CHANNEL = "Postillon auf XING"


def connect_sandbox_channels(settings: Settings, admin_email: str) -> None:
    """Give a new installation a channel per network, and reconnect the sandbox channels on every start.

    The sandbox keeps its accounts in memory, so after a restart it knows none of the tokens the
    channels hold; without this every sandbox channel would need a manual reconnect.
    """
    from adapters.sandbox_accounts import create_sandbox_account
    from scheduler.channels import add_channel, reconnect_channel

    box = CredentialBox(settings.encryption_keys)
    sandboxed = [network for network in ADAPTERS
                 if settings.api_urls.get(network, settings.sandbox_url).rstrip("/") == settings.sandbox_url]
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            if not session.scalar(select(func.count(Channel.id))):
                for network, handle, name in SANDBOX_CHANNELS:
                    if network in sandboxed:
                        account = create_sandbox_account(settings.sandbox_url, network, username=handle, name=name)
                        add_channel(session, box, network, account, user_id=None, tz_name=settings.default_tz)
                admin = session.scalar(select(User.id).where(User.email == admin_email))
                if admin is not None:
                    add_assisted_channel(session, network=Network.XING, name=XING_CHANNEL, profile_url="",
                                         owner_id=admin, tz_name=settings.default_tz)
                log.info("connected sandbox channels: %s, and %s (assisted)",
                         ", ".join(f"{name} ({network.label})" for network, _, name in SANDBOX_CHANNELS), XING_CHANNEL)
                return
            channels = list(session.scalars(select(Channel).where(Channel.network.in_(sandboxed),
                                                                  Channel.status != ChannelStatus.DISABLED)
                                            .order_by(Channel.id)))
            for channel in channels:
                account = create_sandbox_account(settings.sandbox_url, channel.network,
                                                 username=channel.handle.lstrip("@") or f"channel{channel.id}",
                                                 name=channel.name)
                channel.account_id = account.account_id
                reconnect_channel(session, box, channel.id, account, user_id=None, now=utcnow())
            if channels:
                log.info("reconnected %d sandbox channel(s) to the freshly started sandbox", len(channels))
    finally:
        engine.dispose()
