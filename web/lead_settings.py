"""The lead form's settings page: the code to embed it, which sites may, the merge window, the consent text."""

from __future__ import annotations

from html import escape

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from scheduler.lead_settings import (
    MAX_CONSENT_TEXT,
    MAX_MERGE_WINDOW_DAYS,
    LeadSettingsProblems,
    lead_form_settings,
    save_lead_form_settings,
)
from scheduler.models import Role
from web.auth import roles_required, user
from web.db import get_session
from web.i18n import _
from web.lead_forms import LeadFormSettingsForm
from web.leads import LEAD_ROLES
from web.services import services

bp = Blueprint("lead_settings", __name__, url_prefix="/settings/lead-form")

# The words for the scheduler's problem codes.
_PROBLEMS = {
    "origin_invalid": lambda: _("Enter each website as its address without a path, e.g. https://www.example.com."),
    "window_invalid": lambda: _("Enter a number of days from 1 to %(num)d.", num=MAX_MERGE_WINDOW_DAYS),
    "consent_too_long": lambda: _("The consent text may have at most %(num)d characters.", num=MAX_CONSENT_TEXT),
}


def embed_code(form_url: str, title: str) -> str:
    """Return the HTML to paste into the company's page: the iframe and a few lines that pass on its UTM values."""
    return (f'<iframe id="postillon-lead-form" src="{escape(form_url)}" title="{escape(title)}"\n'
            '        style="width:100%;min-height:760px;border:0" loading="lazy"></iframe>\n'
            "<script>\n"
            "  // Hand this page's campaign parameters to the form, so the request is credited to the post.\n"
            "  (function () {\n"
            '    var frame = document.getElementById("postillon-lead-form");\n'
            "    var here = new URLSearchParams(window.location.search), url = new URL(frame.src);\n"
            '    ["utm_source", "utm_medium", "utm_campaign", "utm_content"].forEach(function (key) {\n'
            "      if (here.get(key)) { url.searchParams.set(key, here.get(key)); }\n"
            "    });\n"
            "    frame.src = url.toString();\n"
            "  })();\n"
            "</script>")


@bp.get("/")
@roles_required(*LEAD_ROLES)
def index() -> ResponseReturnValue:
    """Show the embed code and the settings (admins may change them)."""
    stored = lead_form_settings(get_session())
    form = LeadFormSettingsForm(formdata=None, frame_ancestors="\n".join(stored.frame_ancestors),
                                merge_window_days=stored.merge_window_days,
                                consent_de=stored.consent_texts.get("de", ""),
                                consent_en=stored.consent_texts.get("en", ""))
    return _page(form, {})


@bp.post("/")
@roles_required(Role.ADMIN)
def save() -> ResponseReturnValue:
    """Store the settings, or show the form again with what was typed and what is wrong."""
    form = LeadFormSettingsForm()
    if not form.validate_on_submit():
        problems = {str(name): [_("Enter a whole number.")] if name == "merge_window_days" else [str(m) for m in msgs]
                    for name, msgs in form.errors.items()}
        return _page(form, problems, 422)
    db = get_session()
    try:
        save_lead_form_settings(db, frame_ancestors=form.frame_ancestors.data or "",
                                merge_window_days=form.merge_window_days.data,
                                consent_texts={"de": form.consent_de.data or "", "en": form.consent_en.data or ""},
                                user_id=user().id, now=services().clock())
    except LeadSettingsProblems as refused:
        db.rollback()
        return _page(form, {name: [_PROBLEMS[code]() if code in _PROBLEMS else message]
                            for name, (code, message) in refused.problems.items()}, 422)
    db.commit()
    flash(_("The lead form settings are saved."), "success")
    return redirect(url_for(".index"), 303)


def _page(form: LeadFormSettingsForm, problems: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    stored = lead_form_settings(get_session())
    base = services().settings.base_url.rstrip("/")
    form_url = base + url_for("forms.lead")
    return render_template("lead_settings/index.html", form=form, problems=problems, form_url=form_url,
                           embed=embed_code(form_url + "?lang=de", _("Contact request")),
                           allowed=stored.frame_ancestors, can_edit=user().role is Role.ADMIN), status
