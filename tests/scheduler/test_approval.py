"""Approval: submit, approve (not one's own post), send back with a comment; deliveries, notifications, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.approval import (
    Approved,
    CommentRequiredError,
    NotPendingError,
    NotReviewerError,
    OwnPostError,
    approval_required,
    approve,
    send_back,
    submit_for_approval,
)
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, AuditEvent, Delivery, Guideline, Notification, Post, PostKind, Role
from tests.factories import make_delivery, make_post, make_user

S = DeliveryState
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _setup(sessions: sessionmaker[Session], *states: DeliveryState, due_in: timedelta = timedelta(hours=2)
           ) -> dict[str, int]:
    with sessions.begin() as session:
        author = make_user(session, role=Role.RECRUITER, name="Rita Recruiter")
        manager = make_user(session, role=Role.MANAGER, name="Max Manager")
        admin = make_user(session, role=Role.ADMIN)
        make_user(session, role=Role.MANAGER, active=False)
        make_user(session, role=Role.MARKETER)
        post = make_post(session, author=author, kind=PostKind.JOB_AD, text="Buchhalter (m/w/d) gesucht")
        for state in states or (S.DRAFT, S.SCHEDULED):
            make_delivery(session, post=post, state=state, due_at=NOW + due_in)
        return {"author": author.id, "manager": manager.id, "admin": admin.id, "post": post.id}


def _states(sessions: sessionmaker[Session], post_id: int) -> list[DeliveryState]:
    with sessions() as session:
        return list(session.scalars(select(Delivery.state).where(Delivery.post_id == post_id).order_by(Delivery.id)))


def _notes(sessions: sessionmaker[Session]) -> list[tuple[int, str, str]]:
    with sessions() as session:
        return [(n.user_id, n.kind, n.link) for n in session.scalars(select(Notification).order_by(Notification.id))]


def _submit(sessions: sessionmaker[Session], ids: dict[str, int]) -> int:
    with sessions.begin() as session:
        return submit_for_approval(session, ids["post"], user_id=ids["author"], now=NOW)


def test_approval_is_required_by_the_kinds_guideline_or_the_one_for_all_kinds(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert not approval_required(session, PostKind.JOB_AD)
        session.add(Guideline(kind=PostKind.JOB_AD, requires_approval=True))
        session.add(Guideline(kind=PostKind.PRODUCT_NEWS, requires_approval=False))
    with sessions.begin() as session:
        assert approval_required(session, PostKind.JOB_AD)
        assert not approval_required(session, PostKind.PRODUCT_NEWS)
        session.add(Guideline(kind=None, requires_approval=True))
    with sessions() as session:
        assert approval_required(session, PostKind.PRODUCT_NEWS)


def test_submitting_holds_the_deliveries_and_tells_every_active_reviewer_but_the_author_once(
        sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions, S.DRAFT, S.SCHEDULED, S.PUBLISHED)
    assert _submit(sessions, ids) == 2
    assert _submit(sessions, ids) == 2  # a double click changes nothing and tells nobody twice
    assert _states(sessions, ids["post"]) == [S.AWAITING_APPROVAL, S.AWAITING_APPROVAL, S.PUBLISHED]
    link = f"/approvals/{ids['post']}"
    assert sorted(_notes(sessions)) == sorted([(ids["manager"], "approval_requested", link),
                                               (ids["admin"], "approval_requested", link)])
    with sessions() as session:
        note = session.scalars(select(Notification)).first()
        assert note is not None and "Rita Recruiter" in note.subject and "Buchhalter" in note.body
        assert session.get(Post, ids["post"]).approval is ApprovalState.PENDING  # type: ignore[union-attr]
        assert [e.action for e in session.scalars(select(AuditEvent))] == ["approval.submitted"]


def test_a_manager_who_wrote_the_post_is_not_asked_to_review_it(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    with sessions.begin() as session:
        submit_for_approval(session, ids["post"], user_id=ids["author"], now=NOW)
        session.get(Post, ids["post"]).author_id = ids["manager"]  # type: ignore[union-attr]
        with pytest.raises(OwnPostError, match="cannot approve your own post"):
            approve(session, ids["post"], reviewer_id=ids["manager"], role=Role.MANAGER, now=NOW)


def test_nothing_left_to_approve_is_refused(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions, S.PUBLISHED, S.CANCELLED)
    with sessions.begin() as session, pytest.raises(NotPendingError):
        submit_for_approval(session, ids["post"], user_id=ids["author"], now=NOW)
    assert _notes(sessions) == []


def test_approving_schedules_the_deliveries_and_tells_the_author(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    _submit(sessions, ids)
    with sessions.begin() as session:
        result = approve(session, ids["post"], reviewer_id=ids["manager"], role=Role.MANAGER, now=NOW)
    assert result == Approved(scheduled=2, overdue=0)
    assert _states(sessions, ids["post"]) == [S.SCHEDULED, S.SCHEDULED]
    with sessions() as session:
        post = session.get(Post, ids["post"])
        assert post is not None and post.approval is ApprovalState.APPROVED
        assert (post.reviewer_id, post.reviewed_at) == (ids["manager"], NOW)
        runs = list(session.scalars(select(Delivery.run_at).where(Delivery.post_id == ids["post"])))
        assert runs == [NOW + timedelta(hours=2)] * 2
    assert _notes(sessions)[-1] == (ids["author"], "post_approved", f"/approvals/{ids['post']}")
    with sessions.begin() as session, pytest.raises(NotPendingError):
        approve(session, ids["post"], reviewer_id=ids["admin"], role=Role.ADMIN, now=NOW)


def test_deliveries_whose_time_passed_during_review_go_out_at_once(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions, S.SCHEDULED, S.DRAFT, due_in=timedelta(hours=1))
    _submit(sessions, ids)
    later = NOW + timedelta(hours=3)
    with sessions.begin() as session:
        assert approve(session, ids["post"], reviewer_id=ids["admin"], role=Role.ADMIN, now=later) == Approved(2, 2)
    with sessions() as session:
        assert list(session.scalars(select(Delivery.run_at).where(Delivery.post_id == ids["post"]))) == [later] * 2


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.MARKETER, Role.AMBASSADOR, Role.VIEWER])
def test_only_managers_and_admins_review(sessions: sessionmaker[Session], role: Role) -> None:
    ids = _setup(sessions)
    _submit(sessions, ids)
    with sessions.begin() as session, pytest.raises(NotReviewerError):
        approve(session, ids["post"], reviewer_id=ids["manager"], role=role, now=NOW)
    with sessions.begin() as session, pytest.raises(NotReviewerError):
        send_back(session, ids["post"], reviewer_id=ids["manager"], role=role, comment="Nein", now=NOW)
    assert _states(sessions, ids["post"]) == [S.AWAITING_APPROVAL] * 2


def test_the_author_cannot_approve_or_send_back_their_own_post(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    _submit(sessions, ids)
    with sessions.begin() as session, pytest.raises(OwnPostError) as raised:
        approve(session, ids["post"], reviewer_id=ids["author"], role=Role.ADMIN, now=NOW)
    assert raised.value.message == "You cannot approve your own post: someone else has to review it."
    with sessions.begin() as session, pytest.raises(OwnPostError):
        send_back(session, ids["post"], reviewer_id=ids["author"], role=Role.MANAGER, comment="ok", now=NOW)
    assert _states(sessions, ids["post"]) == [S.AWAITING_APPROVAL] * 2


def test_sending_back_needs_a_comment(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    _submit(sessions, ids)
    with sessions.begin() as session, pytest.raises(CommentRequiredError):
        send_back(session, ids["post"], reviewer_id=ids["manager"], role=Role.MANAGER, comment="  \n", now=NOW)
    assert _states(sessions, ids["post"]) == [S.AWAITING_APPROVAL] * 2


def test_sending_back_makes_drafts_and_a_resubmission_asks_the_reviewers_again(
        sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    _submit(sessions, ids)
    with sessions.begin() as session:
        assert send_back(session, ids["post"], reviewer_id=ids["manager"], role=Role.MANAGER,
                         comment=" Bitte das KV-Gehalt ergänzen. ", now=NOW) == 2
    assert _states(sessions, ids["post"]) == [S.DRAFT, S.DRAFT]
    with sessions() as session:
        post = session.get(Post, ids["post"])
        assert post is not None and post.approval is ApprovalState.CHANGES_REQUESTED
        assert post.review_comment == "Bitte das KV-Gehalt ergänzen."
        note = session.scalars(select(Notification).where(Notification.user_id == ids["author"])).one()
        assert note.kind == "changes_requested" and note.body.startswith("Bitte das KV-Gehalt ergänzen.")
    _submit(sessions, ids)
    requested = [n for n in _notes(sessions) if n[1] == "approval_requested"]
    assert len(requested) == 4  # two reviewers, two rounds
    with sessions() as session:
        assert [(e.action, e.detail) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
            ("approval.submitted", "2 delivery(ies)"), ("approval.sent_back", "Bitte das KV-Gehalt ergänzen."),
            ("approval.submitted", "2 delivery(ies)")]
