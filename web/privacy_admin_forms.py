"""Forms of the privacy page: the data-subject search, the erasure confirmation, the privacy settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from scheduler.models import ApplicationStage, LeadStatus
from scheduler.privacy_settings import MAX_MONTHS, MIN_MONTHS
from web.i18n import lazy_gettext as _l

_EMAIL = r"^\s*[^@\s]+@[^@\s]+\s*$"
_MONTHS = _l("Enter a number of months from %(min)d to %(max)d.", min=MIN_MONTHS, max=MAX_MONTHS)

STAGE_LABELS = {ApplicationStage.RECEIVED: _l("Received"), ApplicationStage.SCREENING: _l("Screening"),
                ApplicationStage.INTERVIEW: _l("Interview"), ApplicationStage.OFFER: _l("Offer"),
                ApplicationStage.HIRED: _l("Hired"), ApplicationStage.REJECTED: _l("Rejected")}
LEAD_LABELS = {LeadStatus.NEW: _l("New"), LeadStatus.QUALIFIED: _l("Qualified"),
               LeadStatus.OPPORTUNITY: _l("Opportunity"), LeadStatus.CUSTOMER: _l("Customer"),
               LeadStatus.JUNK: _l("Junk")}


class PersonForm(FlaskForm):
    """The e-mail address a data-subject request is about; ``confirm`` is set on the erasure's second step."""

    email = StringField(_l("E-mail address of the person"), validators=[
        DataRequired(message=_l("Enter the person's e-mail address.")), Length(max=254),
        Regexp(_EMAIL, message=_l("Enter one complete e-mail address, e.g. name@example.at."))])
    confirm = HiddenField()


class MonthsField(IntegerField):
    """A whole number of months; anything else gets the range message only (WTForms' own is untranslated)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Take the number, or None when it is not one (the raw text stays for re-display)."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


def _months(label: str) -> MonthsField:
    return MonthsField(label, validators=[InputRequired(message=_MONTHS),
                                          NumberRange(min=MIN_MONTHS, max=MAX_MONTHS, message=_MONTHS)])


class PrivacySettingsForm(FlaskForm):
    """Who is responsible for the data and how long it is kept."""

    company_name = StringField(_l("Company name"), validators=[Length(max=200)])
    company_address = TextAreaField(_l("Company address"), validators=[Length(max=500)])
    privacy_contact_email = StringField(_l("Privacy contact e-mail"), validators=[
        Optional(), Length(max=254),
        Regexp(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$", message=_l("Enter an e-mail address like "
                                                               "datenschutz@example.at."))])
    applicant_months = _months(_l("Applicant data: months after the procedure ends"))
    talent_pool_months = _months(_l("Talent pool: months, where the consent names no end"))
    lead_months = _months(_l("Leads: months after the last contact"))
