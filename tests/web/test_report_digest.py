"""The report-by-e-mail page: readers switch their own digest; admins choose it for the managers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import ReportDigest, Role, User
from tests.web.conftest import Browser, text_of


def _digest(db: sessionmaker[Session], user_id: int) -> ReportDigest | None:
    with db() as session:
        return session.scalar(select(ReportDigest).where(ReportDigest.user_id == user_id))


def test_a_manager_subscribes_weekly_and_the_first_mail_is_due_next_monday_morning_in_their_zone(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    me = login_as(Role.MANAGER, tz_name="Europe/Berlin")
    assert browser.post("/reports/digest", {"frequency": "weekly"}).status_code == 303
    digest = _digest(db, me.id)
    assert digest is not None and (digest.frequency, digest.active) == ("weekly", True)
    assert digest.next_due_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday 07:00 CET (NOW: Sunday 1 March)
    assert "Next e-mail:" in text_of(browser.get("/reports/digest"))


def test_switching_off_keeps_the_row_but_stops_the_mail(browser: Browser, login_as: Callable[..., User],
                                                        db: sessionmaker[Session]) -> None:
    me = login_as(Role.VIEWER)
    browser.post("/reports/digest", {"frequency": "monthly"})
    assert _digest(db, me.id).next_due_at == datetime(2026, 4, 1, 5, 0, tzinfo=UTC)  # type: ignore[union-attr]
    browser.post("/reports/digest", {"frequency": ""})
    assert _digest(db, me.id).active is False  # type: ignore[union-attr]


def test_an_unknown_frequency_is_refused(browser: Browser, login_as: Callable[..., User],
                                         db: sessionmaker[Session]) -> None:
    me = login_as(Role.MANAGER)
    response = browser.post("/reports/digest", {"frequency": "daily"})
    assert response.status_code == 422 and "Choose one of the offered options." in text_of(response)
    assert _digest(db, me.id) is None


def test_an_admin_chooses_the_digest_for_the_managers_listed(browser: Browser, login_as: Callable[..., User],
                                                             add_user: Callable[..., User],
                                                             db: sessionmaker[Session]) -> None:
    anna = add_user(Role.MANAGER, name="Anna Manager")
    bernd = add_user(Role.MANAGER, name="Bernd Manager")
    add_user(Role.AMBASSADOR, name="Ada Ambassador")
    login_as(Role.ADMIN)
    page = text_of(browser.get("/reports/digest"))
    assert "Anna Manager" in page and "Bernd Manager" in page and "Ada Ambassador" not in page
    browser.post("/reports/digest/people", {f"frequency-{anna.id}": "monthly", f"frequency-{bernd.id}": ""})
    assert _digest(db, anna.id).frequency == "monthly"  # type: ignore[union-attr]
    assert _digest(db, bernd.id) is None
    # Someone not on the page the admin saw (no field) is left as they are.
    browser.post("/reports/digest/people", {f"frequency-{bernd.id}": "weekly"})
    assert _digest(db, anna.id).active is True  # type: ignore[union-attr]
    assert _digest(db, bernd.id).frequency == "weekly"  # type: ignore[union-attr]
