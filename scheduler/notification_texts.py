"""The words of each notification: subject and a body that is enough to act on without opening Postillon."""

from __future__ import annotations

from datetime import datetime

from scheduler.clock import to_local
from scheduler.models import Channel, Delivery

SUBJECT_WORDS = 8  # first words of a post shown in a subject


def channel_name(channel: Channel) -> str:
    """Return how a channel is named in messages: "X @careers", or the name when there is no handle."""
    return f"{channel.network.label} {channel.handle or channel.name}"


def first_words(text: str, words: int = SUBJECT_WORDS) -> str:
    """Return the first ``words`` words of ``text`` on one line, with an ellipsis when cut."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _local(value: datetime, tz_name: str) -> str:
    return f"{to_local(value, tz_name):%Y-%m-%d %H:%M} ({tz_name})"


def reconnect_text(channel: Channel, waiting: int) -> tuple[str, str]:
    """Return subject and body asking to reconnect ``channel``."""
    lines = [f"Postillon can no longer publish to {channel_name(channel)}: the network no longer accepts its access."]
    if channel.status_detail:
        lines.append(f"The network said: {channel.status_detail}")
    lines.append(f"{waiting} post(s) wait for this channel and go out as soon as it is reconnected."
                 if waiting else "No post waits for this channel yet; scheduled posts will wait until it is "
                                 "reconnected.")
    lines.append("Reconnect it on the Channels page.")
    return f"Reconnect {channel_name(channel)}", "\n\n".join(lines)


def expiry_text(channel: Channel, expires_at: datetime, now: datetime) -> tuple[str, str]:
    """Return subject and body warning that the channel's access expires (or has expired)."""
    when = _local(expires_at, channel.tz_name)
    if expires_at <= now:
        subject = f"Access to {channel_name(channel)} has expired"
        first = f"Postillon's access to {channel_name(channel)} expired on {when}."
    else:
        subject = f"Access to {channel_name(channel)} expires on {to_local(expires_at, channel.tz_name):%Y-%m-%d}"
        first = (f"Postillon's access to {channel_name(channel)} expires on {when}. The network does not let "
                 "Postillon renew it by itself.")
    body = f"{first}\n\nReconnect the channel on the Channels page so that its posts keep going out."
    return subject, body


def failed_text(delivery: Delivery) -> tuple[str, str]:
    """Return subject and body telling the author that a post could not be published."""
    channel = delivery.channel
    message = delivery.last_error_message or "The network gave no reason."
    body = (f"Your post on {channel_name(channel)}, due {_local(delivery.due_at, channel.tz_name)}, could not be "
            f"published.\n\nThe network said: {message}\n\n"
            f"Post:\n{_ready_text(delivery)}\n\nYou can change it and publish it again in Postillon.")
    return f"Not published on {channel_name(channel)}: {first_words(delivery.post.text)}", body


def task_text(delivery: Delivery, *, overdue: bool) -> tuple[str, str]:
    """Return subject and body of an assisted-channel task: everything needed to post it by hand."""
    channel = delivery.channel
    label = channel.network.label
    subject = f"{'Overdue: p' if overdue else 'P'}ost on {label}: {first_words(delivery.post.text)}"
    intro = (f"This post was due on {channel_name(channel)} at {_local(delivery.due_at, channel.tz_name)} "
             f"and is still waiting for you." if overdue else
             f"Please post this on {channel_name(channel)} (due {_local(delivery.due_at, channel.tz_name)}).")
    body = (f"{intro}\n\nCopy this text:\n\n{_ready_text(delivery)}\n\n"
            f"Then paste the link of your {label} post into the task in Postillon, so it counts as published.")
    return subject, body


def _ready_text(delivery: Delivery) -> str:
    post = delivery.post
    if post.link and post.link not in post.text:
        return f"{post.text}\n\n{post.link}"
    return post.text
