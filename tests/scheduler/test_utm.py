"""UTM values: the delivery code in utm_content, and cleaning what forms and webhooks send."""

from __future__ import annotations

import pytest

from scheduler.utm import UTM_KEYS, clean_utm, delivery_code, parse_delivery_code


def test_a_delivery_code_reads_back_as_its_delivery() -> None:
    assert delivery_code(42) == "d42"
    assert parse_delivery_code(delivery_code(42)) == 42


@pytest.mark.parametrize(("value", "expected"), [
    (" D7 ", 7), ("d1", 1), ("d0", None), ("d07", None), ("p7", None), ("d", None), ("d7x", None), ("", None),
    (None, None), ("d1234567890123456789", None),
])
def test_only_well_formed_delivery_codes_name_a_delivery(value: str | None, expected: int | None) -> None:
    assert parse_delivery_code(value) == expected


def test_clean_utm_trims_lowercases_and_fills_every_key() -> None:
    cleaned = clean_utm({"utm_source": "  LinkedIn ", "utm_medium": "Social", "utm_content": "D7", "other": "x"})
    assert cleaned == {"utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "", "utm_content": "d7"}
    assert tuple(cleaned) == UTM_KEYS


def test_clean_utm_drops_non_strings_control_characters_and_cuts_to_the_column_size() -> None:
    cleaned = clean_utm({"utm_source": ["x"], "utm_medium": "so\x00ci\nal", "utm_campaign": "c" * 300,
                         "utm_content": 7})
    assert cleaned["utm_source"] == "" and cleaned["utm_content"] == ""
    assert cleaned["utm_medium"] == "social"
    assert cleaned["utm_campaign"] == "c" * 200
