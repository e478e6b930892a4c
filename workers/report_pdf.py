"""The report as a PDF to forward (German or English): key figures, findings, charts, tables, definitions.

Built with ReportLab (pure Python) from a Dashboard, without Flask, so the web download and the
e-mailed digest produce the same document. Text is set in the Bitstream Vera fonts that ship with
ReportLab, embedded, so umlauts and names print on every reader.
"""

from __future__ import annotations

import functools
import io
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.graphics.shapes import Line as PdfLine
from reportlab.graphics.shapes import Rect as PdfRect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from scheduler.reporting.model import Dashboard
from workers.chart_layout import Chart, Line, Rect, Text
from workers.report_charts import channel_chart, funnel_chart, trend_chart
from workers.report_pdf_tables import key_figures, pdf_text, section_tables, table
from workers.report_texts import definitions, finding_sentence
from workers.report_words import Words

PAGE = landscape(A4)
MARGIN = 14 * mm
FONT, BOLD = "Vera", "Vera-Bold"


@functools.cache
def _fonts() -> None:
    """Register the embedded fonts once per process (on first use, not at import)."""
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles of the report."""
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {"body": body, "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5),
            "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=22, spaceAfter=4),
            "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=10,
                                 spaceAfter=4),
            "bullet": ParagraphStyle("bullet", parent=body, leftIndent=10, bulletIndent=0, spaceAfter=2)}


def drawing(chart: Chart, width: float, height: float) -> Drawing:
    """Return ``chart`` as a ReportLab drawing scaled into ``width`` × ``height`` points (SVG's y axis flipped)."""
    scale = min(1.0, width / chart.width, height / chart.height)
    group = Group()
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            group.add(PdfRect(shape.x, chart.height - shape.y - shape.h, shape.w, shape.h, strokeColor=None,
                              fillColor=colors.HexColor(shape.fill)))
        elif isinstance(shape, Line):
            group.add(PdfLine(shape.x1, chart.height - shape.y1, shape.x2, chart.height - shape.y2,
                              strokeColor=colors.HexColor(shape.stroke), strokeWidth=0.7))
        elif isinstance(shape, Text):
            group.add(String(shape.x, chart.height - shape.y, shape.text, fontName=BOLD if shape.bold else FONT,
                             fontSize=shape.size * 0.9, fillColor=colors.HexColor(shape.fill),
                             textAnchor=shape.anchor))
    group.scale(scale, scale)
    result = Drawing(chart.width * scale, chart.height * scale)
    result.add(group)
    return result


def build_pdf(report: Dashboard, *, lang: str, tz_name: str, generated_at: datetime, company: str = "") -> bytes:
    """Return the PDF of ``report`` in ``lang`` ("de" or "en"), dates in ``tz_name``."""
    _fonts()
    words, style = Words(lang), styles()
    width = PAGE[0] - 2 * MARGIN

    def para(text: str, kind: str = "body", bullet: bool = False) -> Paragraph:
        return Paragraph(escape(pdf_text(text)), style[kind], bulletText="•" if bullet else None)

    span = words.span(report.period.start, report.period.end, tz_name)
    previous = words.span(report.previous.period.start, report.previous.period.end, tz_name)
    story: list[Flowable] = [
        para(words("Social Media Controlling") + (f" · {company}" if company else ""), "title"),
        para(words("Report for %(span)s, compared with %(previous)s.", span=span, previous=previous)),
        para(words("Created on %(when)s; dates in %(tz)s. Bot clicks are excluded everywhere (%(bots)s in this "
                   "period).", when=words.day(generated_at, tz_name), tz=tz_name,
                   bots=words.count(report.totals.bot_clicks)), "small"),
        para(words("Key figures"), "h2"), key_figures(report, words, width), para(words("Findings"), "h2"),
    ]
    story += [para(finding_sentence(f, words), "bullet", True) for f in report.findings] or [
        para(words("No findings: not enough data in this period for a reliable statement."))]
    charts = (trend_chart(report, words, tz_name), funnel_chart(report.totals.metrics, report.totals.outcomes, words),
              channel_chart(report, words))
    story += [KeepTogether([para(c.title, "h2"), drawing(c, width, PAGE[1] - 2 * MARGIN - 60)]) for c in charts]
    for heading, flowable in section_tables(report, words, tz_name, width, style):
        story += [para(heading, "h2"), flowable]
    story += [para(words("Data quality"), "h2"), *[para(line, "bullet", True) for line in _quality(report, words)]]
    story += [para(words("How the figures are counted"), "h2"),
              table([[para(term, "small"), para(text, "small")] for term, text in definitions(words, tz_name)],
                    [width * 0.22, width * 0.78], header=False), Spacer(1, 4)]
    out = io.BytesIO()
    footer = f"Postillon · {span}"

    def _page(canvas: Canvas, _doc: object) -> None:
        canvas.setFont(FONT, 7)
        canvas.drawString(MARGIN, 8 * mm, footer)
        canvas.drawRightString(PAGE[0] - MARGIN, 8 * mm, words("Page %(n)s", n=canvas.getPageNumber()))

    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 4 * mm, title=f"{words('Social Media Controlling')} {span}",
                            author="Postillon", lang=words.lang)
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    return out.getvalue()


def _quality(report: Dashboard, words: Words) -> list[str]:
    t = report.totals
    lines = [words("Bot clicks excluded: %(n)s", n=words.count(t.bot_clicks)),
             words("Repeat clicks excluded (same visitor, same link, within an hour): %(n)s",
                   n=words.count(t.repeat_clicks)),
             words("Applications not attributed to a channel: %(n)s", n=words.count(t.applications_unattributed)),
             words("Leads not attributed to a channel: %(n)s", n=words.count(t.leads_unattributed)),
             words("Impressions reported for %(reported)s of %(posts)s published posts.",
                   reported=words.count(t.metrics.impressions_reported), posts=words.count(t.metrics.posts))]
    if report.costs_other_currency:
        lines.append(words("Cost entries in another currency than %(currency)s left out: %(n)s",
                           currency=report.currency, n=words.count(report.costs_other_currency)))
    return lines

