"""The digest e-mail: key figures with the change against the period before, findings, the PDF attached."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

from scheduler.clock import to_local
from scheduler.reporting.model import Dashboard
from workers.report_texts import finding_sentence
from workers.report_words import Words


def key_figure_lines(report: Dashboard, words: Words) -> list[str]:
    """Return "Figure: value (previous: value, change)" lines for the mail body."""
    t, p = report.totals, report.previous
    lines = []
    for label, now, before, shown in (
            (words("Posts published"), t.metrics.posts, p.metrics.posts, words.count),
            (words("Impressions"), t.metrics.impressions, p.metrics.impressions, words.count),
            (words("Human clicks"), t.outcomes.human_clicks, p.outcomes.human_clicks, words.count),
            (words("Applications"), t.outcomes.applications, p.outcomes.applications, words.count),
            (words("Hires"), t.outcomes.hires, p.outcomes.hires, words.count),
            (words("Leads"), t.outcomes.leads, p.outcomes.leads, words.count),
            (words("Cost per application"), t.outcomes.cost_per_application, p.outcomes.cost_per_application,
             lambda v: words.money(v, report.currency))):
        arrow, change = words.change(now, before)
        lines.append(words("%(figure)s: %(value)s (previous period: %(previous)s; %(change)s)", figure=label,
                           value=shown(now), previous=shown(before), change=f"{arrow} {change}".strip()))
    return lines


def report_link(report: Dashboard, base_url: str, tz_name: str) -> str:
    """Return the address of the reports page showing the digest's period."""
    first = to_local(report.period.start, tz_name).date()
    last = (to_local(report.period.end, tz_name) - timedelta(microseconds=1)).date()
    query = urlencode({"preset": "custom", "from": first.isoformat(), "to": last.isoformat()})
    return f"{base_url.rstrip('/')}/reports?{query}"


def digest_message(report: Dashboard, *, lang: str, tz_name: str, frequency: str, base_url: str, sender: str,
                   to: str, pdf: bytes) -> EmailMessage:
    """Return the digest mail for one recipient, in their language, with the PDF report attached."""
    words = Words(lang)
    span = words.span(report.period.start, report.period.end, tz_name)
    subject = words("Weekly social media report: %(span)s", span=span) if frequency == "weekly" else words(
        "Monthly social media report: %(span)s", span=span)
    body = [words("Hello,"), "",
            words("here are the key figures of %(span)s, compared with the period before. Bot clicks are not "
                  "counted (%(bots)s left out).", span=span, bots=words.count(report.totals.bot_clicks)), ""]
    body += [f"- {line}" for line in key_figure_lines(report, words)]
    if report.findings:
        body += ["", words("Findings") + ":"]
        body += [f"- {finding_sentence(finding, words)}" for finding in report.findings]
    body += ["", words("The full report is attached as a PDF; every figure with its posts:"),
             report_link(report, base_url, tz_name), "",
             words("You receive this e-mail because the report digest is switched on for you. Change or stop it "
                   "here:"), f"{base_url.rstrip('/')}/reports/digest", "", "-- ", "Postillon"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("postillon")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to these
    message.set_content("\n".join(body))
    first = to_local(report.period.start, tz_name).date().isoformat()
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"{words('social-media-report')}-{first}.pdf")
    return message
