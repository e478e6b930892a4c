"""Four eyes before posting: submit a post for approval, approve it, or send it back with a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, AuditEvent, Delivery, Guideline, Post, PostKind, Role, User
from scheduler.notifications import notify
from scheduler.ports import ExplainedError
from scheduler.transitions import move

S = DeliveryState
#: Who may approve or send back posts (never their own).
REVIEWER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


class ApprovalError(ExplainedError):
    """An approval step cannot be taken; ``message`` says why in plain words, ``code`` names the reason."""


class PostNotFoundError(ApprovalError):
    """There is no such post."""

    code = "approval.not_found"


class OwnPostError(ApprovalError):
    """The reviewer wrote the post: approval needs a second person."""

    code = "approval.own_post"


class NotReviewerError(ApprovalError):
    """Only managers and admins review posts."""

    code = "approval.not_reviewer"


class NotPendingError(ApprovalError):
    """The post is not waiting for approval (already decided, or never submitted)."""

    code = "approval.not_pending"


class CommentRequiredError(ApprovalError):
    """Sending a post back needs a comment that tells the author what to change."""

    code = "approval.comment_required"


@dataclass(frozen=True, slots=True)
class Approved:
    """What approving did: deliveries scheduled, and how many of those were already due and go out at once."""

    scheduled: int
    overdue: int


def approval_required(session: Session, kind: PostKind) -> bool:
    """Tell whether posts of ``kind`` need approval (its guideline or the one for all kinds says so)."""
    found = session.scalar(select(func.count(Guideline.id)).where(
        or_(Guideline.kind == kind, Guideline.kind.is_(None)), Guideline.requires_approval.is_(True)))
    return bool(found)


def submit_for_approval(session: Session, post_id: int, *, user_id: int | None, now: datetime) -> int:
    """Put a post's draft and scheduled deliveries up for approval and tell the reviewers; return how many wait."""
    post = _post(session, post_id)
    waiting = 0
    for delivery_id, state in _deliveries(session, post_id, (S.DRAFT, S.SCHEDULED, S.AWAITING_APPROVAL)):
        if state is S.AWAITING_APPROVAL or move(session, delivery_id, state, S.AWAITING_APPROVAL):
            waiting += 1
    if not waiting:
        raise NotPendingError("Nothing of this post is left to approve: its deliveries are past scheduling.",
                              code="approval.nothing_left")
    first_time = post.approval is not ApprovalState.PENDING
    post.approval = ApprovalState.PENDING
    if first_time:
        audit(session, user_id, "approval.submitted", f"post:{post_id}", f"{waiting} delivery(ies)")
    reviewers = session.scalars(select(User.id).where(User.role.in_(sorted(REVIEWER_ROLES)), User.active.is_(True),
                                                      User.id != (post.author_id or 0)))
    author = session.get(User, post.author_id) if post.author_id else None
    # A new key per round: after a send-back the resubmission is news again; a double submit is not.
    name = author.name if author else "Postillon"
    notify(session, reviewers, "approval_requested", f"approval:{post_id}:{_round(session, post_id)}",
           f"Please review a post by {name}", _excerpt(post.text), f"/approvals/{post_id}", now=now,
           german=(f"Bitte prüfen Sie einen Beitrag von {name}", _excerpt(post.text)))
    session.flush()
    return waiting


def approve(session: Session, post_id: int, *, reviewer_id: int, role: Role, now: datetime) -> Approved:
    """Approve a pending post: its deliveries are scheduled (those already due go out at once); tell the author."""
    post = _reviewable(session, post_id, reviewer_id, role)
    _decide(session, post_id, ApprovalState.APPROVED, reviewer_id, now, comment="")
    scheduled = overdue = 0
    for delivery_id, _state in _deliveries(session, post_id, (S.AWAITING_APPROVAL,)):
        due_at = session.scalar(select(Delivery.due_at).where(Delivery.id == delivery_id))
        late = due_at is not None and due_at < now
        if move(session, delivery_id, S.AWAITING_APPROVAL, S.SCHEDULED, run_at=now if late else due_at):
            scheduled += 1
            overdue += late
    audit(session, reviewer_id, "approval.approved", f"post:{post_id}", f"{scheduled} delivery(ies) scheduled")
    _tell_author(session, post, reviewer_id, "post_approved", "Your post was approved",
                 f"{_excerpt(post.text)}\n\nIt goes out as scheduled.", now,
                 german=("Ihr Beitrag wurde freigegeben", f"{_excerpt(post.text)}\n\nEr geht wie geplant hinaus."))
    session.flush()
    return Approved(scheduled=scheduled, overdue=overdue)


def send_back(session: Session, post_id: int, *, reviewer_id: int, role: Role, comment: str, now: datetime) -> int:
    """Return a pending post to its author with a comment; its deliveries become drafts. Return how many."""
    comment = comment.strip()
    if not comment:
        raise CommentRequiredError("Tell the author what to change.")
    post = _reviewable(session, post_id, reviewer_id, role)
    _decide(session, post_id, ApprovalState.CHANGES_REQUESTED, reviewer_id, now, comment=comment)
    moved = sum(move(session, delivery_id, S.AWAITING_APPROVAL, S.DRAFT)
                for delivery_id, _state in _deliveries(session, post_id, (S.AWAITING_APPROVAL,)))
    audit(session, reviewer_id, "approval.sent_back", f"post:{post_id}", comment)
    _tell_author(session, post, reviewer_id, "changes_requested", "Your post needs changes",
                 f"{comment}\n\n{_excerpt(post.text)}", now,
                 german=("Ihr Beitrag braucht Änderungen", f"{comment}\n\n{_excerpt(post.text)}"))
    session.flush()
    return moved


def _post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id, populate_existing=True)
    if post is None:
        raise PostNotFoundError("This post does not exist (any more).")
    return post


def _reviewable(session: Session, post_id: int, reviewer_id: int, role: Role) -> Post:
    post = _post(session, post_id)
    if role not in REVIEWER_ROLES:
        raise NotReviewerError("Only managers and administrators approve posts.")
    if post.author_id == reviewer_id:
        raise OwnPostError("You cannot approve your own post: someone else has to review it.")
    if post.approval is not ApprovalState.PENDING:
        raise NotPendingError("This post is not waiting for approval (any more).")
    return post


def _decide(session: Session, post_id: int, state: ApprovalState, reviewer_id: int, now: datetime,
            comment: str) -> None:
    # Compare-and-set: of two reviewers deciding at once, only one wins; the other hears it was decided.
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Post).where(Post.id == post_id, Post.approval == ApprovalState.PENDING)
        .values(approval=state, reviewer_id=reviewer_id, reviewed_at=now, review_comment=comment)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise NotPendingError("Someone else decided on this post a moment ago.", code="approval.decided_meanwhile")
    session.expire_all()


def _deliveries(session: Session, post_id: int, states: tuple[DeliveryState, ...]) -> list[tuple[int, S]]:
    rows = session.execute(select(Delivery.id, Delivery.state).where(Delivery.post_id == post_id,
                                                                     Delivery.state.in_(states))
                           .order_by(Delivery.id))
    return [(delivery_id, DeliveryState(state)) for delivery_id, state in rows]


def _round(session: Session, post_id: int) -> int:
    return int(session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.subject == f"post:{post_id}", AuditEvent.action == "approval.sent_back")) or 0)


def _tell_author(session: Session, post: Post, reviewer_id: int, kind: str, subject: str, body: str,
                 now: datetime, *, german: tuple[str, str] | None = None) -> None:
    if post.author_id is None or post.author_id == reviewer_id:
        return
    active = session.scalar(select(User.active).where(User.id == post.author_id))
    if active:
        notify(session, [post.author_id], kind, f"{kind}:{post.id}:{_round(session, post.id)}", subject, body,
               f"/approvals/{post.id}", now=now, german=german)


def _excerpt(text: str, limit: int = 280) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
