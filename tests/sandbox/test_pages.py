"""The HTML pages: what was posted, newest first, and one post on its own."""

from __future__ import annotations

import re

from tests.sandbox.support import Sandbox


def test_overview_lists_posts_newest_first_with_links(sbx: Sandbox) -> None:
    alice = sbx.account("alice")["access_token"]
    first = sbx.create(alice, "First post").json()["data"]["id"]
    sbx.clock.advance(5)
    second = sbx.create(alice, "Second post").json()["data"]["id"]
    page = sbx.session.get(f"{sbx.url}/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert "<title>Sandbox networks — what was posted</title>" in html
    assert '<meta http-equiv="refresh" content="5">' in html and '<html lang="en">' in html
    assert html.index("Second post") < html.index("First post")
    assert f'href="/x/alice/status/{second}"' in html and f'href="/x/alice/status/{first}"' in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">', html)
    assert "<script" not in html
    assert "2 posts accepted from 2 create calls" in html


def test_overview_escapes_post_text(sbx: Sandbox) -> None:
    token = sbx.account("alice")["access_token"]
    sbx.create(token, "<script>alert('x')</script> & more")
    html = sbx.session.get(f"{sbx.url}/").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html


def test_overview_says_when_nothing_was_posted_and_can_stop_reloading(sbx: Sandbox) -> None:
    html = sbx.session.get(f"{sbx.url}/?refresh=0").text
    assert "Nothing posted yet." in html and 'http-equiv="refresh"' not in html
    assert "LinkedIn" not in html  # networks without an API yet stay hidden until used


def test_single_post_page_shows_the_post(sbx: Sandbox) -> None:
    token = sbx.account("alice")["access_token"]
    post_id = sbx.create(token, "Hello\nworld").json()["data"]["id"]
    page = sbx.session.get(f"{sbx.url}/x/alice/status/{post_id}")
    assert page.status_code == 200
    assert "Hello\nworld" in page.text and post_id in page.text and 'href="/"' in page.text
    assert sbx.session.get(f"{sbx.url}/x/ALICE/status/{post_id}").status_code == 200


def test_single_post_page_is_404_for_a_wrong_user_or_id(sbx: Sandbox) -> None:
    token = sbx.account("alice")["access_token"]
    post_id = sbx.create(token, "mine").json()["data"]["id"]
    assert sbx.session.get(f"{sbx.url}/x/bob/status/{post_id}").status_code == 404
    assert sbx.session.get(f"{sbx.url}/x/alice/status/1").status_code == 404
    assert "text/html" in sbx.session.get(f"{sbx.url}/x/alice/status/1").headers["content-type"]


def test_overview_shows_at_most_the_newest_page_of_posts(sbx: Sandbox) -> None:
    sbx.knobs(rate_limit=0)
    token = sbx.account("alice")["access_token"]
    for n in range(205):
        sbx.create(token, f"post {n}")
    html = sbx.session.get(f"{sbx.url}/").text
    assert "newest 200 of 205" in html and "post 204" in html and ">post 4<" not in html
