"""Vacancies: plain-words validation per field, edits, and filling or closing cancels pending deliveries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.lifecycle import CANCELLABLE, DeliveryState
from scheduler.models import AuditEvent, Delivery, Vacancy, VacancyStatus
from scheduler.vacancies import (
    VacancyInput,
    VacancyNotFoundError,
    VacancyProblems,
    create_vacancy,
    pending_count,
    set_status,
    update_vacancy,
    validate,
)
from tests.factories import make_delivery, make_post, make_user

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
GOOD = VacancyInput(title="Softwareentwickler (m/w/d)", location="Wien", salary_min=2450,
                    apply_url="https://karriere.acme.at/jobs/1", valid_through=NOW + timedelta(days=30),
                    repost_every_days=7)


def _fields(data: VacancyInput, **kwargs: object) -> dict[str, str]:
    return {p.field: p.code for p in validate(data, now=NOW, **kwargs)}  # type: ignore[arg-type]


def test_a_complete_vacancy_has_no_problems() -> None:
    assert validate(GOOD, now=NOW) == []


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"title": "  "}, "title", "required"),
    ({"title": "x" * 201}, "title", "too_long"),
    ({"location": ""}, "location", "required"),
    ({"apply_url": "ftp://acme.at/jobs"}, "apply_url", "bad_url"),
    ({"apply_url": "karriere.acme.at"}, "apply_url", "bad_url"),
    ({"valid_through": NOW - timedelta(minutes=1)}, "valid_through", "in_past"),
    ({"salary_min": -1}, "salary_min", "negative"),
    ({"country": "CH"}, "country", "unknown"),
    ({"language": "fr"}, "language", "unknown"),
    ({"repost_every_days": 0}, "repost_every_days", "out_of_range"),
    ({"repost_every_days": 91}, "repost_every_days", "out_of_range"),
    ({"salary_period": "WEEK"}, "salary_period", "unknown"),
])
def test_each_bad_field_is_named_with_its_reason(change: dict[str, object], field: str, code: str) -> None:
    assert _fields(replace(GOOD, **change)) == {field: code}  # type: ignore[arg-type]


def test_repeat_bounds_and_no_repeat_are_accepted() -> None:
    for days in (1, 90, None):
        assert validate(replace(GOOD, repost_every_days=days), now=NOW) == []


def test_an_unchanged_valid_through_may_lie_in_the_past_when_editing() -> None:
    past = NOW - timedelta(days=1)
    assert _fields(replace(GOOD, valid_through=past), previous_valid_through=past) == {}


def test_create_stores_trimmed_values_and_audits(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        user = make_user(session).id
        vacancy = create_vacancy(session, replace(GOOD, title="  Koch (m/w/d) ", apply_url="  "),
                                 user_id=user, now=NOW)
        vacancy_id = vacancy.id
    with sessions() as session:
        stored = session.get(Vacancy, vacancy_id)
        assert stored is not None
        assert (stored.title, stored.apply_url, stored.status, stored.created_by_id) == (
            "Koch (m/w/d)", None, VacancyStatus.OPEN, user)
        event = session.scalars(select(AuditEvent).where(AuditEvent.subject == f"vacancy:{vacancy_id}")).one()
        assert (event.action, event.user_id) == ("vacancy.created", user)


def test_create_with_problems_adds_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(VacancyProblems) as raised:
        create_vacancy(session, replace(GOOD, title="", location=""), user_id=None, now=NOW)
    assert raised.value.by_field() == {"title": ["Enter the job title."],
                                       "location": ["Enter where the job is, e.g. “Wien”."]}
    with sessions() as session:
        assert session.scalar(select(func.count(Vacancy.id))) == 0


def test_update_changes_the_fields_and_audits_which(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = create_vacancy(session, GOOD, user_id=None, now=NOW).id
    with sessions.begin() as session:
        update_vacancy(session, vacancy_id, replace(GOOD, location="Graz", overpay=True), user_id=None, now=NOW)
    with sessions() as session:
        stored = session.get(Vacancy, vacancy_id)
        assert stored is not None and (stored.location, stored.overpay) == ("Graz", True)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "vacancy.updated")).one()
        assert event.detail == "location, overpay"


def test_update_of_a_missing_vacancy_raises(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(VacancyNotFoundError):
        update_vacancy(session, 999, GOOD, user_id=None, now=NOW)


def _vacancy_with_deliveries(sessions: sessionmaker[Session]) -> tuple[int, dict[S, int], int]:
    """A vacancy whose posts have one delivery in every state, plus another vacancy's scheduled delivery."""
    with sessions.begin() as session:
        vacancy_id = create_vacancy(session, GOOD, user_id=None, now=NOW).id
        other = create_vacancy(session, GOOD, user_id=None, now=NOW).id
        post = make_post(session, vacancy_id=vacancy_id)
        ids = {state: make_delivery(session, post=post, state=state).id for state in S}
        foreign = make_delivery(session, post=make_post(session, vacancy_id=other)).id
    return vacancy_id, ids, foreign


def test_pending_count_counts_every_cancellable_delivery_of_the_vacancy(sessions: sessionmaker[Session]) -> None:
    vacancy_id, _ids, _foreign = _vacancy_with_deliveries(sessions)
    with sessions() as session:
        assert pending_count(session, vacancy_id) == len(CANCELLABLE)


@pytest.mark.parametrize("status", [VacancyStatus.FILLED, VacancyStatus.CLOSED])
def test_filling_or_closing_cancels_exactly_the_pending_deliveries(sessions: sessionmaker[Session],
                                                                   status: VacancyStatus) -> None:
    vacancy_id, ids, foreign = _vacancy_with_deliveries(sessions)
    with sessions.begin() as session:
        user = make_user(session).id
        assert set_status(session, vacancy_id, status, user, NOW) == len(CANCELLABLE)
    with sessions() as session:
        states = {d.id: d.state for d in session.scalars(select(Delivery))}
        for state, delivery_id in ids.items():
            assert states[delivery_id] is (S.CANCELLED if state in CANCELLABLE else state)
        assert states[foreign] is S.SCHEDULED
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None and (vacancy.status, vacancy.closed_at) == (status, NOW)
        actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.user_id == user))]
        assert actions.count("delivery.cancelled") == len(CANCELLABLE)
        assert f"vacancy.{status.value}" in actions
        assert pending_count(session, vacancy_id) == 0


def test_the_same_status_again_changes_nothing(sessions: sessionmaker[Session]) -> None:
    vacancy_id, _ids, _foreign = _vacancy_with_deliveries(sessions)
    with sessions.begin() as session:
        assert set_status(session, vacancy_id, VacancyStatus.OPEN, None, NOW) == 0
        assert pending_count(session, vacancy_id) == len(CANCELLABLE)


def test_reopening_clears_closed_at_and_cancels_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        vacancy_id = create_vacancy(session, GOOD, user_id=None, now=NOW).id
        set_status(session, vacancy_id, VacancyStatus.CLOSED, None, NOW)
        delivery = make_delivery(session, post=make_post(session, vacancy_id=vacancy_id)).id
        assert set_status(session, vacancy_id, VacancyStatus.OPEN, None, NOW) == 0
    with sessions() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None and (vacancy.status, vacancy.closed_at) == (VacancyStatus.OPEN, None)
        assert session.get(Delivery, delivery).state is S.SCHEDULED  # type: ignore[union-attr]
