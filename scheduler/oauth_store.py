"""Pending sign-ins kept on the server (table ``oauth_pending``): usable exactly once, secrets sealed.

A row is keyed by the sha256 of a random value the browser holds: the OAuth ``state`` while the
consent page is open (stage "consent"), then a fresh choice id while the admin picks one of the
accounts the consent reached (stage "choose"). The PKCE verifier and the accounts' tokens are sealed
with the CredentialBox; the table holds neither a state, a verifier nor a token in clear.
Taking a row deletes it in the same statement, so two concurrent callbacks cannot both use it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.orm import Session

from scheduler.clock import ensure_utc
from scheduler.crypto import CredentialBox, CredentialKeyError
from scheduler.models import OAuthPending
from scheduler.networks import Network
from scheduler.oauth import PENDING_TTL, PendingAuthorization, StateMismatchError
from scheduler.ports import ConnectedAccount, Credentials

CONSENT, CHOOSE = "consent", "choose"
_Taken = Row[Network, int | None, str, datetime]  # network, channel_id, sealed, created_at


@dataclass(frozen=True, slots=True)
class WaitingChoice:
    """The accounts one consent reached, waiting for the admin to pick one."""

    network: Network
    accounts: list[ConnectedAccount]
    created_at: datetime


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _seal(box: CredentialBox, data: dict[str, Any]) -> str:
    # The box seals Credentials only; the JSON rides in the token field, so it is encrypted all the same.
    return box.seal(Credentials(access_token=json.dumps(data)))


def _open(box: CredentialBox, sealed: str) -> dict[str, Any]:
    data = json.loads(box.open(sealed).access_token)
    if not isinstance(data, dict):
        raise CredentialKeyError("a pending sign-in holds no readable data")
    return data


def _take_row(session: Session, key: str, user_id: int, stage: str) -> _Taken | None:
    """Delete and return this user's row for ``key`` at ``stage`` in one statement (a concurrent taker gets None)."""
    return session.execute(
        delete(OAuthPending)
        .where(OAuthPending.state_hash == _hash(key), OAuthPending.user_id == user_id, OAuthPending.stage == stage)
        .returning(OAuthPending.network, OAuthPending.channel_id, OAuthPending.sealed, OAuthPending.created_at)
    ).first()


def begin(session: Session, box: CredentialBox, user_id: int, network: Network, channel_id: int | None,
          now: datetime) -> PendingAuthorization:
    """Store a new pending sign-in for ``user_id`` and return it (its state and verifier go to the consent URL)."""
    pending = PendingAuthorization.start(network, now, channel_id)
    session.add(OAuthPending(state_hash=_hash(pending.state), user_id=user_id, network=network, channel_id=channel_id,
                             stage=CONSENT, sealed=_seal(box, {"verifier": pending.code_verifier}),
                             created_at=pending.created_at))
    session.flush()
    return pending


def take(session: Session, box: CredentialBox, state: str | None, user_id: int,
         now: datetime) -> PendingAuthorization | None:
    """Delete and return the pending sign-in for ``state`` (None when there is none: never started or used).

    An expired one is still returned (and gone), so ``check_callback`` can say it expired.

    Raises:
        StateMismatchError: the state belongs to another user's sign-in (left in place).
        CredentialKeyError: the sealed verifier cannot be opened.
    """
    if not state:
        return None
    row = _take_row(session, state, user_id, CONSENT)
    if row is None:
        if session.scalar(select(OAuthPending.user_id).where(OAuthPending.state_hash == _hash(state))) is not None:
            raise StateMismatchError(
                "The answer from the network does not belong to the sign-in started here, so it was not used. "
                "Start again from the channels page.")
        return None
    verifier = str(_open(box, row.sealed)["verifier"])
    return PendingAuthorization(network=row.network, state=state, code_verifier=verifier,
                                created_at=ensure_utc(row.created_at), channel_id=row.channel_id)


def keep_choice(session: Session, box: CredentialBox, user_id: int, network: Network,
                accounts: list[ConnectedAccount], now: datetime) -> str:
    """Store the accounts a consent reached (tokens sealed) and return the new choice id for the browser."""
    choice_id = secrets.token_urlsafe(32)
    data = {"accounts": [{"id": a.account_id, "name": a.name, "handle": a.handle, "sealed": box.seal(a.credentials)}
                         for a in accounts]}
    session.add(OAuthPending(state_hash=_hash(choice_id), user_id=user_id, network=network, channel_id=None,
                             stage=CHOOSE, sealed=_seal(box, data), created_at=ensure_utc(now)))
    session.flush()
    return choice_id


def _choice_of(box: CredentialBox, row: Any, now: datetime) -> WaitingChoice | None:
    created = ensure_utc(row.created_at)
    if ensure_utc(now) - created > PENDING_TTL:
        return None
    accounts = [ConnectedAccount(account_id=str(a["id"]), name=str(a.get("name", "")), handle=str(a.get("handle", "")),
                                 credentials=box.open(str(a["sealed"])))
                for a in _open(box, row.sealed).get("accounts") or []]
    return WaitingChoice(network=row.network, accounts=accounts, created_at=created)


def peek_choice(session: Session, box: CredentialBox, choice_id: str | None, user_id: int,
                now: datetime) -> WaitingChoice | None:
    """Return this user's waiting choice without using it up (None when absent, used or expired)."""
    if not choice_id:
        return None
    row = session.scalar(select(OAuthPending).where(
        OAuthPending.state_hash == _hash(choice_id), OAuthPending.user_id == user_id, OAuthPending.stage == CHOOSE))
    return None if row is None else _choice_of(box, row, now)


def take_choice(session: Session, box: CredentialBox, choice_id: str | None, user_id: int,
                now: datetime) -> WaitingChoice | None:
    """Delete and return this user's waiting choice (None when absent, already taken or expired)."""
    if not choice_id:
        return None
    row = _take_row(session, choice_id, user_id, CHOOSE)
    return None if row is None else _choice_of(box, row, now)


def purge_expired(session: Session, now: datetime) -> int:
    """Delete every pending sign-in and choice older than ``PENDING_TTL``; return how many."""
    result = session.execute(delete(OAuthPending).where(OAuthPending.created_at < ensure_utc(now) - PENDING_TTL))
    return int(getattr(result, "rowcount", 0) or 0)
