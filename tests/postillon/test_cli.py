"""The `postillon` command: init, create-user, rotate-key, dispatcher --once, purge."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from postillon.cli import main
from scheduler.applications import add_months
from scheduler.clock import utcnow
from scheduler.crypto import CredentialBox
from scheduler.db import make_engine, make_session_factory
from scheduler.models import Application, ApplicationStage, Base, Channel, Role, User, Vacancy
from scheduler.networks import Network
from scheduler.ports import Credentials
from tests.conftest import drop_schema, schema_engine


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A zero-configuration environment in a temporary data directory."""
    return {"POSTILLON_DATA_DIR": str(tmp_path / "data")}


def _users(env: dict[str, str]) -> list[tuple[str, Role]]:
    engine = make_engine(f"sqlite:///{env['POSTILLON_DATA_DIR']}/postillon.db")
    with make_session_factory(engine)() as session:
        rows = [(u.email, u.role) for u in session.scalars(select(User))]
    engine.dispose()
    return rows


def test_init_creates_the_database_and_the_first_admin_once(env: dict[str, str]) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["init"], env=env)
    assert first.exit_code == 0, first.output
    assert "admin: admin@example.com / password: " in first.output
    password = first.output.split("password: ")[1].split()[0]
    again = runner.invoke(main, ["init"], env=env)
    assert again.exit_code == 0 and password in again.output  # repeated until the file is deleted
    assert _users(env) == [("admin@example.com", Role.ADMIN)]
    keyfile = Path(env["POSTILLON_DATA_DIR"]) / "encryption_key"
    assert keyfile.stat().st_mode & 0o777 == 0o600


def test_init_on_postgresql_migrates_with_alembic(tmp_path: Path) -> None:
    engine, database_url, schema = schema_engine("postgresql", tmp_path)
    Base.metadata.drop_all(engine)  # start from an empty schema: alembic creates every table
    engine.dispose()
    result = CliRunner().invoke(main, ["init", "--admin-email", "boss@example.at", "--admin-password",
                                       "correct horse battery"],
                                env={"DATABASE_URL": database_url, "POSTILLON_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(User.email)) == "boss@example.at"
    engine.dispose()
    drop_schema(schema)


def test_create_user_refuses_a_short_password_with_a_clear_message(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"], env=env)
    bad = runner.invoke(main, ["create-user", "--email", "hr@example.at", "--role", "recruiter"],
                        input="short\nshort\n", env=env)
    assert bad.exit_code != 0 and "at least 10 characters" in bad.output
    good = runner.invoke(main, ["create-user", "--email", "hr@example.at", "--role", "recruiter"],
                         input="long enough pw\nlong enough pw\n", env=env)
    assert good.exit_code == 0, good.output
    assert ("hr@example.at", Role.RECRUITER) in _users(env)


def test_rotate_key_reencrypts_channel_tokens_with_the_newest_key(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"], env=env)
    old = (Path(env["POSTILLON_DATA_DIR"]) / "encryption_key").read_text().strip()
    engine = make_engine(f"sqlite:///{env['POSTILLON_DATA_DIR']}/postillon.db")
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Channel(network=Network.X, name="X", credentials=CredentialBox([old]).seal(
            Credentials(access_token="secret-token", account_id="1"))))
    new = CredentialBox.new_key()
    result = runner.invoke(main, ["rotate-key"], env={**env, "POSTILLON_ENCRYPTION_KEYS": f"{new},{old}"})
    assert result.exit_code == 0 and "1 channel" in result.output
    with sessions() as session:
        sealed = session.scalar(select(Channel.credentials))
    assert sealed is not None and CredentialBox([new]).open(sealed).access_token == "secret-token"
    engine.dispose()


def test_purge_anonymizes_expired_applicant_data_and_says_how_much(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"], env=env)
    engine = make_engine(f"sqlite:///{env['POSTILLON_DATA_DIR']}/postillon.db")
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        vacancy = Vacancy(title="Koch (m/w/d)", location="Wien")
        session.add(vacancy)
        session.flush()
        session.add(Application(vacancy_id=vacancy.id, name="Anna Muster", email="anna@example.at",
                                received_at=add_months(utcnow(), -12), stage=ApplicationStage.REJECTED,
                                rejected_at=add_months(utcnow(), -8)))
    result = runner.invoke(main, ["purge"], env=env)
    assert result.exit_code == 0, result.output
    assert "anonymized 1 application(s) and 0 lead(s), deleted 0 CV file(s)" in result.output
    with sessions() as session:
        assert session.scalar(select(Application.name)) == ""
    again = runner.invoke(main, ["purge"], env=env)
    assert "anonymized 0 application(s)" in again.output
    engine.dispose()
