"""CSV import of vacancies and posts: upload, a dry-run report of every bad row, then import all or the good rows.

The uploaded file is kept server-side (``settings.data_path / "imports"``, a random id, only for the
person who uploaded it, one hour: scheduler.csv_uploads) so the import does not need a second upload.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from scheduler.csv_import import ImportMode, ImportReport, check_file, import_posts, import_vacancies
from scheduler.csv_read import MAX_BYTES, MAX_ROWS, ImportRefusedError
from scheduler.csv_templates import posts_template, vacancies_template
from scheduler.csv_uploads import Upload, UploadStore
from scheduler.models import Role
from scheduler.queries import postable_channels
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.filters import user_tz
from web.i18n import _, ngettext
from web.i18n import lazy_gettext as _l
from web.messages import message_for
from web.services import services
from web.validation import validator

bp = Blueprint("imports", __name__, url_prefix="/import")

#: Who may import what: vacancies as on the vacancy pages, posts as in the composer.
KIND_ROLES: dict[str, tuple[Role, ...]] = {"vacancies": (Role.ADMIN, Role.RECRUITER, Role.MANAGER),
                                           "posts": POSTING_ROLES}
KIND_LABELS = {"vacancies": _l("Vacancies"), "posts": _l("Posts")}
#: Room for the multipart wrapping around a file of MAX_BYTES.
_OVERHEAD = 64 * 1024


class UploadForm(FlaskForm):
    """What to import and the file."""

    kind = SelectField(_l("What the file holds"))
    file = FileField(_l("CSV file"))


class ImportForm(FlaskForm):
    """Import a checked upload: every row, or only the good ones."""

    mode = HiddenField()
    accept_warnings = BooleanField(_l("Import rows that only have warnings"))


@bp.url_value_preprocessor
def _allow_large_upload(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Runs before the CSRF check reads the form: the app's 1 MB limit would refuse a 5 MB file first.
    if endpoint == "imports.upload" and request.method == "POST" and user().is_authenticated:
        request.max_content_length = MAX_BYTES + _OVERHEAD


@bp.route("/", methods=["GET", "POST"])
@roles_required(*POSTING_ROLES)
def upload() -> ResponseReturnValue:
    """Choose vacancies or posts and upload the file; it is checked and the dry-run report shown."""
    form = _upload_form()
    if request.method == "GET":
        return _upload_page(form, [])
    form.validate_on_submit()
    kind = form.kind.data or ""
    if kind not in KIND_ROLES:
        return _upload_page(form, [_("Choose what the file holds.")], 422)
    _require_kind(kind)
    file = request.files.get("file")
    data = file.read(MAX_BYTES + 1) if file and file.filename else b""
    if not data:
        return _upload_page(form, [_("Choose a CSV file.")], 422)
    try:
        check_file(kind, data)
    except ImportRefusedError as exc:
        return _upload_page(form, [message_for(exc)], 422)
    upload_id = _store().save(data, user_id=user().id, kind=kind, filename=(file.filename if file else "") or "",
                              now=services().clock())
    return redirect(url_for("imports.report", upload_id=upload_id), 303)


@bp.get("/<upload_id>")
@roles_required(*POSTING_ROLES)
def report(upload_id: str) -> ResponseReturnValue:
    """Show the dry run: every bad row with its line and reasons, how many rows are good, and the import buttons."""
    found = _upload(upload_id)
    accept = request.args.get("accept_warnings") == "1"
    return _report_page(found, _run(found, ImportMode.DRY_RUN, accept), accept)


@bp.post("/<upload_id>")
@roles_required(*POSTING_ROLES)
def run(upload_id: str) -> ResponseReturnValue:
    """Import every row (only when all are good) or only the good rows, as the person chose."""
    found = _upload(upload_id)
    form = ImportForm()
    if not form.validate_on_submit() or form.mode.data not in (ImportMode.ALL, ImportMode.GOOD_ONLY):
        abort(400)
    accept = bool(form.accept_warnings.data)
    result = _run(found, ImportMode(form.mode.data), accept)
    if not result.imported:
        get_session().rollback()
        flash(_("Nothing was imported: some rows have problems (see below)."), "error")
        return _report_page(found, result, accept, 422)
    get_session().commit()
    _store().discard(upload_id)
    flash(ngettext("%(num)d row imported.", "%(num)d rows imported.", result.imported)
          + (" " + ngettext("%(num)d bad row skipped.", "%(num)d bad rows skipped.", len(result.bad_lines))
             if result.bad_lines else ""), "success")
    return redirect(url_for("vacancies.index" if found.kind == "vacancies" else "posts.deliveries"), 303)


@bp.get("/template/vacancies.csv")
@roles_required(*KIND_ROLES["vacancies"])
def template_vacancies() -> Response:
    """Download the vacancies template (every column, German example rows)."""
    return _csv(vacancies_template(services().clock(), user_tz()), "postillon-vacancies.csv")


@bp.get("/template/posts.csv")
@roles_required(*KIND_ROLES["posts"])
def template_posts() -> Response:
    """Download the posts template (every column, German example rows on this company's channels)."""
    names = [channel.name for channel in postable_channels(get_session())]
    return _csv(posts_template(services().clock(), user_tz(), names), "postillon-posts.csv")


def _run(found: Upload, mode: ImportMode, accept_warnings: bool) -> ImportReport:
    db, now = get_session(), services().clock()
    try:
        if found.kind == "vacancies":
            return import_vacancies(db, found.data, user_id=user().id, tz_name=user_tz(), now=now, mode=mode,
                                    filename=found.filename)
        return import_posts(db, found.data, user_id=user().id, tz_name=user_tz(), now=now, mode=mode,
                            validate=validator(services().adapter_config), accept_warnings=accept_warnings,
                            filename=found.filename)
    except ImportRefusedError:  # checked at upload; the columns' rules cannot change within the hour
        abort(400)


def _upload(upload_id: str) -> Upload:
    found = _store().load(upload_id, user_id=user().id, now=services().clock())
    if found is None:
        abort(404)  # unknown, someone else's, or older than an hour: upload it again
    _require_kind(found.kind)
    return found


def _require_kind(kind: str) -> None:
    if user().role not in KIND_ROLES[kind]:
        abort(403)


def _store() -> UploadStore:
    return UploadStore(services().settings.data_path / "imports")


def _upload_form() -> UploadForm:
    form = UploadForm()
    allowed = [kind for kind, roles in KIND_ROLES.items() if user().role in roles]
    form.kind.choices = [SelectChoice(kind, KIND_LABELS[kind]) for kind in allowed]
    return form


def _upload_page(form: UploadForm, problems: list[str], status: int = 200) -> ResponseReturnValue:
    return render_template("imports/upload.html", form=form, problems=problems, max_mb=MAX_BYTES // (1024 * 1024),
                           max_rows=MAX_ROWS, kinds=[c.value for c in form.kind.choices or []]), status


def _report_page(found: Upload, result: ImportReport, accept: bool, status: int = 200) -> ResponseReturnValue:
    return render_template("imports/report.html", upload=found, report=result, accept=accept,
                           kind_label=KIND_LABELS[found.kind],
                           has_warnings=any(not p.blocking for p in result.problems)), status


def _csv(data: bytes, name: str) -> Response:
    return Response(data, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
