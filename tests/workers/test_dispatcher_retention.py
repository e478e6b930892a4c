"""The dispatcher's daily retention step: it purges once a UTC day, however often it sweeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from scheduler.applications import add_months
from scheduler.clock import utcnow
from scheduler.models import Application, ApplicationStage, AuditEvent, Vacancy
from workers.context import JobContext
from workers.dispatcher import Dispatcher


def _expired_application(ctx: JobContext) -> int:
    with ctx.sessions.begin() as session:
        vacancy = Vacancy(title="Koch (m/w/d)", location="Wien")
        session.add(vacancy)
        session.flush()
        application = Application(vacancy_id=vacancy.id, name="Anna Muster", email="anna@example.at",
                                  received_at=add_months(utcnow(), -10), stage=ApplicationStage.REJECTED,
                                  rejected_at=add_months(utcnow(), -8) - timedelta(days=1))
        session.add(application)
        session.flush()
        return application.id


def _name(ctx: JobContext, application_id: int) -> str:
    with ctx.sessions() as session:
        return session.get_one(Application, application_id).name


def test_the_sweep_purges_expired_data_once_a_day(ctx: JobContext) -> None:
    first = _expired_application(ctx)
    dispatcher = Dispatcher(ctx)
    assert dispatcher.tick(sweep=True).purged == 1
    assert _name(ctx, first) == ""
    later = _expired_application(ctx)
    # Another sweep, and another dispatcher, on the same day: the day is taken, nothing runs.
    assert dispatcher.tick(sweep=True).purged == 0
    assert Dispatcher(ctx).purge_expired() == 0
    assert _name(ctx, later) == "Anna Muster"
    with ctx.sessions() as session:
        runs = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged")).all()
    assert len(runs) == 1


def test_once_today_is_claimed_the_sweep_no_longer_touches_the_database_for_it(ctx: JobContext) -> None:
    dispatcher = Dispatcher(ctx)
    dispatcher.purge_expired()
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        assert dispatcher.purge_expired() == 0
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    assert statements == []
