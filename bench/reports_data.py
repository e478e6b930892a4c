"""Bench data for bench/reports.py: generated inside PostgreSQL with INSERT … SELECT generate_series (seconds).

Deliveries are published over the 180 days before NOW, so a 90-day report and its previous period touch
every click. Ids start at 1 in the fresh bench database; the statements rely on that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Size:
    """How much data to generate."""

    clicks: int = 1_000_000
    deliveries: int = 20_000
    applications: int = 50_000
    leads: int = 10_000
    posts: int = 8_000
    vacancies: int = 400
    channels: int = 10
    costs: int = 500


# Every 20th delivery is still scheduled; a row number g picks the published delivery g (or g - 1).
PUBLISHED_ID = "CASE WHEN s.g % 20 = 0 THEN s.g - 1 ELSE s.g END"

STATEMENTS = (
    """INSERT INTO channel (network, name, handle, account_id, credentials, status, status_detail, tz_name,
                            created_at)
       SELECT (ARRAY['linkedin','xing','facebook','instagram','x'])[1 + (g - 1) % 5], 'Bench channel ' || g, '',
              'bench-' || g, '', 'disabled', '', 'Europe/Vienna', :now - interval '400 days'
       FROM generate_series(1, :channels) g""",
    """INSERT INTO vacancy (reference, title, location, country, employment_type, salary_statement, salary_period,
                            overpay, description, language, status, created_at, updated_at)
       SELECT 'B-' || g, 'Stelle ' || g || ' (m/w/d)', 'Graz', 'AT', 'FULL_TIME', '', 'MONTH', false, '', 'de',
              CASE WHEN g % 4 = 0 THEN 'filled' ELSE 'open' END, :now - interval '300 days', :now
       FROM generate_series(1, :vacancies) g""",
    """INSERT INTO post (kind, text, link, campaign, vacancy_id, repost_number, approval, review_comment, created_at)
       SELECT CASE WHEN g % 2 = 0 THEN 'job_ad' WHEN g % 7 = 0 THEN 'event_photos' ELSE 'product_news' END,
              'Bench post ' || g, 'https://example.com/' || g,
              CASE WHEN g % 5 = 0 THEN 'Kampagne ' || (g % 30) ELSE '' END,
              CASE WHEN g % 2 = 0 THEN 1 + (g / 2) % :vacancies END, 0, 'not_required', '',
              :now - interval '200 days'
       FROM generate_series(1, :posts) g""",
    """INSERT INTO delivery (post_id, channel_id, state, due_at, run_at, queue_seq, claim_count, attempts,
                            published_at, metrics_round, created_at, updated_at)
       SELECT 1 + (g - 1) % :posts, 1 + ((g - 1) % :posts + (g - 1) / :posts) % :channels,
              CASE WHEN g % 20 = 0 THEN 'scheduled' ELSE 'published' END,
              CASE WHEN g % 20 = 0 THEN :now + interval '1 day' * (g % 30) ELSE t END,
              CASE WHEN g % 20 = 0 THEN :now + interval '1 day' * (g % 30) ELSE t END, 0, 1, 1,
              CASE WHEN g % 20 = 0 THEN NULL ELSE t END, 4, t, t
       FROM (SELECT g, :now - random() * interval '180 days' AS t FROM generate_series(1, :deliveries) g) s""",
    """INSERT INTO tracked_link (code, delivery_id, original, destination, created_at)
       SELECT 'b' || id, id, 'https://example.com/', 'https://example.com/?utm_source=bench', created_at
       FROM delivery""",
    """INSERT INTO metric_snapshot (delivery_id, taken_at, impressions, reactions, comments, shares, clicks)
       SELECT d.id, d.published_at + a.age,
              CASE WHEN random() < 0.03 THEN NULL ELSE (a.part * (200 + random() * 3000))::int END,
              (a.part * random() * 60)::int, (a.part * random() * 8)::int,
              CASE WHEN c.network = 'instagram' THEN NULL ELSE (a.part * random() * 5)::int END,
              CASE WHEN c.network IN ('instagram', 'x') THEN NULL ELSE (a.part * random() * 40)::int END
       FROM delivery d JOIN channel c ON c.id = d.channel_id
       CROSS JOIN (VALUES (interval '1 hour', 0.2), (interval '1 day', 0.7), (interval '7 days', 0.95),
                          (interval '28 days', 1.0)) a(age, part)
       WHERE d.state = 'published' AND c.network <> 'xing' AND d.published_at + a.age < :now""",
    f"""INSERT INTO click (link_id, delivery_id, channel_id, at, referrer_host, browser, device, is_bot, bot_reason,
                          repeat, visitor)
       SELECT l.id, d.id, d.channel_id,
              LEAST(d.published_at + (-ln(1 - s.r2)) * interval '36 hours', :now - interval '1 second'),
              '', '', CASE WHEN s.r < 0.1 THEN 'bot' ELSE 'mobile' END, s.r < 0.1,
              CASE WHEN s.r < 0.1 THEN 'crawler' ELSE '' END, s.r >= 0.1 AND s.r < 0.15, ''
       FROM (SELECT 1 + floor(random() * :deliveries)::int AS g, random() AS r, random() AS r2
             FROM generate_series(1, :clicks)) s
       JOIN delivery d ON d.id = {PUBLISHED_ID}
       JOIN tracked_link l ON l.delivery_id = d.id""",
    f"""INSERT INTO application (vacancy_id, name, email, message, cv_filename, cv_mime, privacy_text, talent_pool,
                                stage, received_at, interview_at, hired_at, source, utm_source, utm_medium,
                                utm_campaign, utm_content, delivery_id, channel_id, created_at)
       SELECT COALESCE(p.vacancy_id, 1 + s.n % :vacancies), 'Bench', 'a' || s.n || '@example.org', '', '', '', '',
              false, 'received', t.received,
              CASE WHEN s.r2 < 0.3 AND t.received + interval '7 days' < :now THEN t.received + interval '7 days' END,
              CASE WHEN s.r2 < 0.05 AND t.received + interval '30 days' < :now THEN t.received + interval '30 days'
              END, 'careers', '', '', '', '', CASE WHEN s.r < 0.8 THEN d.id END,
              CASE WHEN s.r < 0.8 THEN d.channel_id END, t.received
       FROM (SELECT n, 1 + floor(random() * :deliveries)::int AS g, random() AS r, random() AS r2, random() AS r3
             FROM generate_series(1, :applications) n) s
       JOIN delivery d ON d.id = {PUBLISHED_ID}
       JOIN post p ON p.id = d.post_id
       CROSS JOIN LATERAL (SELECT CASE WHEN s.r < 0.8
                                   THEN LEAST(d.published_at + (-ln(1 - s.r3)) * interval '2 days',
                                              :now - interval '1 second')
                                   ELSE :now - s.r3 * interval '180 days' END AS received) t""",
    f"""INSERT INTO lead (name, company, email, email_key, message, consent_text, status, submissions,
                         last_submitted_at, source, utm_source, utm_medium, utm_campaign, utm_content, delivery_id,
                         channel_id, created_at)
       SELECT 'Bench', '', 'l' || s.n || '@example.com', 'l' || s.n || '@example.com', '', '', 'new',
              1 + (s.n % 13 = 0)::int, t.created, 'form', '', '', '', '',
              CASE WHEN s.r < 0.85 THEN d.id END, CASE WHEN s.r < 0.85 THEN d.channel_id END, t.created
       FROM (SELECT n, 1 + floor(random() * :deliveries)::int AS g, random() AS r, random() AS r3
             FROM generate_series(1, :leads) n) s
       JOIN delivery d ON d.id = {PUBLISHED_ID}
       CROSS JOIN LATERAL (SELECT CASE WHEN s.r < 0.85
                                   THEN LEAST(d.published_at + (-ln(1 - s.r3)) * interval '1 day',
                                              :now - interval '1 second')
                                   ELSE :now - s.r3 * interval '180 days' END AS created) t""",
    """INSERT INTO channel_cost (channel_id, vacancy_id, campaign, amount_cents, currency, spent_at, note, created_at)
       SELECT 1 + g % :channels, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % :vacancies END,
              CASE WHEN g % 5 = 0 THEN 'Kampagne ' || (g % 30) ELSE '' END, 10000 + (g * 7919) % 50000, 'EUR',
              :now - random() * interval '180 days', '', :now
       FROM generate_series(1, :costs) g""",
)


def fill(conn: Connection, now: datetime, size: Size, seed: float = 0.42) -> None:
    """Insert the bench data in one transaction and analyze the tables."""
    params = {"now": now.replace(tzinfo=None), **size.__dict__}
    conn.execute(text("SELECT setseed(:seed)"), {"seed": seed})
    for statement in STATEMENTS:
        names = [name for name in params if f":{name}" in statement]
        conn.execute(text(statement), {name: params[name] for name in names})
    conn.execute(text("ANALYZE"))
