"""Approvals: the queue of posts waiting for a manager, one post to approve or send back, the count in the nav."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.approval import REVIEWER_ROLES, ApprovalError, PostNotFoundError, approve, send_back
from scheduler.models import ApprovalState, Channel, Delivery, Media, Post, PostText, User
from scheduler.networks import Network
from scheduler.rendering import render_text
from web.auth import roles_required, user
from web.db import get_session
from web.i18n import _, ngettext
from web.messages import message_for
from web.services import services
from web.settings_forms import ReviewForm

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

QUEUE_LIMIT = 100  # oldest first; a longer queue is worked off before more show


@dataclass(frozen=True, slots=True)
class Review:
    """One post as a reviewer sees it: its text per network, images, channels with due times, author."""

    post: Post
    author_name: str
    deliveries: list[tuple[Delivery, Channel]]
    texts: dict[Network, str]  # as each network receives it (per-network override or the common text)
    media: list[Media]


def _review(db: Session, post: Post) -> Review:
    deliveries = list(db.execute(select(Delivery, Channel).join(Channel, Channel.id == Delivery.channel_id)
                                 .where(Delivery.post_id == post.id).order_by(Delivery.due_at, Channel.name)))
    overrides = {row.network: row.text for row in db.scalars(select(PostText).where(PostText.post_id == post.id))}
    texts = {channel.network: render_text(overrides.get(channel.network, post.text), post.link, channel.network)
             for _delivery, channel in deliveries}
    author = db.get(User, post.author_id) if post.author_id else None
    return Review(post=post, author_name=author.name if author else _("Postillon"),
                  deliveries=[(d, c) for d, c in deliveries], texts=texts, media=list(post.media))


@bp.get("/")
@roles_required(*REVIEWER_ROLES)
def index() -> str:
    """List the posts waiting for approval, oldest first."""
    db = get_session()
    posts = db.scalars(select(Post).where(Post.approval == ApprovalState.PENDING).order_by(Post.id)
                       .limit(QUEUE_LIMIT))
    return render_template("approvals/index.html", reviews=[_review(db, post) for post in posts])


@bp.get("/<int:post_id>")
def detail(post_id: int) -> ResponseReturnValue:
    """Show one post to a reviewer (with Approve and Send back) or to its author (read-only, with the comment)."""
    return _detail(post_id, ReviewForm())


def _detail(post_id: int, form: ReviewForm, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    post = db.get(Post, post_id)
    if post is None:
        abort(404)
    me = user()
    is_author = post.author_id == me.id
    if not is_author and me.role not in REVIEWER_ROLES:
        abort(403)
    return render_template("approvals/detail.html", review=_review(db, post), form=form, is_author=is_author,
                           can_review=me.role in REVIEWER_ROLES and not is_author), status


@bp.post("/<int:post_id>/approve")
@roles_required(*REVIEWER_ROLES)
def approve_view(post_id: int) -> ResponseReturnValue:
    """Approve a post: its deliveries are scheduled."""
    db = get_session()
    try:
        done = approve(db, post_id, reviewer_id=user().id, role=user().role, now=services().clock())
    except ApprovalError as exc:
        db.rollback()
        return _refused(post_id, exc)
    db.commit()
    message = _("Approved: it goes out as scheduled.")
    if done.overdue:
        message = ngettext("Approved. %(num)d delivery was already due and goes out now.",
                           "Approved. %(num)d deliveries were already due and go out now.", done.overdue)
    flash(message, "success")
    return redirect(url_for("approvals.index"), 303)


@bp.post("/<int:post_id>/send-back")
@roles_required(*REVIEWER_ROLES)
def send_back_view(post_id: int) -> ResponseReturnValue:
    """Send a post back to its author with a comment; its deliveries become drafts."""
    form = ReviewForm()
    if not form.validate_on_submit():
        return _detail(post_id, form, 422)
    db = get_session()
    try:
        send_back(db, post_id, reviewer_id=user().id, role=user().role, comment=form.comment.data or "",
                  now=services().clock())
    except ApprovalError as exc:
        db.rollback()
        return _refused(post_id, exc)
    db.commit()
    flash(_("Sent back to the author with your comment."), "success")
    return redirect(url_for("approvals.index"), 303)


def _refused(post_id: int, error: ApprovalError) -> ResponseReturnValue:
    if isinstance(error, PostNotFoundError):
        abort(404)
    flash(message_for(error), "error")
    return redirect(url_for("approvals.detail", post_id=post_id), 303)


def pending_count(user_id: int) -> int:
    """Return how many posts wait for approval that ``user_id`` may decide (not their own)."""
    count = get_session().scalar(select(func.count(Post.id)).where(
        Post.approval == ApprovalState.PENDING, (Post.author_id != user_id) | Post.author_id.is_(None)))
    return int(count or 0)


def init_app(app: Flask) -> None:
    """Put the number of posts waiting for approval into every page of managers and admins (nav badge)."""

    @app.context_processor
    def _pending_approvals() -> dict[str, int]:
        if not current_user.is_authenticated or user().role not in REVIEWER_ROLES:
            return {"pending_approvals": 0}
        return {"pending_approvals": pending_count(user().id)}
