"""Read an uploaded CSV file as spreadsheet programs in Austria and Germany write it: ; or , and UTF-8 or cp1252."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from scheduler.ports import ExplainedError, InputError, Problem, params

#: Largest file accepted, in bytes.
MAX_BYTES = 5 * 1024 * 1024
#: Most data rows accepted (the header not counted).
MAX_ROWS = 5000


class ImportRefusedError(ExplainedError, ValueError):
    """The file as a whole cannot be imported; the message says why in plain words, ``code`` names the reason."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row cannot be imported: its line in the file, the column, the reason in plain words."""

    line: int
    column: str
    message: str  # in English, with the channel's name in front when the reason concerns one channel
    blocking: bool = True  # False: a warning the importing person may accept
    reason: Problem | ExplainedError | None = None  # the coded reason, for the reader's language
    channel: str = ""  # the channel the reason concerns ("" for the row as a whole)


def row_problem(line: int, column: str, code: str, message: str, **values: object) -> RowProblem:
    """Return a row's problem whose reason is ``code`` on ``column`` (the message in English)."""
    return RowProblem(line, column, message, reason=Problem(column or "row", code, message, params=params(**values)))


def cell_problem(line: int, column: str, error: ValueError) -> RowProblem:
    """Return the problem of a value in ``column`` that could not be read (the reader's error as the reason)."""
    return RowProblem(line, column, str(error), reason=error if isinstance(error, ExplainedError) else None)


def from_problem(line: int, column: str, problem: Problem, channel: str = "") -> RowProblem:
    """Return a use-case's problem as the problem of a row (for one channel when ``channel`` is given)."""
    message = f"{channel}: {problem.message}" if channel else problem.message
    return RowProblem(line, column, message, problem.blocking, reason=problem, channel=channel)


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: the line it starts on in the file (header = line 1) and its values by column."""

    line: int
    values: dict[str, str]
    extra: bool = False  # the row has more values than the header has columns


@dataclass(slots=True)
class Table:
    """The rows of a file, its columns, and notes about how it was read."""

    columns: list[str]
    rows: list[Row]
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # warnings about the file as a whole


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """Return the file's text and notes; UTF-8 (with or without BOM), else Windows-1252 with a note."""
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise ImportRefusedError(f"The file is larger than {limit} MB; split it into smaller files.",
                                 code="csv.too_large", params=params(limit=limit))
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefusedError("The file cannot be read as text; save it as “CSV UTF-8” and upload it again.",
                                 code="csv.not_text") from None
    return text, [Problem("file", "read_as_cp1252", "The file is not UTF-8; it was read as Windows-1252 (older "
                          "Excel). Check the umlauts in the report, or save it as “CSV UTF-8” next time.",
                          blocking=False)]


def delimiter(text: str) -> str:
    """Return ; or , whichever separates the header line (Excel in Austria and Germany writes ;)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


def read_table(data: bytes, required: Sequence[str], optional: Sequence[str]) -> Table:
    """Read ``data`` into rows keyed by lower-case column name; refuse files without the required columns."""
    text, notes = decode(data)
    if not text.strip():
        raise ImportRefusedError("The file is empty.", code="csv.empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=False)
    try:
        header = [name.strip().lower() for name in next(reader)]
        table = Table(columns=header, rows=[], notes=notes)
        _check_header(table, required, optional)
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1  # a quoted value may span several lines
            if not any(value.strip() for value in record):
                continue  # blank lines, and Excel's ";;;;" rows
            if len(table.rows) >= MAX_ROWS:
                raise ImportRefusedError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.",
                                         code="csv.too_many_rows", params=params(limit=MAX_ROWS))
            padded = [*record, *([""] * (len(header) - len(record)))]
            extra = any(value.strip() for value in record[len(header):])
            table.rows.append(Row(line, dict(zip(header, padded, strict=False)), extra=extra))
    except csv.Error as exc:
        raise ImportRefusedError(f"The file is not a readable CSV file (line {reader.line_num}: {exc}).",
                                 code="csv.malformed", params=params(line=reader.line_num, error=str(exc))) from None
    return table


def _check_header(table: Table, required: Sequence[str], optional: Sequence[str]) -> None:
    names = [name for name in table.columns if name]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise ImportRefusedError(f"The column “{doubled[0]}” appears twice in the first line; keep one.",
                                 code="csv.column_twice", params=params(column=doubled[0]))
    missing = [name for name in required if name not in names]
    if missing:
        raise ImportRefusedError(
            "The first line must name the columns; missing: " + ", ".join(missing) +
            ". Download the template to see every column.", code="csv.columns_missing",
            params=params(columns=", ".join(missing)))
    known = {*required, *optional}
    table.unknown_columns = [name for name in names if name not in known]


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


def parse_date(value: str) -> date:
    """Return the date written as YYYY-MM-DD or DD.MM.YYYY; ValueError with a plain message otherwise."""
    value = value.strip()
    if found := _ISO_DATE.fullmatch(value):
        year, month, day = found.groups()
    elif found := _GERMAN_DATE.fullmatch(value):
        day, month, year = found.groups()
    else:
        raise InputError(f"“{value}” is no date; write it as 31.12.2026 or 2026-12-31.", code="csv.not_a_date",
                         params=params(value=value))
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InputError(f"“{value}” is no date in the calendar.", code="csv.no_such_date",
                         params=params(value=value)) from None


def parse_time(value: str) -> time:
    """Return the time written as HH:MM (24-hour clock); ValueError with a plain message otherwise."""
    value = value.strip()
    found = _TIME.fullmatch(value)
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise InputError(f"“{value}” is no time; write it as 09:30 (24-hour clock).", code="csv.not_a_time",
                         params=params(value=value))
    return time(int(found.group(1)), int(found.group(2)))
