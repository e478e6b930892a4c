"""Add grouped database rows up to channels, vacancies and campaigns (a few hundred rows, never single clicks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scheduler.reporting.model import NetworkMetrics, Outcomes
from scheduler.reporting.sql import METRIC_COLUMNS


@dataclass
class MetricsSum:
    """A running NetworkMetrics: sums stay None until some delivery reported the figure."""

    posts: int = 0
    sums: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(METRIC_COLUMNS))
    reported: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRIC_COLUMNS, 0))

    def add(self, measures: Sequence[Any]) -> None:
        """Add the measures of one grouped published row: posts, then (sum, reported) per METRIC_COLUMNS."""
        self.posts += measures[0]
        for i, name in enumerate(METRIC_COLUMNS):
            total, count = measures[1 + 2 * i], measures[2 + 2 * i]
            if count:
                self.sums[name] = (self.sums[name] or 0) + int(total)
                self.reported[name] += count

    def freeze(self) -> NetworkMetrics:
        """Return the frozen figures."""
        values: dict[str, Any] = {name: self.sums[name] for name in METRIC_COLUMNS}
        values.update({f"{name}_reported": self.reported[name] for name in METRIC_COLUMNS})
        return NetworkMetrics(posts=self.posts, **values)


@dataclass
class OutcomesSum:
    """A running Outcomes."""

    human_clicks: int = 0
    bot_clicks: int = 0
    repeat_clicks: int = 0
    applications: int = 0
    interviews: int = 0
    hires: int = 0
    leads: int = 0
    cost_cents: int | None = None

    def add_cost(self, cents: int) -> None:
        """Add an entered cost."""
        self.cost_cents = (self.cost_cents or 0) + cents

    def freeze(self) -> Outcomes:
        """Return the frozen figures."""
        return Outcomes(human_clicks=self.human_clicks, applications=self.applications, interviews=self.interviews,
                        hires=self.hires, leads=self.leads, cost_cents=self.cost_cents)


class Ledger:
    """Named groups of running sums, created on first use."""

    def __init__(self) -> None:
        self.metrics: defaultdict[Hashable, MetricsSum] = defaultdict(MetricsSum)
        self.outcomes: defaultdict[Hashable, OutcomesSum] = defaultdict(OutcomesSum)
        self._index: defaultdict[str, list[tuple[Any, ...]]] | None = None

    def keys(self) -> set[Hashable]:
        """Return every group that has any figure."""
        return set(self.metrics) | set(self.outcomes)

    def of_kind(self, kind: str) -> list[tuple[Any, ...]]:
        """Return the groups ("kind", …) that have any figure, e.g. every ("vch", vacancy, channel)."""
        if self._index is None:  # built once, after every figure was added
            self._index = defaultdict(list)
            for key in self.keys():
                if isinstance(key, tuple):
                    self._index[key[0]].append(key)
        return self._index.get(kind, [])

    def metrics_of(self, key: Hashable) -> NetworkMetrics:
        """Return a group's frozen network figures (empty when it has none)."""
        found = self.metrics.get(key)
        return found.freeze() if found else NetworkMetrics()

    def outcomes_of(self, key: Hashable) -> Outcomes:
        """Return a group's frozen outcomes (zero counts, unknown cost when it has none)."""
        found = self.outcomes.get(key)
        return found.freeze() if found else Outcomes()
