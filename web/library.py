"""The media library: the company's images with alt text, caption and consent; upload, edit, delete unused ones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from scheduler.audit import audit
from scheduler.media import MAX_ALT_TEXT, MAX_CAPTION, describe_media
from scheduler.models import Delivery, Media, MediaRendition, Post, User
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.i18n import _, ngettext
from web.i18n import lazy_gettext as _l
from web.media import MAX_FILES, save_uploads
from web.services import services

bp = Blueprint("library", __name__, url_prefix="/library")

#: The newest images shown; older ones are rarely reused and the page stays quick.
PAGE_SIZE = 300
THUMB_WIDTH = 160


class MediaForm(FlaskForm):
    """What a person may change about an image: its description, caption and the consent of the people shown."""

    alt_text = TextAreaField(_l("Alt text (describes the image for people who cannot see it)"),
                             validators=[Length(max=MAX_ALT_TEXT)])
    caption = TextAreaField(_l("Caption"), validators=[Length(max=MAX_CAPTION)])
    consent = BooleanField(_l("The people shown agreed to its publication"))


@bp.get("/")
@roles_required(*POSTING_ROLES)
def index() -> ResponseReturnValue:
    """Show every image of the company, the current user's first, with what it is used for."""
    return _page()


def _page(status: int = 200, *, failed: int | None = None, failed_form: MediaForm | None = None,
          problem: tuple[int, str] | None = None) -> ResponseReturnValue:
    db = get_session()
    me = user().id
    rows = list(db.execute(
        select(Media, User.name).outerjoin(User, User.id == Media.owner_id)
        .order_by((Media.owner_id == me).desc(), Media.created_at.desc(), Media.id.desc()).limit(PAGE_SIZE)))
    forms = {media.id: (failed_form if media.id == failed and failed_form is not None
                        else MediaForm(formdata=None, obj=media, prefix=f"m{media.id}")) for media, _name in rows}
    return render_template("library/index.html", rows=rows, forms=forms, uses=_uses(db, [m.id for m, _n in rows]),
                           may_edit={m.id: _may_edit(m) for m, _n in rows}, problem=problem, me=me,
                           thumb_width=THUMB_WIDTH, max_files=MAX_FILES,
                           max_upload_mb=services().settings.max_upload_bytes // 1_048_576), status


def _uses(db: Session, media_ids: list[int]) -> dict[int, tuple[int, str, int | None]]:
    """Return media id -> (post id, post text, a delivery id to open) for the images a post uses."""
    rows = db.execute(
        select(Media.id, Post.id, Post.text, func.min(Delivery.id))
        .join(Post, Post.id == Media.post_id)
        .outerjoin(Delivery, Delivery.post_id == Post.id)
        .where(Media.id.in_(media_ids))
        .group_by(Media.id, Post.id, Post.text))
    return {media_id: (post_id, text, delivery_id) for media_id, post_id, text, delivery_id in rows}


def _may_edit(media: Media) -> bool:
    # Whoever uploaded an image answers for its consent flag; admins may correct any image.
    return media.owner_id == user().id or user().is_admin


def _editable(media_id: int) -> Media:
    media = get_session().get(Media, media_id)
    if media is None:
        abort(404)
    if not _may_edit(media):
        abort(403)
    return media


@bp.post("/upload")
@roles_required(*POSTING_ROLES)
def upload() -> ResponseReturnValue:
    """Add several images at once; each readable one is kept even when another is refused."""
    files = [f for f in request.files.getlist("images") if f and f.filename]
    if not files:
        return _page(422, problem=(0, _("Choose one or more images.")))
    db = get_session()
    saved, refused = save_uploads(db, files[:MAX_FILES], user().id)
    db.commit()
    if saved:
        flash(ngettext("%(num)d image added.", "%(num)d images added.", len(saved)), "success")
    for message in refused:
        flash(message, "error")
    if len(files) > MAX_FILES:
        flash(_("Only the first %(num)d images were taken; add the others in another step.", num=MAX_FILES),
              "warning")
    if not saved:
        return _page(422, problem=(0, " ".join(refused)))
    return redirect(url_for("library.index"), 303)


@bp.post("/<int:media_id>")
@roles_required(*POSTING_ROLES)
def edit(media_id: int) -> ResponseReturnValue:
    """Change an image's alt text, caption and consent flag."""
    media = _editable(media_id)
    form = MediaForm(prefix=f"m{media.id}")
    if not form.validate_on_submit():
        return _page(422, failed=media.id, failed_form=form)
    db = get_session()
    describe_media(db, media, alt_text=form.alt_text.data or "", caption=form.caption.data or "",
                   consent=bool(form.consent.data), user_id=user().id)
    db.commit()
    flash(_("%(name)s saved.", name=media.filename), "success")
    return redirect(url_for("library.index", _anchor=f"media-{media.id}"), 303)


@bp.post("/<int:media_id>/delete")
@roles_required(*POSTING_ROLES)
def delete(media_id: int) -> ResponseReturnValue:
    """Delete an image no post uses (with its renditions and, when nothing else shares them, its files)."""
    media = _editable(media_id)
    if media.post_id is not None:
        return _page(409, problem=(media.id, _("%(name)s is used in a post and cannot be deleted; it stays with "
                                                "that post as it was published.", name=media.filename)))
    db = get_session()
    renditions = list(db.scalars(select(MediaRendition).where(MediaRendition.media_id == media.id)))
    keys = {media.storage_key, *(r.storage_key for r in renditions)}
    for rendition in renditions:
        db.delete(rendition)
    db.delete(media)
    db.flush()
    # Files are stored by content: the same picture uploaded twice shares one file.
    shared = set(db.scalars(select(Media.storage_key).where(Media.storage_key.in_(keys)))) | \
        set(db.scalars(select(MediaRendition.storage_key).where(MediaRendition.storage_key.in_(keys))))
    audit(db, user().id, "media.deleted", f"media:{media_id}", media.filename)
    db.commit()
    store = services().media_store
    for key in keys - shared:
        store.path(key).unlink(missing_ok=True)
    flash(_("%(name)s deleted.", name=media.filename), "success")
    return redirect(url_for("library.index"), 303)
