"""The public apply form, its consent texts and the visitor-facing words for every refusal."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField

from scheduler.applications import MAX_EMAIL, MAX_MESSAGE, MAX_NAME, ApplicationError
from scheduler.company import CompanyProfile
from scheduler.cv import CvError, megabytes
from scheduler.utm import UTM_KEYS
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.public_forms import PublicForm

#: The public form's name in its signed token (web.public_forms).
FORM_NAME = "apply"
COUNTRY_NAMES = {"AT": _l("Austria"), "DE": _l("Germany")}


class ApplyForm(PublicForm):
    """Name, e-mail, message, CV, consents; the UTM values ride along in hidden fields (no cookie)."""

    name = StringField(_l("Your name"), render_kw={"autocomplete": "name", "maxlength": MAX_NAME})
    email = EmailField(_l("E-mail address"), render_kw={"autocomplete": "email", "maxlength": MAX_EMAIL})
    message = TextAreaField(_l("Message (optional)"), render_kw={"rows": 6, "maxlength": MAX_MESSAGE})
    cv = FileField(_l("CV (optional, PDF or Word)"),
                   render_kw={"accept": ".pdf,.docx,application/pdf,"
                                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
    privacy = BooleanField(_l("I agree"))
    talent_pool = BooleanField(_l("Yes, keep me in the talent pool"))
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


def privacy_text(company: CompanyProfile, name: str) -> str:
    """Return the consent text shown above the privacy checkbox (stored with the application when ticked)."""
    if company.privacy_email:
        return _("I agree that %(company)s processes the details I enter here and my CV to handle my application "
                 "for this position, as described in the privacy notice. I can withdraw this consent at any time "
                 "by e-mail to %(email)s.", company=name, email=company.privacy_email)
    return _("I agree that %(company)s processes the details I enter here and my CV to handle my application "
             "for this position, as described in the privacy notice. I can withdraw this consent at any time.",
             company=name)


def talent_pool_text(company: CompanyProfile, name: str) -> str:
    """Return the talent-pool consent text (voluntary; stored with the application when ticked)."""
    text = _("I also agree that %(company)s keeps my application documents and contact details in its talent pool "
             "for %(months)d months after this application process, to tell me about suitable vacancies. This is "
             "voluntary and does not affect my current application.", company=name,
             months=company.talent_pool_months)
    if company.privacy_email:
        return text + " " + _("I can withdraw this consent at any time by e-mail to %(email)s; my data is then "
                              "deleted.", email=company.privacy_email)
    return text + " " + _("I can withdraw this consent at any time; my data is then deleted.")


def consent_text(form: ApplyForm, company: CompanyProfile, name: str) -> str:
    """Return what the applicant agreed to, word for word: the privacy text, and the talent-pool text if ticked.

    Empty when the privacy box is not ticked: the scheduler then refuses the application (no consent).
    """
    if not form.privacy.data:
        return ""
    parts = [privacy_text(company, name)]
    if form.talent_pool.data:
        parts.append(talent_pool_text(company, name))
    return "\n\n".join(parts)


def application_message(error: ApplicationError) -> str:
    """Return the visitor's words for a refused application (the scheduler's code, translated)."""
    messages = {
        "no_vacancy": _("This vacancy does not exist."),
        "vacancy_closed": _("This position is no longer open, so applications are not accepted any more."),
        "applies_elsewhere": _("Applications for this position go through the company's application system."),
        "name_missing": _("Enter your name."),
        "name_too_long": _("The name may have at most %(num)d characters.", num=MAX_NAME),
        "email_missing": _("Enter your e-mail address."),
        "email_invalid": _("Enter a valid e-mail address, e.g. name@example.com."),
        "message_too_long": _("The message may have at most %(num)d characters.", num=MAX_MESSAGE),
        "no_consent": _("Please agree to the processing of your data; without it we cannot handle your "
                        "application."),
    }
    return messages.get(error.code, error.message)


def cv_message(error: CvError, max_bytes: int) -> str:
    """Return the visitor's words for a refused CV file."""
    messages = {
        "empty": _("The CV file is empty. Please choose the file again."),
        "too_large": _("The CV file is larger than %(size)s MB. Please upload a smaller file.",
                       size=megabytes(max_bytes)),
        "damaged_pdf": _("The PDF file seems to be incomplete or damaged. Please save it again and upload it."),
        "macros": _("Word files with macros are not accepted. Please save your CV as .docx or PDF."),
    }
    return messages.get(error.code, _("Please upload your CV as a PDF or Word (.docx) file."))
