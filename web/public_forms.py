"""Protection for the public forms (apply, lead) without cookies: a signed, timed form token and a honeypot.

Public forms are embedded on customers' sites and used by people who never log in, so they cannot rely on
the session cookie that protects Postillon's own forms (Flask-WTF CSRF). Instead each rendered form carries
a token signed with the app's secret that names the form and when it was rendered: a post without a valid
token, one sent implausibly fast (a script) or long after rendering is refused, and so is one that fills the
hidden honeypot field that people never see.
"""

from __future__ import annotations

import time

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from web.i18n import _
from web.services import services

#: The hidden field people leave empty and form-filling scripts tend to fill.
HONEYPOT_FIELD = "website"
#: A person needs at least this long to fill in a form (app.config["PUBLIC_FORM_MIN_FILL_S"] overrides it).
MIN_FILL_S = 2.0
#: After this long the page must be reloaded (the values are kept in the re-rendered form).
MAX_AGE_S = 24 * 3600


class PublicFormRejected(Exception):
    """A public form post that must not be stored; ``message`` is safe to show the visitor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PublicForm(FlaskForm):
    """Base for forms shown to the public: no session CSRF (see the module docstring)."""

    class Meta:
        csrf = False


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services().settings.secret_key, salt="postillon.public-form")


def form_token(form_name: str) -> str:
    """Return the token to render into the hidden ``form_token`` field of ``form_name``."""
    # Wall-clock time, not services().clock(): this measures a visitor's typing, not domain time.
    return _serializer().dumps({"form": form_name, "at": time.time()})


def check_submission(form_name: str, token: str | None, honeypot: str | None) -> None:
    """Raise PublicFormRejected unless the post carries a fresh token for ``form_name`` and an empty honeypot."""
    if honeypot:
        raise PublicFormRejected(_("Your message could not be sent. Please try again."))
    try:
        data = _serializer().loads(token or "", max_age=MAX_AGE_S)
    except SignatureExpired:
        raise PublicFormRejected(
            _("This form was open for too long. Please check your entries and send it again.")) from None
    except BadSignature:
        raise PublicFormRejected(_("Your message could not be sent. Please try again.")) from None
    if not isinstance(data, dict) or data.get("form") != form_name:
        raise PublicFormRejected(_("Your message could not be sent. Please try again."))
    rendered_at = data.get("at")
    min_fill_s = float(current_app.config.get("PUBLIC_FORM_MIN_FILL_S", MIN_FILL_S))
    if not isinstance(rendered_at, int | float) or time.time() - rendered_at < min_fill_s:
        raise PublicFormRejected(_("That was very fast. Please check your entries and send the form again."))
