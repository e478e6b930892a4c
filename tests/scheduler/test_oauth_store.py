"""Pending sign-ins on the server: single use (also under concurrency), expiry, owner, nothing secret in clear."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from scheduler import oauth_store
from scheduler.crypto import CredentialBox
from scheduler.models import Channel, OAuthPending, User
from scheduler.networks import Network
from scheduler.oauth import PENDING_TTL, StateMismatchError
from scheduler.ports import ConnectedAccount, Credentials
from tests.factories import make_channel, make_user

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BOX = CredentialBox([CredentialBox.new_key()])


def _user(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return make_user(session).id


def _begin(sessions: sessionmaker[Session], user_id: int, network: Network = Network.X,
           channel_id: int | None = None, now: datetime = NOW) -> tuple[str, str]:
    with sessions.begin() as session:
        pending = oauth_store.begin(session, BOX, user_id, network, channel_id, now)
    return pending.state, pending.code_verifier


def _rows(sessions: sessionmaker[Session]) -> list[OAuthPending]:
    with sessions() as session:
        return list(session.scalars(select(OAuthPending)))


def _accounts() -> list[ConnectedAccount]:
    return [ConnectedAccount(account_id=f"urn:li:organization:{n}", name=f"Org {n}", handle=f"org{n}",
                             credentials=Credentials(access_token=f"TOKEN-{n}", account_id=f"urn:li:organization:{n}",
                                                     refresh_token=f"REFRESH-{n}",
                                                     expires_at=NOW + timedelta(days=60), extra={"handle": f"org{n}"}))
            for n in (1, 2)]


def test_a_pending_sign_in_is_returned_once_with_its_verifier(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    with sessions.begin() as session:
        channel = make_channel(session, network=Network.LINKEDIN).id
    state, verifier = _begin(sessions, user, Network.LINKEDIN, channel)
    with sessions.begin() as session:
        pending = oauth_store.take(session, BOX, state, user, NOW)
    assert pending is not None
    assert (pending.network, pending.state, pending.code_verifier, pending.channel_id, pending.created_at) == (
        Network.LINKEDIN, state, verifier, channel, NOW)
    with sessions.begin() as session:
        assert oauth_store.take(session, BOX, state, user, NOW) is None
    assert _rows(sessions) == []


@pytest.mark.parametrize("state", [None, "", "not-the-state"])
def test_an_unknown_state_finds_nothing_and_leaves_the_sign_in(sessions: sessionmaker[Session],
                                                               state: str | None) -> None:
    user = _user(sessions)
    real, _ = _begin(sessions, user)
    with sessions.begin() as session:
        assert oauth_store.take(session, BOX, state, user, NOW) is None
    with sessions.begin() as session:
        assert oauth_store.take(session, BOX, real, user, NOW) is not None


def test_two_concurrent_callbacks_take_the_state_only_once(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    state, _ = _begin(sessions, user)
    first = sessions()
    first.begin()
    assert oauth_store.take(first, BOX, state, user, NOW) is not None  # deleted, not yet committed
    second_got: list[object] = []

    def second() -> None:
        with sessions.begin() as session:
            second_got.append(oauth_store.take(session, BOX, state, user, NOW))

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert second_got == []  # the second callback waits for the first one's transaction
    first.commit()
    first.close()
    thread.join(10)
    assert second_got == [None]


def test_an_expired_sign_in_is_returned_for_the_message_but_used_up(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    state, _ = _begin(sessions, user)
    later = NOW + PENDING_TTL + timedelta(seconds=1)
    with sessions.begin() as session:
        pending = oauth_store.take(session, BOX, state, user, later)
    assert pending is not None and pending.expired(later)
    assert _rows(sessions) == []


def test_another_users_state_is_refused_and_kept_for_its_owner(sessions: sessionmaker[Session]) -> None:
    owner, other = _user(sessions), _user(sessions)
    state, _ = _begin(sessions, owner)
    with sessions.begin() as session, pytest.raises(StateMismatchError, match="does not belong"):
        oauth_store.take(session, BOX, state, other, NOW)
    with sessions.begin() as session:
        assert oauth_store.take(session, BOX, state, owner, NOW) is not None


def test_a_choice_waits_until_taken_once(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    with sessions.begin() as session:
        choice = oauth_store.keep_choice(session, BOX, user, Network.LINKEDIN, _accounts(), NOW)
    with sessions() as session:
        waiting = oauth_store.peek_choice(session, BOX, choice, user, NOW + timedelta(minutes=5))
    assert waiting is not None and waiting.network is Network.LINKEDIN
    assert waiting.accounts == _accounts()
    with sessions.begin() as session:
        assert oauth_store.take_choice(session, BOX, choice, user, NOW) == waiting
    with sessions.begin() as session:
        assert oauth_store.peek_choice(session, BOX, choice, user, NOW) is None
        assert oauth_store.take_choice(session, BOX, choice, user, NOW) is None


def test_a_choice_is_not_a_state_and_not_another_users(sessions: sessionmaker[Session]) -> None:
    owner, other = _user(sessions), _user(sessions)
    with sessions.begin() as session:
        choice = oauth_store.keep_choice(session, BOX, owner, Network.FACEBOOK, _accounts(), NOW)
    with sessions.begin() as session:
        assert oauth_store.peek_choice(session, BOX, choice, other, NOW) is None
        assert oauth_store.take_choice(session, BOX, choice, other, NOW) is None
        with pytest.raises(StateMismatchError):  # a choice id used as a state does not start a token trade
            oauth_store.take(session, BOX, choice, owner, NOW)
    with sessions.begin() as session:
        assert oauth_store.take_choice(session, BOX, choice, owner, NOW) is not None


def test_an_expired_choice_is_gone(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    with sessions.begin() as session:
        choice = oauth_store.keep_choice(session, BOX, user, Network.LINKEDIN, _accounts(), NOW)
    later = NOW + PENDING_TTL + timedelta(seconds=1)
    with sessions.begin() as session:
        assert oauth_store.peek_choice(session, BOX, choice, user, later) is None
        assert oauth_store.take_choice(session, BOX, choice, user, later) is None


def test_purge_removes_only_what_is_older_than_ten_minutes(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    _begin(sessions, user, now=NOW - PENDING_TTL - timedelta(seconds=1))
    with sessions.begin() as session:
        oauth_store.keep_choice(session, BOX, user, Network.LINKEDIN, _accounts(), NOW - timedelta(hours=1))
    fresh, _ = _begin(sessions, user, now=NOW - PENDING_TTL)
    with sessions.begin() as session:
        assert oauth_store.purge_expired(session, NOW) == 2
    assert len(_rows(sessions)) == 1
    with sessions.begin() as session:
        assert oauth_store.take(session, BOX, fresh, user, NOW) is not None


def test_nothing_secret_is_stored_in_clear(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    state, verifier = _begin(sessions, user)
    with sessions.begin() as session:
        choice = oauth_store.keep_choice(session, BOX, user, Network.LINKEDIN, _accounts(), NOW)
    with sessions() as session:
        dump = " ".join(str(value) for row in session.execute(text("SELECT * FROM oauth_pending")) for value in row)
    for secret in (state, verifier, choice, "TOKEN-1", "TOKEN-2", "REFRESH-1", "REFRESH-2"):
        assert secret not in dump
    assert len(_rows(sessions)) == 2


def test_rows_point_at_their_user_and_channel(sessions: sessionmaker[Session]) -> None:
    user = _user(sessions)
    with sessions.begin() as session:
        channel = make_channel(session, network=Network.FACEBOOK).id
    _begin(sessions, user, Network.FACEBOOK, channel)
    [row] = _rows(sessions)
    with sessions() as session:
        assert session.get_one(User, row.user_id).id == user
        assert session.get_one(Channel, row.channel_id).network is Network.FACEBOOK
    assert (row.stage, row.network, len(row.state_hash)) == ("consent", Network.FACEBOOK, 64)
