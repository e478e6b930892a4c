"""The app factory: configuration from the environment, and the gunicorn entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from scheduler.db import make_engine
from scheduler.models import Base
from tests.web.conftest import free_port, services_of
from web import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_create_app_reads_the_environment_and_generates_local_secrets(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("POSTILLON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POSTILLON_SECURE_COOKIES", "true")
    monkeypatch.delenv("POSTILLON_SECRET_KEY", raising=False)
    app = create_app()
    try:
        services = services_of(app)
        assert services.settings.database_url == f"sqlite:///{tmp_path}/app.db"
        assert app.secret_key == (tmp_path / "data" / "secret_key").read_text().strip()
        assert (tmp_path / "data" / "encryption_key").exists()
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-postillon"
        assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
        assert {"auth", "posts", "channels", "api"} <= set(app.blueprints)
    finally:
        services_of(app).engine.dispose()


@pytest.mark.slow
def test_gunicorn_serves_the_app_factory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gunicorn.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "POSTILLON_DATA_DIR": str(tmp_path / "data")}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "web:create_app()"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                # The worker loads the app before it answers the first request.
                response = requests.get(f"http://127.0.0.1:{port}/login", timeout=(2, 30),
                                        headers={"Accept-Language": "en"})
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode() if process.stderr else "gunicorn died") \
                        from None
                time.sleep(0.1)
        assert response.status_code == 200
        assert "Log in" in response.text
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=2, allow_redirects=False).status_code == 302
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
