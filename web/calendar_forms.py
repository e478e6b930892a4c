"""Forms of the calendar (move a delivery) and of a channel's posting slots."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from scheduler.clock import NonexistentLocalTimeError, from_local, zone
from web.forms import DueTimeError
from web.i18n import _
from web.i18n import lazy_gettext as _l

WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))


class MoveForm(FlaskForm):
    """A new local date and time for one delivery, and the calendar page to come back to."""

    date = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Enter the time as HH:MM."))],
                     format=["%H:%M", "%H:%M:%S"])
    view = HiddenField()
    channel = HiddenField()

    def due_at_utc(self, tz_name: str) -> datetime:
        """Return the entered local time as aware UTC.

        Raises:
            DueTimeError: the date or time is missing or malformed, or the time is skipped by the spring DST change.
        """
        if self.date.data is None or self.time.data is None:
            raise DueTimeError(_("Enter the date and the time in full."))
        local = datetime.combine(self.date.data, self.time.data.replace(second=0, microsecond=0))
        try:
            return from_local(local, tz_name)
        except NonexistentLocalTimeError:
            raise DueTimeError(_(
                "%(time)s does not exist in %(zone)s: the clocks are put forward that night. Pick another time.",
                time=local.strftime("%Y-%m-%d %H:%M"), zone=zone(tz_name).key,
            )) from None


class SlotForm(FlaskForm):
    """One posting slot: a weekday and a wall-clock time in the channel's zone."""

    weekday = SelectField(_l("Weekday"), coerce=int, validators=[InputRequired()],
                          choices=[SelectChoice(str(number), label) for number, label in enumerate(WEEKDAYS)],
                          invalid_choice_message=_l("Choose a weekday."))
    time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Enter the time as HH:MM."))],
                     format=["%H:%M", "%H:%M:%S"])
