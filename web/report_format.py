"""Report figures as HTML: localized numbers, "unknown" and "–" explained in a tooltip, arrows for changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from markupsafe import Markup, escape

from web.i18n import _, current_locale
from workers.report_words import Words


class Figures:
    """Formats figures in the request's language; every method returns safe markup for the templates."""

    def __init__(self, tz_name: str, lang: str | None = None) -> None:
        self.words = Words(lang or current_locale())
        self.tz_name = tz_name

    def count(self, value: int | None, reported: int | None = None, posts: int | None = None) -> Markup:
        """Return a count; None becomes "unknown"; with coverage, "reported for n of m posts" as a note."""
        if value is None:
            return Markup('<span class="unknown" title="{}">{}</span>').format(
                _("The networks did not report this figure."), _("unknown"))
        text = escape(self.words.count(value))
        if reported is not None and posts is not None and reported < posts:
            note = _("reported for %(reported)s of %(posts)s posts", reported=reported, posts=posts)
            return Markup('{} <small class="coverage">({})</small>').format(text, note)
        return Markup(text)

    def percent(self, value: float | None, digits: int = 1) -> Markup:
        """Return a ratio as a percentage, or an explained "–" when it cannot be computed."""
        if value is None:
            return self.dash()
        return Markup(escape(self.words.percent(value, digits)))

    def money(self, cents: float | None, currency: str = "EUR") -> Markup:
        """Return cents as money, or an explained "–" (no cost entered, or nothing to divide by)."""
        if cents is None:
            return self.dash(_("No cost entered, or nothing to divide it by."))
        return Markup(escape(self.words.money(cents, currency)))

    def duration(self, value: timedelta | None) -> Markup:
        """Return a duration in hours or days, or an explained "–"."""
        if value is None:
            return self.dash(_("Not known yet."))
        return Markup(escape(self.words.duration(value)))

    def day(self, value: datetime | None) -> str:
        """Return the local date of an instant."""
        return self.words.day(value, self.tz_name)

    def decimal(self, value: float | None) -> Markup:
        """Return a decimal number (e.g. applications per post), or an explained "–"."""
        return self.dash() if value is None else Markup(escape(self.words.decimal(value)))

    def dash(self, why: str | None = None) -> Markup:
        """Return "–" with an explanation for the mouse and for screen readers."""
        why = why or _("Cannot be computed: nothing to divide by.")
        return Markup('<span class="na" title="{0}">–<span class="visually-hidden"> ({0})</span></span>').format(why)

    def change(self, current: float | None, previous: float | None) -> Markup:
        """Return the change against the previous period: arrow and percentage, "new" or "–"."""
        arrow, words = self.words.change(current, previous)
        if not arrow:
            return Markup('<span class="change">{}</span>').format(words)
        tone = {"▲": "up", "▼": "down"}.get(arrow, "same")
        return Markup('<span class="change change-{}"><span aria-hidden="true">{}</span> {}</span>').format(
            tone, arrow, words)
