"""CSV import pages: upload, dry-run report with line numbers, import all or the good rows, templates, roles."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import Settings
from scheduler.models import AuditEvent, Delivery, Role, User, Vacancy
from scheduler.networks import Network
from tests.factories import make_channel
from tests.web.conftest import Browser, build_app, services_of, text_of
from web import imports

GOOD = "title;location;valid_through\nKoch (m/w/d);Wien;31.05.2026\nKellner (m/w/d);Graz;\n"
MIXED = "title;location\nKoch (m/w/d);Wien\n;Linz\nKellner (m/w/d);Graz\n"


@pytest.fixture
def app(web_settings: Settings) -> Iterator[Flask]:
    """The app with the import pages (registered here until web/__init__.py registers them)."""
    app = build_app(web_settings)
    if "imports" not in app.blueprints:
        app.register_blueprint(imports.bp)
    yield app
    services_of(app).engine.dispose()


def _upload(browser: Browser, kind: str, content: str | bytes, name: str = "jobs.csv") -> str:
    """Upload a file and return the report page's path."""
    data = content.encode() if isinstance(content, str) else content
    response = browser.post("/import/", {"kind": kind, "file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")
    assert response.status_code == 303, text_of(response)
    return response.headers["Location"]


def _count(db: sessionmaker[Session], model: type[Vacancy] | type[Delivery]) -> int:
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_clean_file_is_checked_then_imported_with_one_click(browser: Browser, login_as: Callable[..., User],
                                                              db: sessionmaker[Session]) -> None:
    login_as(Role.RECRUITER)
    report = _upload(browser, "vacancies", GOOD)
    page = text_of(browser.get(report))
    assert "Import all 2 rows" in page and "import-problems" not in page
    assert _count(db, Vacancy) == 0  # the dry run imported nothing
    response = browser.post(report, {"mode": "all"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/vacancies/")
    assert "2 rows imported." in text_of(browser.get("/vacancies/"))
    assert _count(db, Vacancy) == 2
    assert browser.get(report).status_code == 404  # the file is gone once imported


def test_the_report_lists_bad_rows_by_line_and_offers_the_good_ones(browser: Browser, login_as: Callable[..., User],
                                                                    db: sessionmaker[Session]) -> None:
    login_as(Role.MANAGER)
    report = _upload(browser, "vacancies", MIXED + "Koch;Wien;zu viel\n")
    page = text_of(browser.get(report))
    rows = re.findall(r'<td data-label="Line">(\d+)</td>\s*<td data-label="Column">([^<]*)</td>', page)
    assert rows == [("3", "title"), ("5", "–")]
    assert "Enter the job title." in page and "Import all" not in page
    assert "Import the 2 good rows, skip 2 bad ones" in page
    refused = browser.post(report, {"mode": "all"})
    assert refused.status_code == 422 and _count(db, Vacancy) == 0
    assert browser.post(report, {"mode": "good_only"}).status_code == 303
    assert "2 rows imported. 2 bad rows skipped." in text_of(browser.get("/vacancies/"))
    with db() as session:
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "import.done")).all() == [
            "import.done"]


def test_a_file_without_the_required_columns_is_refused_at_upload(browser: Browser,
                                                                  login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    response = browser.post("/import/", {"kind": "vacancies", "file": (io.BytesIO(b"name;ort\nKoch;Wien\n"), "a.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 422
    assert "missing: title, location" in text_of(response)
    assert browser.post("/import/", {"kind": "vacancies"}).status_code == 422  # no file chosen


def test_a_file_up_to_five_megabytes_is_accepted(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    rows = "".join(f"Koch {n} (m/w/d);Wien;{'x' * 4000}\n" for n in range(500))  # 2 MB, over the app's 1 MB
    assert _upload(browser, "vacancies", f"title;location;description\n{rows}").startswith("/import/")
    too_big = browser.post("/import/", {"kind": "vacancies", "file": (io.BytesIO(b"x" * 6_000_000), "big.csv")},
                           content_type="multipart/form-data")
    assert too_big.status_code == 413


def test_posts_are_imported_on_the_channels_named_in_the_file(browser: Browser, login_as: Callable[..., User],
                                                              db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        make_channel(session, network=Network.X, name="X ACME")
    login_as(Role.MARKETER, tz_name="Europe/Berlin")
    report = _upload(browser, "posts", "text;channels;date;time\nHallo Welt;X ACME;10.03.2026;09:30\n"
                                       f"{'x' * 300};X ACME;10.03.2026;09:30\n", "posts.csv")
    page = text_of(browser.get(report))
    assert "X ACME: " in page  # the real X adapter's length check, named by channel
    assert browser.post(report, {"mode": "good_only"}).headers["Location"].endswith("/deliveries")
    with db() as session:
        assert session.scalars(select(Delivery.due_at)).one().hour == 8  # 09:30 in Berlin (CET)


def test_each_template_downloads_and_passes_its_own_check(browser: Browser, login_as: Callable[..., User],
                                                          db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        make_channel(session, network=Network.LINKEDIN, name="LinkedIn ACME")
    login_as(Role.ADMIN)
    for kind in ("vacancies", "posts"):
        response = browser.get(f"/import/template/{kind}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        page = text_of(browser.get(_upload(browser, kind, response.data, f"{kind}.csv")))
        assert "import-problems" not in page and "Import all 2 rows" in page


def test_roles_decide_what_can_be_imported(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MARKETER)
    page = text_of(browser.get("/import/"))
    assert 'value="posts"' in page and 'value="vacancies"' not in page
    assert browser.get("/import/template/vacancies.csv").status_code == 403
    response = browser.post("/import/", {"kind": "vacancies", "file": (io.BytesIO(GOOD.encode()), "a.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AMBASSADOR])
def test_readers_cannot_import(browser: Browser, login_as: Callable[..., User], role: Role) -> None:
    login_as(role)
    assert browser.get("/import/").status_code == 403
    assert browser.get("/import/template/posts.csv").status_code == 403


def test_an_upload_belongs_to_the_person_who_uploaded_it(app: Flask, browser: Browser,
                                                         login_as: Callable[..., User],
                                                         add_user: Callable[..., User]) -> None:
    login_as(Role.RECRUITER)
    report = _upload(browser, "vacancies", GOOD)
    other = Browser(app.test_client())
    assert other.login(add_user(Role.ADMIN).email).status_code == 303
    assert other.get(report).status_code == 404
    assert other.post(report, {"mode": "all"}).status_code == 404
