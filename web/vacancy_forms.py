"""Forms of the vacancy pages: the vacancy itself, its status change and the job-ad templates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from scheduler.clock import NonexistentLocalTimeError, from_local
from scheduler.models import EmploymentType, VacancyStatus
from scheduler.vacancies import VacancyInput
from web.i18n import lazy_gettext as _l

EMPLOYMENT_TYPE_LABELS: dict[EmploymentType, str] = {
    EmploymentType.FULL_TIME: _l("Full-time"), EmploymentType.PART_TIME: _l("Part-time"),
    EmploymentType.CONTRACTOR: _l("Contractor"), EmploymentType.TEMPORARY: _l("Temporary"),
    EmploymentType.INTERN: _l("Internship"), EmploymentType.APPRENTICESHIP: _l("Apprenticeship"),
    EmploymentType.OTHER: _l("Other"),
}
STATUS_LABELS: dict[VacancyStatus, str] = {
    VacancyStatus.OPEN: _l("Open"), VacancyStatus.FILLED: _l("Filled"), VacancyStatus.CLOSED: _l("Closed"),
}
_EMPLOYMENT_VALUES = frozenset(t.value for t in EmploymentType)
#: Said instead of WTForms' "Not a valid integer value.".
NUMBER_PROBLEM = _l("Enter a whole number.")


class VacancyForm(FlaskForm):
    """A vacancy as a person types it; the scheduler checks the values (scheduler.vacancies.validate)."""

    title = StringField(_l("Job title"), validators=[Length(max=200)])
    reference = StringField(_l("Reference (optional)"), validators=[Optional(), Length(max=64)])
    location = StringField(_l("Location"), validators=[Length(max=200)])
    country = SelectField(_l("Country"), choices=[SelectChoice("AT", _l("Austria")), SelectChoice("DE", _l("Germany"))],
                          default="AT")
    language = SelectField(_l("Language of the ads"),
                           choices=[SelectChoice("de", _l("German")), SelectChoice("en", _l("English"))], default="de")
    employment_type = SelectField(_l("Employment type"), default=EmploymentType.FULL_TIME.value,
                                  choices=[SelectChoice(t.value, label) for t, label in EMPLOYMENT_TYPE_LABELS.items()])
    salary_min = IntegerField(_l("Minimum salary in euros (optional)"), validators=[Optional()])
    salary_period = SelectField(_l("Per"), default="MONTH", choices=[
        SelectChoice("MONTH", _l("month")), SelectChoice("YEAR", _l("year")), SelectChoice("HOUR", _l("hour"))])
    overpay = BooleanField(_l("Willing to pay more than the minimum"))
    salary_statement = TextAreaField(_l("Salary statement (optional)"), validators=[Length(max=1000)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    apply_url = StringField(_l("Application link (optional)"), validators=[Optional(), Length(max=2048)])
    valid_through = DateField(_l("Valid through (optional)"), validators=[Optional()])
    hiring_manager = SelectField(_l("Hiring manager"), coerce=int, default=0,
                                 invalid_choice_message=_l("Choose a person from the list."))
    repost_every_days = IntegerField(_l("Post “still hiring” again every … days (optional)"),
                                     validators=[Optional()])

    def set_people(self, people: Sequence[tuple[int, str]], none_label: str) -> None:
        """Offer ``people`` (id, name) as hiring managers, plus "nobody"."""
        self.hiring_manager.choices = [SelectChoice("0", none_label),
                                       *(SelectChoice(str(pid), name) for pid, name in people)]

    def fill(self, data: VacancyInput, valid_through_local: datetime | None) -> None:
        """Show ``data`` in the form (for editing)."""
        self.title.data, self.reference.data, self.location.data = data.title, data.reference, data.location
        self.country.data, self.language.data = data.country, data.language
        self.employment_type.data = data.employment_type.value
        self.salary_min.data, self.salary_period.data, self.overpay.data = (data.salary_min, data.salary_period,
                                                                            data.overpay)
        self.salary_statement.data, self.description.data = data.salary_statement, data.description
        self.apply_url.data = data.apply_url or ""
        self.valid_through.data = valid_through_local.date() if valid_through_local else None
        self.hiring_manager.data = data.hiring_manager_id or 0
        self.repost_every_days.data = data.repost_every_days

    def to_input(self, tz_name: str) -> VacancyInput:
        """Return what was typed as VacancyInput; "valid through" a date means until the end of that day locally."""
        valid = None
        if self.valid_through.data is not None:
            try:
                valid = from_local(datetime.combine(self.valid_through.data, time(23, 59)), tz_name)
            except NonexistentLocalTimeError:  # 23:59 is never skipped by a DST change; defensive only
                valid = None
        employment = self.employment_type.data or EmploymentType.FULL_TIME.value
        return VacancyInput(
            title=self.title.data or "", location=self.location.data or "", country=self.country.data or "",
            employment_type=EmploymentType(employment) if employment in _EMPLOYMENT_VALUES else EmploymentType.OTHER,
            salary_statement=self.salary_statement.data or "", salary_min=self.salary_min.data,
            salary_period=self.salary_period.data or "", overpay=bool(self.overpay.data),
            description=self.description.data or "", apply_url=self.apply_url.data or None,
            language=self.language.data or "", valid_through=valid,
            hiring_manager_id=self.hiring_manager.data or None, repost_every_days=self.repost_every_days.data,
            reference=self.reference.data or "",
        )


class StatusForm(FlaskForm):
    """Change a vacancy's status; ``confirm`` is set once the person saw what will be cancelled."""

    status = HiddenField()
    confirm = HiddenField()


class TemplateForm(FlaskForm):
    """One job-ad template (language and network are fixed per form)."""

    language = HiddenField()
    network = HiddenField()
    body = TextAreaField(_l("Template"), validators=[Length(max=5000)])
