"""Channel costs: amounts in German or English notation, validated, listed, deleted, divided by applications."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import ChannelCost, Role, User
from tests.web.conftest import Browser, text_of
from tests.web.report_rows import World, seed
from tests.web.test_reports import NOW, _block, _cells
from web.report_costs import BadAmountError, parse_euros


@pytest.fixture
def world(db: sessionmaker[Session]) -> World:
    """The known report world."""
    with db.begin() as session:
        return seed(session, NOW)


@pytest.mark.parametrize(("typed", "cents"), [
    ("250", 25000), ("1.234,50", 123450), ("1,234.50", 123450), ("1234.5", 123450), ("12,5", 1250),
    ("1.234", 123400), ("1 234,56 €", 123456), ("€ 99", 9900), ("0,99", 99), ("1.234.567,89", 123456789),
])
def test_amounts_are_read_with_german_or_english_separators(typed: str, cents: int) -> None:
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "zehn", "1,234,56", "12.345.6", "-5", "1,2345", "1e3"])
def test_amounts_that_are_no_money_are_refused(typed: str) -> None:
    with pytest.raises(BadAmountError):
        parse_euros(typed)


def _form(world: World, **changes: str) -> dict[str, str]:
    return {"channel": str(world.linkedin), "vacancy": str(world.vacancy), "campaign": "", "amount": "1.234,50",
            "spent_on": "20.02.2026", "note": "Boost", **changes}


def test_a_cost_is_saved_and_divided_by_the_vacancys_applications_via_its_channel(
        browser: Browser, login_as: Callable[..., User], world: World, db: sessionmaker[Session]) -> None:
    login_as(Role.RECRUITER)
    response = browser.post("/reports/costs", _form(world))
    assert response.status_code == 303
    with db() as session:
        cost = session.scalars(select(ChannelCost)).one()
    assert (cost.amount_cents, cost.channel_id, cost.vacancy_id, cost.note) == (123450, world.linkedin,
                                                                                 world.vacancy, "Boost")
    assert cost.spent_at == datetime(2026, 2, 19, 23, 0, tzinfo=UTC)  # midnight in Vienna
    listing = unescape(text_of(browser.get("/reports/costs")))
    assert "€1,234.50" in listing and "Koch (m/w/d)" in listing
    vacancy = _block(text_of(browser.get("/reports?preset=30d")), f"vacancy-{world.vacancy}")
    linkedin = [_cells(row) for row in re.findall(r"<tr.*?</tr>", vacancy, re.S)][1]
    assert linkedin[-2:] == ["€617.25", "– (No cost entered, or nothing to divide it by.)"]  # 2 applications, 0 hires


@pytest.mark.parametrize(("changes", "problem"), [
    ({"amount": "zwölf"}, "Enter an amount in euros like 250 or 1.234,50."),
    ({"amount": "0"}, "Enter an amount above 0 and at most 10.000.000 euros."),
    ({"spent_on": "morgen"}, "Enter a date like 2026-03-31 or 31.03.2026."),
    ({"campaign": "Messe 2026"}, "Choose a vacancy or name a campaign, not both."),
    ({"channel": "999999"}, "Choose a channel from the list."),
])
def test_a_bad_cost_is_explained_kept_and_not_saved(browser: Browser, login_as: Callable[..., User], world: World,
                                                    db: sessionmaker[Session], changes: dict[str, str],
                                                    problem: str) -> None:
    login_as(Role.MARKETER)
    response = browser.post("/reports/costs", _form(world, **changes))
    page = unescape(text_of(response))
    assert response.status_code == 422 and problem in page
    assert "Boost</textarea>" in page and 'value="20.02.2026"' in page or "morgen" in page  # kept as typed
    if "channel" not in changes:
        assert all(f'value="{value}"' in page for value in changes.values())
    with db() as session:
        assert session.scalars(select(ChannelCost)).all() == []


def test_a_cost_can_be_deleted(browser: Browser, login_as: Callable[..., User], world: World,
                               db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    browser.post("/reports/costs", _form(world))
    with db() as session:
        cost_id = session.scalars(select(ChannelCost.id)).one()
    assert browser.post(f"/reports/costs/{cost_id}/delete").status_code == 303
    with db() as session:
        assert session.get(ChannelCost, cost_id) is None
    assert browser.post(f"/reports/costs/{cost_id}/delete").status_code == 404


def test_managers_see_the_costs_but_get_no_form(browser: Browser, login_as: Callable[..., User],
                                                world: World) -> None:
    login_as(Role.MANAGER)
    page = text_of(browser.get("/reports/costs"))
    assert "Channel costs" in page and "Save cost" not in page
    assert browser.post("/reports/costs", _form(world)).status_code == 403


def test_from_a_vacancys_page_the_form_comes_with_the_vacancy_and_today_chosen(
        browser: Browser, login_as: Callable[..., User], world: World) -> None:
    login_as(Role.RECRUITER)
    page = text_of(browser.get(f"/reports/costs?vacancy={world.vacancy}"))
    assert f'<option selected value="{world.vacancy}">' in page
    assert 'value="2026-03-01"' in page  # today in Vienna
    assert f'href="/reports/costs?vacancy={world.vacancy}"' in text_of(browser.get(f"/vacancies/{world.vacancy}"))
