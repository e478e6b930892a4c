"""The demo's generative model, part 2: applications through the pipeline and leads with their statuses."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.demo_data import CHANNELS, FIRST_NAMES, LAST_NAMES, LEAD_FIRMS, VACANCIES
from scheduler.demo_model import DemoClick, poisson
from scheduler.models import ApplicationStage, LeadStatus

ATTRIBUTED = 0.85  # share of applications whose UTM parameters survived the way to the form
LEADS_ATTRIBUTED = 0.88


@dataclass
class DemoApplication:
    """An application; ``delivery`` and ``channel`` are None when it cannot be attributed."""

    vacancy: int
    delivery: int | None
    channel: int | None
    name: str
    email: str
    received_at: datetime
    stage: ApplicationStage = ApplicationStage.RECEIVED
    screening_at: datetime | None = None
    interview_at: datetime | None = None
    offer_at: datetime | None = None
    hired_at: datetime | None = None
    rejected_at: datetime | None = None


@dataclass
class DemoLead:
    """A sales lead; ``submissions`` > 1 when the same person's second request was merged into it."""

    delivery: int | None
    channel: int | None
    name: str
    company: str
    email: str
    created_at: datetime
    last_submitted_at: datetime
    submissions: int = 1
    status: LeadStatus = LeadStatus.NEW
    qualified_at: datetime | None = None
    opportunity_at: datetime | None = None
    customer_at: datetime | None = None
    junk_at: datetime | None = None


def person(rng: random.Random, number: int, domain: str = "example.org") -> tuple[str, str]:
    """Return an invented name and an e-mail address at an example domain."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().lower()
    return f"{first} {last}", f"{plain}.{number}@{domain}"


def applications_from_clicks(rng: random.Random, vacancy: int, delivery: int, channel: int,
                             clicks: Sequence[DemoClick], now: datetime, serial: int) -> list[DemoApplication]:
    """Return the applications some of the human clicks on a job ad turn into."""
    rate = CHANNELS[channel].apply_rate * VACANCIES[vacancy].appeal
    found: list[DemoApplication] = []
    for click in clicks:
        if click.kind != "human" or rng.random() >= rate:
            continue
        received = click.at + timedelta(hours=rng.expovariate(1 / 3))
        attributed = rng.random() < ATTRIBUTED
        name, email = person(rng, serial + len(found))
        if received < now:
            found.append(DemoApplication(vacancy, delivery if attributed else None, channel if attributed else None,
                                         name, email, received))
    return found


def direct_applications(rng: random.Random, vacancy: int, opened: datetime, now: datetime,
                        serial: int) -> list[DemoApplication]:
    """Return applications through the careers page that no post can claim (about one every five weeks)."""
    found: list[DemoApplication] = []
    week = opened
    while week < now:
        for _ in range(poisson(rng, 0.2 * VACANCIES[vacancy].appeal)):
            received = week + timedelta(days=rng.uniform(0, 7))
            name, email = person(rng, serial + len(found))
            if received < now:
                found.append(DemoApplication(vacancy, None, None, name, email, received))
        week += timedelta(days=7)
    return found


def run_pipeline(rng: random.Random, app: DemoApplication, now: datetime) -> None:
    """Move an application through screening, interview and offer; stop at ``now``. Hiring is decided later."""
    steps = (("screening_at", 0.75, (1, 4)), ("interview_at", 0.3, (4, 12)), ("offer_at", 0.5, (3, 10)),
             ("hired_at", 0.75, (2, 7)))
    at = app.received_at
    for name, chance, (low, high) in steps:
        step_at = at + timedelta(days=rng.uniform(low, high))
        if step_at >= now:
            return
        if rng.random() >= chance:
            app.rejected_at, app.stage = step_at, ApplicationStage.REJECTED
            return
        setattr(app, name, step_at)
        app.stage = ApplicationStage(name.removesuffix("_at"))
        at = step_at


def fill(apps: Sequence[DemoApplication], quota: int) -> datetime | None:
    """Keep the first ``quota`` hires of a vacancy; later candidates are turned down. Return when it was filled."""
    hires = sorted((a for a in apps if a.hired_at is not None), key=lambda a: a.hired_at or a.received_at)
    for late in hires[quota:]:
        late.rejected_at, late.hired_at, late.stage = late.hired_at, None, ApplicationStage.REJECTED
    return hires[quota - 1].hired_at if len(hires) >= quota else None


def leads_from_clicks(rng: random.Random, delivery: int, channel: int, clicks: Sequence[DemoClick], factor: float,
                      now: datetime, serial: int) -> list[DemoLead]:
    """Return the leads some of the human clicks on product news and events turn into."""
    rate = CHANNELS[channel].lead_rate * factor
    found: list[DemoLead] = []
    for click in clicks:
        if click.kind != "human" or rng.random() >= rate:
            continue
        created = click.at + timedelta(minutes=rng.expovariate(1 / 20))
        attributed = rng.random() < LEADS_ATTRIBUTED
        if created < now:
            found.append(_lead(rng, delivery if attributed else None, channel if attributed else None, created, now,
                               serial + len(found)))
    return found


def website_leads(rng: random.Random, start: datetime, now: datetime, serial: int) -> list[DemoLead]:
    """Return leads from the website that no post can claim (about one a week)."""
    found: list[DemoLead] = []
    week = start
    while week < now:
        for _ in range(poisson(rng, 0.8)):
            created = week + timedelta(days=rng.uniform(0, 7))
            if created < now:
                found.append(_lead(rng, None, None, created, now, serial + len(found)))
        week += timedelta(days=7)
    return found


def _lead(rng: random.Random, delivery: int | None, channel: int | None, created: datetime, now: datetime,
          number: int) -> DemoLead:
    name, email = person(rng, number, "example.com")
    lead = DemoLead(delivery, channel, name, rng.choice(LEAD_FIRMS), email, created, created)
    again = created + timedelta(days=rng.uniform(1, 10))
    if rng.random() < 0.08 and again < now:  # the same person asked again: merged, still one lead
        lead.submissions, lead.last_submitted_at = 2, again
    if rng.random() < 0.1:
        junk = created + timedelta(days=rng.uniform(0.1, 2))
        if junk < now:
            lead.status, lead.junk_at = LeadStatus.JUNK, junk
        return lead
    at = created
    for status, chance, (low, high) in ((LeadStatus.QUALIFIED, 0.5, (1, 3)), (LeadStatus.OPPORTUNITY, 0.4, (3, 14)),
                                        (LeadStatus.CUSTOMER, 0.3, (10, 40))):
        at = at + timedelta(days=rng.uniform(low, high))
        if at >= now or rng.random() >= chance:
            break
        setattr(lead, f"{status.value}_at", at)
        lead.status = status
    return lead
