"""Shared fixtures: real SQLite and PostgreSQL databases, the real Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from scheduler.db import make_engine, make_session_factory
from scheduler.models import Base

pytest_plugins = ["tests.engine_fixtures"]

PG_URL = os.environ.get("POSTILLON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("POSTILLON_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def schema_engine(kind: str, tmp_path: os.PathLike[str]) -> tuple[Engine, str, str | None]:
    """Return (engine with all tables, its URL, the PostgreSQL schema or None) for ``kind``."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path}/postillon-test.db"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        return engine, url, None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return engine, url, schema


def drop_schema(schema: str | None) -> None:
    """Drop a PostgreSQL test schema."""
    if schema is None:
        return
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database(db_kind: str, tmp_path: os.PathLike[str]) -> Iterator[tuple[Engine, str]]:
    """A fresh database of the parametrised kind with every table: (engine, URL for other processes)."""
    eng, url, schema = schema_engine(db_kind, tmp_path)
    yield eng, url
    eng.dispose()
    drop_schema(schema)


@pytest.fixture
def engine(database: tuple[Engine, str]) -> Engine:
    """An engine on a fresh database of the parametrised kind, with every table created."""
    return database[0]


@pytest.fixture
def database_url(database: tuple[Engine, str]) -> str:
    """The URL of the fresh database (PostgreSQL URLs carry the test schema as search_path)."""
    return database[1]


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the fresh database."""
    return make_session_factory(engine)
