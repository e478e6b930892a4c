"""Knobs: defaults, partial updates, validation, and start-up knobs from the environment."""

from __future__ import annotations

import pytest

from adapters.sandbox.knobs import ENV_VAR, KnobError, Knobs, knobs_from_env, parse_knob_sets


def test_defaults_match_xs_documented_limits_and_inject_no_faults() -> None:
    knobs = Knobs()
    assert (knobs.rate_limit, knobs.rate_window_s, knobs.hang_s) == (100, 900.0, 60.0)
    assert knobs.duplicate_window_s == 86400.0
    assert all(
        knobs.rate_of(name) == 0
        for name in (
            "error_5xx",
            "error_429",
            "error_401",
            "duplicate",
            "accept_then_timeout",
            "error_500_after_accept",
        )
    )


def test_partial_update_changes_only_the_named_knobs() -> None:
    knobs = Knobs().updated({"latency_ms": 50, "error_5xx": 0.25, "outages": [[10, 20]]})
    assert (knobs.latency_ms, knobs.error_5xx, knobs.outages) == (50.0, 0.25, ((10.0, 20.0),))
    assert knobs.rate_limit == 100
    assert Knobs().latency_ms == 0  # immutable: the original is untouched


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"nope": 1}, "unknown knob 'nope'"),
        ({"error_429": 1.5}, "probability"),
        ({"error_429": "0.1"}, "must be a number"),
        ({"latency_ms": True}, "must be a number"),
        ({"latency_ms": -1}, "must not be negative"),
        ({"rate_limit": 2.5}, "whole number"),
        ({"rate_window_s": 0}, "greater than 0"),
        ({"faults_on_reads": 1}, "true or false"),
        ({"outages": [[20, 10]]}, "ends before it starts"),
        ({"outages": [5]}, "each window"),
        ({"outages": "soon"}, "list of"),
    ],
)
def test_bad_values_are_refused_with_the_knobs_name(patch: dict[str, object], message: str) -> None:
    with pytest.raises(KnobError, match=message):
        Knobs().updated(patch)


def test_to_dict_round_trips_through_updated() -> None:
    knobs = Knobs().updated({"outages": [[1, 2]], "seed": 7, "faults_on_reads": True})
    assert Knobs().updated(knobs.to_dict()) == knobs
    assert knobs.to_dict()["outages"] == [[1.0, 2.0]]


def test_start_knobs_come_from_the_environment_per_network() -> None:
    knobs = knobs_from_env({ENV_VAR: '{"x": {"latency_ms": 200, "error_5xx": 0.1}}'})
    assert knobs["x"].latency_ms == 200 and knobs["x"].error_5xx == 0.1
    assert knobs_from_env({}) == {}


@pytest.mark.parametrize("raw", ["{not json", "[1]", '{"x": 5}', '{"x": {"latency_ms": -5}}'])
def test_bad_environment_knobs_are_refused(raw: str) -> None:
    with pytest.raises(KnobError):
        knobs_from_env({ENV_VAR: raw})


def test_knob_sets_fill_in_defaults() -> None:
    assert parse_knob_sets({"linkedin": {}})["linkedin"] == Knobs()
