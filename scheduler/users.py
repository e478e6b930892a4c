"""People who log in: creation and password checks (Argon2id via argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.models import Role, User

_hasher = PasswordHasher()
# Verifying against this keeps "unknown e-mail" as slow as "wrong password".
_DUMMY_HASH = _hasher.hash("postillon-timing-equaliser")

MIN_PASSWORD = 10


class UserInputError(ValueError):
    """A user's details are not acceptable; the message says why in plain words."""


def hash_password(password: str) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher.hash(password)


def create_user(session: Session, *, email: str, name: str, password: str, role: Role,
                tz_name: str = "Europe/Vienna", locale: str = "de") -> User:
    """Create a user; raises UserInputError on a taken e-mail or a short password."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserInputError("Please enter a valid e-mail address.")
    if len(password) < MIN_PASSWORD:
        raise UserInputError(f"The password needs at least {MIN_PASSWORD} characters.")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise UserInputError("A user with this e-mail address exists already.")
    user = User(email=email, name=name.strip() or email, password_hash=hash_password(password), role=role,
                tz_name=tz_name, locale=locale)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None; rehashes outdated hashes."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
