"""The user's own profile: the language of the pages and the time zone that dates are shown in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from scheduler.audit import audit
from scheduler.clock import is_valid_zone
from scheduler.models import User
from web.auth import user
from web.db import get_session
from web.i18n import LANGUAGE_NAMES, LOCALES, _
from web.i18n import lazy_gettext as _l

bp = Blueprint("profile", __name__, url_prefix="/profile")

#: The zones offered, Austria, Germany and Switzerland first; a user's current zone is always offered too.
COMMON_ZONES: tuple[str, ...] = (
    "Europe/Vienna", "Europe/Berlin", "Europe/Zurich", "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
    "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "Europe/Luxembourg", "Europe/Rome", "Europe/Madrid",
    "Europe/Prague", "Europe/Bratislava", "Europe/Budapest", "Europe/Ljubljana", "Europe/Zagreb", "Europe/Warsaw",
    "Europe/Copenhagen", "Europe/Stockholm", "Europe/Oslo", "Europe/Helsinki", "Europe/Athens", "Europe/Bucharest",
    "Europe/Sofia", "Europe/Istanbul", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Sao_Paulo", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Sydney",
)


class ProfileForm(FlaskForm):
    """Language and time zone."""

    locale = RadioField(_l("Language"), choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LOCALES],
                        invalid_choice_message=_l("Choose Deutsch or English."))
    tz_name = SelectField(_l("Time zone"), invalid_choice_message=_l("Choose a time zone from the list."))

    def offer_zones(self, current: str) -> None:
        """Offer the common zones, and ``current`` if it is another valid one."""
        zones = COMMON_ZONES if current in COMMON_ZONES or not is_valid_zone(current) else (current, *COMMON_ZONES)
        self.tz_name.choices = [SelectChoice(name, name.replace("_", " ")) for name in zones]


def _form(current: User, formdata: bool) -> ProfileForm:
    form = ProfileForm() if formdata else ProfileForm(formdata=None, locale=current.locale, tz_name=current.tz_name)
    form.offer_zones(current.tz_name)
    return form


@bp.get("")
def index() -> ResponseReturnValue:
    """Show the language and time zone of the logged-in user."""
    current = get_session().get_one(User, user().id)
    return render_template("profile/index.html", form=_form(current, formdata=False))


@bp.post("")
def save() -> ResponseReturnValue:
    """Store the language and time zone; a value not on the lists shows the form again (422), nothing changed."""
    db = get_session()
    current = db.get_one(User, user().id)
    form = _form(current, formdata=True)
    if not form.validate_on_submit():
        return render_template("profile/index.html", form=form), 422
    locale, tz_name = str(form.locale.data), str(form.tz_name.data)
    changes = [f"{name}: {old} -> {new}" for name, old, new in
               (("locale", current.locale, locale), ("tz_name", current.tz_name, tz_name)) if old != new]
    current.locale, current.tz_name = locale, tz_name
    if changes:
        audit(db, current.id, "profile.update", f"user:{current.id}", "; ".join(changes))
    db.commit()
    with force_locale(locale):  # the confirmation already speaks the chosen language
        flash(_("Your settings are saved."), "success")
    return redirect(url_for("profile.index"), 303)
