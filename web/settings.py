"""Company settings for admins: guidelines per post kind, the imprint address, job-ad rules warn or block."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from scheduler.guidelines import GuidelineValues, guidelines_by_kind, imprint_url, save_guideline, save_imprint_url
from scheduler.jobrules import JobRuleSettings, RuleLevel, job_rule_settings, save_job_rule_settings
from scheduler.models import PostKind, Role
from web.auth import roles_required, user
from web.db import get_session
from web.forms import KIND_LABELS
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.services import services
from web.settings_forms import CompanyForm, GuidelineForm

bp = Blueprint("settings", __name__, url_prefix="/settings")

ALL = "all"
#: The guideline scopes in page order: every kind first, then each kind.
SCOPES: dict[str, str] = {ALL: _l("All kinds"), **{kind.value: label for kind, label in KIND_LABELS.items()}}


def _kind(scope: str) -> PostKind | None:
    if scope not in SCOPES:
        abort(404)
    return None if scope == ALL else PostKind(scope)


def _guideline_form(scope: str) -> GuidelineForm:
    row = guidelines_by_kind(get_session()).get(_kind(scope))
    form = GuidelineForm(formdata=None, obj=row)
    if row is None:
        form.max_hashtags.data = None
    return form


def _company_form() -> CompanyForm:
    db = get_session()
    levels = job_rule_settings(db)
    return CompanyForm(formdata=None, imprint_url=imprint_url(db), salary_rule=levels.salary.value,
                       gender_rule=levels.gender_marker.value)


def _page(scope: str, guideline: GuidelineForm | None = None, company: CompanyForm | None = None,
          status: int = 200) -> ResponseReturnValue:
    rows = guidelines_by_kind(get_session())
    approval = {key: any(row.requires_approval and (row.kind.value if row.kind else ALL) == key
                         for row in rows.values()) for key in SCOPES}
    return render_template("settings/guidelines.html", scope=scope, scopes=SCOPES, approval=approval,
                           form=guideline or _guideline_form(scope), company=company or _company_form()), status


@bp.get("/guidelines")
@roles_required(Role.ADMIN)
def guidelines() -> ResponseReturnValue:
    """Show the guideline of one scope (?scope=all, job_ad, …) and the company settings."""
    scope = request.args.get("scope", ALL)
    _kind(scope)
    return _page(scope)


@bp.post("/guidelines/<scope>")
@roles_required(Role.ADMIN)
def save_guideline_view(scope: str) -> ResponseReturnValue:
    """Store the guideline of one scope."""
    kind = _kind(scope)
    form = GuidelineForm()
    valid = form.validate_on_submit()
    db = get_session()
    if form.require_imprint_link.data and not imprint_url(db):
        form.require_imprint_link.errors = [_("Enter the company's imprint address below first.")]
        valid = False
    if not valid:
        return _page(scope, guideline=form, status=422)
    values = GuidelineValues(banned_words=form.banned_words.data or "", required_hashtags=form.required_hashtags.data
                             or "", max_hashtags=form.max_hashtags.data, legal_footer=form.legal_footer.data or "",
                             require_imprint_link=bool(form.require_imprint_link.data),
                             requires_approval=bool(form.requires_approval.data))
    save_guideline(db, kind, values, user_id=user().id, now=services().clock())
    db.commit()
    flash(_("Guideline for “%(scope)s” saved.", scope=SCOPES[scope]), "success")
    return redirect(url_for("settings.guidelines", scope=scope), 303)


@bp.post("/company")
@roles_required(Role.ADMIN)
def save_company() -> ResponseReturnValue:
    """Store the imprint address and whether each job-ad rule warns or blocks."""
    scope = request.args.get("scope", ALL)
    _kind(scope)
    form = CompanyForm()
    db = get_session()
    valid = form.validate_on_submit()
    url = (form.imprint_url.data or "").strip()
    if valid and not url and any(row.require_imprint_link for row in guidelines_by_kind(db).values()):
        form.imprint_url.errors = [_("A guideline requires the imprint link; switch that off before removing "
                                     "the address.")]
        valid = False
    if not valid:
        return _page(scope, company=form, status=422)
    now = services().clock()
    save_imprint_url(db, url, user_id=user().id, now=now)
    save_job_rule_settings(db, JobRuleSettings(salary=RuleLevel(form.salary_rule.data),
                                               gender_marker=RuleLevel(form.gender_rule.data)),
                           user_id=user().id, now=now)
    db.commit()
    flash(_("Company settings saved."), "success")
    return redirect(url_for("settings.guidelines", scope=scope), 303)
