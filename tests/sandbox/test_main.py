"""``python -m adapters.sandbox``: options, start knobs from the command line or the environment."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.sandbox import __main__ as cli
from adapters.sandbox.knobs import ENV_VAR


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "serve", lambda host, port, **kwargs: calls.append({"host": host, "port": port, **kwargs}))
    monkeypatch.setattr(cli.logging, "basicConfig", lambda **kwargs: None)
    monkeypatch.delenv(ENV_VAR, raising=False)
    return calls


def test_defaults_serve_on_localhost_8025(served: list[dict[str, Any]]) -> None:
    assert cli.main([]) == 0
    assert served == [{"host": "127.0.0.1", "port": 8025, "knobs": {}, "quiet": False}]


def test_knobs_from_the_command_line(served: list[dict[str, Any]]) -> None:
    cli.main(["--port", "9000", "--quiet", "--knobs", '{"x": {"latency_ms": 200}}'])
    assert served[0]["port"] == 9000 and served[0]["quiet"] is True
    assert served[0]["knobs"]["x"].latency_ms == 200


def test_knobs_from_the_environment(served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, '{"x": {"error_5xx": 0.1}}')
    cli.main([])
    assert served[0]["knobs"]["x"].error_5xx == 0.1


@pytest.mark.parametrize("raw", ["{nope", '{"x": {"error_5xx": 3}}', "[1]"])
def test_bad_knobs_stop_with_a_usage_error(
    served: list[dict[str, Any]], raw: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["--knobs", raw])
    assert caught.value.code == 2 and served == []
    assert "error:" in capsys.readouterr().err
