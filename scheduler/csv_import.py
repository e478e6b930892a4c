"""CSV import of vacancies and posts: a dry run that reports every bad row, then all rows or only the good ones.

Every row runs through the same use-case as the forms (``create_vacancy``, ``schedule_post``) in a
SAVEPOINT: a dry run rolls each one back, so the report says exactly what importing would do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from scheduler import csv_posts
from scheduler.audit import audit
from scheduler.clock import NonexistentLocalTimeError, from_local
from scheduler.csv_read import Row, RowProblem, Table, cell_problem, from_problem, parse_date, read_table, row_problem
from scheduler.models import EmploymentType
from scheduler.ports import InputError, Problem, params
from scheduler.posts import Validator
from scheduler.vacancies import VacancyInput, VacancyProblems, create_vacancy, validate

VACANCY_REQUIRED = ("title", "location")
VACANCY_OPTIONAL = ("country", "employment_type", "salary_statement", "salary_min", "salary_period", "overpay",
                    "description", "apply_url", "language", "valid_through", "reference", "repost_every_days")
#: Employment types as people write them, besides the schema.org values (FULL_TIME, …).
EMPLOYMENT_WORDS: dict[str, EmploymentType] = {
    "vollzeit": EmploymentType.FULL_TIME, "teilzeit": EmploymentType.PART_TIME,
    "freiberuflich": EmploymentType.CONTRACTOR, "befristet": EmploymentType.TEMPORARY,
    "praktikum": EmploymentType.INTERN, "lehre": EmploymentType.APPRENTICESHIP,
    "lehrstelle": EmploymentType.APPRENTICESHIP, "sonstige": EmploymentType.OTHER,
}
#: The columns a file of each kind must have, and may have.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vacancies": (VACANCY_REQUIRED, VACANCY_OPTIONAL), "posts": (csv_posts.REQUIRED, csv_posts.OPTIONAL)}
_YES = frozenset({"ja", "yes", "true", "1", "x", "wahr"})
_NO = frozenset({"", "nein", "no", "false", "0", "falsch"})
_WHOLE = re.compile(r"\d{1,3}(?:[.\s']\d{3})+|\d+")  # 3200, 3.200 (German), 3 200


class ImportMode(StrEnum):
    """What an import does with the rows."""

    DRY_RUN = "dry_run"  # check every row, import nothing
    ALL = "all"  # import every row, or nothing when any row is bad
    GOOD_ONLY = "good_only"  # import the good rows, skip the bad ones


@dataclass(slots=True)
class ImportReport:
    """What an import found and did: problems per row (with line numbers), good rows, imported rows."""

    rows: int
    problems: list[RowProblem] = field(default_factory=list)
    imported: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        """Return the lines of the rows that cannot be imported."""
        return sorted({problem.line for problem in self.problems})

    @property
    def good(self) -> int:
        """Return how many rows can be imported."""
        return self.rows - len(self.bad_lines)


def check_file(kind: str, data: bytes) -> None:
    """Raise ImportRefusedError when ``data`` cannot be imported as ``kind`` at all (size, encoding, columns)."""
    read_table(data, *COLUMNS[kind])


def import_vacancies(session: Session, data: bytes, *, user_id: int | None, tz_name: str, now: datetime,
                     mode: ImportMode, filename: str = "") -> ImportReport:
    """Check (and unless a dry run, create) one open vacancy per row; raise ImportRefusedError for unusable files."""
    table = read_table(data, VACANCY_REQUIRED, VACANCY_OPTIONAL)

    def make(row: Row, dry_run: bool) -> list[RowProblem]:
        return _vacancy_row(session, row, user_id=user_id, tz_name=tz_name, now=now)

    return _run(session, table, make, mode, user_id, f"vacancies from {filename or 'a file'}")


def import_posts(session: Session, data: bytes, *, user_id: int | None, tz_name: str, now: datetime,
                 mode: ImportMode, validate: Validator, accept_warnings: bool = False,
                 filename: str = "") -> ImportReport:
    """Check (and unless a dry run, schedule) one post per row; ``validate`` holds the networks' own checks."""
    table = read_table(data, csv_posts.REQUIRED, csv_posts.OPTIONAL)
    rows = csv_posts.PostRows(user_id=user_id, tz_name=tz_name, now=now, validate=validate,
                              accept_warnings=accept_warnings, channels=csv_posts.channels_of(session))

    def make(row: Row, dry_run: bool) -> list[RowProblem]:
        return csv_posts.post_row(session, row, rows, dry_run=dry_run)

    return _run(session, table, make, mode, user_id, f"posts from {filename or 'a file'}")


def _run(session: Session, table: Table, make: Callable[[Row, bool], list[RowProblem]], mode: ImportMode,
         user_id: int | None, what: str) -> ImportReport:
    """Run ``make`` on every row in its own SAVEPOINT, inside one for the whole file (undone if it must be)."""
    report = ImportReport(rows=len(table.rows), unknown_columns=table.unknown_columns, notes=table.notes)
    dry_run = mode is ImportMode.DRY_RUN
    whole = session.begin_nested()
    for row in table.rows:
        one = session.begin_nested()
        found = ([row_problem(row.line, "", "extra_values", "This row has more values than the first line has "
                                                            "columns.")]
                 if row.extra else make(row, dry_run))
        if found or dry_run:
            one.rollback()
        else:
            one.commit()
            report.imported += 1
        report.problems += found
    if dry_run or (mode is ImportMode.ALL and report.problems):
        whole.rollback()
        report.imported = 0
        return report
    whole.commit()
    audit(session, user_id, "import.done", "import", f"{report.imported} {what}; {len(report.bad_lines)} bad "
                                                     "row(s) skipped")
    session.flush()
    return report


def _vacancy_row(session: Session, row: Row, *, user_id: int | None, tz_name: str, now: datetime) -> list[RowProblem]:
    """Create the row's vacancy; return its problems instead (reading problems and the vacancy's own rules)."""
    v = row.values
    problems: list[RowProblem] = []

    def read(column: str, parse: Callable[[str], Any], default: Any) -> Any:
        try:
            return parse(v.get(column, "").strip())
        except ValueError as exc:
            problems.append(cell_problem(row.line, column, exc))
            return default

    data = VacancyInput(
        title=v.get("title", ""), location=v.get("location", ""), country=v.get("country", "").strip().upper() or "AT",
        employment_type=read("employment_type", _employment, EmploymentType.FULL_TIME),
        salary_statement=v.get("salary_statement", ""), salary_min=read("salary_min", _whole, None),
        salary_period=v.get("salary_period", "").strip().upper() or "MONTH", overpay=read("overpay", _yes_no, False),
        description=v.get("description", ""), apply_url=v.get("apply_url", "").strip() or None,
        language=v.get("language", "").strip().lower() or "de",
        valid_through=read("valid_through", lambda text: _end_of_day(text, tz_name), None),
        repost_every_days=read("repost_every_days", _whole, None), reference=v.get("reference", ""),
    )
    if problems:  # still say everything else that is wrong with the row
        return problems + [from_problem(row.line, p.field, p) for p in validate(data, now=now)]
    try:
        create_vacancy(session, data, user_id=user_id, now=now)
    except VacancyProblems as found:
        return [from_problem(row.line, p.field, p) for p in found.problems]
    return []


def _employment(value: str) -> EmploymentType:
    word = value.upper().replace("-", "_").replace(" ", "_")
    if not word:
        return EmploymentType.FULL_TIME
    if word in {t.value for t in EmploymentType}:
        return EmploymentType(word)
    if value.casefold() in EMPLOYMENT_WORDS:
        return EMPLOYMENT_WORDS[value.casefold()]
    raise InputError(f"“{value}” is no employment type; write e.g. Vollzeit, Teilzeit, FULL_TIME or PART_TIME.",
                     code="csv.not_an_employment_type", params=params(value=value))


def _whole(value: str) -> int | None:
    if not value:
        return None
    if not _WHOLE.fullmatch(value):
        raise InputError(f"“{value}” is no whole number.", code="csv.not_a_whole_number", params=params(value=value))
    return int(re.sub(r"\D", "", value))


def _yes_no(value: str) -> bool:
    if value.casefold() in _YES:
        return True
    if value.casefold() in _NO:
        return False
    raise InputError(f"Write “ja” or “nein” instead of “{value}”.", code="csv.not_yes_no", params=params(value=value))


def _end_of_day(value: str, tz_name: str) -> datetime | None:
    """Return the end of that day in the importing person's zone, as the vacancy form does."""
    if not value:
        return None
    try:
        return from_local(datetime.combine(parse_date(value), time(23, 59)), tz_name)
    except NonexistentLocalTimeError:  # 23:59 is never skipped by a DST change; defensive only
        return None
