""""Still hiring": re-post an open vacancy's job ad every N days at the same local wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.audit import audit
from scheduler.clock import NonexistentLocalTimeError, from_local, to_local, zone
from scheduler.jobads_text import x_length
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, Delivery, Media, Post, PostKind, PostText, Vacancy, VacancyStatus
from scheduler.networks import RULES, Network
from scheduler.rendering import render_text

S = DeliveryState
#: Rotated per re-post so that no two consecutive posts read the same (X also refuses duplicates).
OPENERS: dict[str, tuple[str, ...]] = {
    "de": ("Wir suchen immer noch!", "Noch offen:", "Diese Stelle ist weiterhin frei:", "Immer noch auf der Suche:"),
    "en": ("Still hiring:", "Still open:", "We are still looking:", "This job is still open:"),
}
#: A post only counts as published material when someone let it go out (no drafts, nothing awaiting review).
RELEASED = (ApprovalState.NOT_REQUIRED, ApprovalState.APPROVED)
_NOT_OUT = (S.DRAFT, S.AWAITING_APPROVAL, S.CANCELLED)
_MAX_STEPS = 400  # a dispatcher that was down for a very long time skips missed dates, within bounds


def opener(language: str, repost_number: int) -> str:
    """Return the opening line of the ``repost_number``-th re-post (1-based) in ``language``."""
    choices = OPENERS.get(language, OPENERS["de"])
    return choices[(repost_number - 1) % len(choices)]


def same_wall_clock(due_at: datetime, tz_name: str, days: int) -> datetime:
    """Return ``due_at`` moved ``days`` days on in ``tz_name`` at the same local time, as aware UTC.

    A time that the spring change skips moves forward by the gap (02:30 becomes 03:30).
    """
    local = to_local(due_at, tz_name)
    wall = datetime.combine(local.date() + timedelta(days=days), local.time())
    try:
        return from_local(wall, tz_name)
    except NonexistentLocalTimeError:
        return wall.replace(tzinfo=zone(tz_name), fold=0).astimezone(UTC)


def fit_x(text: str, link: str | None) -> str:
    """Shorten the part of ``text`` before its link until X would take it (the link and what follows stay)."""
    limit = RULES[Network.X].max_text
    for _ in range(8):
        excess = x_length(render_text(text, link, Network.X), link) - limit
        if excess <= 0:
            break
        head, sep, tail = text.partition(link) if link and link in text else (text, "", "")
        keep = max(0, len(head.rstrip()) - excess - 2)
        text = head[:keep].rstrip() + ("… " if sep else "…") + sep + tail
    return text


def plan_reposts(session: Session, now: datetime) -> int:
    """Create the next "still hiring" post of every open vacancy whose last job ad's first delivery is due.

    Running it again creates nothing new: the next number is created once, under a lock on the vacancy.
    """
    ids = list(session.scalars(select(Vacancy.id).where(
        Vacancy.status == VacancyStatus.OPEN, Vacancy.repost_every_days.is_not(None),
        or_(Vacancy.valid_through.is_(None), Vacancy.valid_through > now)).order_by(Vacancy.id)))
    return sum(_plan_one(session, vacancy_id, now) for vacancy_id in ids)


def _plan_one(session: Session, vacancy_id: int, now: datetime) -> int:
    # skip_locked: another dispatcher is planning this vacancy right now (SQLite serialises writers anyway).
    vacancy = session.scalar(select(Vacancy).where(Vacancy.id == vacancy_id)
                             .with_for_update(skip_locked=True).execution_options(populate_existing=True))
    if vacancy is None or vacancy.status is not VacancyStatus.OPEN or not vacancy.repost_every_days:
        return 0
    posts = list(session.scalars(select(Post).where(Post.vacancy_id == vacancy_id, Post.kind == PostKind.JOB_AD)
                                 .order_by(Post.repost_number.desc(), Post.id.desc())))
    if not posts or posts[0].approval not in RELEASED:
        return 0
    base = posts[0]
    out = [d for d in base.deliveries if d.state not in _NOT_OUT]
    if not out or now < min(d.due_at for d in out):
        return 0
    number = base.repost_number + 1
    dues = _next_dues(out, vacancy.repost_every_days, now)
    if dues is None or (vacancy.valid_through is not None and min(dues.values()) >= vacancy.valid_through):
        return 0
    original = next((p for p in reversed(posts) if p.repost_number == 0), base)
    post = _copy_post(session, original, base, vacancy, number, now)
    for delivery in out:
        due = dues[delivery.id]
        session.add(Delivery(post_id=post.id, channel_id=delivery.channel_id, state=S.SCHEDULED, due_at=due,
                             run_at=due, created_at=now, updated_at=now))
    audit(session, None, "vacancy.reposted", f"post:{post.id}", f"vacancy {vacancy_id}, re-post {number}")
    session.flush()
    return 1


def _next_dues(out: list[Delivery], days: int, now: datetime) -> dict[int, datetime] | None:
    for steps in range(1, _MAX_STEPS + 1):
        dues = {d.id: same_wall_clock(d.due_at, d.channel.tz_name, days * steps) for d in out}
        if min(dues.values()) >= now:
            return dues
    return None


def _copy_post(session: Session, original: Post, base: Post, vacancy: Vacancy, number: int, now: datetime) -> Post:
    first = opener(vacancy.language, number)
    post = Post(kind=PostKind.JOB_AD, text=f"{first}\n\n{original.text}", link=original.link,
                campaign=original.campaign, author_id=original.author_id, vacancy_id=vacancy.id,
                repost_number=number, approval=base.approval, reviewer_id=base.reviewer_id,
                reviewed_at=base.reviewed_at, created_at=now)
    session.add(post)
    session.flush()
    overrides = {Network(t.network): t.text for t in session.scalars(
        select(PostText).where(PostText.post_id == original.id))}
    networks = {d.channel.network for d in base.deliveries}
    if Network.X in networks and Network.X not in overrides:
        common_x = fit_x(post.text, post.link)
        if common_x != post.text:
            overrides[Network.X] = original.text  # shortened below, like any X text
    for network, text in overrides.items():
        body = f"{first}\n\n{text}"
        session.add(PostText(post_id=post.id, network=network,
                             text=fit_x(body, post.link) if network is Network.X else body))
    for item in original.media:  # the same stored file, attached to the new post as well
        session.add(Media(post_id=post.id, owner_id=item.owner_id, position=item.position, filename=item.filename,
                          mime_type=item.mime_type, size_bytes=item.size_bytes, width=item.width,
                          height=item.height, sha256=item.sha256, storage_key=item.storage_key,
                          alt_text=item.alt_text, caption=item.caption, consent=item.consent, created_at=now))
    return post
