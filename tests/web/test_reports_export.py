"""Report downloads: CSV per table for German and English spreadsheets, and the PDF report in either language."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Role, User
from tests.report_samples import EVIL, empty_dashboard, sample_dashboard
from tests.web.conftest import Browser
from tests.web.report_rows import World, seed
from tests.web.test_reports import NOW
from web.report_csv import BUILDERS, render
from workers.report_pdf import build_pdf
from workers.report_words import Words


@pytest.fixture
def world(db: sessionmaker[Session]) -> World:
    """The known report world."""
    with db.begin() as session:
        return seed(session, NOW)


def _rows(body: bytes, delimiter: str) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel then reads umlauts right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_channel_csv_for_german_excel_uses_semicolons_decimal_commas_and_empty_unknowns(
        browser: Browser, login_as: Callable[..., User], world: World) -> None:
    login_as(Role.MANAGER, locale="de")
    response = browser.get("/reports/channels.csv?preset=30d")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="postillon-channels-2026-01-31-2026-03-01.csv"' in response.headers["Content-Disposition"]
    header, linkedin, xing = _rows(response.data, ";")
    assert len(header) == len(linkedin) == len(xing) == 22
    assert linkedin[:4] == ["Karriere LinkedIn", "LinkedIn", "1", "1000"]
    assert linkedin[9] == "0,06" and linkedin[11] == "0,007"  # engagement rate 60/1000, CTR 7/1000
    assert xing[3] == "" and xing[9] == "" and xing[11] == ""  # unknown and not computable: empty, never 0


def test_the_english_csv_uses_commas_and_decimal_points(browser: Browser, login_as: Callable[..., User],
                                                        world: World) -> None:
    login_as(Role.RECRUITER)
    rows = _rows(browser.get("/reports/vacancies.csv?preset=30d").data, ",")
    assert rows[0][:3] == ["Vacancy", "Location", "Channel"]
    assert rows[1][:9] == ["Koch (m/w/d)", "Graz", "", "1", "1000", "7", "3", "0", "0"]
    assert rows[-1][2] == "not attributed to a channel" and rows[-1][6] == "1"


@pytest.mark.parametrize("table", sorted(BUILDERS))
def test_every_table_downloads(browser: Browser, login_as: Callable[..., User], world: World, table: str) -> None:
    login_as(Role.VIEWER)
    rows = _rows(browser.get(f"/reports/{table}.csv?preset=30d").data, ",")
    assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)


def test_an_unknown_table_is_404(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MANAGER)
    assert browser.get("/reports/secrets.csv").status_code == 404


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused(app: Flask) -> None:
    report = sample_dashboard(channel_name="=HYPERLINK(\"http://evil\")", vacancy_title="+cmd")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        channels = _rows(render(BUILDERS["channels"](report, Words("en"), "Europe/Vienna"), "en"), ",")
        vacancies = _rows(render(BUILDERS["vacancies"](report, Words("en"), "Europe/Vienna"), "en"), ",")
    assert channels[1][0] == "'=HYPERLINK(\"http://evil\")" and vacancies[1][0] == "'+cmd"


@pytest.mark.parametrize(("lang", "headings"), [
    ("de", ["Social-Media-Controlling", "Kennzahlen", "Erkenntnisse", "Nach Kanal", "Nach Stelle",
            "Datenqualität", "So wird gezählt", "Klicks von Menschen", "unbekannt"]),
    ("en", ["Social Media Controlling", "Key figures", "Findings", "Per channel", "Per vacancy", "Data quality",
            "How the figures are counted", "Human clicks", "unknown"]),
])
def test_the_pdf_report_has_every_section_in_the_chosen_language(browser: Browser, login_as: Callable[..., User],
                                                                 world: World, lang: str,
                                                                 headings: list[str]) -> None:
    login_as(Role.MANAGER)
    response = browser.get(f"/reports/report.pdf?preset=30d&lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"-{lang}.pdf" in response.headers["Content-Disposition"]
    text = _pdf_text(response.data)
    for heading in headings:
        assert heading in text, heading
    assert "Koch (m/w/d)" in text and "Karriere LinkedIn" in text


def test_a_pdf_in_another_language_is_refused(browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.MANAGER)
    assert browser.get("/reports/report.pdf?lang=fr").status_code == 400


def test_the_pdf_prints_names_as_text_with_umlauts_and_findings_in_words() -> None:
    body = build_pdf(sample_dashboard(channel_name=EVIL, vacancy_title="Köchin (m/w/d) – Grüner Baum"), lang="de",
                     tz_name="Europe/Vienna", generated_at=datetime(2026, 3, 3, tzinfo=UTC), company="Murtaler GmbH")
    text = _pdf_text(body)
    assert "Köchin (m/w/d) – Grüner Baum" in text and '<script>alert("x")</script>' in text
    assert "bringt die meisten Bewerbungen pro Beitrag: 2 (12 Bewerbungen aus 6 Beiträgen)" in " ".join(text.split())
    assert "Murtaler GmbH" in text


def test_an_empty_period_still_gives_a_complete_pdf() -> None:
    text = _pdf_text(build_pdf(empty_dashboard(), lang="en", tz_name="Europe/Vienna",
                               generated_at=datetime(2026, 3, 3, tzinfo=UTC)))
    assert "No findings: not enough data in this period for a reliable statement." in " ".join(text.split())
    assert "No vacancy had posts, clicks or applications in this period." in " ".join(text.split())
