"""Forms of the company settings (guidelines, imprint, job-ad rules) and of the approval review."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from scheduler.jobrules import RuleLevel
from web.i18n import lazy_gettext as _l

LEVEL_CHOICES = [SelectChoice(RuleLevel.WARN.value, _l("Warn: the author may post anyway")),
                 SelectChoice(RuleLevel.BLOCK.value, _l("Block: the post cannot be saved until fixed"))]


class GuidelineForm(FlaskForm):
    """The guideline of one post kind, or of every kind."""

    banned_words = TextAreaField(_l("Banned words"), validators=[Length(max=5000)])
    required_hashtags = StringField(_l("Required hashtags"), validators=[
        Length(max=500),
        Regexp(r"^\s*(#?[^\W_]\w*\s*)*$", message=_l("Separate hashtags with spaces, e.g. “#jobs #acme”; a hashtag "
                                                      "has letters, digits or underscores only.")),
    ])
    max_hashtags = IntegerField(_l("Most hashtags per post"), validators=[
        Optional(), NumberRange(min=0, max=30, message=_l("Enter a number from 0 to 30, or leave it empty."))])
    legal_footer = TextAreaField(_l("Legal footer"), validators=[Length(max=1000)])
    require_imprint_link = BooleanField(_l("Posts must link to the imprint"))
    requires_approval = BooleanField(_l("Posts need approval by a manager before they go out"))


class CompanyForm(FlaskForm):
    """Company-wide settings: the imprint address and whether job-ad rules warn or block."""

    imprint_url = URLField(_l("Imprint address"), validators=[
        Optional(), Length(max=2048),
        Regexp(r"^https?://[^\s/]+\.[^\s]+$", message=_l("The address must start with https:// or http://.")),
    ])
    salary_rule = RadioField(_l("Austria: salary statement and willingness to pay more (GlBG §9(2))"),
                             choices=LEVEL_CHOICES, default=RuleLevel.WARN.value)
    gender_rule = RadioField(_l("Austria and Germany: gender-inclusive job title, e.g. “(m/w/d)”"),
                             choices=LEVEL_CHOICES, default=RuleLevel.WARN.value)


class ReviewForm(FlaskForm):
    """A reviewer's comment when sending a post back."""

    comment = TextAreaField(_l("What should the author change?"), validators=[
        DataRequired(message=_l("Tell the author what to change.")), Length(max=2000)])

    def validate_comment(self, field: TextAreaField) -> None:
        """Refuse a comment of only spaces."""
        if not (field.data or "").strip():
            raise ValidationError(_l("Tell the author what to change."))
