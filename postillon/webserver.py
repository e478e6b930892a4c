"""Serve the Flask app with gunicorn from inside the `postillon` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from scheduler.config import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from web import create_app

        return create_app(self._settings)


def serve(settings: Settings, host: str, port: int, processes: int) -> None:
    """Run gunicorn (gthread workers) on ``host:port`` until stopped."""
    _Gunicorn(settings, {"bind": f"{host}:{port}", "workers": processes, "worker_class": "gthread",
                         "threads": 4, "accesslog": "-", "timeout": 60, "graceful_timeout": 10,
                         # Build the app once before forking: workers start answering at once and share
                         # the imported code; create_app opens no connection, so nothing is shared by accident.
                         "preload_app": True}).run()
