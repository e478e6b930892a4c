"""The composer: one form for every kind of post, with per-network texts, drafts, queueing and approval."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from scheduler.approval import approval_required, submit_for_approval
from scheduler.guidelines import check_guidelines
from scheduler.jobad_image import job_ad_image
from scheduler.jobads import company_name, job_ad_draft
from scheduler.jobrules import check_job_ad
from scheduler.media import describe_media, owned_unattached, preview_items
from scheduler.models import Channel, Media, Post, PostKind, PostText, Role, Vacancy
from scheduler.networks import Network
from scheduler.ports import PostContent, Problem
from scheduler.posts import DraftProblems, PostDraft, Validator, discard_draft, schedule_post, text_for
from scheduler.queries import postable_channels
from scheduler.rendering import render_text
from scheduler.slots import queue_times
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.filters import local_time, user_tz
from web.forms import ComposeForm, DueTimeError
from web.i18n import _, ngettext
from web.media import MAX_FILES, save_uploads
from web.messages import message_for
from web.posts import bp
from web.services import services
from web.validation import validate_content

Problems = dict[str, list[str]]  # field name (or "channel-<id>") -> messages


@dataclass
class ComposeState:
    """Everything the composer page shows besides the form itself."""

    problems: Problems = field(default_factory=dict)
    warnings: Problems = field(default_factory=dict)
    media: list[Media] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # network value -> own text
    draft_post_id: int | None = None
    vacancy: Vacancy | None = None


def networks_of(channels: Sequence[Channel]) -> list[Network]:
    """Return the networks of ``channels`` in the order Postillon lists networks."""
    present = {channel.network for channel in channels}
    return [network for network in Network if network in present]


@bp.route("/compose", methods=["GET", "POST"])
@roles_required(*POSTING_ROLES)
def compose() -> ResponseReturnValue:
    """Write a post and schedule it now, at a time, in each channel's next slot, or keep it as a draft."""
    db = get_session()
    channels = postable_channels(db)
    form = ComposeForm()
    form.set_channels(channels)
    if request.method == "GET":
        return _render(form, channels, _prefill(db, form), 200)
    state = ComposeState(problems=_form_problems(form), draft_post_id=_int(request.form.get("draft_post_id")))
    state.vacancy = _vacancy(db, _int(request.form.get("vacancy_id")))
    state.media = _media_of_request(db, state.problems, state.draft_post_id)
    state.texts = {n.value: request.form.get(f"text-{n.value}", "") for n in networks_of(channels)}
    as_draft = request.form.get("action") == "draft"
    due_at, due_by_channel = _due_times(db, form, state.problems, as_draft)
    texts = {Network(k): v for k, v in state.texts.items() if v.strip()}
    kind = PostKind(form.kind.data) if form.kind.data in set(PostKind) else PostKind.PRODUCT_NEWS
    validate = _validator(db, kind, state.vacancy)
    if state.problems:
        chosen = [channel for channel in channels if channel.id in set(form.channels.data or [])]
        _channel_problems(state, chosen, form, texts, validate)
        return _render(form, channels, state, 422)
    draft = PostDraft(text=form.text.data or "", channel_ids=form.channels.data or [], due_at=due_at,
                      link=form.link.data, kind=kind, campaign=form.campaign.data or "",
                      media_ids=[m.id for m in state.media], texts=texts, due_by_channel=due_by_channel,
                      as_draft=as_draft, accept_warnings=request.form.get("accept_warnings") == "yes",
                      vacancy_id=state.vacancy.id if state.vacancy else None)
    now = services().clock()
    try:
        if state.draft_post_id is not None and not discard_draft(db, state.draft_post_id, user_id=user().id):
            state.problems.setdefault("text", []).append(_("This draft was already scheduled or deleted."))
            return _render(form, channels, state, 422)
        post = schedule_post(db, draft, author_id=user().id, now=now, validate=validate)
    except DraftProblems as found:
        db.rollback()
        _sort_problems(state, found)
        state.media = _usable_media(db, [m.id for m in state.media], state.draft_post_id)
        return _render(form, channels, state, 422)
    waiting = 0
    if not as_draft and approval_required(db, kind):
        waiting = submit_for_approval(db, post.id, user_id=user().id, now=now)
    db.commit()
    _flash_done(draft, as_draft, waiting)
    return redirect(url_for("posts.deliveries"), 303)


def _validator(db: Session, kind: PostKind, vacancy: Vacancy | None) -> Validator:
    """The network's own checks, the company's guidelines, and for job ads the job-ad rules."""
    config = services().adapter_config

    def validate(network: Network, content: PostContent) -> list[Problem]:
        found = validate_content(config, network, content)
        found += check_guidelines(db, kind, network, content.text, content.link)
        if vacancy is not None:
            found += check_job_ad(db, vacancy, content.text, network)
        return found

    return validate


def _channel_problems(state: ComposeState, chosen: list[Channel], form: ComposeForm, texts: dict[Network, str],
                      validate: Validator) -> None:
    """Show what each chosen channel thinks of the post even when the form itself has problems."""
    link = (form.link.data or "").strip() or None
    for channel in chosen:
        text = render_text(text_for(form.text.data or "", texts, channel.network), link, channel.network)
        media = preview_items(state.media, channel.network)
        _file(state, f"channel-{channel.id}", validate(channel.network, PostContent(0, text, link, media)))


def _sort_problems(state: ComposeState, found: DraftProblems) -> None:
    for problem in found.general:
        _file(state, problem.field, [problem])
    for channel_id, channel_problems in found.by_channel.items():
        _file(state, f"channel-{channel_id}", channel_problems)


def _file(state: ComposeState, key: str, found: Sequence[Problem]) -> None:
    for problem in found:
        target = state.problems if problem.blocking else state.warnings
        words = message_for(problem)
        if words not in target.get(key, []):
            target.setdefault(key, []).append(words)


def _due_times(db: Session, form: ComposeForm, problems: Problems,
               as_draft: bool) -> tuple[datetime | None, dict[int, datetime]]:
    """Return the common due time (None: now) and, for "add to queue", each channel's next free slot."""
    if form.when.data == "queue":
        chosen = list(form.channels.data or [])
        found = queue_times(db, chosen, services().clock())
        names = {c.id: c.name for c in db.scalars(select(Channel).where(Channel.id.in_(chosen)))}
        missing = [names.get(channel_id, str(channel_id)) for channel_id, at in found.items() if at is None]
        if missing and not as_draft:
            problems.setdefault("due_at", []).append(
                _("%(channels)s has no free posting slot; set slots on the channels page or pick a time.",
                  channels=", ".join(sorted(missing))))
        return None, {channel_id: at for channel_id, at in found.items() if at is not None}
    try:
        return form.due_at_utc(user_tz()), {}
    except DueTimeError as exc:
        problems.setdefault("due_at", []).append(str(exc))
        return None, {}


def _flash_done(draft: PostDraft, as_draft: bool, waiting: int) -> None:
    count = len(set(draft.channel_ids))
    if as_draft:
        flash(_("Saved as a draft; nothing goes out until you schedule it."), "success")
    elif waiting:
        flash(ngettext("Sent for approval: %(num)d delivery waits for a manager.",
                       "Sent for approval: %(num)d deliveries wait for a manager.", waiting), "success")
    elif draft.due_by_channel:
        first = min(draft.due_by_channel.values())
        flash(ngettext("Added to the queue of %(num)d channel; the first goes out %(time)s.",
                       "Added to the queues of %(num)d channels; the first goes out %(time)s.", count,
                       time=local_time(first)), "success")
    elif draft.due_at is None:
        flash(ngettext("Publishing now on %(num)d channel.", "Publishing now on %(num)d channels.", count), "success")
    else:
        flash(ngettext("Scheduled for %(time)s on %(num)d channel.", "Scheduled for %(time)s on %(num)d channels.",
                       count, time=local_time(draft.due_at)), "success")


def _prefill(db: Session, form: ComposeForm) -> ComposeState:
    """Fill the form for a new post, a copy of a post (?from=), a draft to edit (?draft=) or a vacancy (?vacancy=)."""
    state = ComposeState()
    form.kind.data = (PostKind.JOB_AD if user().role is Role.RECRUITER else PostKind.PRODUCT_NEWS).value
    source_id = _int(request.args.get("draft")) or _int(request.args.get("from"))
    if source_id is not None:
        post = db.get(Post, source_id)
        if post is None:
            abort(404)
        editing = request.args.get("draft") is not None
        if editing and (post.author_id != user().id or any(d.state.value != "draft" for d in post.deliveries)):
            abort(404)
        form.text.data, form.link.data, form.kind.data = post.text, post.link, post.kind.value
        form.campaign.data = post.campaign
        form.channels.data = sorted({d.channel_id for d in post.deliveries})
        state.texts = {row.network.value: row.text
                       for row in db.scalars(select(PostText).where(PostText.post_id == post.id))}
        state.vacancy = db.get(Vacancy, post.vacancy_id) if post.vacancy_id else None
        state.draft_post_id = post.id if editing else None
        # A draft keeps its images; a copy gets its own copies, so the original stays as it was.
        state.media = list(post.media) if editing else copy_media(db, post.media, user().id)
        db.commit()
    vacancy_id = _int(request.args.get("vacancy"))
    if vacancy_id is not None:
        state.vacancy = _vacancy(db, vacancy_id)
        if state.vacancy is None:
            abort(404)
        ad = job_ad_draft(db, vacancy_id, base_url=services().settings.base_url)
        form.text.data, form.link.data, form.kind.data, form.campaign.data = ad.text, ad.link, ad.kind.value, \
            ad.campaign
        state.texts = {network.value: text for network, text in ad.per_network.items()}
        state.media = _job_ad_picture(db, state.vacancy)
    return state


def _render(form: ComposeForm, channels: list[Channel], state: ComposeState, status: int) -> ResponseReturnValue:
    return render_template("posts/compose.html", form=form, channels=channels, problems=state.problems,
                           warnings=state.warnings, media=state.media, texts=state.texts,
                           networks=networks_of(channels), draft_post_id=state.draft_post_id, vacancy=state.vacancy,
                           tz_name=user_tz(), max_upload_mb=services().settings.max_upload_bytes // 1_048_576), status


def _form_problems(form: ComposeForm) -> Problems:
    form.validate_on_submit()
    problems: Problems = {}
    for name, messages in form.errors.items():
        if name in ("date", "time"):
            continue  # reported once, as a due-time problem (see ComposeForm.due_at_utc)
        problems[str(name)] = [str(message) for message in messages]
    return problems


def _media_of_request(db: Session, problems: Problems, draft_post_id: int | None) -> list[Media]:
    """Store newly attached images at once (committed: kept even if the draft has problems) and return all."""
    saved, refused = save_uploads(db, request.files.getlist("images")[:MAX_FILES], user().id)
    if refused:
        problems.setdefault("media", []).extend(refused)
    kept = [int(i) for i in request.form.getlist("media_ids") if i.isdigit()]
    media = _usable_media(db, [*kept, *(m.id for m in saved)], draft_post_id)
    if len(media) < len(set(kept)) + len(saved):
        problems.setdefault("media", []).append(_("An image is no longer available; add it again."))
    for item in media:  # alt text, caption and consent given next to each preview (only the author's own images)
        alt = request.form.get(f"alt-{item.id}")
        if alt is not None:
            describe_media(db, item, alt_text=alt, caption=request.form.get(f"caption-{item.id}", item.caption),
                           consent=request.form.get(f"consent-{item.id}") == "yes", user_id=user().id)
    db.commit()
    if len(media) > MAX_FILES:
        problems.setdefault("media", []).append(_("A post takes at most %(max)d images.", max=MAX_FILES))
    return media


def _usable_media(db: Session, media_ids: list[int], draft_post_id: int | None) -> list[Media]:
    """The author's unattached images, and those of the draft being edited, in the given order."""
    if draft_post_id is None:
        return owned_unattached(db, media_ids, user().id)
    found = {m.id: m for m in db.scalars(select(Media).where(
        Media.id.in_(media_ids), Media.owner_id == user().id,
        or_(Media.post_id.is_(None), Media.post_id == draft_post_id)))}
    return [found[i] for i in dict.fromkeys(media_ids) if i in found]


def copy_media(db: Session, originals: Sequence[Media], owner_id: int) -> list[Media]:
    """Return unattached copies of ``originals`` for a new post (the files are shared: stored by content)."""
    copies = [Media(owner_id=owner_id, filename=m.filename, mime_type=m.mime_type, size_bytes=m.size_bytes,
                    width=m.width, height=m.height, sha256=m.sha256, storage_key=m.storage_key, alt_text=m.alt_text,
                    caption=m.caption, consent=m.consent) for m in originals]
    db.add_all(copies)
    db.flush()
    return copies


def _job_ad_picture(db: Session, vacancy: Vacancy) -> list[Media]:
    """A ready picture of the job ad (Instagram needs an image); the author may remove or replace it."""
    data = job_ad_image(vacancy, company=company_name(db), language=vacancy.language)
    upload = FileStorage(stream=io.BytesIO(data), filename=f"job-{vacancy.id}.jpg", content_type="image/jpeg")
    saved, _refused = save_uploads(db, [upload], user().id)
    for media in saved:
        media.alt_text = vacancy.title
    db.commit()
    return saved


def _vacancy(db: Session, vacancy_id: int | None) -> Vacancy | None:
    return db.get(Vacancy, vacancy_id) if vacancy_id is not None else None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
