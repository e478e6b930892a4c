"""The reports page: the period picker, tables from the database, unknown shown as unknown, links to the posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Post, Role, User
from tests.web.conftest import NOW, Browser, text_of
from tests.web.report_rows import World, seed
from web import report_figures
from web.report_period import MAX_DAYS, choose_period, local_midnight, parse_day, preset_choice

VIENNA = "Europe/Vienna"


@pytest.fixture
def world(db: sessionmaker[Session]) -> World:
    """The known report world, five days before the app's clock."""
    with db.begin() as session:
        return seed(session, NOW)


def _block(page: str, element_id: str) -> str:
    """Return the element with ``element_id`` (up to its closing tag of the same name)."""
    found = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>.*?</\1>', page, re.S)
    assert found, f"no element #{element_id}"
    return found.group(0)


def _cells(row: str) -> list[str]:
    """Return the visible text of each cell of a table row."""
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


# --- The period picker ----------------------------------------------------------------------


def test_last_30_days_end_with_today_in_the_users_zone(app: Flask) -> None:
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # already 2 March in Vienna
    choice = preset_choice("30d", late, VIENNA)
    assert (choice.first_day, choice.last_day) == (date(2026, 2, 1), date(2026, 3, 2))
    assert choice.period.start == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert choice.period.end == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


def test_a_period_across_the_spring_dst_change_is_an_hour_shorter_and_ends_at_local_midnight(app: Flask) -> None:
    choice = preset_choice("7d", datetime(2026, 4, 1, 10, 0, tzinfo=UTC), VIENNA)
    assert choice.period.start == datetime(2026, 3, 25, 23, 0, tzinfo=UTC)  # CET
    assert choice.period.end == datetime(2026, 4, 1, 22, 0, tzinfo=UTC)  # CEST
    assert choice.period.length == timedelta(days=7, hours=-1)
    assert choice.period.previous().end == choice.period.start


def test_quarters_follow_the_calendar_and_last_quarter_crosses_the_year(app: Flask) -> None:
    now = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    this = preset_choice("quarter", now, VIENNA)
    last = preset_choice("last_quarter", now, VIENNA)
    assert (this.first_day, this.last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (last.first_day, last.last_day) == (date(2025, 10, 1), date(2025, 12, 31))
    assert last.period.end == this.period.start == local_midnight(date(2026, 1, 1), VIENNA)


def test_custom_dates_are_read_in_iso_and_german_form_in_the_users_zone(app: Flask) -> None:
    with app.test_request_context():
        choice = choose_period({"preset": "custom", "from": "1.3.2026", "to": "2026-03-31"}, NOW, "America/New_York")
    assert not choice.problems
    assert choice.period.start == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # EST
    assert choice.period.end == datetime(2026, 4, 1, 4, 0, tzinfo=UTC)  # EDT from 8 March
    assert choice.args() == {"preset": "custom", "from": "2026-03-01", "to": "2026-03-31"}
    assert parse_day("31.02.2026") is None and parse_day("2026-3-1") is None


@pytest.mark.parametrize(("given", "field", "message"), [
    ({"from": "", "to": "2026-03-01"}, "from", "Enter a date."),
    ({"from": "gestern", "to": "2026-03-01"}, "from", "Enter a date like 2026-03-31 or 31.03.2026."),
    ({"from": "2026-03-05", "to": "2026-03-01"}, "to", "The last day must not lie before the first day."),
    ({"from": "2020-01-01", "to": "2026-03-01"}, "to", f"Choose at most {MAX_DAYS} days."),
])
def test_bad_custom_dates_are_explained_and_kept(app: Flask, given: dict[str, str], field: str, message: str) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        choice = choose_period({"preset": "custom", **given}, NOW, VIENNA)
    assert choice.problems == {field: message}
    assert choice.typed == given


def test_an_unknown_preset_falls_back_to_the_last_30_days(app: Flask) -> None:
    with app.test_request_context():
        assert choose_period({"preset": "forever"}, NOW, VIENNA).preset == "30d"


def test_the_page_with_bad_dates_answers_422_shows_no_figures_and_keeps_the_input(
        browser: Browser, login_as: Callable[..., User], world: World) -> None:
    login_as(Role.MANAGER)
    response = browser.get("/reports?preset=custom&from=31.02.2026&to=2026-03-01")
    page = text_of(response)
    assert response.status_code == 422
    assert 'value="31.02.2026"' in page and 'aria-invalid="true"' in page
    assert "Enter a date like 2026-03-31 or 31.03.2026." in page and "channels-table" not in page


# --- Figures ---------------------------------------------------------------------------------


def test_the_channel_table_counts_human_clicks_and_outcomes_per_channel(
        browser: Browser, login_as: Callable[..., User], world: World) -> None:
    login_as(Role.MANAGER)
    page = text_of(browser.get("/reports?preset=30d"))
    linkedin = _cells(_block(page, f"channel-{world.linkedin}"))
    xing = _cells(_block(page, f"channel-{world.xing}"))
    # Channel, posts, impressions, reactions, engagement rate, human clicks, CTR, applications, hires, leads, …
    assert linkedin[:10] == ["LinkedIn · Karriere LinkedIn", "1", "1,000", "40", "6.0%", "7", "0.70%", "2", "0", "0"]
    assert xing[:10] == ["XING · Karriere XING", "1", "unknown", "unknown",
                         "– (Cannot be computed: nothing to divide by.)", "3",
                         "– (Cannot be computed: nothing to divide by.)", "0", "0", "1"]


def test_a_figure_nobody_reported_is_unknown_never_zero(browser: Browser, login_as: Callable[..., User],
                                                        world: World) -> None:
    login_as(Role.VIEWER)
    row = _block(text_of(browser.get("/reports?preset=30d")), f"channel-{world.xing}")
    assert 'class="unknown" title="The networks did not report this figure."' in row
    impressions = _cells(row)[2]
    assert impressions == "unknown" and "0" not in impressions


def test_bots_and_repeats_are_left_out_and_the_page_says_how_many(
        browser: Browser, login_as: Callable[..., User], world: World) -> None:
    login_as(Role.MANAGER)
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", text_of(browser.get("/reports?preset=30d")))).split())
    assert "Bot clicks excluded: 2" in page
    assert "Repeat clicks excluded (same visitor, same link, within an hour): 1" in page
    assert "Applications not attributed to a channel: 1" in page
    assert "Impressions reported for 1 of 2 published posts." in page


def test_the_headline_compares_with_the_previous_period(browser: Browser, login_as: Callable[..., User],
                                                       world: World) -> None:
    login_as(Role.MANAGER)
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", text_of(browser.get("/reports?preset=30d")))).split())
    assert "Human clicks 10 ▲ new previous period: 0" in page
    assert "Impressions 1,000 (reported for 1 of 2 posts) – previous period: unknown" in page


def test_every_figure_links_to_the_posts_behind_it(browser: Browser, login_as: Callable[..., User],
                                                  world: World) -> None:
    login_as(Role.MANAGER)
    row = _block(text_of(browser.get("/reports?preset=30d")), f"channel-{world.linkedin}")
    link = unescape(re.search(r'href="(/reports/posts\?[^"]*metric=clicks[^"]*)"', row).group(1))  # type: ignore[union-attr]
    assert f"channel={world.linkedin}" in link and "preset=30d" in link
    behind = text_of(browser.get(link))
    assert f'href="/deliveries/{world.job_delivery}"' in behind
    assert _cells(_block(behind, "behind-table").split("<tbody>")[1])[-1] == "7"
    assert "Channel: LinkedIn · Karriere LinkedIn" in unescape(behind)


def test_the_vacancy_funnel_lists_the_vacancy_with_its_channels_and_the_unattributed(
        browser: Browser, login_as: Callable[..., User], world: World) -> None:
    login_as(Role.RECRUITER)
    block = _block(text_of(browser.get("/reports?preset=30d")), f"vacancy-{world.vacancy}")
    rows = [_cells(row) for row in re.findall(r"<tr.*?</tr>", block, re.S)]
    assert rows[0][:6] == ["Koch (m/w/d) Graz", "1,000", "7", "3", "0", "0"]
    assert rows[1][:4] == ["LinkedIn · Karriere LinkedIn", "1,000", "7", "2"]
    assert rows[2][0] == "not attributed to a channel" and rows[2][3] == "1"


def test_posts_behind_a_link_that_names_no_figure_is_a_clear_400(browser: Browser, login_as: Callable[..., User],
                                                                 world: World) -> None:
    login_as(Role.MANAGER)
    response = browser.get("/reports/posts?preset=30d&metric=likes")
    assert response.status_code == 400 and "This link names no figure of the report." in text_of(response)


def test_ambassadors_get_no_reports(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.AMBASSADOR)
    assert browser.get("/reports").status_code == 403
    assert browser.get("/reports/report.pdf").status_code == 403


# --- Demo data -------------------------------------------------------------------------------


def test_an_admin_loads_the_demo_only_on_an_empty_install_and_only_when_confirmed(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    assert "Load demo data" in text_of(browser.get("/reports"))
    browser.post("/reports/demo", {})
    with db() as session:
        assert session.scalar(select(func.count(Post.id))) == 0
    response = browser.post("/reports/demo", {"confirm": "yes"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/reports?preset=90d")
    with db() as session:
        posts = session.scalar(select(func.count(Post.id)))
    assert posts and "Load demo data" not in text_of(browser.get("/reports"))
    browser.post("/reports/demo", {"confirm": "yes"})
    with db() as session:
        assert session.scalar(select(func.count(Post.id))) == posts  # nothing added twice


def test_only_admins_see_the_demo_button(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MANAGER)
    assert "Load demo data" not in text_of(browser.get("/reports"))


def test_only_the_most_active_vacancies_are_listed_until_all_are_asked_for(
        browser: Browser, login_as: Callable[..., User], world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_figures, "MOST_ACTIVE", 0)
    login_as(Role.MANAGER)
    page = unescape(text_of(browser.get("/reports?preset=30d")))
    assert f'id="vacancy-{world.vacancy}"' not in page
    assert "The 0 most active of 1 vacancies are shown." in page
    assert f'id="vacancy-{world.vacancy}"' in text_of(browser.get("/reports?preset=30d&all=vacancies"))


def test_the_most_active_rows_come_first() -> None:
    rows = [("a", 1), ("b", 5), ("c", 3)]
    assert report_figures.most_active(rows, lambda r: (r[1],), everything=False) == [("b", 5), ("c", 3), ("a", 1)]
