"""One SQLAlchemy session per request, closed (and so rolled back if not committed) at teardown."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.orm import Session

from web.services import services


def get_session() -> Session:
    """Return this request's session, opening it on first use; views commit explicitly."""
    if "db_session" not in g:
        g.db_session = services().sessions()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; whatever was not committed is rolled back."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Register the teardown that closes the request session."""
    app.teardown_appcontext(close_session)
