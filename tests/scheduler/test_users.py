"""People who log in: creating users and checking passwords."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler import users
from scheduler.models import Role, User
from scheduler.users import MIN_PASSWORD, UserInputError, authenticate, create_user

PASSWORD = "Sommer-2026-Recruiting"
#: Cheap Argon2id parameters so the suite stays fast; the real defaults are checked separately.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", CHEAP)


def _create(sessions: sessionmaker[Session], email: str = "Anna.Huber@Acme.example ", **kwargs: object) -> int:
    with sessions.begin() as session:
        return create_user(session, email=email, name=str(kwargs.pop("name", " Anna Huber ")),
                           password=str(kwargs.pop("password", PASSWORD)),
                           role=kwargs.pop("role", Role.RECRUITER), **kwargs).id  # type: ignore[arg-type]


def _login(sessions: sessionmaker[Session], email: str, password: str) -> int | None:
    with sessions.begin() as session:
        user = authenticate(session, email, password)
        return None if user is None else user.id


def test_create_user_stores_a_normalised_user_and_a_hash(sessions: sessionmaker[Session],
                                                        cheap_hashing: None) -> None:
    user_id = _create(sessions, tz_name="Europe/Berlin", locale="en")
    with sessions() as session:
        user = session.get_one(User, user_id)
    assert (user.email, user.name, user.role, user.tz_name, user.locale, user.active) == (
        "anna.huber@acme.example", "Anna Huber", Role.RECRUITER, "Europe/Berlin", "en", True)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_a_user_without_a_name_is_named_by_the_email(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    user_id = _create(sessions, name="  ")
    with sessions() as session:
        assert session.get_one(User, user_id).name == "anna.huber@acme.example"


def test_authenticate_with_the_right_password(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    user_id = _create(sessions)
    assert _login(sessions, "anna.huber@acme.example", PASSWORD) == user_id
    assert _login(sessions, "  ANNA.Huber@acme.EXAMPLE ", PASSWORD) == user_id


def test_authenticate_with_a_wrong_password_fails(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    _create(sessions)
    for password in ("wrong-password-1", PASSWORD.lower(), PASSWORD + " ", ""):
        assert _login(sessions, "anna.huber@acme.example", password) is None, password


def test_authenticate_with_an_unknown_email_fails(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    _create(sessions)
    assert _login(sessions, "nobody@acme.example", PASSWORD) is None


def test_an_inactive_user_cannot_log_in(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    user_id = _create(sessions)
    with sessions.begin() as session:
        session.get_one(User, user_id).active = False
    assert _login(sessions, "anna.huber@acme.example", PASSWORD) is None


def test_a_taken_email_is_refused_whatever_its_case(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    _create(sessions)
    with pytest.raises(UserInputError, match="exists already"):
        _create(sessions, email="ANNA.HUBER@acme.example")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_a_short_password_is_refused(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    with pytest.raises(UserInputError, match=f"at least {MIN_PASSWORD} characters"):
        _create(sessions, password="x" * (MIN_PASSWORD - 1))
    _create(sessions, password="x" * MIN_PASSWORD)  # exactly the minimum is fine


def test_an_email_without_at_sign_is_refused(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    for email in ("anna", "", "   "):
        with pytest.raises(UserInputError, match="valid e-mail"):
            _create(sessions, email=email)


def test_an_outdated_hash_is_upgraded_on_login(sessions: sessionmaker[Session], cheap_hashing: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    user_id = _create(sessions)
    with sessions() as session:
        old_hash = session.get_one(User, user_id).password_hash
    monkeypatch.setattr(users, "_hasher", PasswordHasher())  # the production parameters
    assert _login(sessions, "anna.huber@acme.example", PASSWORD) == user_id
    with sessions() as session:
        new_hash = session.get_one(User, user_id).password_hash
    assert new_hash != old_hash
    assert not PasswordHasher().check_needs_rehash(new_hash)
    assert _login(sessions, "anna.huber@acme.example", PASSWORD) == user_id


def test_production_hashes_are_argon2id_with_the_rfc_9106_low_memory_profile() -> None:
    parameters = users.hash_password(PASSWORD).split("$")
    assert parameters[1] == "argon2id"
    assert parameters[3] == "m=65536,t=3,p=4"


def test_a_user_with_an_unusable_hash_cannot_log_in(sessions: sessionmaker[Session], cheap_hashing: None) -> None:
    user_id = _create(sessions)
    for stored in ("", "not-a-hash", "pbkdf2:sha256:600000$salt$abc"):
        with sessions.begin() as session:
            session.get_one(User, user_id).password_hash = stored
        assert _login(sessions, "anna.huber@acme.example", PASSWORD) is None, stored
