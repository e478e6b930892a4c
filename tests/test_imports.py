"""Dependencies point one way: web -> workers -> adapters -> scheduler (checked in fresh interpreters)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "scheduler": {"flask", "werkzeug", "rq", "redis", "requests", "tweepy", "adapters", "workers", "web"},
    "adapters": {"flask", "rq", "redis", "sqlalchemy", "workers", "web"},
    "workers": {"flask", "web"},
}


def _modules(package: str) -> list[str]:
    names = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        # The sandbox is a stand-alone server for development and tests, not adapter code.
        if not info.name.startswith("adapters.sandbox."):
            names.append(info.name)
    return names


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_from_the_layers_above_or_forbidden_libraries(package: str) -> None:
    loaded = _loaded_after_import(_modules(package))
    assert not loaded & FORBIDDEN[package], f"{package} pulls in {sorted(loaded & FORBIDDEN[package])}"


def test_importing_the_web_factory_does_no_work() -> None:
    code = "import web, scheduler.models, workers.queues; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "", "DATABASE_URL": "postgresql://nobody@256.0.0.1/none"})
    assert out.stdout.strip() == "ok"
