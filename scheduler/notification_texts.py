"""The words of each notification: subject and a body that is enough to act on without opening Postillon.

Each text exists in English and German (``lang="de"``); the recipient's language picks one. They live
here rather than in the web's translation catalogue because the dispatcher writes them, without Flask.
"""

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


def _local(value: datetime, tz_name: str, lang: str = "en") -> str:
    if lang == "de":
        return f"{to_local(value, tz_name):%d.%m.%Y, %H:%M} Uhr ({tz_name})"
    return f"{to_local(value, tz_name):%Y-%m-%d %H:%M} ({tz_name})"


def reconnect_text(channel: Channel, waiting: int, lang: str = "en") -> tuple[str, str]:
    """Return subject and body asking to reconnect ``channel``."""
    if lang == "de":
        lines = [f"Postillon kann nicht mehr auf {channel_name(channel)} veröffentlichen: das Netzwerk akzeptiert "
                 "den Zugang nicht mehr."]
        if channel.status_detail:
            lines.append(f"Das Netzwerk meldet: {channel.status_detail}")
        lines.append(f"{waiting} Beitrag/Beiträge warten auf diesen Kanal und gehen hinaus, sobald er wieder "
                     "verbunden ist." if waiting else "Noch wartet kein Beitrag auf diesen Kanal; geplante Beiträge "
                                                       "warten, bis er wieder verbunden ist.")
        lines.append("Verbinden Sie ihn auf der Seite „Kanäle“ neu.")
        return f"{channel_name(channel)} neu verbinden", "\n\n".join(lines)
    lines = [f"Postillon can no longer publish to {channel_name(channel)}: the network no longer accepts its access."]
    if channel.status_detail:
        lines.append(f"The network said: {channel.status_detail}")
    lines.append(f"{waiting} post(s) wait for this channel and go out as soon as it is reconnected."
                 if waiting else "No post waits for this channel yet; scheduled posts will wait until it is "
                                 "reconnected.")
    lines.append("Reconnect it on the Channels page.")
    return f"Reconnect {channel_name(channel)}", "\n\n".join(lines)


def expiry_text(channel: Channel, expires_at: datetime, now: datetime, lang: str = "en") -> tuple[str, str]:
    """Return subject and body warning that the channel's access expires (or has expired)."""
    if lang == "de":
        when = _local(expires_at, channel.tz_name, "de")
        if expires_at <= now:
            subject = f"Der Zugang zu {channel_name(channel)} ist abgelaufen"
            first = f"Der Zugang von Postillon zu {channel_name(channel)} ist am {when} abgelaufen."
        else:
            subject = (f"Der Zugang zu {channel_name(channel)} läuft am "
                       f"{to_local(expires_at, channel.tz_name):%d.%m.%Y} ab")
            first = (f"Der Zugang von Postillon zu {channel_name(channel)} läuft am {when} ab. Das Netzwerk lässt "
                     "Postillon ihn nicht selbst erneuern.")
        return subject, (f"{first}\n\nVerbinden Sie den Kanal auf der Seite „Kanäle“ neu, damit seine Beiträge "
                         "weiter hinausgehen.")
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


def failed_text(delivery: Delivery, lang: str = "en") -> tuple[str, str]:
    """Return subject and body telling the author that a post could not be published."""
    channel = delivery.channel
    if lang == "de":
        reason = delivery.last_error_message or "Das Netzwerk hat keinen Grund genannt."
        body = (f"Ihr Beitrag auf {channel_name(channel)}, fällig am {_local(delivery.due_at, channel.tz_name, 'de')}, "
                f"konnte nicht veröffentlicht werden.\n\nDas Netzwerk meldet: {reason}\n\n"
                f"Beitrag:\n{_ready_text(delivery)}\n\nSie können ihn in Postillon ändern und erneut veröffentlichen.")
        return f"Nicht veröffentlicht auf {channel_name(channel)}: {first_words(delivery.post.text)}", body
    message = delivery.last_error_message or "The network gave no reason."
    body = (f"Your post on {channel_name(channel)}, due {_local(delivery.due_at, channel.tz_name)}, could not be "
            f"published.\n\nThe network said: {message}\n\n"
            f"Post:\n{_ready_text(delivery)}\n\nYou can change it and publish it again in Postillon.")
    return f"Not published on {channel_name(channel)}: {first_words(delivery.post.text)}", body


def task_text(delivery: Delivery, *, overdue: bool, lang: str = "en", ready: str | None = None) -> tuple[str, str]:
    """Return subject and body of an assisted-channel task: everything needed to post it by hand.

    ``ready`` is the text as published (scheduler.outgoing); without it the post's own text is used.
    """
    ready = ready if ready is not None else _ready_text(delivery)
    channel = delivery.channel
    label = channel.network.label
    if lang == "de":
        when = _local(delivery.due_at, channel.tz_name, "de")
        subject = f"{'Überfällig: ' if overdue else ''}Auf {label} posten: {first_words(delivery.post.text)}"
        intro = (f"Dieser Beitrag war am {when} auf {channel_name(channel)} fällig und wartet noch auf Sie."
                 if overdue else f"Bitte posten Sie das auf {channel_name(channel)} (fällig am {when}).")
        return subject, (f"{intro}\n\nKopieren Sie diesen Text:\n\n{ready}\n\n"
                         f"Fügen Sie danach den Link zu Ihrem {label}-Beitrag in die Aufgabe in Postillon ein, "
                         "damit er als veröffentlicht zählt.")
    subject = f"{'Overdue: p' if overdue else 'P'}ost on {label}: {first_words(delivery.post.text)}"
    intro = (f"This post was due on {channel_name(channel)} at {_local(delivery.due_at, channel.tz_name)} "
             f"and is still waiting for you." if overdue else
             f"Please post this on {channel_name(channel)} (due {_local(delivery.due_at, channel.tz_name)}).")
    body = (f"{intro}\n\nCopy this text:\n\n{ready}\n\n"
            f"Then paste the link of your {label} post into the task in Postillon, so it counts as published.")
    return subject, body


def _ready_text(delivery: Delivery) -> str:
    post = delivery.post
    if post.link and post.link not in post.text:
        return f"{post.text}\n\n{post.link}"
    return post.text
