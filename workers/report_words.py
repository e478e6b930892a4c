"""The words and number formats of the report outside the web pages: the PDF and the e-mailed digest.

They live here, not in the web's catalogue, because the dispatcher writes digests without Flask (like
scheduler/notification_texts.py). Each text is written in English; GERMAN holds its German form.
Numbers, dates and money are formatted with Babel (CLDR) for the reader's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent, get_group_symbol

from scheduler.clock import to_local
from scheduler.networks import Network
from workers.report_german import GERMAN

LANGUAGES = ("de", "en")


class Words:
    """Texts and number formats in one language ("de" or "en"; anything else is German, the product default)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "de"
        self._group = get_group_symbol(self.lang)

    def __call__(self, text: str, **values: object) -> str:
        """Return ``text`` in this language, ``%(name)s`` placeholders filled from ``values``."""
        found = GERMAN.get(text, text) if self.lang == "de" else text
        return found % values if values else found

    @property
    def unknown(self) -> str:
        """Return the word for a figure nobody knows."""
        return self("unknown")

    def count(self, value: int | float | None) -> str:
        """Return a count with the language's grouping ("12.345"), or "unknown"."""
        if value is None:
            return self.unknown
        if isinstance(value, int):  # the usual case, thousands of times per page: no pattern parsing
            return f"{value:,}".replace(",", self._group)
        return format_decimal(value, format="#,##0.#", locale=self.lang)

    def percent(self, value: float | None, digits: int = 1) -> str:
        """Return a ratio as a percentage ("2,5 %"), or "–" when it cannot be computed."""
        if value is None:
            return "–"
        # The language's own pattern ("#,##0 %" in German, with its space) with the wanted decimals.
        pattern = Locale.parse(self.lang).percent_formats[None].pattern
        if digits:
            pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
        return format_percent(value, format=pattern, locale=self.lang)

    def decimal(self, value: float | None, digits: int = 2) -> str:
        """Return a decimal number ("0,75"), or "–"."""
        if value is None:
            return "–"
        return format_decimal(value, format="#,##0." + "#" * digits, locale=self.lang)

    def money(self, cents: float | None, currency: str = "EUR") -> str:
        """Return an amount of cents as money ("1.234,50 €"), or "–"."""
        if cents is None:
            return "–"
        return format_currency(cents / 100, currency, locale=self.lang)

    def duration(self, value: timedelta | None) -> str:
        """Return a duration in days (hours below two days), or "–"."""
        if value is None:
            return "–"
        hours = value.total_seconds() / 3600
        if hours < 48:
            return self("%(n)s h", n=format_decimal(round(hours, 1), locale=self.lang))
        return self("%(n)s days", n=format_decimal(round(hours / 24, 1), locale=self.lang))

    def day(self, value: datetime | None, tz_name: str) -> str:
        """Return the local date of an instant ("31.03.2026" / "Mar 31, 2026"), or ""."""
        if value is None:
            return ""
        return format_date(to_local(value, tz_name).date(), format="medium", locale=self.lang)

    def span(self, start: datetime, end: datetime, tz_name: str) -> str:
        """Return a half-open period as the inclusive local dates people expect ("1.–30. März")."""
        last = to_local(end, tz_name) - timedelta(microseconds=1)
        return f"{self.day(start, tz_name)} – {format_date(last.date(), format='medium', locale=self.lang)}"

    def change(self, current: float | None, previous: float | None) -> tuple[str, str]:
        """Return (arrow, words) for the change from ``previous`` to ``current``: ▲ +12 %, "new", "–"."""
        if current is None or previous is None:
            return "", "–"
        if previous == 0:
            return ("▲", self("new")) if current > 0 else ("", self("no change"))
        relative = (current - previous) / previous
        if relative == 0:
            return "=", self("no change")
        sign = "+" if relative > 0 else ""
        return ("▲" if relative > 0 else "▼"), sign + self.percent(relative, 0)

    def network(self, value: str) -> str:
        """Return the readable name of a network value ("linkedin" → "LinkedIn")."""
        try:
            return Network(value).label
        except ValueError:
            return value
