"""Server-drawn SVG charts: valid XML, accessible, the right bars and values, user text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.report_samples import EVIL, sample_dashboard
from web.charts import BadChartIdError, svg
from workers.chart_layout import Chart, Rect, Series, Text, bar_panels, column_panels, fit, nice_max
from workers.report_charts import channel_chart, funnel_chart, trend_chart
from workers.report_words import Words

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(chart: Chart, ident: str = "test") -> ET.Element:
    return ET.fromstring(str(svg(chart, ident)))


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind(".//svg:text", NS)]


def test_a_chart_is_an_accessible_image_with_title_and_description() -> None:
    root = _parse(column_panels(["W1", "W2"], [Series("Clicks", (3, 5))], title="Trend", desc="W1 3, W2 5",
                                unknown="unknown"), "trend")
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("role"), root.get("aria-label"), root.get("aria-describedby")) == ("img", "Trend",
                                                                                       "chart-trend-desc")
    assert root.find("svg:title", NS).text == "Trend"  # type: ignore[union-attr]
    desc = root.find("svg:desc", NS)
    assert desc is not None and desc.get("id") == "chart-trend-desc" and desc.text == "W1 3, W2 5"
    assert root.get("style") is None and not root.findall(".//*[@style]", NS)  # the CSP allows no inline styles


def test_each_known_value_is_a_bar_whose_height_follows_the_value() -> None:
    root = _parse(column_panels(["a", "b", "c"], [Series("Clicks", (10, 20, 0))], title="T", desc="D",
                                unknown="unknown"))
    bars = root.findall(".//svg:rect", NS)
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert len(bars) == 3 and heights[1] == pytest.approx(2 * heights[0]) and heights[2] == 0
    assert [bar.find("svg:title", NS).text for bar in bars] == ["a: 10", "b: 20", "c: 0"]  # type: ignore[union-attr]


def test_an_unknown_value_gets_no_bar_and_says_so() -> None:
    root = _parse(bar_panels(["LinkedIn", "XING"], [Series("Impressions", (500, None))], title="T", desc="D",
                             unknown="unknown"))
    assert len(root.findall(".//svg:rect", NS)) == 1
    assert "unknown" in _texts(root) and "500" in _texts(root)


def test_names_with_markup_are_escaped_not_interpreted() -> None:
    report = sample_dashboard(channel_name=EVIL)
    markup = str(svg(channel_chart(report, Words("en")), "channels"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)  # still well-formed XML
    assert any("<script>" in text for text in _texts(root))  # the name shows as the text it is
    assert root.find(".//svg:script", NS) is None


def test_the_chart_id_must_be_a_plain_name() -> None:
    chart = Chart(10, 10, "T", "D", (Text(0, 0, "x"),))
    with pytest.raises(BadChartIdError):
        svg(chart, 'x" onload="alert(1)')


def test_the_trend_chart_has_one_panel_per_measure_with_each_weeks_value() -> None:
    report = sample_dashboard()
    root = _parse(trend_chart(report, Words("de"), "Europe/Vienna"), "trend")
    bars = root.findall(".//svg:rect", NS)
    assert len(bars) == 3 * len(report.weeks)
    assert "1.2." in _texts(root)  # German short dates under the columns, the first week starts 1 February
    desc = root.find("svg:desc", NS).text or ""  # type: ignore[union-attr]
    assert "Klicks von Menschen 50" in desc and "Bewerbungen 4" in desc


def test_the_funnel_shows_every_step_with_its_number_and_unknown_impressions_as_unknown() -> None:
    report = sample_dashboard()
    root = _parse(funnel_chart(report.totals.metrics, report.totals.outcomes, Words("en")), "funnel")
    assert {"Impressions", "Human clicks", "Applications", "Interviews", "Hires"} <= set(_texts(root))
    assert {"12,000", "275", "14", "4", "2"} <= set(_texts(root))
    unknown = funnel_chart(report.previous.metrics, report.previous.outcomes, Words("en"))
    assert "unknown" in [s.text for s in unknown.shapes if isinstance(s, Text)]
    assert len([s for s in unknown.shapes if isinstance(s, Rect)]) == 1  # only the 200 clicks have a bar


def test_the_channel_chart_leaves_out_channels_without_any_activity() -> None:
    report = sample_dashboard()
    chart = channel_chart(report, Words("en"))
    labels = [s.text for s in chart.shapes if isinstance(s, Text)]
    assert "LinkedIn · Karriere Steiermark" in labels and "X · Jobs X" in labels
    assert len([s for s in chart.shapes if isinstance(s, Rect)]) == 7  # 2 channels × 4 measures, one zero left out


def test_scales_end_on_round_numbers_and_long_labels_are_cut() -> None:
    assert [nice_max(v) for v in (0, 1, 7, 12, 180, 2400)] == [1, 1, 10, 20, 200, 2500]
    assert fit("Karriere Steiermark", 1000) == "Karriere Steiermark"
    assert fit("Karriere Steiermark", 50).endswith("…") and len(fit("Karriere Steiermark", 50)) < 19
