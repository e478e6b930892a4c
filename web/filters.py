"""Template filters: times in the user's zone, readable state labels, channel names, short texts."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime, get_timezone_name
from babel.numbers import format_decimal
from flask import Flask
from flask_login import current_user

from scheduler.clock import to_local, zone
from scheduler.lifecycle import CANCELLABLE, DeliveryState
from scheduler.models import ChannelStatus, PostKind
from scheduler.networks import Network
from scheduler.queries import count_channels_needing_reconnect
from web.db import get_session
from web.forms import KIND_LABELS
from web.i18n import current_locale
from web.i18n import lazy_gettext as _l
from web.services import services

S = DeliveryState

STATE_LABELS: dict[DeliveryState, str] = {
    S.DRAFT: _l("Draft"),
    S.AWAITING_APPROVAL: _l("Awaiting approval"),
    S.SCHEDULED: _l("Scheduled"),
    S.QUEUED: _l("Queued"),
    S.PUBLISHING: _l("Publishing"),
    S.PROCESSING: _l("Processing on the network"),
    S.AWAITING_OWNER: _l("Waiting for the owner to post"),
    S.PUBLISHED: _l("Published"),
    S.RETRY_WAIT: _l("Waiting to retry"),
    S.FAILED: _l("Failed"),
    S.NEEDS_RECONNECT: _l("Needs reconnect"),
    S.UNKNOWN: _l("Outcome unknown"),
    S.CANCELLED: _l("Cancelled"),
}

#: The colour family of each state (CSS class ``tone-…``); the label always says it in words too.
STATE_TONES: dict[DeliveryState, str] = {
    S.DRAFT: "neutral", S.AWAITING_APPROVAL: "neutral", S.CANCELLED: "neutral",
    S.SCHEDULED: "info", S.QUEUED: "info", S.PUBLISHING: "info", S.RETRY_WAIT: "info",
    S.PROCESSING: "info", S.AWAITING_OWNER: "warning",
    S.PUBLISHED: "success",
    S.FAILED: "danger",
    S.NEEDS_RECONNECT: "warning", S.UNKNOWN: "warning",
}

CHANNEL_STATUS_LABELS: dict[ChannelStatus, str] = {
    ChannelStatus.CONNECTED: _l("Connected"),
    ChannelStatus.NEEDS_RECONNECT: _l("Needs reconnect"),
    ChannelStatus.DISABLED: _l("Disabled"),
}
CHANNEL_STATUS_TONES: dict[ChannelStatus, str] = {
    ChannelStatus.CONNECTED: "success", ChannelStatus.NEEDS_RECONNECT: "warning", ChannelStatus.DISABLED: "neutral",
}


def user_tz() -> str:
    """Return the current user's time zone name (the configured default for anonymous requests)."""
    name = getattr(current_user, "tz_name", None)
    return zone(name or services().settings.default_tz).key


#: Date and time patterns (Babel/CLDR syntax) per UI language; German as in "30.03.2026, 09:00".
DATETIME_PATTERNS = {"de": "dd.MM.yyyy, HH:mm", "en": "yyyy-MM-dd HH:mm"}


def zone_abbreviation(local: datetime, locale: str) -> str:
    """Return the short name of ``local``'s zone in ``locale`` ("MESZ" in German), else the tz database's ("CEST")."""
    fallback = local.strftime("%Z")
    if locale == "en":  # CLDR has no English short names for most European zones ("+0200"); tzdata's are the usual ones
        return fallback
    name = get_timezone_name(local, width="short", locale=locale, zone_variant=None)
    return name if name.isalpha() else fallback


def local_time(value: datetime | None, tz_name: str | None = None) -> str:
    """Return ``value`` as wall-clock time in the user's zone and language, with the zone's abbreviation."""
    if value is None:
        return ""
    local = to_local(value, tz_name or user_tz())
    locale = current_locale()
    pattern = DATETIME_PATTERNS.get(locale, DATETIME_PATTERNS["en"])
    return f"{format_datetime(local, pattern, tzinfo=local.tzinfo, locale=locale)} {zone_abbreviation(local, locale)}"


def number(value: float) -> str:
    """Return ``value`` with the grouping and decimal signs of the user's language ("1.234,5" in German)."""
    return format_decimal(value, locale=current_locale())


def iso_utc(value: datetime | None) -> str:
    """Return ``value`` as an ISO 8601 UTC string for ``<time datetime>`` and JSON."""
    return "" if value is None else to_local(value, "UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def handle_display(network: Network, handle: str) -> str:
    """Return a handle as the network shows it ("@careers" on X)."""
    return f"@{handle}" if handle and network is Network.X and not handle.startswith("@") else handle


def channel_label(network: Network, name: str, handle: str) -> str:
    """Return how a channel is named in lists: "X (@careers)", or the name when there is no handle."""
    return f"{network.label} ({handle_display(network, handle) or name})"


def shorten(text: str, limit: int = 90) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def state_label(state: DeliveryState | str) -> str:
    """Return the readable label of a delivery state."""
    return STATE_LABELS[DeliveryState(state)]


def init_app(app: Flask) -> None:
    """Register the filters and the label tables in the templates."""
    app.jinja_env.filters.update(local_time=local_time, number=number, iso_utc=iso_utc, shorten=shorten,
                                 state_label=state_label,
                                 state_tone=lambda state: STATE_TONES[DeliveryState(state)],
                                 kind_label=lambda kind: KIND_LABELS[PostKind(kind)],
                                 channel_status_label=lambda status: CHANNEL_STATUS_LABELS[ChannelStatus(status)],
                                 channel_status_tone=lambda status: CHANNEL_STATUS_TONES[ChannelStatus(status)])
    app.jinja_env.globals.update(channel_label=channel_label, handle_display=handle_display, user_tz=user_tz,
                                 CANCELLABLE=CANCELLABLE)

    @app.context_processor
    def _channel_warning() -> dict[str, int]:
        # Shown on every page until fixed: a disconnected channel silently holding posts back is
        # the failure users of other schedulers complain about most.
        if not current_user.is_authenticated:
            return {"channels_needing_reconnect": 0}
        return {"channels_needing_reconnect": count_channels_needing_reconnect(get_session())}

    @app.context_processor
    def _sandbox_link() -> dict[str, str | None]:
        settings = services().settings
        return {"sandbox_url": settings.sandbox_url if settings.sandbox else None}
