"""The hand-written PostgreSQL baseline: the dashboard's figures with GROUPING SETS, no ORM, no Python rollup.

Each statement computes, in the database, every grouping the dashboard shows (totals, channel, vacancy,
vacancy × channel, campaign, campaign × channel, week) for the period and the previous period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

CAMPAIGN = ("CASE WHEN p.campaign <> '' THEN 'c:' || p.campaign "
            "WHEN p.kind = 'job_ad' AND p.vacancy_id IS NOT NULL THEN 'v:' || p.vacancy_id END")


def _week(column: str) -> str:
    return f"CASE WHEN {column} >= :start THEN floor(extract(epoch FROM {column} - :start) / 604800)::int END"


SETS = ("GROUPING SETS ((cur), (cur, channel_id), (cur, vacancy_id), (cur, vacancy_id, channel_id), (cur, ckey), "
        "(cur, ckey, channel_id), (cur, week))")

PUBLISHED = f"""
WITH d AS (
  SELECT d.channel_id, p.vacancy_id, {CAMPAIGN} AS ckey, d.published_at >= :start AS cur,
         {_week('d.published_at')} AS week, m.impressions, m.reactions, m.comments, m.shares, m.clicks
  FROM delivery d JOIN post p ON p.id = d.post_id
  LEFT JOIN LATERAL (SELECT impressions, reactions, comments, shares, clicks FROM metric_snapshot s
                     WHERE s.delivery_id = d.id ORDER BY s.taken_at DESC, s.id DESC LIMIT 1) m ON true
  WHERE d.state = 'published' AND d.published_at >= :prev AND d.published_at < :end)
SELECT cur, channel_id, vacancy_id, ckey, week, count(*), sum(impressions), count(impressions), sum(reactions),
       count(reactions), sum(comments), count(comments), sum(shares), count(shares), sum(clicks), count(clicks)
FROM d GROUP BY {SETS}"""

CLICKS = f"""
WITH per AS (
  SELECT delivery_id, channel_id, floor(extract(epoch FROM at - :start) / 604800)::int AS week,
         count(*) FILTER (WHERE NOT is_bot AND NOT repeat) AS human, count(*) FILTER (WHERE is_bot) AS bots,
         count(*) FILTER (WHERE repeat AND NOT is_bot) AS repeats
  FROM click WHERE at >= :start AND at < :end GROUP BY 1, 2, 3),
x AS (SELECT per.*, true AS cur, p.vacancy_id, {CAMPAIGN} AS ckey FROM per
      JOIN delivery d ON d.id = per.delivery_id JOIN post p ON p.id = d.post_id),
outcomes AS (
  SELECT delivery_id, count(*) AS n FROM application
  WHERE delivery_id IS NOT NULL AND received_at >= :start AND received_at < :end GROUP BY delivery_id
  UNION ALL
  SELECT delivery_id, count(*) FROM lead
  WHERE delivery_id IS NOT NULL AND created_at >= :start AND created_at < :end GROUP BY delivery_id),
top AS (
  SELECT c.delivery_id, c.human, COALESCE(o.n, 0) AS outcomes
  FROM (SELECT delivery_id, sum(human) AS human FROM per GROUP BY delivery_id) c
  LEFT JOIN (SELECT delivery_id, sum(n) AS n FROM outcomes GROUP BY delivery_id) o USING (delivery_id)
  ORDER BY c.human DESC, outcomes DESC, c.delivery_id LIMIT 10)
SELECT 'group' AS part, cur, channel_id, vacancy_id, ckey, week, NULL::int AS delivery_id,
       sum(human), sum(bots), sum(repeats)
FROM x GROUP BY {SETS}
UNION ALL
SELECT 'top', true, NULL, NULL, NULL, NULL, delivery_id, human, outcomes, 0 FROM top
UNION ALL
SELECT 'prev', false, channel_id, NULL, NULL, NULL, NULL, count(*) FILTER (WHERE NOT is_bot AND NOT repeat),
       count(*) FILTER (WHERE is_bot), count(*) FILTER (WHERE repeat AND NOT is_bot)
FROM click WHERE at >= :prev AND at < :start GROUP BY channel_id"""

APPLICATIONS = f"""
WITH a AS (
  SELECT a.vacancy_id, a.channel_id, {CAMPAIGN} AS ckey, true AS cur,
         CASE WHEN a.received_at >= :start THEN {_week('a.received_at')} END AS week,
         count(*) FILTER (WHERE received_at >= :start AND received_at < :end) AS received,
         count(*) FILTER (WHERE interview_at >= :start AND interview_at < :end) AS interviews,
         count(*) FILTER (WHERE hired_at >= :start AND hired_at < :end) AS hires,
         count(*) FILTER (WHERE received_at >= :prev AND received_at < :start) AS prev_received,
         count(*) FILTER (WHERE interview_at >= :prev AND interview_at < :start) AS prev_interviews,
         count(*) FILTER (WHERE hired_at >= :prev AND hired_at < :start) AS prev_hires
  FROM application a LEFT JOIN delivery d ON d.id = a.delivery_id LEFT JOIN post p ON p.id = d.post_id
  WHERE (a.received_at >= :prev AND a.received_at < :end) OR (a.interview_at >= :prev AND a.interview_at < :end)
     OR (a.hired_at >= :prev AND a.hired_at < :end)
  GROUP BY 1, 2, 3, 5)
SELECT channel_id, vacancy_id, ckey, week, sum(received), sum(interviews), sum(hires), sum(prev_received),
       sum(prev_interviews), sum(prev_hires)
FROM a GROUP BY {SETS}"""

LEADS = f"""
WITH l AS (
  SELECT l.created_at >= :start AS cur, l.channel_id, {CAMPAIGN} AS ckey, {_week('l.created_at')} AS week
  FROM lead l LEFT JOIN delivery d ON d.id = l.delivery_id LEFT JOIN post p ON p.id = d.post_id
  WHERE l.created_at >= :prev AND l.created_at < :end)
SELECT cur, channel_id, ckey, week, count(*) FROM l
GROUP BY GROUPING SETS ((cur), (cur, channel_id), (cur, ckey), (cur, ckey, channel_id), (cur, week))"""

SMALL = (
    """SELECT cur, channel_id, vacancy_id, currency, sum(amount_cents), count(*)
       FROM (SELECT spent_at >= :start AS cur, * FROM channel_cost WHERE spent_at >= :prev AND spent_at < :end) c
       GROUP BY GROUPING SETS ((cur, currency), (cur, currency, channel_id), (cur, currency, vacancy_id),
                               (cur, currency, vacancy_id, channel_id))""",
    """SELECT vacancy_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY hired_at - received_at)
       FROM application WHERE hired_at >= :start AND hired_at < :end GROUP BY vacancy_id""",
    """SELECT f.vacancy_id, f.first_published_at,
              (SELECT min(a.received_at) FROM application a
               WHERE a.vacancy_id = f.vacancy_id AND a.received_at >= f.first_published_at)
       FROM (SELECT p.vacancy_id, min(d.published_at) AS first_published_at FROM post p
             JOIN delivery d ON d.post_id = p.id WHERE p.vacancy_id IS NOT NULL AND d.state = 'published'
             GROUP BY p.vacancy_id) f""",
    "SELECT id, network, name FROM channel",
    "SELECT id, title, location, status FROM vacancy",
)


def baseline(conn: Connection, start: datetime, end: datetime) -> int:
    """Run every baseline statement for [start, end) and its previous period; return the rows fetched."""
    prev = start - (end - start)
    params = {"start": start.replace(tzinfo=None), "end": end.replace(tzinfo=None), "prev": prev.replace(tzinfo=None)}
    rows = 0
    for statement in (PUBLISHED, CLICKS, APPLICATIONS, LEADS, *SMALL):
        names = {name: value for name, value in params.items() if f":{name}" in statement}
        rows += len(conn.execute(text(statement), names).all())
    return rows
