"""The deployment files agree with the code: compose commands exist, the image has every package."""

from __future__ import annotations

from pathlib import Path

import yaml

from postillon.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_compose_service_of_the_image_runs_a_real_postillon_subcommand() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "dispatcher"} <= set(services)
    for name, service in services.items():
        command = service.get("command")
        if service.get("image", "").startswith("postillon") or service.get("build"):
            assert command[0] == "postillon", name
            assert command[1] in main.commands, f"{name}: unknown subcommand {command[1]}"


def test_the_image_serves_web_with_gunicorn_and_the_worker_can_scale() -> None:
    services = _compose()["services"]
    assert services["web"]["command"][:2] == ["postillon", "web"]  # gunicorn inside `postillon web`
    assert "container_name" not in services["worker"]  # `--scale worker=N` needs no fixed name
    assert services["worker"]["stop_grace_period"]


def test_the_dockerfile_copies_every_package_and_the_migrations() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for part in ("scheduler", "adapters", "workers", "web", "postillon", "migrations", "pyproject.toml"):
        assert f"COPY {part}" in dockerfile, part


def test_the_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block
