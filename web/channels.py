"""Channels: list them; admins add sandbox channels, reconnect, disable and enable."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from adapters.sandbox_accounts import SandboxUnavailableError, create_sandbox_account
from scheduler.assisted import TaskError, add_assisted_channel
from scheduler.channels import add_channel, reconnect_channel, set_disabled, token_expiry
from scheduler.models import Channel, ChannelStatus, Role, User
from scheduler.networks import Network
from scheduler.queries import list_channels
from web.auth import POSTING_ROLES, roles_required, user
from web.connect import connectable_networks, csp_with_consent_pages
from web.db import get_session
from web.filters import channel_label
from web.forms import AssistedChannelForm, SandboxChannelForm
from web.i18n import _, ngettext
from web.messages import message_for
from web.services import services

bp = Blueprint("channels", __name__, url_prefix="/channels")


@bp.get("/")
def index() -> ResponseReturnValue:
    """List every channel with its status (and, for admins, the forms to add sandbox and XING channels)."""
    return _page(SandboxChannelForm())


def _assisted_form() -> AssistedChannelForm:
    form = AssistedChannelForm()
    people = get_session().execute(select(User.id, User.name).where(User.active.is_(True),
                                                                    User.role.in_(POSTING_ROLES))
                                   .order_by(User.name)).all()
    form.set_owners([(person_id, name) for person_id, name in people])
    if form.owner.data is None:
        form.owner.data = user().id
    return form


def _page(form: SandboxChannelForm, status: int = 200, assisted: AssistedChannelForm | None = None,
          ) -> ResponseReturnValue:
    channels = list_channels(get_session())
    box = services().box
    page = render_template("channels/index.html", channels=channels, form=form,
                           assisted_form=assisted or _assisted_form(),
                           sandbox=services().uses_sandbox(Network.X), connectable=connectable_networks(),
                           expiries={channel.id: token_expiry(box, channel) for channel in channels})
    # The Connect and Reconnect forms are redirected to the networks' consent pages.
    headers = {"Content-Security-Policy": csp_with_consent_pages()} if user().is_admin else {}
    return page, status, headers


def _to_list() -> ResponseReturnValue:
    return redirect(url_for("channels.index"), 303)


@bp.post("/sandbox")
@roles_required(Role.ADMIN)
def add_sandbox() -> ResponseReturnValue:
    """Create an account on the sandbox networks and connect it as a channel."""
    if not services().uses_sandbox(Network.X):
        abort(404)
    form = SandboxChannelForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    settings = services().settings
    network = Network(form.network.data)
    if not services().uses_sandbox(network):
        form.network.errors = [_("%(network)s is connected to the real network here, not the sandbox.",
                                 network=network.label)]
        return _page(form, 422)
    try:
        account = create_sandbox_account(settings.sandbox_url, network, username=(form.handle.data or "").lstrip("@"),
                                         name=(form.name.data or "").strip(), timeout_s=settings.connect_timeout_s)
    except SandboxUnavailableError:
        form.form_errors.append(_("The sandbox networks at %(url)s do not answer. Start them (python -m "
                                  "adapters.sandbox) and try again.", url=settings.sandbox_url))
        return _page(form, 503)
    db = get_session()
    channel = add_channel(db, services().box, network, account, user_id=user().id, tz_name=user().tz_name)
    db.commit()
    flash(_("%(channel)s is connected.", channel=channel_label(channel.network, channel.name, channel.handle)),
          "success")
    return _to_list()


@bp.post("/assisted")
@roles_required(Role.ADMIN)
def add_assisted() -> ResponseReturnValue:
    """Add a XING channel: its owner gets a task for each post at the due time."""
    form = _assisted_form()
    if not form.validate_on_submit():
        return _page(SandboxChannelForm(formdata=None), 422, form)
    db = get_session()
    try:
        channel = add_assisted_channel(db, network=Network.XING, name=form.name.data or "",
                                       profile_url=(form.profile_url.data or "").strip(), owner_id=form.owner.data,
                                       tz_name=user().tz_name)
    except TaskError as exc:
        db.rollback()
        form.form_errors.append(message_for(exc))
        return _page(SandboxChannelForm(formdata=None), 422, form)
    db.commit()
    flash(_("%(channel)s is added; its posts become tasks for the person who posts.", channel=channel.name),
          "success")
    return _to_list()


@bp.post("/<int:channel_id>/reconnect")
@roles_required(Role.ADMIN)
def reconnect(channel_id: int) -> ResponseReturnValue:
    """Store fresh credentials for a channel (sandbox channels: a new sandbox token for the same account)."""
    channel = _channel(channel_id)
    label = channel_label(channel.network, channel.name, channel.handle)
    if not services().uses_sandbox(channel.network):
        flash(_("Reconnecting %(channel)s through the network's sign-in is not available yet.", channel=label),
              "error")
        return _to_list()
    settings = services().settings
    try:
        account = create_sandbox_account(settings.sandbox_url, channel.network, username=channel.handle.lstrip("@"),
                                         name=channel.name, timeout_s=settings.connect_timeout_s)
    except SandboxUnavailableError:
        flash(_("The sandbox networks at %(url)s do not answer; %(channel)s was not reconnected.",
                url=settings.sandbox_url, channel=label), "error")
        return _to_list()
    if account.account_id != channel.account_id:
        flash(_("The sandbox returned a different account for %(channel)s; nothing was changed.", channel=label),
              "error")
        return _to_list()
    db = get_session()
    resumed = reconnect_channel(db, services().box, channel_id, account, user_id=user().id, now=services().clock())
    db.commit()
    flash(ngettext("%(channel)s is connected again; %(num)d waiting delivery resumes.",
                   "%(channel)s is connected again; %(num)d waiting deliveries resume.", resumed, channel=label),
          "success")
    return _to_list()


@bp.post("/<int:channel_id>/disable")
@roles_required(Role.ADMIN)
def disable(channel_id: int) -> ResponseReturnValue:
    """Disable a channel: nothing new can be scheduled on it and it publishes nothing."""
    return _set_disabled(channel_id, True)


@bp.post("/<int:channel_id>/enable")
@roles_required(Role.ADMIN)
def enable(channel_id: int) -> ResponseReturnValue:
    """Enable a disabled channel again."""
    return _set_disabled(channel_id, False)


def _set_disabled(channel_id: int, disabled: bool) -> ResponseReturnValue:
    channel = _channel(channel_id)
    label = channel_label(channel.network, channel.name, channel.handle)
    resumed = 0
    if disabled != (channel.status is ChannelStatus.DISABLED):
        db = get_session()
        resumed = set_disabled(db, channel_id, disabled, user_id=user().id, now=services().clock())
        db.commit()
    if disabled:
        flash(_("%(channel)s is disabled.", channel=label), "success")
    else:
        flash(ngettext("%(channel)s is enabled; %(num)d waiting delivery resumes.",
                       "%(channel)s is enabled; %(num)d waiting deliveries resume.", resumed, channel=label),
              "success")
    return _to_list()


def _channel(channel_id: int) -> Channel:
    channel = get_session().get(Channel, channel_id)
    if channel is None:
        abort(404)
    return channel
