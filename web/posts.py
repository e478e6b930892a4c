"""Compose posts; the delivery list (the home page), one delivery's log, and the actions on deliveries."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from scheduler.lifecycle import DeliveryState
from scheduler.media import owned_unattached, preview_items
from scheduler.models import Channel, Delivery, Media, PostKind, Role
from scheduler.posts import DraftProblems, PostDraft, cancel_delivery, mark_published, publish_again, schedule_post
from scheduler.queries import StateGroup, get_delivery, postable_channels
from web.api import deliveries_payload, group_arg
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.filters import local_time, state_label, user_tz
from web.forms import ComposeForm, DueTimeError, MarkPublishedForm
from web.i18n import _, ngettext
from web.media import MAX_FILES, save_uploads
from web.security import safe_target
from web.services import services
from web.validation import check_channels, validator

bp = Blueprint("posts", __name__)

S = DeliveryState
Problems = dict[str, list[str]]  # field name (or "channel-<id>") -> messages


@bp.get("/")
@bp.get("/deliveries")
def deliveries() -> str:
    """List deliveries of one state group; the page polls /api/deliveries to stay current (same rows, same HTML)."""
    group = group_arg()
    payload, etag = deliveries_payload(group)
    return render_template("posts/deliveries.html", group=group, groups=list(StateGroup), payload=payload, etag=etag)


@bp.route("/compose", methods=["GET", "POST"])
@roles_required(*POSTING_ROLES)
def compose() -> ResponseReturnValue:
    """Write a post and schedule it on channels, now or at a local date and time."""
    db = get_session()
    channels = postable_channels(db)
    form = ComposeForm()
    form.set_channels(channels)
    if request.method == "GET":
        form.kind.data = (PostKind.JOB_AD if user().role is Role.RECRUITER else PostKind.PRODUCT_NEWS).value
        return render_template("posts/compose.html", form=form, channels=channels, problems={}, tz_name=user_tz(),
                               media=[], max_upload_mb=services().settings.max_upload_bytes // 1_048_576)
    problems = _form_problems(form)
    media = _media_of_request(db, problems)
    due_at = None
    try:
        due_at = form.due_at_utc(user_tz())
    except DueTimeError as exc:
        problems.setdefault("due_at", []).append(str(exc))
    if problems:
        # The draft is not complete enough to schedule; still show what each chosen channel thinks of the text.
        chosen = [channel for channel in channels if channel.id in set(form.channels.data or [])]
        for check in check_channels(services().adapter_config, chosen, form.text.data or "", form.link.data,
                                    preview_items(media)):
            if check.problems:
                problems[f"channel-{check.channel_id}"] = [p.message for p in check.problems]
        return _compose_again(form, channels, problems, media)
    draft = PostDraft(text=form.text.data or "", channel_ids=form.channels.data or [], due_at=due_at,
                      link=form.link.data, kind=PostKind(form.kind.data), campaign=form.campaign.data or "",
                      media_ids=[m.id for m in media])
    try:
        schedule_post(db, draft, author_id=user().id, now=services().clock(),
                      validate=validator(services().adapter_config))
    except DraftProblems as found:
        db.rollback()
        for problem in found.general:
            problems.setdefault(problem.field, []).append(problem.message)
        for channel_id, channel_problems in found.by_channel.items():
            problems[f"channel-{channel_id}"] = [p.message for p in channel_problems]
        return _compose_again(form, channels, problems, owned_unattached(db, [m.id for m in media], user().id))
    db.commit()
    count = len(set(draft.channel_ids))
    if due_at is None:
        flash(ngettext("Publishing now on %(num)d channel.", "Publishing now on %(num)d channels.", count), "success")
    else:
        flash(ngettext("Scheduled for %(time)s on %(num)d channel.", "Scheduled for %(time)s on %(num)d channels.",
                       count, time=local_time(due_at)), "success")
    return redirect(url_for("posts.deliveries"), 303)


def _form_problems(form: ComposeForm) -> Problems:
    form.validate_on_submit()
    problems: Problems = {}
    for name, messages in form.errors.items():
        if name in ("date", "time"):
            continue  # reported once, as a due-time problem (see ComposeForm.due_at_utc)
        problems[str(name)] = [str(message) for message in messages]
    return problems


def _compose_again(form: ComposeForm, channels: list[Channel], problems: Problems,
                   media: list[Media]) -> tuple[str, int]:
    return render_template("posts/compose.html", form=form, channels=channels, problems=problems,
                           tz_name=user_tz(), media=media,
                           max_upload_mb=services().settings.max_upload_bytes // 1_048_576), 422


def _media_of_request(db: Session, problems: Problems) -> list[Media]:
    """Store newly attached images at once (committed: kept even if the draft has problems) and return all."""
    saved, refused = save_uploads(db, request.files.getlist("images")[:MAX_FILES], user().id)
    if refused:
        problems.setdefault("media", []).extend(refused)
    kept = [int(i) for i in request.form.getlist("media_ids") if i.isdigit()]
    media = owned_unattached(db, [*kept, *(m.id for m in saved)], user().id)
    if len(media) < len(set(kept)) + len(saved):
        problems.setdefault("media", []).append(_("An image is no longer available; add it again."))
    for item in media:  # alt texts typed next to the previews
        alt = request.form.get(f"alt-{item.id}")
        if alt is not None:
            item.alt_text = alt.strip()[:1000]
    db.commit()
    if len(media) > MAX_FILES:
        problems.setdefault("media", []).append(_("A post takes at most %(max)d images.", max=MAX_FILES))
    return media


@bp.get("/deliveries/<int:delivery_id>")
def delivery(delivery_id: int) -> str:
    """Show one delivery with its attempt log and audit events."""
    detail = get_delivery(get_session(), delivery_id)
    if detail is None:
        abort(404)
    return render_template("posts/delivery.html", detail=detail, row=detail.row)


@bp.post("/deliveries/<int:delivery_id>/cancel")
@roles_required(*POSTING_ROLES)
def cancel(delivery_id: int) -> ResponseReturnValue:
    """Cancel a delivery that has not reached the network yet."""
    db = get_session()
    if _state_of(db, delivery_id) is None:
        abort(404)
    if cancel_delivery(db, delivery_id, user_id=user().id):
        db.commit()
        flash(_("Delivery cancelled: it will not be published."), "success")
    else:
        db.rollback()
        state = _state_of(db, delivery_id) or S.CANCELLED
        flash(_("This delivery can no longer be cancelled: it is “%(state)s”.", state=state_label(state)), "error")
    return _back()


@bp.route("/deliveries/<int:delivery_id>/publish-again", methods=["GET", "POST"])
@roles_required(*POSTING_ROLES)
def publish_again_view(delivery_id: int) -> ResponseReturnValue:
    """Publish a failed delivery again; an unknown one only after the person confirmed the duplicate risk."""
    db = get_session()
    state = _state_of(db, delivery_id)
    confirmed = request.method == "POST" and (state is S.FAILED or request.form.get("confirm") == "duplicate-risk")
    if not confirmed:
        detail = get_delivery(db, delivery_id)
        if detail is None:
            abort(404)
        return render_template("posts/publish_again.html", row=detail.row, back=_back_target())
    if publish_again(db, delivery_id, user_id=user().id, now=services().clock()):
        db.commit()
        flash(_("It will be published again in a moment."), "success")
    else:
        db.rollback()
        flash(_("Only failed deliveries and those with an unknown outcome can be published again."), "error")
    return _back()


@bp.post("/deliveries/<int:delivery_id>/mark-published")
@roles_required(*POSTING_ROLES)
def mark_published_view(delivery_id: int) -> ResponseReturnValue:
    """Record that a delivery with an unknown outcome is live after all."""
    db = get_session()
    if _state_of(db, delivery_id) is None:
        abort(404)
    form = MarkPublishedForm()
    if not form.validate():
        flash(" ".join(str(message) for message in form.url.errors), "error")
        return _back()
    try:
        moved = mark_published(db, delivery_id, user_id=user().id, url=(form.url.data or "").strip(),
                               now=services().clock())
    except ValueError as exc:
        flash(str(exc), "error")
        return _back()
    if moved:
        db.commit()
        flash(_("Marked as published."), "success")
    else:
        db.rollback()
        flash(_("Only deliveries with an unknown outcome can be marked as published."), "error")
    return _back()


def _state_of(db: Session, delivery_id: int) -> DeliveryState | None:
    found = db.get(Delivery, delivery_id, populate_existing=True)
    return None if found is None else DeliveryState(found.state)


def _back_target() -> str:
    return safe_target(request.values.get("back"), url_for("posts.deliveries"))


def _back() -> ResponseReturnValue:
    return redirect(_back_target(), 303)

