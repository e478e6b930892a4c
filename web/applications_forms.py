"""Words and forms of the staff application pages: stage labels, the stage button, refusals in plain words."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from scheduler.applications import ApplicationError
from scheduler.models import ApplicationStage
from web.i18n import _
from web.i18n import lazy_gettext as _l

STAGE_LABELS: dict[ApplicationStage, str] = {
    ApplicationStage.RECEIVED: _l("Received"), ApplicationStage.SCREENING: _l("Screening"),
    ApplicationStage.INTERVIEW: _l("Interview"), ApplicationStage.OFFER: _l("Offer"),
    ApplicationStage.HIRED: _l("Hired"), ApplicationStage.REJECTED: _l("Rejected"),
}
#: The badge colour of each stage (the classes of web/static/app.css).
STAGE_TONES: dict[ApplicationStage, str] = {
    ApplicationStage.RECEIVED: "info", ApplicationStage.SCREENING: "info", ApplicationStage.INTERVIEW: "info",
    ApplicationStage.OFFER: "warning", ApplicationStage.HIRED: "success", ApplicationStage.REJECTED: "neutral",
}


class StageForm(FlaskForm):
    """One stage button: the target stage, and ``reopen=yes`` to leave hired or rejected."""

    stage = HiddenField()
    reopen = HiddenField()


def problem_message(error: ApplicationError) -> str:
    """Return the staff's words for a stage change that was refused."""
    messages = {
        "final": _("This application is closed (hired or rejected). Reopen it to change its stage."),
        "anonymized": _("This application was anonymised under the retention rules and can no longer change."),
        "not_found": _("This application no longer exists."),
    }
    return messages.get(error.code, error.message)
