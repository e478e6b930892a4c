"""`postillon demo`: fills an empty database, refuses one with posts unless forced; the run banner offers it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from postillon.cli import main
from postillon.supervisor import has_published
from scheduler.config import Settings
from scheduler.db import make_engine, make_session_factory
from scheduler.models import Delivery, Post


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A zero-configuration environment in a temporary data directory (SQLite)."""
    return {"POSTILLON_DATA_DIR": str(tmp_path / "data")}


def _posts(env: dict[str, str]) -> int:
    engine = make_engine(f"sqlite:///{env['POSTILLON_DATA_DIR']}/postillon.db")
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Post)) or 0
    engine.dispose()
    return count


def test_the_demo_fills_an_empty_database_and_prints_its_truth(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["demo", "--seed", "3", "--print-truth"], env=env)
    assert result.exit_code == 0, result.output
    assert "demo data added (seed 3)" in result.output
    assert "Per channel" in result.output and "LinkedIn Murtaler Maschinenbau" in result.output
    assert _posts(env) > 50


def test_the_demo_refuses_a_database_with_posts_unless_forced(env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo"], env=env).exit_code == 0
    posts = _posts(env)
    refused = runner.invoke(main, ["demo"], env=env)
    assert refused.exit_code != 0
    assert "already has posts" in refused.output and "--force" in refused.output
    assert _posts(env) == posts  # nothing added
    forced = runner.invoke(main, ["demo", "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert _posts(env) == 2 * posts


def test_the_run_banner_offers_the_demo_only_while_nothing_was_published(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/banner.db"
    settings = Settings(database_url=url, data_dir=str(tmp_path))
    assert CliRunner().invoke(main, ["init"], env={"DATABASE_URL": url, "POSTILLON_DATA_DIR": str(tmp_path)}
                              ).exit_code == 0
    assert not has_published(settings)
    assert CliRunner().invoke(main, ["demo"], env={"DATABASE_URL": url, "POSTILLON_DATA_DIR": str(tmp_path)}
                              ).exit_code == 0
    assert has_published(settings)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) > 0
    engine.dispose()


def test_the_banner_does_not_suggest_invented_data_when_the_database_cannot_be_read(tmp_path: Path) -> None:
    broken = Settings(database_url=f"sqlite:///{tmp_path}/missing-dir/none.db", data_dir=str(tmp_path))
    assert has_published(broken)  # no tables: cannot tell, so no demo hint
