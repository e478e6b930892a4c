"""Alembic migrations create exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from postillon.migrate import upgrade
from scheduler.db import make_engine
from scheduler.models import Base
from tests.conftest import PG_URL


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return list(diff)


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/migrated.db"
    upgrade(url)
    assert _diff(url) == []


def test_migrations_match_the_models_on_postgresql() -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_check"))
    try:
        url = f"{PG_URL}?options=-csearch_path%3Dmigration_check"
        upgrade(url)
        upgrade(url)  # running it again is a no-op
        assert _diff(url) == []
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA migration_check CASCADE"))
        admin.dispose()
