"""Findings worded in German and English with their numbers, and the definitions for the report footer."""

from __future__ import annotations

import pytest

from scheduler.reporting.model import Finding, Metric
from workers.report_texts import definitions, finding_sentence
from workers.report_words import Words

FINDINGS = [
    (Finding("best_channel_applications_per_post",
             {"applications": 12, "posts": 6, "per_post": 2.0, "next_per_post": 0.5},
             {"channel": "LinkedIn Karriere", "next_channel": "XING"}, channel_id=1, metric=Metric.APPLICATIONS),
     "LinkedIn Karriere brings the most applications per post: 2 (12 applications from 6 posts), ahead of XING "
     "with 0.5.",
     "LinkedIn Karriere bringt die meisten Bewerbungen pro Beitrag: 2 (12 Bewerbungen aus 6 Beiträgen), vor XING "
     "mit 0,5."),
    (Finding("best_channel_ctr", {"ctr": 0.0219, "human_clicks": 2078, "impressions": 95087,
                                  "impressions_reported": 47, "posts": 48}, {"channel": "LinkedIn"}),
     "LinkedIn turns impressions into clicks best: click-through rate 2.19% (2,078 human clicks, 95,087 impressions "
     "reported for 47 of 48 posts).",
     "LinkedIn macht am meisten Impressionen zu Klicks: Klickrate 2,19 % (2.078 Klicks von Menschen, 95.087 "
     "Impressionen, gemeldet für 47 von 48 Beiträgen)."),
    (Finding("vacancy_clicks_no_applications", {"human_clicks": 829, "applications": 0, "posts": 12},
             {"vacancy": "Servicetechniker (m/w/d)"}, vacancy_id=3, metric=Metric.CLICKS),
     "“Servicetechniker (m/w/d)” got 829 human clicks but no application: the job ad or the application form may "
     "put people off.",
     "„Servicetechniker (m/w/d)“ bekam 829 Klicks von Menschen, aber keine Bewerbung: Vielleicht schrecken die "
     "Stellenanzeige oder das Bewerbungsformular ab."),
    (Finding("clicks_changed", {"current": 3872, "previous": 2972, "change": 0.3028}),
     "Human clicks rose by 30% to 3,872 (previous period: 2,972).",
     "Die Klicks von Menschen stiegen um 30 % auf 3.872 (Vorzeitraum: 2.972)."),
    (Finding("applications_changed", {"current": 50, "previous": 100, "change": -0.5}),
     "Applications fell by 50% to 50 (previous period: 100).",
     "Die Bewerbungen sanken um 50 % auf 50 (Vorzeitraum: 100)."),
    (Finding("bot_clicks_excluded", {"bot_clicks": 527, "all_clicks": 4717, "share": 0.1117}),
     "527 of 4,717 clicks (11%) came from bots and link previews; they are not counted.",
     "527 von 4.717 Klicks (11 %) kamen von Bots und Link-Vorschauen; sie werden nicht gezählt."),
    (Finding("applications_unattributed", {"unattributed": 30, "applications": 100, "share": 0.3}),
     "30 of 100 applications (30%) cannot be credited to a channel: the applicants came without a tracked link.",
     "30 von 100 Bewerbungen (30 %) lassen sich keinem Kanal zuordnen: Die Bewerberinnen und Bewerber kamen ohne "
     "getrackten Link."),
]


@pytest.mark.parametrize(("finding", "english", "german"), FINDINGS, ids=[f[0].code for f in FINDINGS])
def test_each_finding_reads_as_a_sentence_with_its_numbers(finding: Finding, english: str, german: str) -> None:
    assert finding_sentence(finding, Words("en")) == english
    assert finding_sentence(finding, Words("de")).replace("\xa0", " ") == german


def test_a_finding_of_a_newer_kind_still_shows_its_numbers() -> None:
    sentence = finding_sentence(Finding("posting_gap", {"days": 12}), Words("en"))
    assert sentence == "posting_gap: days 12"


def test_the_definitions_state_the_engagement_rate_per_impression_and_the_zone() -> None:
    terms = dict(definitions(Words("en"), "Europe/Vienna"))
    assert terms["Engagement rate"].startswith("Per impression: (reactions + comments + shares + clicks")
    assert "Europe/Vienna" in terms["Period"]
    assert "without bots" in terms["Human clicks"]
