"""Notifications: each rule tells the right people exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels import reconnect_channel
from scheduler.crypto import CredentialBox
from scheduler.lifecycle import DeliveryState
from scheduler.models import Channel, ChannelStatus, Delivery, Notification, PostText, Role, TrackedLink
from scheduler.networks import Network
from scheduler.notifications import SweepParams, notify, recipients, sweep
from scheduler.ports import ConnectedAccount, Credentials
from scheduler.tracking import ensure_links
from tests.factories import make_channel, make_delivery, make_post, make_user

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PARAMS = SweepParams(task_overdue_after_s=4 * 3600)
BOX = CredentialBox([CredentialBox.new_key()])


def _sweep(sessions: sessionmaker[Session], now: datetime = NOW) -> int:
    with sessions.begin() as session:
        return sweep(session, now, PARAMS)


def _notes(sessions: sessionmaker[Session]) -> list[tuple[int, str, str, str]]:
    with sessions() as session:
        return [(n.user_id, n.kind, n.subject, n.link)
                for n in session.scalars(select(Notification).order_by(Notification.id))]


def _bodies(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Notification.body).order_by(Notification.id)))


def test_notify_adds_one_row_per_person_and_ignores_repeats(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        a, b = make_user(session).id, make_user(session).id
        assert notify(session, [a, b, a], "note", "k:1", "Hello", "Body", "/x", now=NOW) == 2
        assert notify(session, [a, b], "note", "k:1", "Hello again", "Body", "/x", now=NOW) == 0
        assert notify(session, [b], "note", "k:2", "Other", "Body", now=NOW) == 1
    with sessions() as session:
        keys = list(session.scalars(select(Notification.dedupe_key).order_by(Notification.id)))
        states = set(session.scalars(select(Notification.mail_state)))
    assert keys == [f"k:1:u{a}", f"k:1:u{b}", f"k:2:u{b}"]
    assert states == {"pending"}


def test_a_channel_needing_reconnect_tells_its_owner_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        make_user(session, role=Role.ADMIN)  # not told: the channel has an owner
        channel = make_channel(session, name="Careers", handle="@careers", owner_id=owner.id,
                               status=ChannelStatus.NEEDS_RECONNECT, status_detail="Token revoked by the user.")
        make_delivery(session, channel=channel, state=S.NEEDS_RECONNECT)
        make_delivery(session, channel=channel, state=S.NEEDS_RECONNECT)
        owner_id, channel_id = owner.id, channel.id
    assert _sweep(sessions) == 1
    assert _sweep(sessions, NOW + timedelta(seconds=5)) == 0
    assert _notes(sessions) == [(owner_id, "needs_reconnect", "Reconnect X @careers", "/channels/")]
    body = _bodies(sessions)[0]
    assert "Token revoked by the user." in body and "2 post(s) wait" in body
    with sessions() as session:
        assert session.get_one(Channel, channel_id).reconnect_notified_at == NOW


def test_without_an_owner_every_active_admin_is_told(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        admins = [make_user(session, role=Role.ADMIN).id, make_user(session, role=Role.ADMIN).id]
        make_user(session, role=Role.ADMIN, active=False)
        make_user(session, role=Role.MARKETER)
        make_channel(session, status=ChannelStatus.NEEDS_RECONNECT)
    assert _sweep(sessions) == 2
    assert [note[0] for note in _notes(sessions)] == admins


def test_an_inactive_owner_falls_back_to_the_admins(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        gone = make_user(session, active=False)
        admin = make_user(session, role=Role.ADMIN)
        assert recipients(session, gone.id) == [admin.id]
        assert recipients(session, None) == [admin.id]


def test_reconnecting_clears_the_mark_so_the_next_disconnect_is_told_again(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        channel = make_channel(session, owner_id=owner.id, status=ChannelStatus.NEEDS_RECONNECT, account_id="77")
        channel_id = channel.id
    assert _sweep(sessions) == 1
    account = ConnectedAccount(account_id="77", name="Careers", handle="@careers",
                               credentials=Credentials(access_token="fresh", account_id="77"))
    with sessions.begin() as session:
        reconnect_channel(session, BOX, channel_id, account, user_id=None, now=NOW)
    with sessions() as session:
        assert session.get_one(Channel, channel_id).reconnect_notified_at is None
    assert _sweep(sessions, NOW + timedelta(minutes=1)) == 0  # connected: nothing to tell
    with sessions.begin() as session:
        session.execute(update(Channel).where(Channel.id == channel_id)
                        .values(status=ChannelStatus.NEEDS_RECONNECT))
    assert _sweep(sessions, NOW + timedelta(hours=1)) == 1
    assert _sweep(sessions, NOW + timedelta(hours=2)) == 0
    assert [note[1] for note in _notes(sessions)] == ["needs_reconnect", "needs_reconnect"]


def test_a_token_that_cannot_be_refreshed_is_warned_about_a_week_ahead_once(
        sessions: sessionmaker[Session]) -> None:
    expires = NOW + timedelta(days=6)
    with sessions.begin() as session:
        owner = make_user(session)
        make_channel(session, network=Network.FACEBOOK, handle="", name="ACME Page", owner_id=owner.id,
                     token_expires_at=expires)
        make_channel(session, network=Network.FACEBOOK, owner_id=owner.id, token_expires_at=NOW + timedelta(days=9))
        make_channel(session, network=Network.X, owner_id=owner.id, token_expires_at=NOW + timedelta(hours=1))
    assert _sweep(sessions) == 1
    assert _sweep(sessions, NOW + timedelta(minutes=30)) == 0  # X refreshes its own tokens before expiry
    assert _notes(sessions) == [(owner.id, "token_expiring", "Access to Facebook ACME Page expires on 2026-05-10",
                                 "/channels/")]


def test_a_token_past_its_expiry_while_connected_is_warned_once_per_expiry(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        channel = make_channel(session, network=Network.X, handle="@jobs", owner_id=owner.id,
                               token_expires_at=NOW - timedelta(minutes=1))
        channel_id = channel.id
    assert _sweep(sessions) == 1
    assert _sweep(sessions, NOW + timedelta(minutes=5)) == 0
    with sessions.begin() as session:  # renewed, and later expired again: a new expiry is news
        session.execute(update(Channel).where(Channel.id == channel_id)
                        .values(token_expires_at=NOW + timedelta(hours=1)))
    assert _sweep(sessions, NOW + timedelta(hours=2)) == 1
    assert [note[2] for note in _notes(sessions)] == ["Access to X @jobs has expired"] * 2


def test_a_failed_delivery_tells_its_author_once_per_failure(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        author = make_user(session)
        post = make_post(session, text="Wir suchen eine Entwicklerin für unser Team in Wien", author=author)
        delivery = make_delivery(session, post=post, channel=make_channel(session, handle="@jobs"),
                                 state=S.FAILED, claim_count=1, updated_at=NOW - timedelta(minutes=1),
                                 last_error_message="Duplicate content is not allowed.")
        make_delivery(session, post=post, state=S.CANCELLED, updated_at=NOW)
        make_delivery(session, post=post, state=S.FAILED, updated_at=NOW - timedelta(days=30))  # long ago
        delivery_id, author_id = delivery.id, author.id
    assert _sweep(sessions) == 1
    assert _sweep(sessions) == 0
    assert _notes(sessions) == [(author_id, "delivery_failed",
                                 "Not published on X @jobs: Wir suchen eine Entwicklerin für unser Team in…",
                                 f"/deliveries/{delivery_id}")]
    assert "Duplicate content is not allowed." in _bodies(sessions)[0]
    with sessions.begin() as session:  # published again, failed again: a second failure
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(claim_count=2, updated_at=NOW))
    assert _sweep(sessions) == 1


def test_an_assisted_task_is_announced_once_and_reminded_once_when_overdue(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        channel = make_channel(session, network=Network.XING, handle="", name="ACME auf XING", owner_id=owner.id)
        post = make_post(session, text="Komm zu uns als Backend-Entwickler", link="https://acme.example/jobs/7")
        make_delivery(session, post=post, channel=channel, state=S.AWAITING_OWNER, due_at=NOW - timedelta(hours=1))
    assert _sweep(sessions) == 1
    assert _sweep(sessions, NOW + timedelta(hours=1)) == 0
    assert _sweep(sessions, NOW + timedelta(hours=3, minutes=1)) == 1  # due + 4 h passed
    assert _sweep(sessions, NOW + timedelta(hours=5)) == 0
    notes = _notes(sessions)
    assert notes == [(owner.id, "task_due", "Post on XING: Komm zu uns als Backend-Entwickler", "/tasks"),
                     (owner.id, "task_overdue", "Overdue: post on XING: Komm zu uns als Backend-Entwickler",
                      "/tasks")]
    for body in _bodies(sessions):  # the mail alone is enough to act: text and link are in it
        assert "Komm zu uns als Backend-Entwickler\nhttps://acme.example/jobs/7" in body


def test_an_assisted_task_mail_carries_the_xing_text_with_its_tracked_link(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        owner = make_user(session)
        channel = make_channel(session, network=Network.XING, handle="", name="ACME auf XING", owner_id=owner.id)
        post = make_post(session, text="Komm zu uns https://acme.example/jobs/7", link=None)
        session.add(PostText(post_id=post.id, network=Network.XING, text="Auf XING: https://acme.example/jobs/7"))
        delivery = make_delivery(session, post=post, channel=channel, state=S.AWAITING_OWNER,
                                 due_at=NOW - timedelta(hours=1))
        session.flush()
        ensure_links(session, [delivery.id])
        code = session.scalars(select(TrackedLink.code).where(TrackedLink.delivery_id == delivery.id)).one()
    with sessions.begin() as session:
        params = SweepParams(task_overdue_after_s=4 * 3600, base_url="https://jobs.acme.example")
        assert sweep(session, NOW, params) == 1
    (body,) = _bodies(sessions)
    assert f"Auf XING: https://jobs.acme.example/r/{code}" in body


def test_the_sweep_with_nothing_to_tell_adds_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        make_user(session, role=Role.ADMIN)
        make_delivery(session, state=S.SCHEDULED)
        make_channel(session, network=Network.FACEBOOK, token_expires_at=NOW + timedelta(days=30))
    assert _sweep(sessions) == 0
    assert _notes(sessions) == []


def test_people_who_work_in_german_get_the_german_words(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        german = make_user(session, locale="de")
        english = make_user(session, locale="en")
        notify(session, [german.id, english.id], "note", "k:lang", "Hello", "Body", now=NOW,
               german=("Hallo", "Text"))
        owner = make_user(session, locale="de")
        channel = make_channel(session, name="XING", handle="", network=Network.XING, owner_id=owner.id)
        post = make_post(session, text="Wir suchen eine Filialleitung in Graz (m/w/d).")
        make_delivery(session, post=post, channel=channel, state=S.AWAITING_OWNER, due_at=NOW)
        ids = german.id, english.id, owner.id
    _sweep(sessions)
    with sessions() as session:
        rows = {n.user_id: (n.subject, n.body) for n in session.scalars(select(Notification))}
    assert rows[ids[0]] == ("Hallo", "Text")
    assert rows[ids[1]] == ("Hello", "Body")
    subject, body = rows[ids[2]]
    assert subject == "Auf XING posten: Wir suchen eine Filialleitung in Graz (m/w/d)."
    assert "Bitte posten Sie das auf XING XING (fällig am 04.05.2026, 11:00 Uhr (Europe/Vienna))." in body
