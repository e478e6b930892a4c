"""`postillon demo`: fill the database with a realistic, seeded quarter of a Styrian B2B firm, in bulk."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scheduler.demo_data import CHANNELS, COMPANY, DEMO_MARK, USERS, VACANCIES, salary_statement
from scheduler.demo_truth import DemoTruth
from scheduler.demo_world import DemoWorld, build_world
from scheduler.jobads_text import slug
from scheduler.lifecycle import DeliveryState
from scheduler.models import (
    Application,
    ApprovalState,
    Channel,
    ChannelCost,
    ChannelStatus,
    Click,
    Delivery,
    EmploymentType,
    Lead,
    MetricSnapshot,
    Post,
    PostKind,
    Role,
    TrackedLink,
    User,
    Vacancy,
    VacancyStatus,
)
from scheduler.utm import delivery_code, with_utm

DEFAULT_SEED = 2026
#: Not an Argon2 hash: nobody can log in as a demo person (login treats it as a wrong password).
LOCKED = "!demo-account-without-login"
CODE_ALPHABET = string.ascii_letters + string.digits


def has_posts(session: Session) -> bool:
    """Tell whether the database already holds posts (the demo then refuses unless forced)."""
    return session.scalar(select(Post.id).limit(1)) is not None


def has_published(session: Session) -> bool:
    """Tell whether any delivery was published (without one the reports are empty)."""
    return session.scalar(select(Delivery.id).where(Delivery.state == DeliveryState.PUBLISHED).limit(1)) is not None


def generate_demo(session: Session, *, seed: int = DEFAULT_SEED, now: datetime) -> DemoTruth:
    """Insert the demo generated from ``seed`` and ``now`` (adds to what is there) and return its true totals."""
    world = build_world(seed, now)
    ids = random.Random(f"{seed}-ids")  # codes and visitor hashes: deterministic, apart from the model's draws
    users = _users(session)
    channels = _many(session, Channel, [
        {"network": spec.network, "name": spec.name, "handle": spec.name if spec.name.startswith("@") else "",
         "account_id": f"{DEMO_MARK}-{seed}-{spec.network.value}", "status": ChannelStatus.DISABLED,
         "status_detail": f"Demo data ({COMPANY}): this channel never publishes.", "created_at": world.start}
        for spec in CHANNELS])
    vacancies = _many(session, Vacancy, [_vacancy(world, i, users) for i in range(len(VACANCIES))])
    posts = _many(session, Post, [
        {"kind": p.kind, "text": p.text, "link": p.link, "campaign": p.campaign, "created_at": p.created_at,
         "author_id": users["recruiter" if p.kind == PostKind.JOB_AD else "marketer"],
         "vacancy_id": vacancies[p.vacancy] if p.vacancy is not None else None, "repost_number": p.repost_number,
         "approval": ApprovalState.APPROVED if p.kind == PostKind.JOB_AD else ApprovalState.NOT_REQUIRED,
         "reviewer_id": users["manager"] if p.kind == PostKind.JOB_AD else None,
         "reviewed_at": p.created_at + timedelta(hours=2) if p.kind == PostKind.JOB_AD else None}
        for p in world.posts])
    deliveries = _many(session, Delivery, [
        {"post_id": posts[d.post], "channel_id": channels[d.channel], "state": DeliveryState.PUBLISHED,
         "due_at": d.published_at, "run_at": d.published_at, "published_at": d.published_at, "attempts": 1,
         "claim_count": 1, "external_id": f"{DEMO_MARK}-{seed}-{i}", "metrics_round": len(d.snapshots),
         "created_at": world.posts[d.post].created_at, "updated_at": d.published_at}
        for i, d in enumerate(world.deliveries)])
    links = _links(session, world, ids, deliveries)
    session.execute(insert(MetricSnapshot), [
        {"delivery_id": deliveries[i], "taken_at": taken_at, **values}
        for i, d in enumerate(world.deliveries) for taken_at, values in d.snapshots])
    session.execute(insert(Click), [
        {"link_id": links[c.delivery], "delivery_id": deliveries[c.delivery],
         "channel_id": channels[world.deliveries[c.delivery].channel], "at": c.at, "referrer_host": c.referrer_host,
         "browser": c.browser, "device": c.device, "is_bot": c.kind == "bot", "bot_reason": c.bot_reason,
         "repeat": c.kind == "repeat", "visitor": f"{ids.getrandbits(64):016x}"}
        for c in world.clicks])
    _outcomes(session, world, users, channels, vacancies, deliveries)
    session.flush()
    return DemoTruth(world, deliveries, channels)


def _many(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows in bulk and return their ids in order."""
    if not rows:
        return []
    return list(session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _users(session: Session) -> dict[str, int]:
    """Return the demo recruiter, marketer and manager by role, adding those missing (they cannot log in)."""
    found = dict(session.execute(select(User.email, User.id).where(User.email.in_([u[0] for u in USERS]))).all())
    missing = [{"email": email, "name": name, "role": Role(role), "password_hash": LOCKED}
               for email, name, role in USERS if email not in found]
    found.update(zip([row["email"] for row in missing], _many(session, User, missing), strict=True))
    return {role: found[email] for email, _, role in USERS}


def _vacancy(world: DemoWorld, index: int, users: dict[str, int]) -> dict[str, Any]:
    spec, filled = VACANCIES[index], world.filled.get(index)
    apprenticeship = spec.group == "Lehre"
    return {"reference": f"MM-{world.start.year}-{index + 1:03d}", "title": spec.title, "location": spec.location,
            "country": "AT", "salary_statement": salary_statement(spec), "salary_min": spec.salary_min,
            "salary_period": "MONTH", "overpay": not apprenticeship, "language": "de",
            "employment_type": EmploymentType.APPRENTICESHIP if apprenticeship else EmploymentType.FULL_TIME,
            "description": f"{COMPANY} fertigt Sondermaschinen und Förderanlagen für Industriekunden in ganz "
                           f"Europa. Für unseren Standort {spec.location} suchen wir Verstärkung.",
            "status": VacancyStatus.FILLED if filled else VacancyStatus.OPEN, "closed_at": filled,
            "hiring_manager_id": users["manager"], "created_by_id": users["recruiter"],
            "created_at": world.opened[index] - timedelta(days=3), "updated_at": filled or world.opened[index]}


def _links(session: Session, world: DemoWorld, ids: random.Random, deliveries: list[int]) -> list[int]:
    """Give every delivery one tracked link with a code no existing link has."""
    codes = ["".join(ids.choices(CODE_ALPHABET, k=8)) for _ in deliveries]
    taken = set(session.scalars(select(TrackedLink.code).where(TrackedLink.code.in_(codes))))
    codes = [code if code not in taken else "".join(ids.choices(CODE_ALPHABET, k=10)) for code in codes]
    rows = []
    for i, d in enumerate(world.deliveries):
        post = world.posts[d.post]
        utm = {"utm_source": CHANNELS[d.channel].network.value, "utm_medium": "social",
               "utm_campaign": slug(post.campaign or (VACANCIES[post.vacancy].title if post.vacancy is not None
                                                      else post.kind.value)),
               "utm_content": delivery_code(deliveries[i])}
        rows.append({"code": codes[i], "delivery_id": deliveries[i], "original": post.link,
                     "destination": with_utm(post.link, utm), "created_at": d.published_at})
    return _many(session, TrackedLink, rows)


def _outcomes(session: Session, world: DemoWorld, users: dict[str, int], channels: list[int], vacancies: list[int],
              deliveries: list[int]) -> None:
    """Insert applications, leads and channel costs."""
    def attribution(delivery: int | None, channel: int | None) -> dict[str, Any]:
        if delivery is None or channel is None:  # same keys either way: one bulk statement, not two
            return {"delivery_id": None, "channel_id": None, "utm_medium": "", "utm_source": "", "utm_content": ""}
        return {"delivery_id": deliveries[delivery], "channel_id": channels[channel], "utm_medium": "social",
                "utm_source": CHANNELS[channel].network.value, "utm_content": delivery_code(deliveries[delivery])}

    privacy = f"Ich stimme der Verarbeitung meiner Daten für dieses Bewerbungsverfahren bei {COMPANY} zu."
    _many(session, Application, [
        {"vacancy_id": vacancies[a.vacancy], "name": a.name, "email": a.email, "privacy_text": privacy,
         "consented_at": a.received_at, "stage": a.stage, "received_at": a.received_at,
         "screening_at": a.screening_at, "interview_at": a.interview_at, "offer_at": a.offer_at,
         "hired_at": a.hired_at, "rejected_at": a.rejected_at, "source": "careers", "created_at": a.received_at,
         **attribution(a.delivery, a.channel)} for a in world.applications])
    consent = f"Ich bin einverstanden, dass {COMPANY} mich zu meiner Anfrage kontaktiert."
    _many(session, Lead, [
        {"name": lead.name, "company": lead.company, "email": lead.email, "email_key": lead.email.lower(),
         "message": "Bitte um Rückruf zu einem Angebot.", "consent_text": consent, "consented_at": lead.created_at,
         "status": lead.status, "qualified_at": lead.qualified_at, "opportunity_at": lead.opportunity_at,
         "customer_at": lead.customer_at, "junk_at": lead.junk_at, "submissions": lead.submissions,
         "last_submitted_at": lead.last_submitted_at, "source": "form", "created_at": lead.created_at,
         **attribution(lead.delivery, lead.channel)} for lead in world.leads])
    _many(session, ChannelCost, [
        {"channel_id": channels[c.channel], "vacancy_id": vacancies[c.vacancy] if c.vacancy is not None else None,
         "campaign": c.campaign, "amount_cents": c.amount_cents, "currency": "EUR", "spent_at": c.spent_at,
         "note": c.note, "created_by_id": users["recruiter" if c.vacancy is not None else "marketer"],
         "created_at": c.spent_at} for c in world.costs])
