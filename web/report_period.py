"""The report period picker: presets and custom dates in the user's time zone, turned into a UTC Period."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from scheduler.clock import to_local, zone
from scheduler.reporting.model import Period
from web.i18n import _
from web.i18n import lazy_gettext as _l

#: Preset → label; "custom" takes the from/to dates.
PRESETS: dict[str, str] = {
    "7d": _l("Last 7 days"), "30d": _l("Last 30 days"), "90d": _l("Last 90 days"),
    "quarter": _l("This quarter"), "last_quarter": _l("Last quarter"), "custom": _l("Custom dates"),
}
DEFAULT_PRESET = "30d"
#: The longest custom period; longer ones would make a week chart of hundreds of columns.
MAX_DAYS = 3 * 366
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


@dataclass(frozen=True, slots=True)
class PeriodChoice:
    """What the picker chose: the preset, the local first and last day (inclusive) and the UTC period."""

    preset: str
    first_day: date
    last_day: date
    period: Period
    problems: dict[str, str] = field(default_factory=dict)  # field ("from", "to") → message; empty when fine
    typed: dict[str, str] = field(default_factory=dict)  # what the person typed, shown again after a problem

    def args(self) -> dict[str, Any]:
        """Return the query arguments that choose this period again (for links and exports)."""
        if self.preset == "custom":
            return {"preset": "custom", "from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        return {"preset": self.preset}


def local_midnight(day: date, tz_name: str) -> datetime:
    """Return the start of ``day`` in ``tz_name`` as aware UTC (a skipped midnight resolves as zoneinfo does)."""
    return datetime.combine(day, time(0), tzinfo=zone(tz_name)).astimezone(UTC)


def _choice(preset: str, first: date, last: date, tz_name: str, typed: dict[str, str] | None = None) -> PeriodChoice:
    period = Period(local_midnight(first, tz_name), local_midnight(last + timedelta(days=1), tz_name))
    return PeriodChoice(preset, first, last, period, typed=typed or {})


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_choice(preset: str, now: datetime, tz_name: str) -> PeriodChoice:
    """Return the period of a preset; "last N days" end with today (at the start of tomorrow)."""
    today = to_local(now, tz_name).date()
    if preset in ("7d", "30d", "90d"):
        return _choice(preset, today - timedelta(days=int(preset[:-1]) - 1), today, tz_name)
    start = _quarter_start(today)
    if preset == "last_quarter":
        start = _quarter_start(start - timedelta(days=1))
    end = _quarter_start(start + timedelta(days=100)) - timedelta(days=1)
    return _choice(preset, start, end, tz_name)


def parse_day(text: str) -> date | None:
    """Return the date in ``text`` (ISO "2026-03-31", as date inputs send it, or German "31.3.2026"), else None."""
    text = text.strip()
    try:
        german = _GERMAN_DATE.fullmatch(text)
        if german:
            return date(int(german[3]), int(german[2]), int(german[1]))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def choose_period(args: Mapping[str, str], now: datetime, tz_name: str) -> PeriodChoice:
    """Return the period chosen by the query ``args``; bad custom dates come back with problems and the default."""
    preset = args.get("preset", DEFAULT_PRESET)
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    if preset != "custom":
        return preset_choice(preset, now, tz_name)
    typed = {"from": args.get("from", ""), "to": args.get("to", "")}
    first, last = parse_day(typed["from"]), parse_day(typed["to"])
    problems: dict[str, str] = {}
    for key, value in (("from", first), ("to", last)):
        if value is None:
            problems[key] = _("Enter a date like 2026-03-31 or 31.03.2026.") if typed[key].strip() else _(
                "Enter a date.")
    if first is not None and last is not None:
        if last < first:
            problems["to"] = _("The last day must not lie before the first day.")
        elif (last - first).days + 1 > MAX_DAYS:
            problems["to"] = _("Choose at most %(days)s days.", days=MAX_DAYS)
    if problems or first is None or last is None:
        fallback = preset_choice(DEFAULT_PRESET, now, tz_name)
        return PeriodChoice("custom", fallback.first_day, fallback.last_day, fallback.period, problems, typed)
    return _choice("custom", first, last, tz_name, typed=typed)
