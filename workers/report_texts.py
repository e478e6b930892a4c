"""Sentences of the report shared by the page, the PDF and the digest: findings worded, and the definitions."""

from __future__ import annotations

from scheduler.reporting.model import Finding
from workers.report_words import Words


def finding_sentence(finding: Finding, words: Words) -> str:
    """Return the plain-language statement of ``finding`` with its numbers, in ``words``' language."""
    n, label = finding.numbers, finding.labels
    count, pct = words.count, words.percent
    code = finding.code
    if code == "best_channel_applications_per_post":
        return words("%(channel)s brings the most applications per post: %(per_post)s (%(applications)s "
                     "applications from %(posts)s posts), ahead of %(next_channel)s with %(next_per_post)s.",
                     channel=label.get("channel", ""), per_post=words.decimal(n.get("per_post")),
                     applications=count(n.get("applications")), posts=count(n.get("posts")),
                     next_channel=label.get("next_channel", ""), next_per_post=words.decimal(n.get("next_per_post")))
    if code == "best_channel_ctr":
        return words("%(channel)s turns impressions into clicks best: click-through rate %(ctr)s (%(clicks)s human "
                     "clicks, %(impressions)s impressions reported for %(reported)s of %(posts)s posts).",
                     channel=label.get("channel", ""), ctr=pct(n.get("ctr"), 2), clicks=count(n.get("human_clicks")),
                     impressions=count(n.get("impressions")), reported=count(n.get("impressions_reported")),
                     posts=count(n.get("posts")))
    if code == "vacancy_clicks_no_applications":
        return words("“%(vacancy)s” got %(clicks)s human clicks but no application: the job ad or the application "
                     "form may put people off.", vacancy=label.get("vacancy", ""),
                     clicks=count(n.get("human_clicks")))
    if code in ("clicks_changed", "applications_changed"):
        rose = float(n.get("change", 0)) > 0
        what = {("clicks_changed", True): "Human clicks rose by %(change)s to %(current)s (previous period: "
                                          "%(previous)s).",
                ("clicks_changed", False): "Human clicks fell by %(change)s to %(current)s (previous period: "
                                           "%(previous)s).",
                ("applications_changed", True): "Applications rose by %(change)s to %(current)s (previous period: "
                                                "%(previous)s).",
                ("applications_changed", False): "Applications fell by %(change)s to %(current)s (previous "
                                                 "period: %(previous)s)."}[(code, rose)]
        return words(what, change=pct(abs(float(n.get("change", 0))), 0), current=count(n.get("current")),
                     previous=count(n.get("previous")))
    if code == "bot_clicks_excluded":
        return words("%(bots)s of %(all)s clicks (%(share)s) came from bots and link previews; they are not "
                     "counted.", bots=count(n.get("bot_clicks")), all=count(n.get("all_clicks")),
                     share=pct(n.get("share"), 0))
    if code == "applications_unattributed":
        return words("%(unattributed)s of %(applications)s applications (%(share)s) cannot be credited to a "
                     "channel: the applicants came without a tracked link.",
                     unattributed=count(n.get("unattributed")), applications=count(n.get("applications")),
                     share=pct(n.get("share"), 0))
    # A finding this version does not word yet still shows its numbers rather than vanishing.
    figures = ", ".join(f"{key} {words.decimal(float(value))}" for key, value in sorted(n.items()))
    return f"{code}: {figures}"


def definitions(words: Words, tz_name: str) -> list[tuple[str, str]]:
    """Return (term, definition) pairs for the report footer: how each figure is counted."""
    return [
        (words("Period"), words("From midnight of the first day to midnight after the last day in %(tz)s; "
                                "compared with the period of the same length immediately before.", tz=tz_name)),
        (words("Posts published"), words("Deliveries (one post on one channel) published in the period.")),
        (words("Impressions, reactions"), words(
            "The latest figures each network reported for the posts published in the period. “Unknown” when "
            "no post reported them; otherwise the sum of the known values, with how many posts reported.")),
        (words("Engagement rate"), words(
            "Per impression: (reactions + comments + shares + clicks counted by the network) ÷ impressions, "
            "known parts only.")),
        (words("Human clicks"), words(
            "Clicks on Postillon's tracked links in the period, without bots and link previews and without "
            "repeats (the same visitor on the same link within an hour).")),
        (words("Click-through rate (CTR)"), words("Human clicks ÷ impressions.")),
        (words("Applications, interviews, hires"), words(
            "Counted on the day they happened (received, interview, hired), by the channel they came through.")),
        (words("Leads"), words("Contact requests created in the period; repeat requests of one person are one "
                               "lead.")),
        (words("Conversion rates"), words("Click → application = applications ÷ human clicks; application → "
                                          "hire = hires ÷ applications.")),
        (words("Time to first application, time to hire"), words(
            "First application minus first publication of the vacancy's posts; median of hired minus received "
            "for the hires of the period.")),
        (words("Cost per application, per hire"), words(
            "Channel costs entered for the vacancy with a date in the period ÷ its applications or hires via "
            "that channel.")),
        (words("“–” and “unknown”"), words(
            "“–”: cannot be computed (nothing to divide by). “Unknown”: the network did not report it. "
            "Neither is ever shown as 0.")),
    ]
