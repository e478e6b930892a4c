"""Report downloads: one CSV per table and the PDF report, for the period the dashboard shows."""

from __future__ import annotations

from flask import Response, abort, request
from flask.typing import ResponseReturnValue

from scheduler.jobads import company_name
from web.auth import roles_required
from web.db import get_session
from web.filters import user_tz
from web.i18n import current_locale
from web.report_csv import BUILDERS, render
from web.reports import READ_ROLES, bp, current_choice, report_of
from web.services import services
from workers.report_pdf import build_pdf
from workers.report_words import LANGUAGES, Words


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_stem(kind: str) -> str:
    choice = current_choice()
    return f"postillon-{kind}-{choice.first_day.isoformat()}-{choice.last_day.isoformat()}"


@bp.get("/<table>.csv")
@roles_required(*READ_ROLES)
def export_csv(table: str) -> ResponseReturnValue:
    """Download one table of the chosen period as CSV in the user's spreadsheet convention."""
    if table not in BUILDERS:
        abort(404)
    choice = current_choice()
    if choice.problems:
        abort(400)
    lang = current_locale()
    rows = BUILDERS[table](report_of(choice.period), Words(lang), user_tz())
    return _download(render(rows, lang), "text/csv; charset=utf-8", f"{_file_stem(table)}.csv")


@bp.get("/report.pdf")
@roles_required(*READ_ROLES)
def pdf() -> ResponseReturnValue:
    """Download the PDF report of the chosen period, in the user's language or ``?lang=de|en``."""
    choice = current_choice()
    if choice.problems:
        abort(400)
    lang = request.args.get("lang", current_locale())
    if lang not in LANGUAGES:
        abort(400)
    tz_name = user_tz()
    body = build_pdf(report_of(choice.period), lang=lang, tz_name=tz_name, generated_at=services().clock(),
                     company=company_name(get_session()))
    return _download(body, "application/pdf", f"{_file_stem('report')}-{lang}.pdf")
