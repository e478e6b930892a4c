"""Storing clicks in bulk, and the count of clicks that could not be recorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scheduler.models import Base, ClickLoss, TrackedLink

CLICK_TABLE = Base.metadata.tables["click"]


def existing_links(session: Session, link_ids: Iterable[int]) -> set[int]:
    """Return which of ``link_ids`` still exist (a discarded draft takes its links along)."""
    wanted = set(link_ids)
    if not wanted:
        return set()
    return set(session.scalars(select(TrackedLink.id).where(TrackedLink.id.in_(wanted))))


def insert_clicks(session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert click rows (Click's column names) in one bulk statement; return how many."""
    if rows:
        # The table, not the mapped class: the ORM's bulk path splits rows by which values are None
        # (one statement per group); Core sends them all as one multi-row INSERT.
        session.execute(insert(CLICK_TABLE), list(rows))
    return len(rows)


def add_losses(session: Session, lost: Mapping[str, int]) -> None:
    """Add to the per-day count of clicks that were redirected but not recorded (``{"YYYY-MM-DD": n}``)."""
    values = [{"day": day, "lost": n} for day, n in sorted(lost.items()) if n > 0]
    if not values:
        return
    # One upsert, so two click workers adding to the same day never overwrite each other.
    dialect = session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(ClickLoss)
    session.execute(statement.on_conflict_do_update(index_elements=[ClickLoss.day],
                                                    set_={"lost": ClickLoss.lost + statement.excluded.lost}),
                    values)
