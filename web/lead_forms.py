"""Forms of the lead pages: the public lead form and its consent text, status changes, the lead-form settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from scheduler.company import CompanyProfile
from scheduler.lead_settings import MAX_CONSENT_TEXT, MAX_MERGE_WINDOW_DAYS
from scheduler.leads import MAX_COMPANY, MAX_EMAIL, MAX_MESSAGE, MAX_NAME, LeadError
from scheduler.models import LeadStatus
from scheduler.utm import UTM_KEYS
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.public_forms import PublicForm

#: The public form's name in its signed token (web.public_forms).
FORM_NAME = "lead"
STATUS_LABELS: dict[LeadStatus, str] = {
    LeadStatus.NEW: _l("New"), LeadStatus.QUALIFIED: _l("Qualified"), LeadStatus.OPPORTUNITY: _l("Opportunity"),
    LeadStatus.CUSTOMER: _l("Customer"), LeadStatus.JUNK: _l("Junk"),
}


class LeadForm(PublicForm):
    """A contact request; the UTM values of the embedding page ride along in hidden fields (no cookie)."""

    name = StringField(_l("Your name"), render_kw={"autocomplete": "name", "maxlength": MAX_NAME})
    company = StringField(_l("Company (optional)"), render_kw={"autocomplete": "organization",
                                                               "maxlength": MAX_COMPANY})
    email = EmailField(_l("E-mail address"), render_kw={"autocomplete": "email", "maxlength": MAX_EMAIL})
    message = TextAreaField(_l("Your message (optional)"), render_kw={"rows": 5, "maxlength": MAX_MESSAGE})
    consent = BooleanField()
    utm_source = HiddenField()
    utm_medium = HiddenField()
    utm_campaign = HiddenField()
    utm_content = HiddenField()
    form_token = HiddenField()
    # The honeypot (web.public_forms.HONEYPOT_FIELD): hidden from people, filled by form-filling scripts.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})

    def utm_values(self) -> dict[str, str]:
        """Return the UTM values the form carried."""
        return {key: str(getattr(self, key).data or "") for key in UTM_KEYS}


class LeadStatusForm(FlaskForm):
    """One status button of the lead page."""

    status = HiddenField()


class LeadFormSettingsForm(FlaskForm):
    """Who may embed the lead form, the merge window and the company's own consent texts."""

    frame_ancestors = TextAreaField(_l("Websites that may embed the form (one address per line)"),
                                    render_kw={"rows": 3, "spellcheck": "false"})
    merge_window_days = IntegerField(_l("Merge repeat requests from the same e-mail address within … days"),
                                     validators=[Optional()], render_kw={"min": 1, "max": MAX_MERGE_WINDOW_DAYS})
    consent_de = TextAreaField(_l("Consent text in German (optional)"),
                               render_kw={"rows": 3, "maxlength": MAX_CONSENT_TEXT, "lang": "de"})
    consent_en = TextAreaField(_l("Consent text in English (optional)"),
                               render_kw={"rows": 3, "maxlength": MAX_CONSENT_TEXT, "lang": "en"})


def default_consent_text(company: CompanyProfile, name: str) -> str:
    """Return the consent text shown next to the checkbox when the company has not written its own."""
    if company.privacy_email:
        return _("I agree that %(company)s processes the details I enter here to answer my request, as described "
                 "in the privacy notice. I can withdraw this consent at any time by e-mail to %(email)s.",
                 company=name, email=company.privacy_email)
    return _("I agree that %(company)s processes the details I enter here to answer my request, as described in "
             "the privacy notice. I can withdraw this consent at any time.", company=name)


def lead_message(error: LeadError) -> str:
    """Return the visitor's words for a refused field (the scheduler's code, translated)."""
    messages = {
        "name_missing": _("Enter your name."),
        "name_too_long": _("The name may have at most %(num)d characters.", num=MAX_NAME),
        "company_too_long": _("The company name may have at most %(num)d characters.", num=MAX_COMPANY),
        "email_missing": _("Enter your e-mail address."),
        "email_invalid": _("Enter a valid e-mail address, e.g. name@example.com."),
        "message_too_long": _("The message may have at most %(num)d characters.", num=MAX_MESSAGE),
        "no_consent": _("Please agree to the processing of your data; without it we cannot answer your request."),
    }
    return messages.get(error.code, error.message)
