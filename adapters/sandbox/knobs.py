"""Per-network knobs of the sandbox (latency, fault rates, limits) and their JSON parsing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

# The fault kinds a test can script; "ok" forces a normal answer for that call.
FAULT_KINDS = ("5xx", "429", "401", "duplicate", "accept_then_timeout", "500_after_accept", "ok")
# Random faults in draw order, each with the knob holding its probability.
CREATE_FAULT_RATES = (
    ("5xx", "error_5xx"),
    ("429", "error_429"),
    ("401", "error_401"),
    ("duplicate", "duplicate"),
    ("accept_then_timeout", "accept_then_timeout"),
    ("500_after_accept", "error_500_after_accept"),
)
READ_FAULT_RATES = CREATE_FAULT_RATES[:3]
ENV_VAR = "POSTILLON_SANDBOX_KNOBS"


class KnobError(ValueError):
    """A knob update was refused; the message names the knob and the reason."""


def _knob(default: Any, kind: str) -> Any:
    return field(default=default, metadata={"kind": kind})


@dataclass(frozen=True, slots=True)
class Knobs:
    """How one sandbox network behaves; every value can change at run time."""

    latency_ms: float = _knob(0.0, "non_negative")  # added to every API call
    jitter_ms: float = _knob(0.0, "non_negative")  # plus uniform 0..jitter_ms
    error_5xx: float = _knob(0.0, "probability")  # 503 before creating anything
    error_429: float = _knob(0.0, "probability")
    error_401: float = _knob(0.0, "probability")
    duplicate: float = _knob(0.0, "probability")  # 403 duplicate without creating
    accept_then_timeout: float = _knob(0.0, "probability")  # create, then hang for hang_s
    error_500_after_accept: float = _knob(0.0, "probability")  # create, then answer 500
    hang_s: float = _knob(60.0, "non_negative")
    outages: tuple[tuple[float, float], ...] = _knob((), "windows")  # [start_epoch, end_epoch] pairs
    rate_limit: int = _knob(100, "count")  # creates per user per window; 0 = unlimited
    rate_window_s: float = _knob(900.0, "positive")
    read_rate_limit: int = _knob(900, "count")  # reads per user, endpoint and window; 0 = unlimited
    publish_quota: int = _knob(0, "count")  # creates per account per 24 h; 0 = unlimited
    duplicate_window_s: float = _knob(86400.0, "non_negative")  # same text again within it → 403; 0 = off
    faults_on_reads: bool = _knob(False, "bool")  # also apply error_5xx/429/401 to GET calls
    token_ttl_s: float = _knob(7200.0, "positive")  # lifetime of issued access tokens
    seed: int = _knob(0, "int")  # seeds the random draws of this network

    def updated(self, patch: Mapping[str, Any]) -> Knobs:
        """Return a copy with the knobs in ``patch`` changed; raise KnobError for a bad key or value."""
        kinds = {f.name: f.metadata["kind"] for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, value in patch.items():
            if name not in kinds:
                raise KnobError(f"unknown knob {name!r}; known: {', '.join(sorted(kinds))}")
            changes[name] = _parse(name, kinds[name], value)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the knobs as JSON-ready data."""
        data = asdict(self)
        data["outages"] = [list(window) for window in self.outages]
        return data

    def rate_of(self, knob_name: str) -> float:
        """Return the probability knob called ``knob_name``."""
        return float(getattr(self, knob_name))


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KnobError(f"knob {name!r} must be a number, not {value!r}")
    return float(value)


def _parse(name: str, kind: str, value: Any) -> Any:
    """Check one knob value and return it in the dataclass's type."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise KnobError(f"knob {name!r} must be true or false")
        return value
    if kind == "windows":
        return _parse_windows(name, value)
    number = _number(name, value)
    if kind == "probability" and not 0.0 <= number <= 1.0:
        raise KnobError(f"knob {name!r} is a probability between 0 and 1, not {value!r}")
    if kind == "positive" and number <= 0:
        raise KnobError(f"knob {name!r} must be greater than 0")
    if kind in ("non_negative", "count") and number < 0:
        raise KnobError(f"knob {name!r} must not be negative")
    if kind in ("count", "int"):
        if number != int(number):
            raise KnobError(f"knob {name!r} must be a whole number")
        return int(number)
    return number


def _parse_windows(name: str, value: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list | tuple):
        raise KnobError(f"knob {name!r} must be a list of [start_epoch, end_epoch] pairs")
    windows = []
    for window in value:
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise KnobError(f"knob {name!r}: each window is [start_epoch, end_epoch], not {window!r}")
        start, end = _number(name, window[0]), _number(name, window[1])
        if end < start:
            raise KnobError(f"knob {name!r}: window {window!r} ends before it starts")
        windows.append((start, end))
    return tuple(windows)


def parse_knob_sets(raw: Mapping[str, Any]) -> dict[str, Knobs]:
    """Turn ``{"x": {"latency_ms": 50}, ...}`` into Knobs per network name (defaults filled in)."""
    if not isinstance(raw, Mapping):
        raise KnobError("start knobs must be a JSON object keyed by network name")
    result: dict[str, Knobs] = {}
    for network, patch in raw.items():
        if not isinstance(patch, Mapping):
            raise KnobError(f"knobs for {network!r} must be a JSON object")
        result[str(network)] = Knobs().updated(patch)
    return result


def knobs_from_env(environ: Mapping[str, str]) -> dict[str, Knobs]:
    """Read start-up knobs from ``POSTILLON_SANDBOX_KNOBS`` (JSON: network name → partial knobs)."""
    text = environ.get(ENV_VAR, "").strip()
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise KnobError(f"{ENV_VAR} is not valid JSON: {error}") from error
    return parse_knob_sets(raw)
