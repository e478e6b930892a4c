"""CSV import: separators, encodings, bad rows with their lines, missing columns, limits, dry run and good rows only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler import csv_read
from scheduler.csv_import import ImportMode, ImportReport, check_file, import_posts, import_vacancies
from scheduler.csv_read import ImportRefusedError
from scheduler.lifecycle import DeliveryState
from scheduler.models import AuditEvent, ChannelStatus, Delivery, Guideline, Post, PostKind, Vacancy
from scheduler.networks import RULES, Network
from scheduler.ports import PostContent, Problem
from tests.factories import make_channel, make_user

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TZ = "Europe/Vienna"
VACANCIES = (
    "title;location;country;employment_type;salary_min;overpay;valid_through;repost_every_days\n"
    "Softwareentwickler (m/w/d);Wien;AT;Vollzeit;3.200;ja;31.05.2026;14\n"
    "Buchhalter (m/w/d);München;de;PART_TIME;;nein;2026-06-30;\n"
)


def plain_length(network: Network, content: PostContent) -> list[Problem]:
    """The networks' own text limit, as the adapters check it."""
    limit = RULES[network].max_text
    return [Problem("text", "too_long", f"At most {limit} characters.")] if len(content.text) > limit else []


def _vacancies(sessions: sessionmaker[Session], data: str | bytes, mode: ImportMode = ImportMode.ALL,
               encoding: str = "utf-8") -> ImportReport:
    raw = data.encode(encoding) if isinstance(data, str) else data
    with sessions.begin() as session:
        user = make_user(session)
        return import_vacancies(session, raw, user_id=user.id, tz_name=TZ, now=NOW, mode=mode, filename="jobs.csv")


def _posts(sessions: sessionmaker[Session], data: str, mode: ImportMode = ImportMode.ALL) -> ImportReport:
    with sessions.begin() as session:
        user = make_user(session)
        return import_posts(session, data.encode(), user_id=user.id, tz_name=TZ, now=NOW, mode=mode,
                            validate=plain_length, filename="posts.csv")


def _count(sessions: sessionmaker[Session], model: type[Vacancy] | type[Post] | type[Delivery]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _channels(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions.begin() as session:
        return {c.name: c.id for c in (
            make_channel(session, network=Network.LINKEDIN, name="LinkedIn Firma"),
            make_channel(session, network=Network.X, name="X Firma"),
            make_channel(session, network=Network.FACEBOOK, name="Alt", status=ChannelStatus.DISABLED))}


def test_a_clean_semicolon_file_imports_every_vacancy_with_its_values(sessions: sessionmaker[Session]) -> None:
    report = _vacancies(sessions, VACANCIES)
    assert (report.rows, report.good, report.imported, report.problems) == (2, 2, 2, [])
    with sessions() as session:
        first, second = session.scalars(select(Vacancy).order_by(Vacancy.id)).all()
        audit = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "import.done")).all()
    assert (first.title, first.salary_min, first.overpay, first.repost_every_days) == (
        "Softwareentwickler (m/w/d)", 3200, True, 14)
    # "valid through" a date: the end of that day in Vienna (CEST, UTC+2).
    assert first.valid_through == datetime(2026, 5, 31, 21, 59, tzinfo=UTC)
    assert (second.country, second.employment_type.value, second.salary_min) == ("DE", "PART_TIME", None)
    assert audit == ["2 vacancies from jobs.csv; 0 bad row(s) skipped"]


def test_a_comma_file_with_a_bom_and_quoted_multiline_values_is_read(sessions: sessionmaker[Session]) -> None:
    data = '\ufefftitle,location,description\n"Lehrling (m/w/d), Metall",Linz,"Zeile eins\nZeile zwei"\n'
    report = _vacancies(sessions, data)
    assert report.imported == 1
    with sessions() as session:
        vacancy = session.scalars(select(Vacancy)).one()
    assert (vacancy.title, vacancy.description) == ("Lehrling (m/w/d), Metall", "Zeile eins\nZeile zwei")


def test_a_windows_1252_file_is_read_with_a_note(sessions: sessionmaker[Session]) -> None:
    report = _vacancies(sessions, "title;location\nKöchin (m/w/d);Graz\n", encoding="cp1252")
    assert report.imported == 1 and "Windows-1252" in report.notes[0].message
    with sessions() as session:
        assert session.scalars(select(Vacancy.title)).one() == "Köchin (m/w/d)"


def test_bad_rows_are_reported_with_their_line_and_nothing_is_imported(sessions: sessionmaker[Session]) -> None:
    data = ("title;location;salary_min;valid_through;apply_url;employment_type\n"
            "Gut (m/w/d);Wien;;;;\n"
            ";Wien;viel;;;\n"  # line 3: no title, salary not a number
            "\n"  # blank lines are skipped, but counted as lines of the file
            'Beschreibung "lang" (m/w/d);"Wien\nZentrum";;31.02.2026;karriere.at;Nebenjob\n'  # starts on line 5
            "Spät (m/w/d);Wien;;01.01.2020;;\n")  # line 7: valid through in the past
    report = _vacancies(sessions, data)
    where = {(p.line, p.column) for p in report.problems}
    assert where == {(3, "title"), (3, "salary_min"), (5, "valid_through"), (5, "apply_url"),
                     (5, "employment_type"), (7, "valid_through")}
    assert (report.rows, report.good, report.bad_lines, report.imported) == (4, 1, [3, 5, 7], 0)
    assert _count(sessions, Vacancy) == 0
    assert "no date in the calendar" in next(p.message for p in report.problems if p.line == 5
                                             and p.column == "valid_through")


def test_importing_only_the_good_rows_skips_the_bad_ones(sessions: sessionmaker[Session]) -> None:
    data = "title;location\nGut (m/w/d);Wien\n;Wien\nAuch gut (m/w/d);Graz\n"
    report = _vacancies(sessions, data, ImportMode.GOOD_ONLY)
    assert (report.imported, report.bad_lines) == (2, [3])
    with sessions() as session:
        assert session.scalars(select(Vacancy.title).order_by(Vacancy.id)).all() == ["Gut (m/w/d)",
                                                                                    "Auch gut (m/w/d)"]
        assert "1 bad row(s) skipped" in session.scalars(select(AuditEvent.detail)
                                                          .where(AuditEvent.action == "import.done")).one()


def test_a_dry_run_checks_every_row_and_imports_nothing(sessions: sessionmaker[Session]) -> None:
    report = _vacancies(sessions, VACANCIES, ImportMode.DRY_RUN)
    assert (report.good, report.imported, report.problems) == (2, 0, [])
    assert _count(sessions, Vacancy) == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_unknown_columns_are_reported_and_ignored(sessions: sessionmaker[Session]) -> None:
    report = _vacancies(sessions, "Title;Location;Abteilung\nKoch (m/w/d);Wien;Küche\n")
    assert (report.unknown_columns, report.imported) == (["abteilung"], 1)


@pytest.mark.parametrize(("data", "message"), [
    ("title;ort\nKoch;Wien\n", "missing: location"),
    ("title;location;title\nKoch;Wien;Koch\n", "“title” appears twice"),
    ("", "empty"),
    (b"title;location\n\x81\x8d\x8f;Wien\n", "cannot be read as text"),
])
def test_files_that_cannot_be_imported_stop_with_one_message(sessions: sessionmaker[Session], data: str | bytes,
                                                            message: str) -> None:
    with pytest.raises(ImportRefusedError, match=message):
        _vacancies(sessions, data)
    assert _count(sessions, Vacancy) == 0


def test_files_over_the_row_and_size_limits_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_read, "MAX_ROWS", 3)
    check_file("vacancies", b"title;location\n" + b"Koch;Wien\n" * 3)
    with pytest.raises(ImportRefusedError, match="more than 3 rows"):
        check_file("vacancies", b"title;location\n" + b"Koch;Wien\n" * 4)
    with pytest.raises(ImportRefusedError, match="larger than 5 MB"):
        check_file("vacancies", b"title;location\n" + b"x" * csv_read.MAX_BYTES)


def test_posts_are_scheduled_on_channels_by_name_or_id_in_local_time(sessions: sessionmaker[Session]) -> None:
    ids = _channels(sessions)
    data = ("text;link;kind;campaign;channels;date;time\n"
            "Neues Modul;https://acme.at/n;Produktnews;Frühjahr;linkedin firma | X Firma;10.03.2026;09:30\n"
            f"Wir suchen;;job_ad;;{ids['X Firma']};2026-04-01;14:00\n")
    report = _posts(sessions, data)
    assert (report.imported, report.problems) == (2, [])
    with sessions() as session:
        posts = session.scalars(select(Post).order_by(Post.id)).all()
        first = sorted((d.channel.name, d.due_at, d.state) for d in posts[0].deliveries)
        second = [(d.channel.name, d.due_at) for d in posts[1].deliveries]
    assert (posts[0].kind, posts[0].campaign, posts[1].kind) == (PostKind.PRODUCT_NEWS, "Frühjahr", PostKind.JOB_AD)
    at = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)  # 09:30 CET
    assert first == [("LinkedIn Firma", at, DeliveryState.SCHEDULED), ("X Firma", at, DeliveryState.SCHEDULED)]
    assert second == [("X Firma", datetime(2026, 4, 1, 12, 0, tzinfo=UTC))]  # 14:00 CEST


def test_bad_post_rows_name_the_unknown_channel_the_dst_gap_and_the_networks_problems(
        sessions: sessionmaker[Session]) -> None:
    _channels(sessions)
    data = ("text;channels;date;time;kind\n"
            "Hallo;Instagram Firma;10.03.2026;09:30;\n"  # line 2: no such channel
            "Hallo;X Firma;29.03.2026;02:30;\n"  # line 3: the clocks jump from 02:00 to 03:00
            f"{'x' * 300};X Firma|LinkedIn Firma;10.03.2026;09:30;\n"  # line 4: too long for X only
            "Hallo;Alt;10.03.2026;25:00;Werbung\n"  # line 5: bad time, unknown kind
            "Hallo;X Firma;01.02.2026;09:00;\n"  # line 6: in the past
            "Hallo;Alt;10.03.2026;09:00;\n")  # line 7: disabled channel
    report = _posts(sessions, data)
    found = {(p.line, p.column): p.message for p in report.problems}
    assert "no channel called “Instagram Firma”" in found[(2, "channels")]
    assert "does not exist in Europe/Vienna" in found[(3, "time")]
    assert found[(4, "text")].startswith("X Firma: ")
    assert {(5, "time"), (5, "kind"), (6, "date"), (7, "channels")} <= found.keys()
    assert "disabled" in found[(7, "channels")]
    assert (report.good, report.imported) == (0, 0)
    assert _count(sessions, Post) == 0


def test_imported_posts_follow_the_guidelines_and_go_for_approval(sessions: sessionmaker[Session]) -> None:
    _channels(sessions)
    with sessions.begin() as session:
        session.add(Guideline(kind=None, banned_words="billig", requires_approval=True))
    data = "text;channels;date;time\nGanz billig;X Firma;10.03.2026;09:30\nQualität;X Firma;10.03.2026;09:30\n"
    report = _posts(sessions, data, ImportMode.GOOD_ONLY)
    assert [(p.line, p.column) for p in report.problems] == [(2, "text")]
    assert "“billig” must not appear" in report.problems[0].message
    with sessions() as session:
        states = session.scalars(select(Delivery.state)).all()
    assert (report.imported, states) == (1, [DeliveryState.AWAITING_APPROVAL])


def test_a_post_dry_run_leaves_no_post_behind(sessions: sessionmaker[Session]) -> None:
    _channels(sessions)
    report = _posts(sessions, "text;channels;date;time\nHallo;X Firma;10.03.2026;09:30\n", ImportMode.DRY_RUN)
    assert (report.good, report.imported) == (1, 0)
    assert (_count(sessions, Post), _count(sessions, Delivery)) == (0, 0)
