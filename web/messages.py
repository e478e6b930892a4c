"""Coded problems and errors from scheduler/ and adapters/ in the reader's language.

scheduler/ and adapters/ import no translations: each problem carries a field and a code, each error
a code, both with their values as ``params``, plus the English ``message`` for logs and API clients.
Here the code picks a template (web/problem_texts.py, web/error_texts.py), the values are shown the
reader's way (numbers, network names, times) and filled in. A code without a template shows the
English message, so nothing is ever blank.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from babel.numbers import format_decimal
from flask import Flask

from scheduler.csv_read import RowProblem
from scheduler.networks import Network
from scheduler.ports import ExplainedError, Params, Problem
from web.delivery_texts import delivery_problem
from web.error_texts import ERRORS
from web.filters import local_time, number
from web.i18n import current_locale
from web.problem_texts import PROBLEMS

log = logging.getLogger(__name__)

Explained = Problem | RowProblem | ExplainedError


def message_for(item: Explained | BaseException) -> str:
    """Return the words for a coded problem or error in the reader's language (its English message if uncoded)."""
    if isinstance(item, RowProblem):
        words = message_for(item.reason) if item.reason is not None else item.message
        return f"{item.channel}: {words}" if item.channel else words
    if isinstance(item, Problem):
        return _filled(PROBLEMS.get((item.field, item.code)), item.params, item.message)
    if isinstance(item, ExplainedError):
        return _filled(ERRORS.get(item.code), item.params, item.message)
    return str(item)


def messages_for(items: Iterable[Explained]) -> list[str]:
    """Return the words for each problem or error, in order."""
    return [message_for(item) for item in items]


def shown(value: object) -> str:
    """Return a message value as the reader writes it: numbers grouped, MB with one decimal, network names, times."""
    if isinstance(value, Network):
        return value.label
    if isinstance(value, bool) or not isinstance(value, int | float | datetime):
        return str(value)
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.0", locale=current_locale())
    return number(value)


def init_app(app: Flask) -> None:
    """Offer ``message_for`` and ``delivery_problem`` to the templates."""
    app.jinja_env.globals.update(message_for=message_for, delivery_problem=delivery_problem)


def _filled(template: str | None, params: Params, english: str) -> str:
    if template is None:
        return english
    try:
        return str(template) % {name: shown(value) for name, value in params}
    except (KeyError, TypeError, ValueError):
        # A template out of step with its code's values: the English words still say what is wrong.
        log.warning("message template does not fit its values: %r %r", str(template), params)
        return english
