"""Translation hooks: every user-facing string goes through ``_`` so Flask-Babel can replace these later.

The signatures match Flask-Babel's (``%(name)s`` placeholders filled from keyword arguments), so
swapping in ``flask_babel.gettext`` / ``lazy_gettext`` / ``ngettext`` changes no call site.
"""

from __future__ import annotations

from flask import Flask


def gettext(message: str, **variables: object) -> str:
    """Return ``message`` (translated, once Babel is in) with ``%(name)s`` placeholders filled."""
    return message % variables if variables else message


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """Return the singular or plural form for ``num``; ``%(num)d`` is available in both."""
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


def lazy_gettext(message: str, **variables: object) -> str:
    """Mark a module-level string for translation (evaluated lazily once Babel is in)."""
    return gettext(message, **variables)


_ = gettext


def init_app(app: Flask) -> None:
    """Make ``_`` and ``ngettext`` available in every template."""
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
