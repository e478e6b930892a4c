"""Forms, and the one place where a date and time typed by a person become aware UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from scheduler.clock import NonexistentLocalTimeError, from_local, zone
from scheduler.models import Channel, PostKind
from scheduler.networks import Network
from web.i18n import _
from web.i18n import lazy_gettext as _l

#: Longest text the composer accepts at all; each network's own limit is checked per channel.
MAX_TEXT = 10_000

KIND_LABELS: dict[PostKind, str] = {
    PostKind.JOB_AD: _l("Job ad"),
    PostKind.PRODUCT_NEWS: _l("Product news"),
    PostKind.EVENT_PHOTOS: _l("Event photos"),
}


class DueTimeError(ValueError):
    """The date and time a person chose cannot be used; the message says why in plain words."""


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class ComposeForm(FlaskForm):
    """A post and where and when it goes out; the channel choices are set per request."""

    text = TextAreaField(_l("Text"), validators=[Length(max=MAX_TEXT)])
    link = URLField(_l("Link"), validators=[Optional(), Length(max=2048)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
                       default=PostKind.PRODUCT_NEWS.value)
    campaign = StringField(_l("Campaign"), validators=[Optional(), Length(max=120)])
    channels = SelectMultipleField(_l("Channels"), coerce=int,
                                   invalid_choice_message=_l("One of the chosen channels cannot be used; "
                                                             "choose again."))
    when = RadioField(_l("When"), default="now",
                      choices=[SelectChoice("now", _l("Publish now")), SelectChoice("later", _l("At a date and time")),
                               SelectChoice("queue", _l("In each channel's next free posting slot"))])
    date = DateField(_l("Date"), validators=[Optional()])
    time = TimeField(_l("Time"), validators=[Optional()], format=["%H:%M", "%H:%M:%S"])

    def set_channels(self, channels: Sequence[Channel]) -> None:
        """Offer ``channels`` as the choices."""
        self.channels.choices = [SelectChoice(str(channel.id), channel.name) for channel in channels]

    def due_at_utc(self, tz_name: str) -> datetime | None:
        """Return the chosen time as aware UTC, or None for "publish now".

        Raises:
            DueTimeError: no date or time was given for a later post, or the time does not exist
                in ``tz_name`` (skipped by the spring DST change).
        """
        if self.when.data != "later":
            return None
        if self.date.data is None or self.time.data is None:
            if self.date.errors or self.time.errors:
                raise DueTimeError(_("Enter the date and the time in full."))
            raise DueTimeError(_("Pick a date and a time, or choose “Publish now”."))
        local = datetime.combine(self.date.data, self.time.data.replace(second=0, microsecond=0))
        try:
            return from_local(local, tz_name)
        except NonexistentLocalTimeError:
            raise DueTimeError(_(
                "%(time)s does not exist in %(zone)s: the clocks are put forward that night. Pick another time.",
                time=local.strftime("%Y-%m-%d %H:%M"), zone=zone(tz_name).key,
            )) from None


class MarkPublishedForm(FlaskForm):
    """A person confirms an unknown delivery is live, optionally with the post's URL."""

    url = URLField(_l("Post URL (optional)"), validators=[Optional(), Length(max=2048)])
    back = HiddenField()


#: Networks a sandbox channel can be on (every network with an adapter; XING is an assisted channel).
SANDBOX_NETWORKS = (Network.X, Network.LINKEDIN, Network.FACEBOOK, Network.INSTAGRAM)


class SandboxChannelForm(FlaskForm):
    """A channel on the sandbox networks (the stand-in for a network's sign-in during development)."""

    network = SelectField(_l("Network"), choices=[SelectChoice(n.value, n.label) for n in SANDBOX_NETWORKS],
                          default=Network.X.value)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    handle = StringField(_l("Handle"), validators=[
        DataRequired(),
        Regexp(r"^@?[A-Za-z0-9_]{1,15}$", message=_l("A handle has 1 to 15 letters, digits or underscores.")),
    ])


class AssistedChannelForm(FlaskForm):
    """A XING page or profile the owner posts to by hand (XING has no posting API)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    profile_url = URLField(_l("XING address (optional)"), validators=[Optional(), Length(max=120)])
    owner = SelectField(_l("Who posts"), coerce=int,
                        invalid_choice_message=_l("Choose a person who can post."))

    def set_owners(self, people: Sequence[tuple[int, str]]) -> None:
        """Offer ``people`` (id, name) as possible owners."""
        self.owner.choices = [SelectChoice(str(person_id), name) for person_id, name in people]
