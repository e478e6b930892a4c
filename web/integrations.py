"""Admin pages for webhook integrations (ATS, CRM): list, create, rotate the secret, switch off and on."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from scheduler.models import Integration, Role
from scheduler.webhook_integrations import (
    MAX_NAME,
    IntegrationError,
    create_integration,
    get_integration,
    rotate_secret,
    set_active,
)
from web.auth import roles_required, user
from web.db import get_session
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.services import services

bp = Blueprint("integrations", __name__, url_prefix="/settings/integrations")

KIND_LABELS = {"ats": _l("Applicant tracking system (ATS): applications"), "crm": _l("CRM: leads")}


class IntegrationForm(FlaskForm):
    """A new integration: its name and whether it reports applications (ATS) or leads (CRM)."""

    name = StringField(_l("Name"), render_kw={"maxlength": MAX_NAME, "autocomplete": "off"})
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()],
                       default="ats", validate_choice=False)


class ActionForm(FlaskForm):
    """The CSRF token of a button form."""


def _message(error: IntegrationError) -> str:
    messages = {
        "name_missing": _("Enter a name, e.g. the system's name."),
        "name_too_long": _("The name may have at most %(num)d characters.", num=MAX_NAME),
        "name_taken": _("Another integration has this name."),
        "kind_invalid": _("Choose whether it is an ATS or a CRM."),
    }
    return messages.get(error.code, error.message)


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """List the integrations with their webhook address and last event, and offer to add one."""
    return _index(IntegrationForm(formdata=None), {})


@bp.post("/")
@roles_required(Role.ADMIN)
def create() -> ResponseReturnValue:
    """Add an integration and show its secret, this once."""
    form = IntegrationForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    try:
        integration, secret = create_integration(db, services().box, name=form.name.data or "",
                                                 kind=form.kind.data or "", now=services().clock(),
                                                 user_id=user().id)
    except IntegrationError as refused:
        db.rollback()
        return _index(form, {refused.field or "name": [_message(refused)]}, 422)
    db.commit()
    return _secret_page(integration, secret, created=True)


@bp.post("/<int:integration_id>/rotate")
@roles_required(Role.ADMIN)
def rotate(integration_id: int) -> ResponseReturnValue:
    """Replace the secret (the old one stops working at once) and show the new one, this once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    integration = _integration(integration_id)
    secret = rotate_secret(db, services().box, integration_id, user_id=user().id)
    db.commit()
    return _secret_page(integration, secret, created=False)


@bp.post("/<int:integration_id>/deactivate")
@roles_required(Role.ADMIN)
def deactivate(integration_id: int) -> ResponseReturnValue:
    """Switch an integration off: its webhooks are refused until it is switched on again."""
    name = _switch(integration_id, False)
    flash(_("“%(name)s” is switched off; its webhooks are refused.", name=name), "success")
    return redirect(url_for(".index"), 303)


@bp.post("/<int:integration_id>/activate")
@roles_required(Role.ADMIN)
def activate(integration_id: int) -> ResponseReturnValue:
    """Switch an integration on again."""
    name = _switch(integration_id, True)
    flash(_("“%(name)s” is switched on again.", name=name), "success")
    return redirect(url_for(".index"), 303)


def webhook_url(integration_id: int) -> str:
    """Return the address the sender posts its events to."""
    return services().settings.base_url.rstrip("/") + url_for("hooks.receive", integration_id=integration_id)


def _switch(integration_id: int, active: bool) -> str:
    """Switch the integration on or off and return its name."""
    if not ActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    name = _integration(integration_id).name
    set_active(db, integration_id, active, user_id=user().id)
    db.commit()
    return name


def _integration(integration_id: int) -> Integration:
    try:
        return get_integration(get_session(), integration_id)
    except IntegrationError:
        abort(404)


def _index(form: IntegrationForm, problems: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    rows = get_session().scalars(select(Integration).order_by(Integration.name)).all()
    return render_template("integrations/index.html", rows=rows, form=form, problems=problems,
                           kinds=KIND_LABELS, url_of=webhook_url), status


def _secret_page(integration: Integration, secret: str, *, created: bool) -> ResponseReturnValue:
    return render_template("integrations/secret.html", integration=integration, secret=secret, created=created,
                           url=webhook_url(integration.id), kinds=KIND_LABELS)
