"""The demo's true totals, counted from the generated events themselves (not from the database)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from scheduler.demo_data import CHANNELS
from scheduler.demo_world import DemoWorld
from scheduler.reporting.model import Period


@dataclass
class TruthRow:
    """True figures of one delivery or channel for a period (humans only in human_clicks)."""

    published: int = 0  # deliveries published in the period
    human_clicks: int = 0  # clicks by people, repeats left out
    bot_clicks: int = 0  # clicks by programs
    repeat_clicks: int = 0  # a person's second click within the hour
    applications: int = 0  # received in the period
    hires: int = 0  # hired in the period
    leads: int = 0  # created in the period
    impressions: int | None = None  # latest snapshot of deliveries published in the period; None: never reported
    reactions: int | None = None  # likewise


class DemoTruth:
    """What the generator made, with database ids, counted for any period."""

    def __init__(self, world: DemoWorld, delivery_ids: Sequence[int], channel_ids: Sequence[int]) -> None:
        self.world = world
        self.delivery_ids = list(delivery_ids)  # database id of each generated delivery
        self.channel_ids = list(channel_ids)  # database id of each CHANNELS entry

    @property
    def everything(self) -> Period:
        """Return a period that covers all generated data."""
        return Period(self.world.start - timedelta(days=1), self.world.now + timedelta(days=1))

    def per_delivery(self, period: Period) -> dict[int, TruthRow]:
        """Return the true figures per delivery id (deliveries without any figure left out)."""
        return self._count(period, by_channel=False)

    def per_channel(self, period: Period) -> dict[int, TruthRow]:
        """Return the true figures per channel id (every demo channel)."""
        return self._count(period, by_channel=True)

    def _count(self, period: Period, *, by_channel: bool) -> dict[int, TruthRow]:
        w = self.world
        rows: defaultdict[int, TruthRow] = defaultdict(TruthRow)
        if by_channel:
            for channel_id in self.channel_ids:
                rows[channel_id] = TruthRow()

        def key(delivery: int | None, channel: int | None) -> int | None:
            if by_channel:
                return None if channel is None else self.channel_ids[channel]
            return None if delivery is None else self.delivery_ids[delivery]

        def of_delivery(index: int) -> TruthRow:
            return rows[self.channel_ids[w.deliveries[index].channel] if by_channel else self.delivery_ids[index]]

        for index, delivery in enumerate(w.deliveries):
            if period.contains(delivery.published_at):
                row = of_delivery(index)
                row.published += 1
                latest = delivery.snapshots[-1][1] if delivery.snapshots else {}
                for name in ("impressions", "reactions"):
                    if latest.get(name) is not None:
                        setattr(row, name, (getattr(row, name) or 0) + int(latest[name] or 0))
        for click in w.clicks:
            if period.contains(click.at):
                row = of_delivery(click.delivery)
                field = {"human": "human_clicks", "bot": "bot_clicks", "repeat": "repeat_clicks"}[click.kind]
                setattr(row, field, getattr(row, field) + 1)
        for app in w.applications:
            found = key(app.delivery, app.channel)
            if found is not None:
                rows[found].applications += period.contains(app.received_at)
                rows[found].hires += app.hired_at is not None and period.contains(app.hired_at)
        for lead in w.leads:
            found = key(lead.delivery, lead.channel)
            if found is not None and period.contains(lead.created_at):
                rows[found].leads += 1
        return {k: v for k, v in rows.items() if by_channel or any(getattr(v, f.name) for f in fields(v))}

    def format(self, period: Period | None = None) -> str:
        """Return the true totals per channel and per delivery as text (``postillon demo --print-truth``)."""
        period = period or self.everything
        names = {self.channel_ids[i]: f"{spec.network.label} {spec.name}" for i, spec in enumerate(CHANNELS)}
        header = (f"{'':<44}{'posts':>6}{'human':>7}{'bots':>6}{'repeat':>7}{'apps':>6}{'hires':>6}{'leads':>6}"
                  f"{'impressions':>12}{'reactions':>10}")
        lines = [f"Demo seed {self.world.seed}, true totals {_day(period.start)} – {_day(period.end)} "
                 "(human clicks without bots and repeats)", "", "Per channel", header]
        lines += [_line(names[cid], row) for cid, row in sorted(self.per_channel(period).items())]
        lines += ["", "Per delivery", header]
        lines += [_line(f"delivery {did}", row) for did, row in sorted(self.per_delivery(period).items())]
        return "\n".join(lines)


def _day(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _line(label: str, row: TruthRow) -> str:
    unknown = "unknown"
    return (f"{label[:43]:<44}{row.published:>6}{row.human_clicks:>7}{row.bot_clicks:>6}{row.repeat_clicks:>7}"
            f"{row.applications:>6}{row.hires:>6}{row.leads:>6}"
            f"{row.impressions if row.impressions is not None else unknown:>12}"
            f"{row.reactions if row.reactions is not None else unknown:>10}")
