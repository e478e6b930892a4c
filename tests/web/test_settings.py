"""The guidelines settings page: admins only; per-kind rules, imprint address, job-ad rules; 422 keeps the input."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.guidelines import guidelines_by_kind, imprint_url
from scheduler.jobrules import JobRuleSettings, RuleLevel, job_rule_settings
from scheduler.models import Guideline, PostKind, Role, User
from tests.web.conftest import Browser, build_app, services_of, text_of
from web import settings

GOOD = {"banned_words": "billig\nRockstar", "required_hashtags": "#jobs acme", "max_hashtags": "5",
        "legal_footer": "ACME GmbH, FN 12345a", "requires_approval": "y"}
COMPANY = {"imprint_url": "https://acme.at/impressum", "salary_rule": "block", "gender_rule": "warn"}


@pytest.fixture
def app(web_settings: object) -> Iterator[Flask]:
    """The app with the settings pages, its clock at NOW."""
    app = build_app(web_settings)  # type: ignore[arg-type]
    if "settings" not in app.blueprints:  # until web.create_app registers it
        app.register_blueprint(settings.bp)
    yield app
    services_of(app).engine.dispose()


def _rows(db: sessionmaker[Session]) -> dict[PostKind | None, Guideline]:
    with db() as session:
        rows = guidelines_by_kind(session)
        session.expunge_all()
        return rows


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.MARKETER, Role.MANAGER, Role.AMBASSADOR, Role.VIEWER])
def test_only_admins_reach_the_settings(browser: Browser, login_as: Callable[..., User], role: Role,
                                        db: sessionmaker[Session]) -> None:
    login_as(role)
    assert browser.get("/settings/guidelines").status_code == 403
    assert browser.post("/settings/guidelines/job_ad", GOOD).status_code == 403
    assert browser.post("/settings/company", COMPANY).status_code == 403
    assert _rows(db) == {}


def test_an_admin_saves_the_rules_of_one_kind(browser: Browser, login_as: Callable[..., User],
                                              db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    html = text_of(browser.get("/settings/guidelines?scope=job_ad"))
    assert 'action="/settings/guidelines/job_ad"' in html and 'aria-current="page">Job ad' in html
    response = browser.post("/settings/guidelines/job_ad", GOOD)
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings/guidelines?scope=job_ad")
    row = _rows(db)[PostKind.JOB_AD]
    assert (row.banned_words, row.required_hashtags, row.max_hashtags) == ("billig\nRockstar", "#jobs #acme", 5)
    assert row.requires_approval and not row.require_imprint_link
    html = text_of(browser.get("/settings/guidelines?scope=job_ad"))
    assert "Guideline for “Job ad” saved." in html and "billig\nRockstar</textarea>" in html
    assert 'Job ad <span class="badge">approval</span>' in html
    # Saving the rules for every kind touches only that row.
    browser.post("/settings/guidelines/all", {"banned_words": "gratis"})
    rows = _rows(db)
    assert rows[None].banned_words == "gratis" and rows[PostKind.JOB_AD].banned_words == "billig\nRockstar"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"max_hashtags": "99"}, "max_hashtags", "Enter a number from 0 to 30"),
    ({"max_hashtags": "viele"}, "max_hashtags", "Not a valid integer value."),
    ({"required_hashtags": "#jobs, #acme"}, "required_hashtags", "Separate hashtags with spaces"),
    ({"require_imprint_link": "y"}, "require_imprint_link", "Enter the company&#39;s imprint address below first."),
])
def test_bad_rules_are_refused_next_to_the_field_and_the_input_is_kept(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session],
        changes: dict[str, str], field: str, message: str) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/settings/guidelines/product_news", {**GOOD, **changes})
    assert response.status_code == 422
    html = text_of(response)
    assert f'id="{field}-problems"' in html and message in html
    assert "billig\nRockstar</textarea>" in html and "ACME GmbH, FN 12345a</textarea>" in html
    assert _rows(db) == {}


def test_an_unknown_kind_is_404(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    assert browser.get("/settings/guidelines?scope=memes").status_code == 404
    assert browser.post("/settings/guidelines/memes", GOOD).status_code == 404


def test_an_admin_sets_the_imprint_and_makes_a_job_rule_blocking(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/settings/company?scope=event_photos", COMPANY)
    assert response.status_code == 303 and response.headers["Location"].endswith("scope=event_photos")
    with db() as session:
        assert imprint_url(session) == "https://acme.at/impressum"
        assert job_rule_settings(session) == JobRuleSettings(salary=RuleLevel.BLOCK, gender_marker=RuleLevel.WARN)
    html = text_of(browser.get("/settings/guidelines"))
    assert 'value="https://acme.at/impressum"' in html
    assert 'checked id="salary_rule-1" name="salary_rule" type="radio" value="block"' in html
    # Now a guideline may require the imprint link.
    assert browser.post("/settings/guidelines/all", {"require_imprint_link": "y"}).status_code == 303
    assert _rows(db)[None].require_imprint_link


def test_company_settings_refuse_a_bad_address_and_removing_a_required_imprint(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/settings/company", {**COMPANY, "imprint_url": "acme.at/impressum"})
    assert response.status_code == 422 and "must start with https://" in text_of(response)
    assert 'value="acme.at/impressum"' in text_of(response)
    browser.post("/settings/company", COMPANY)
    browser.post("/settings/guidelines/all", {"require_imprint_link": "y"})
    response = browser.post("/settings/company", {**COMPANY, "imprint_url": ""})
    assert response.status_code == 422 and "switch that off before removing" in text_of(response)
    response = browser.post("/settings/company", {**COMPANY, "salary_rule": "maybe"})
    assert response.status_code == 422 and "Not a valid choice" in text_of(response)
    with db() as session:
        assert imprint_url(session) == "https://acme.at/impressum"
        assert session.scalars(select(Guideline)).one().require_imprint_link
