"""One row of a posts CSV file: read its values and schedule it with the composer's own checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.approval import approval_required, submit_for_approval
from scheduler.clock import NonexistentLocalTimeError, from_local
from scheduler.csv_read import Row, RowProblem, cell_problem, from_problem, parse_date, parse_time, row_problem
from scheduler.guidelines import check_guidelines
from scheduler.models import Channel, PostKind
from scheduler.networks import Network
from scheduler.ports import PostContent, Problem
from scheduler.posts import DraftProblems, PostDraft, Validator, schedule_post

REQUIRED = ("text", "channels", "date", "time")
OPTIONAL = ("link", "kind", "campaign")

#: Kinds as people write them in a spreadsheet, besides the values themselves.
KIND_WORDS: dict[str, PostKind] = {
    "stellenanzeige": PostKind.JOB_AD, "job": PostKind.JOB_AD, "jobanzeige": PostKind.JOB_AD,
    "produktnews": PostKind.PRODUCT_NEWS, "news": PostKind.PRODUCT_NEWS, "neuigkeit": PostKind.PRODUCT_NEWS,
    "eventfotos": PostKind.EVENT_PHOTOS, "veranstaltung": PostKind.EVENT_PHOTOS,
}
#: The composer's field names that are a different column in the file.
_COLUMN_OF = {"due_at": "date", "media": "text"}


@dataclass(frozen=True, slots=True)
class PostRows:
    """What every row of one file shares: who imports, in which zone, the channels, the checks."""

    user_id: int | None
    tz_name: str
    now: datetime
    validate: Validator
    accept_warnings: bool
    channels: Sequence[Channel]


def channels_of(session: Session) -> list[Channel]:
    """Return every channel, to look up names and ids once per file (disabled ones are refused per row)."""
    return list(session.scalars(select(Channel).order_by(Channel.id)))


def post_row(session: Session, row: Row, rows: PostRows, *, dry_run: bool) -> list[RowProblem]:
    """Schedule the row's post (sent for approval where its kind needs it); return its problems instead."""
    problems: list[RowProblem] = []
    values = row.values
    kind = _kind(values.get("kind", ""), row.line, problems)
    channel_ids = _channel_ids(values.get("channels", ""), rows.channels, row.line, problems)
    due_at = _due_at(values.get("date", ""), values.get("time", ""), rows.tz_name, row.line, problems)
    if problems:
        return problems
    draft = PostDraft(text=values.get("text", ""), channel_ids=channel_ids, due_at=due_at,
                      link=values.get("link") or None, kind=kind, campaign=values.get("campaign", ""),
                      accept_warnings=rows.accept_warnings)

    def validate(network: Network, content: PostContent) -> list[Problem]:
        # The network's checks come from the caller; the company's guidelines apply to imports as to the composer.
        return rows.validate(network, content) + check_guidelines(session, kind, network, content.text, content.link)

    try:
        post = schedule_post(session, draft, author_id=rows.user_id, now=rows.now, validate=validate)
    except DraftProblems as found:
        return _row_problems(found, rows.channels, row.line)
    if not dry_run and approval_required(session, kind):
        submit_for_approval(session, post.id, user_id=rows.user_id, now=rows.now)
    return []


def _kind(value: str, line: int, problems: list[RowProblem]) -> PostKind:
    word = value.strip().casefold().replace("-", "_").replace(" ", "_")
    if not word:
        return PostKind.PRODUCT_NEWS
    if word in {kind.value for kind in PostKind}:
        return PostKind(word)
    if word.replace("_", "") in KIND_WORDS:
        return KIND_WORDS[word.replace("_", "")]
    kinds = ", ".join(kind.value for kind in PostKind)
    problems.append(row_problem(line, "kind", "unknown_kind", f"“{value.strip()}” is no kind of post; write {kinds} "
                                "or leave it empty.", value=value.strip(), kinds=kinds))
    return PostKind.PRODUCT_NEWS


def _channel_ids(value: str, channels: Sequence[Channel], line: int, problems: list[RowProblem]) -> list[int]:
    """Look up channels by name (any case) or id; schedule_post itself refuses an empty list and disabled ones."""
    found: list[int] = []
    for part in (p.strip() for p in value.split("|")):
        if not part:
            continue
        by_name = [c.id for c in channels if c.name.casefold() == part.casefold()]
        by_id = [c.id for c in channels if part.isdigit() and c.id == int(part)]
        if len(by_name) > 1:
            problems.append(row_problem(line, "channels", "ambiguous_channel", f"Several channels are called "
                                        f"“{part}”; write the channel's number instead.", name=part))
        elif by_name or by_id:
            found.extend(by_name or by_id)
        else:
            problems.append(row_problem(line, "channels", "no_such_channel", f"There is no channel called “{part}”.",
                                        name=part))
    return list(dict.fromkeys(found))


def _due_at(day: str, clock: str, tz_name: str, line: int, problems: list[RowProblem]) -> datetime | None:
    """Return the row's local date and time as UTC; a time skipped by the spring DST change is refused."""
    found = len(problems)
    on, at = None, None
    try:
        on = parse_date(day) if day.strip() else None
    except ValueError as exc:
        problems.append(cell_problem(line, "date", exc))
    try:
        at = parse_time(clock) if clock.strip() else None
    except ValueError as exc:
        problems.append(cell_problem(line, "time", exc))
    if not day.strip():
        problems.append(row_problem(line, "date", "missing", "Enter the date the post goes out."))
    if not clock.strip():
        problems.append(row_problem(line, "time", "missing", "Enter the time the post goes out."))
    if on is None or at is None or len(problems) > found:
        return None
    local = datetime.combine(on, at)
    try:
        return from_local(local, tz_name)
    except NonexistentLocalTimeError:
        problems.append(row_problem(line, "time", "nonexistent", f"{local:%d.%m.%Y %H:%M} does not exist in "
                                    f"{tz_name}: the clocks go forward an hour that night. Pick another time.",
                                    time=f"{local:%d.%m.%Y %H:%M}", zone=tz_name))
        return None


def _row_problems(found: DraftProblems, channels: Sequence[Channel], line: int) -> list[RowProblem]:
    names = {channel.id: channel.name for channel in channels}
    problems = [from_problem(line, _COLUMN_OF.get(p.field, p.field), p) for p in found.general]
    for channel_id, channel_problems in found.by_channel.items():
        problems += [from_problem(line, _COLUMN_OF.get(p.field, p.field), p, str(names.get(channel_id, channel_id)))
                     for p in channel_problems]
    return problems
