"""The text each network receives: the post's text with its link."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.networks import Network
from scheduler.rendering import render_text

LINK = "https://acme.example/jobs/7?utm_source=x"


@pytest.mark.parametrize(
    ("text", "link", "expected"),
    [
        ("Wir suchen Verstärkung!", LINK, f"Wir suchen Verstärkung!\n{LINK}"),
        (f"Bewirb dich: {LINK} – bis Freitag", LINK, f"Bewirb dich: {LINK} – bis Freitag"),
        ("  Hallo Welt \n", None, "Hallo Welt"),
        ("", LINK, LINK),
        ("   ", LINK, LINK),
        ("Nur Text", "", "Nur Text"),
        ("", None, ""),
    ],
)
@pytest.mark.parametrize("network", list(Network))
def test_render_text(text: str, link: str | None, expected: str, network: Network) -> None:
    assert render_text(text, link, network) == expected


@settings(max_examples=200, database=None, deadline=None)
@given(text=st.text(max_size=300), link=st.none() | st.from_regex(r"https://[a-z]{1,12}\.example/[a-z0-9]{0,8}",
                                                                     fullmatch=True),
       network=st.sampled_from(Network))
def test_the_link_appears_and_the_text_is_kept(text: str, link: str | None, network: Network) -> None:
    rendered = render_text(text, link, network)
    assert text.strip() in rendered
    if link:
        assert link in rendered
        assert rendered.count(link) == max(1, text.count(link))  # appended only when missing
    else:
        assert rendered == text.strip()
