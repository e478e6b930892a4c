"""The PDF report's tables: key figures with the comparison, per channel, per vacancy, campaigns, top posts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from scheduler.reporting.model import Dashboard
from workers.report_words import Words

FONT, BOLD = "Vera", "Vera-Bold"
Cell = Any  # a string or a Paragraph (ReportLab ships no type hints)
HEAD_BG = colors.HexColor("#e5f0fb")
SUB_FG = colors.HexColor("#3d4452")


#: Characters the embedded Vera font lacks, and what stands in for them.
MISSING_GLYPHS = str.maketrans({"→": "›", "▲": "", "▼": ""})
HEAD_LEFT = ParagraphStyle("head", fontName=BOLD, fontSize=6.5, leading=8)
HEAD_RIGHT = ParagraphStyle("head-right", parent=HEAD_LEFT, alignment=TA_RIGHT)


def pdf_text(text: str) -> str:
    """Return ``text`` with the characters the PDF font cannot show replaced."""
    return text.translate(MISSING_GLYPHS).strip()


def _cell(cell: Cell) -> Cell:
    return pdf_text(cell) if isinstance(cell, str) else cell


def table(rows: Sequence[Sequence[Cell]], widths: Sequence[float], *, header: bool = True,
          sub_rows: Sequence[int] = ()) -> Table:
    """Return a table with a repeated, wrapping header row, numbers right-aligned, channel sub-rows in grey."""
    data = [[_cell(c) for c in row] for row in rows]
    if header and data:
        data[0] = [Paragraph(escape(str(c)), HEAD_LEFT if i == 0 else HEAD_RIGHT) for i, c in enumerate(data[0])]
    found = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 7.5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d6dae1")),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    else:
        commands.append(("ALIGN", (0, 0), (-1, -1), "LEFT"))
    commands += [("TEXTCOLOR", (0, r), (-1, r), SUB_FG) for r in sub_rows]
    found.setStyle(TableStyle(commands))
    return found


def key_figures(report: Dashboard, words: Words, width: float) -> Table:
    """Return the headline figures with the previous period's value and the change."""
    t, p = report.totals, report.previous
    money = words.money
    rows: list[Sequence[Cell]] = [[words("Figure"), words("This period"), words("Previous period"), words("Change")]]
    for label, now, before, shown in (
            (words("Posts published"), t.metrics.posts, p.metrics.posts, words.count),
            (words("Impressions"), t.metrics.impressions, p.metrics.impressions, words.count),
            (words("Engagement rate"), t.metrics.engagement_rate, p.metrics.engagement_rate, words.percent),
            (words("Human clicks"), t.outcomes.human_clicks, p.outcomes.human_clicks, words.count),
            (words("Click-through rate (CTR)"), t.ctr, p.ctr, lambda v: words.percent(v, 2)),
            (words("Applications"), t.outcomes.applications, p.outcomes.applications, words.count),
            (words("Interviews"), t.outcomes.interviews, p.outcomes.interviews, words.count),
            (words("Hires"), t.outcomes.hires, p.outcomes.hires, words.count),
            (words("Leads"), t.outcomes.leads, p.outcomes.leads, words.count),
            (words("Cost"), t.outcomes.cost_cents, p.outcomes.cost_cents, lambda v: money(v, report.currency)),
            (words("Cost per application"), t.outcomes.cost_per_application, p.outcomes.cost_per_application,
             lambda v: money(v, report.currency))):
        rows.append([label, shown(now), shown(before), words.change(now, before)[1]])
    return table(rows, [width * 0.34, width * 0.22, width * 0.22, width * 0.22])


def _channels(report: Dashboard, words: Words, width: float, small: ParagraphStyle) -> Table:
    count, pct = words.count, words.percent
    rows: list[Sequence[Cell]] = [[words("Channel"), words("Posts"), words("Impressions"), words("Eng. rate"),
                                   words("Human clicks"), words("CTR"), words("Applications"), words("Hires"),
                                   words("Leads"), words("Click → appl."), words("Appl. → hire"),
                                   words("Cost/appl.")]]
    for c in report.channels:
        m, o = c.metrics, c.outcomes
        impressions = count(m.impressions) + (f" ({m.impressions_reported}/{m.posts})"
                                              if m.impressions is not None and m.impressions_reported < m.posts else "")
        rows.append([Paragraph(escape(f"{words.network(c.network)} · {c.name}"), small), count(m.posts), impressions,
                     pct(m.engagement_rate),
                     count(o.human_clicks), pct(c.ctr, 2), count(o.applications), count(o.hires), count(o.leads),
                     pct(o.click_to_application), pct(o.application_to_hire),
                     words.money(o.cost_per_application, report.currency)])
    first = width * 0.2
    return table(rows, [first] + [(width - first) / 11] * 11)


def _vacancies(report: Dashboard, words: Words, width: float, small: ParagraphStyle) -> Table:
    count, money = words.count, words.money
    rows: list[Sequence[Cell]] = [[words("Vacancy / channel"), words("Impressions"), words("Human clicks"),
                                   words("Applications"), words("Interviews"), words("Hires"),
                                   words("Time to 1st appl."), words("Time to hire"), words("Cost/appl."),
                                   words("Cost/hire")]]
    subs: list[int] = []
    for v in report.vacancies:
        m, o = v.metrics, v.outcomes
        rows.append([Paragraph(f"<b>{escape(v.title)}</b> {escape(v.location)}", small), count(m.impressions),
                     count(o.human_clicks), count(o.applications), count(o.interviews), count(o.hires),
                     words.duration(v.time_to_first_application), words.duration(v.time_to_hire),
                     money(o.cost_per_application, report.currency), money(o.cost_per_hire, report.currency)])
        for part in v.by_channel:
            pm, po = part.metrics, part.outcomes
            name = (f"{words.network(part.network)} · {part.name}" if part.channel_id is not None
                    else words("not attributed to a channel"))
            subs.append(len(rows))
            rows.append([Paragraph("&nbsp;&nbsp;&nbsp;" + escape(name), small), count(pm.impressions),
                         count(po.human_clicks), count(po.applications), count(po.interviews), count(po.hires), "",
                         "", money(po.cost_per_application, report.currency),
                         money(po.cost_per_hire, report.currency)])
    first = width * 0.25
    return table(rows, [first] + [(width - first) / 9] * 9, sub_rows=subs)


def _campaigns(report: Dashboard, words: Words, width: float, small: ParagraphStyle) -> Table:
    count = words.count
    rows: list[Sequence[Cell]] = [[words("Campaign / channel"), words("Posts"), words("Human clicks"),
                                   words("Leads"), words("Applications")]]
    subs: list[int] = []
    for c in report.campaigns:
        name = c.campaign or (words("Job ads: %(title)s", title=c.vacancy_title) if c.vacancy_id
                              else words("(no campaign)"))
        rows.append([Paragraph(f"<b>{escape(name)}</b>", small), count(c.published), count(c.human_clicks),
                     count(c.leads), count(c.applications)])
        for part in c.by_channel:
            subs.append(len(rows))
            rows.append([Paragraph("&nbsp;&nbsp;&nbsp;" + escape(f"{words.network(part.network)} · {part.name}"),
                                   small), count(part.published), count(part.human_clicks), count(part.leads),
                         count(part.applications)])
    first = width * 0.44
    return table(rows, [first] + [(width - first) / 4] * 4, sub_rows=subs)


def _top(report: Dashboard, words: Words, tz_name: str, width: float, small: ParagraphStyle) -> Table:
    count = words.count
    rows: list[Sequence[Cell]] = [[words("Post"), words("Channel"), words("Published"), words("Impressions"),
                                   words("Human clicks"), words("Applications"), words("Leads")]]
    for post in report.top_posts:
        rows.append([Paragraph(escape(post.excerpt), small), Paragraph(escape(
            f"{words.network(post.network)} · {post.channel_name}"), small), words.day(post.published_at, tz_name),
            count(post.impressions), count(post.human_clicks), count(post.applications), count(post.leads)])
    return table(rows, [width * 0.4, width * 0.16] + [width * 0.088] * 5)


def section_tables(report: Dashboard, words: Words, tz_name: str, width: float,
                   style: dict[str, ParagraphStyle]) -> list[tuple[str, Flowable]]:
    """Return (heading, table) for each section that has rows; empty sections say so in a sentence."""
    small = style["small"]
    sections: list[tuple[str, Flowable]] = [(words("Per channel"), _channels(report, words, width, small))]
    for heading, rows, build, empty in (
            (words("Per vacancy"), report.vacancies, lambda: _vacancies(report, words, width, small),
             words("No vacancy had posts, clicks or applications in this period.")),
            (words("Per campaign and product news"), report.campaigns,
             lambda: _campaigns(report, words, width, small), words("No campaign had posts or clicks in this period.")),
            (words("Top posts"), report.top_posts, lambda: _top(report, words, tz_name, width, small),
             words("No post had clicks, applications or leads in this period."))):
        sections.append((heading, build() if rows else Paragraph(escape(empty), style["body"])))
    return sections
