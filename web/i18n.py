"""Translations with Flask-Babel: German and English, chosen per user, German by default.

Every user-facing string goes through ``_`` (``%(name)s`` placeholders filled from keyword arguments),
``ngettext`` or, for module-level strings, ``lazy_gettext`` (``_l``); the catalogue is in web/translations.
"""

from __future__ import annotations

from typing import cast

import flask_babel
from babel import Locale
from flask import Flask, has_request_context, request
from flask_login import current_user

from scheduler.clock import zone

#: The UI languages, as stored in ``User.locale``; the first is the default.
LOCALES: tuple[str, ...] = ("de", "en")
DEFAULT_LOCALE = LOCALES[0]
LANGUAGE_NAMES: dict[str, str] = {"de": "Deutsch", "en": "English"}  # each in its own language, never translated


def gettext(message: str, **variables: object) -> str:
    """Return ``message`` translated into the request's language, ``%(name)s`` placeholders filled."""
    return cast(str, flask_babel.gettext(message, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """Return the translated singular or plural form for ``num``; ``%(num)d`` is available in both."""
    return cast(str, flask_babel.ngettext(singular, plural, num, **variables))


def pgettext(context: str, message: str, **variables: object) -> str:
    """Return ``message`` translated in ``context``, for the same English word meaning two things ("Open")."""
    return cast(str, flask_babel.pgettext(context, message, **variables))


def lazy_gettext(message: str, **variables: object) -> str:
    """Mark a module-level string for translation; it is translated each time it is shown."""
    # A LazyString behaves like a str wherever it is rendered, compared or formatted.
    return cast(str, flask_babel.lazy_gettext(message, **variables))


_ = gettext


def select_locale() -> str:
    """Return the language of this request: the user's choice, else the browser's best match, else German."""
    if not has_request_context():  # an app context alone (CLI, tests): the product default
        return DEFAULT_LOCALE
    chosen = getattr(current_user, "locale", None)
    if chosen in LOCALES:
        return cast(str, chosen)
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def select_timezone() -> str | None:
    """Return the user's time zone name (None for anonymous requests: Flask-Babel's default, UTC)."""
    name = getattr(current_user, "tz_name", None) if has_request_context() else None
    return zone(name).key if name else None  # an unknown stored name falls back to the default zone


def current_locale() -> str:
    """Return the language code of this request ("de" or "en"); German outside a request."""
    locale: Locale | None = flask_babel.get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    """Install Flask-Babel and make ``_``, ``gettext``, ``ngettext`` and the page language available in templates."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    flask_babel.Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Plain functions rather than Jinja's "newstyle" callables: the strings are escaped like any other
    # value, and a message without placeholders is never %-formatted.
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext,
                                 current_locale=current_locale)
