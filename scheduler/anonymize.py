"""Anonymize applications and leads: personal data out, counts, stages, dates and attribution kept.

Used by the retention purge and by erasure on request. An anonymized row still counts in every report
(applications per channel, hires, leads), but nothing in it points to a person any more: name, e-mail,
message, the CV and its file name, the company of a lead, and the ATS/CRM id (which names the person in
the other system) go. Kept: the consent text the person was shown (the company's words, not theirs),
stage and status timestamps, the UTM parameters and the delivery and channel they are attributed to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.cv import CvError, delete_cv
from scheduler.models import Application, Lead

log = logging.getLogger(__name__)


class CvDeletionError(OSError):
    """A CV file could not be deleted (permissions, disk); the anonymization must not be committed."""


def anonymize_applications(session: Session, ids: Sequence[int], *, now: datetime) -> tuple[list[int], list[str]]:
    """Blank the personal fields of those of ``ids`` not yet anonymized; return (their ids, their CV keys).

    The caller deletes the CV files (``delete_cv_files``) before it commits.
    """
    if not ids:
        return [], []
    # The keys are read first because the update blanks them; FOR UPDATE makes a concurrent purge wait.
    keys = dict(session.execute(
        select(Application.id, Application.cv_key)
        .where(Application.id.in_(ids), Application.anonymized_at.is_(None))
        .with_for_update()
    ).all())
    if not keys:
        return [], []
    # RETURNING names the rows this transaction really changed, so two purges never both count one.
    done = list(session.scalars(
        update(Application)
        .where(Application.id.in_(list(keys)), Application.anonymized_at.is_(None))
        .values(name="", email="", message="", cv_key=None, cv_filename="", external_id=None, anonymized_at=now)
        .returning(Application.id)
        .execution_options(synchronize_session="fetch")
    ))
    return sorted(done), [key for row_id in sorted(done) if (key := keys.get(row_id))]


def anonymize_leads(session: Session, ids: Sequence[int], *, now: datetime) -> list[int]:
    """Blank the personal fields of those of ``ids`` not yet anonymized; return their ids."""
    if not ids:
        return []
    done = session.scalars(
        update(Lead)
        .where(Lead.id.in_(list(ids)), Lead.anonymized_at.is_(None))
        .values(name="", company="", email="", email_key="", message="", external_id=None, anonymized_at=now)
        .returning(Lead.id)
        .execution_options(synchronize_session="fetch")
    )
    return sorted(done)


def delete_cv_files(data_dir: Path | str, keys: Iterable[str]) -> int:
    """Delete these CV files, tolerating ones already gone; return how many were removed."""
    removed = 0
    for key in keys:
        try:
            removed += delete_cv(data_dir, key)
        except CvError:
            # Not a key Postillon makes: there is no file of ours behind it, and guessing a path is unsafe.
            log.warning("CV key of unexpected form not deleted: %r", key[:80])
        except OSError as exc:
            raise CvDeletionError(f"could not delete a CV file: {exc.strerror or exc}") from exc
    return removed
