"""The report's words outside the web pages: German and English texts, numbers, money, changes, durations."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workers.report_german import GERMAN
from workers.report_words import Words

ROOT = Path(__file__).resolve().parents[2]
#: Every module that words report texts through a Words object called ``words`` (or ``self`` inside Words).
WORDING = [*sorted((ROOT / "workers").glob("report_*.py")), ROOT / "workers" / "digest_mail.py"]


def _texts_used() -> set[str]:
    found = set()
    for path in WORDING:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("words", "self")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
            if isinstance(node, ast.Dict) and path.name == "report_texts.py":  # the changed-figures sentences
                found |= {v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    return found


def test_every_report_text_has_a_german_form_and_every_german_form_is_used() -> None:
    used = _texts_used()
    assert sorted(used - set(GERMAN)) == []
    assert sorted(set(GERMAN) - used) == []


def test_german_forms_keep_every_placeholder() -> None:
    for english, german in GERMAN.items():
        assert sorted(part.split(")")[0] for part in english.split("%(")[1:]) == sorted(
            part.split(")")[0] for part in german.split("%(")[1:]), english


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["12.345", "2,5 %", "2,29 %", "1.234,50 €", "unbekannt", "–", "–"]),
    ("en", ["12,345", "2.5%", "2.29%", "€1,234.50", "unknown", "–", "–"]),
])
def test_numbers_follow_the_readers_language_and_unknowns_are_never_zero(lang: str, expected: list[str]) -> None:
    w = Words(lang)
    got = [w.count(12345), w.percent(0.025), w.percent(0.0229, 2), w.money(123450), w.count(None),
           w.percent(None), w.money(None)]
    assert [g.replace("\xa0", " ") for g in got] == expected


def test_changes_against_the_previous_period() -> None:
    w = Words("en")
    assert w.change(138, 100) == ("▲", "+38%")
    assert w.change(50, 100) == ("▼", "-50%")
    assert w.change(100, 100) == ("=", "no change")
    assert w.change(5, 0) == ("▲", "new")
    assert w.change(0, 0) == ("", "no change")
    assert w.change(None, 100) == ("", "–") and w.change(100, None) == ("", "–")


def test_durations_dates_and_periods() -> None:
    w = Words("de")
    assert w.duration(timedelta(hours=5)) == "5 Std." and w.duration(timedelta(days=3, hours=12)) == "3,5 Tage"
    assert w.duration(None) == "–"
    start, end = datetime(2026, 2, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert w.span(start, end, "Europe/Vienna") == "01.03.2026 – 31.03.2026"
    assert Words("en").span(start, end, "Europe/Vienna") == "Mar 1, 2026 – Mar 31, 2026"


def test_an_unknown_language_falls_back_to_german_and_networks_have_their_names() -> None:
    assert Words("fr").lang == "de" and Words("fr")("unknown") == "unbekannt"
    assert Words("en").network("linkedin") == "LinkedIn" and Words("en").network("myspace") == "myspace"
