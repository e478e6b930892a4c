"""Template CSV files to download: every column, with German example rows, as Excel in Austria opens them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from scheduler import csv_posts
from scheduler.clock import to_local
from scheduler.csv_import import VACANCY_OPTIONAL, VACANCY_REQUIRED


def vacancies_template(now: datetime, tz_name: str) -> bytes:
    """Return a vacancies CSV with two example rows valid for two months from ``now``."""
    until = f"{to_local(now + timedelta(days=60), tz_name):%d.%m.%Y}"
    rows = [
        {"title": "Softwareentwickler (m/w/d)", "location": "Wien", "country": "AT", "employment_type": "Vollzeit",
         "salary_statement": "Mindestgehalt laut KV 3.200 € brutto pro Monat, Bereitschaft zur Überzahlung",
         "salary_min": "3200", "salary_period": "MONTH", "overpay": "ja",
         "description": "Du entwickelst unsere Planungssoftware im Team weiter.",
         "apply_url": "https://karriere.example.at/jobs/sw-7", "language": "de", "valid_through": until,
         "reference": "SW-7", "repost_every_days": "14"},
        {"title": "Buchhalter (m/w/d)", "location": "München", "country": "DE", "employment_type": "Teilzeit",
         "salary_statement": "", "salary_min": "", "salary_period": "", "overpay": "nein",
         "description": "Du betreust die Finanzbuchhaltung unserer Niederlassung.",
         "apply_url": "https://karriere.example.de/jobs/fb-2", "language": "de", "valid_through": "",
         "reference": "FB-2", "repost_every_days": ""},
    ]
    return _csv([*VACANCY_REQUIRED, *VACANCY_OPTIONAL], rows)


def posts_template(now: datetime, tz_name: str, channel_names: Sequence[str]) -> bytes:
    """Return a posts CSV with two example rows in the coming week, on the first channels there are."""
    names = list(channel_names) or ["LinkedIn Firmenseite", "Facebook Seite"]
    day = to_local(now + timedelta(days=7), tz_name)
    rows = [
        {"text": "Unser neues Planungsmodul ist da: Dienstpläne in halber Zeit. #Planung", "link":
         "https://www.example.at/news/planungsmodul", "kind": "product_news", "campaign": "Frühjahr",
         "channels": " | ".join(names[:2]), "date": f"{day:%d.%m.%Y}", "time": "09:30"},
        {"text": "Wir sind auf der Fachmesse in Wels – besuchen Sie uns an Stand B12!", "link": "",
         "kind": "product_news", "campaign": "Messe", "channels": names[0],
         "date": f"{day + timedelta(days=2):%Y-%m-%d}", "time": "14:00"},
    ]
    return _csv([*csv_posts.REQUIRED[:1], "link", "kind", "campaign", *csv_posts.REQUIRED[1:]], rows)


def _csv(columns: Sequence[str], rows: Sequence[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(columns), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    # The BOM tells Excel the file is UTF-8 (without it, umlauts come out garbled on Windows).
    return out.getvalue().encode("utf-8-sig")
