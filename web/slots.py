"""A channel's posting slots (admins): list them, add one (weekday and local time), remove one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from scheduler.models import Channel, Role
from scheduler.slots import SlotError, list_slots, next_free_slot, set_slots
from web.auth import roles_required, user
from web.calendar_forms import WEEKDAYS, SlotForm
from web.db import get_session
from web.filters import channel_label
from web.i18n import _
from web.messages import message_for
from web.services import services

bp = Blueprint("slots", __name__)


def _channel(channel_id: int) -> Channel:
    channel = get_session().get(Channel, channel_id)
    if channel is None:
        abort(404)
    return channel


def _page(channel: Channel, form: SlotForm, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    return render_template("slots/index.html", channel=channel, slots=list_slots(db, channel.id), form=form,
                           weekdays=WEEKDAYS, label=channel_label(channel.network, channel.name, channel.handle),
                           next_slot=next_free_slot(db, channel.id, after=services().clock())), status


@bp.get("/channels/<int:channel_id>/slots")
@roles_required(Role.ADMIN)
def index(channel_id: int) -> ResponseReturnValue:
    """List the channel's posting slots, with the form to add one."""
    return _page(_channel(channel_id), SlotForm(formdata=None))


@bp.post("/channels/<int:channel_id>/slots")
@roles_required(Role.ADMIN)
def add(channel_id: int) -> ResponseReturnValue:
    """Add a slot; a malformed or repeated one shows the form again with the message (422)."""
    channel = _channel(channel_id)
    form = SlotForm()
    if not form.validate_on_submit() or form.time.data is None:
        return _page(channel, form, 422)
    db = get_session()
    new = (int(form.weekday.data), form.time.data.strftime("%H:%M"))
    current = [(slot.weekday, slot.local_time) for slot in list_slots(db, channel_id)]
    if new in current:
        form.time.errors = [_("%(weekday)s at %(time)s is already a slot.", weekday=WEEKDAYS[new[0]], time=new[1])]
        return _page(channel, form, 422)
    try:
        set_slots(db, channel_id, [*current, new], user_id=user().id)
    except SlotError as exc:
        db.rollback()
        form.time.errors = [message_for(exc)]
        return _page(channel, form, 422)
    db.commit()
    flash(_("Slot added: %(weekday)s at %(time)s.", weekday=WEEKDAYS[new[0]], time=new[1]), "success")
    return redirect(url_for("slots.index", channel_id=channel_id), 303)


@bp.post("/channels/<int:channel_id>/slots/remove")
@roles_required(Role.ADMIN)
def remove(channel_id: int) -> ResponseReturnValue:
    """Remove one slot (named by weekday and time, which stay true across edits); planned deliveries stay."""
    _channel(channel_id)
    form = SlotForm()
    if not form.validate_on_submit() or form.time.data is None:
        abort(400)
    gone = (int(form.weekday.data), form.time.data.strftime("%H:%M"))
    db = get_session()
    current = [(slot.weekday, slot.local_time) for slot in list_slots(db, channel_id)]
    label = {"weekday": WEEKDAYS[gone[0]], "time": gone[1]}
    if gone not in current:
        flash(_("%(weekday)s at %(time)s is not a slot (any more).", **label), "info")
    else:
        set_slots(db, channel_id, [slot for slot in current if slot != gone], user_id=user().id)
        db.commit()
        flash(_("Slot removed: %(weekday)s at %(time)s.", **label), "success")
    return redirect(url_for("slots.index", channel_id=channel_id), 303)
