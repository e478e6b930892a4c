"""Driving the real UI in Debian's Chromium: the app served over HTTP, and pages logged in as a user."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from scheduler.db import make_engine
from scheduler.models import Base, User
from tests.factories import DEFAULT_PASSWORD
from tests.web.conftest import build_app, free_port, services_of, web_settings_for

CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def served_app(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """Serve the app (clock at the web tests' NOW) on a SQLite file over HTTP in a thread; yield it and its URL."""
    url = f"sqlite:///{tmp_path}/browser.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = build_app(web_settings_for(url, tmp_path))
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(5)
        services_of(app).engine.dispose()


@contextmanager
def logged_in(playwright: Any, base: str, user: User, console: list[str] | None = None) -> Iterator[Any]:
    """Yield a Chromium page logged in as ``user`` (English browser).

    Console errors (CSP violations included) fail the block; a caller that provokes one on purpose
    passes its own ``console`` list, removes that error and checks the list itself.
    """
    errors = console if console is not None else []
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    try:
        page = browser.new_page(locale="en-US")
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/login")
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/deliveries")
        yield page
    finally:
        browser.close()
    if console is None:
        assert errors == []
