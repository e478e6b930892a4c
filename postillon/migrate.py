"""Database set-up: Alembic migrations to head, and the first admin."""

from __future__ import annotations

import secrets
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import func, select

from scheduler.config import Settings
from scheduler.db import make_engine, make_session_factory
from scheduler.models import Role, User
from scheduler.users import create_user

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
ADMIN_FILE = "initial_admin.txt"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config for ``database_url`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Migrate the database to the newest schema."""
    if database_url.startswith("sqlite"):
        make_engine(database_url).dispose()  # creates the SQLite file's directory
    command.upgrade(alembic_config(database_url), "head")


def ensure_admin(settings: Settings, email: str | None = None, password: str | None = None) -> tuple[str, str | None]:
    """Create the first admin if there is no user yet; return (email, password or None if it existed).

    A generated password is also written to the data dir (mode 0600) so `make run` can repeat it
    until the admin changes it; delete the file after the first login.
    """
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            if session.scalar(select(func.count(User.id))):
                first = session.scalar(select(User.email).where(User.role == Role.ADMIN).order_by(User.id))
                path = settings.data_path / ADMIN_FILE
                stored = path.read_text().split("\n", 1)[1].strip() if path.exists() else None
                return first or "", stored
            email = email or "admin@example.com"
            password = password or secrets.token_urlsafe(12)
            create_user(session, email=email, name="Administrator", password=password, role=Role.ADMIN,
                        tz_name=settings.default_tz)
    finally:
        engine.dispose()
    path = settings.data_path / ADMIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{email}\n{password}\n")
    path.chmod(0o600)
    return email, password
