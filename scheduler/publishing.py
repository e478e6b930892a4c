"""Claim deliveries for publishing and record what the network said (used by the worker job)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.errors import AuthExpiredError, PublishError, RateLimitedError
from scheduler.lifecycle import DeliveryState, run_at_after_error, state_after_error
from scheduler.media import MediaSigner, MediaStore, media_items
from scheduler.metrics import first_collection
from scheduler.models import Attempt, Channel, ChannelStatus, Delivery, Post
from scheduler.networks import Network
from scheduler.outgoing import publishable_texts
from scheduler.ports import MediaItem, PostContent, Receipt
from scheduler.transitions import move

S = DeliveryState
#: First look at a container-style network's pending post (Instagram usually needs a few seconds).
FIRST_CHECK = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class MediaLinks:
    """Where post images are stored and how networks are given URLs to fetch them."""

    store: MediaStore
    signer: MediaSigner

    def items(self, session: Session, wanted: Iterable[tuple[int, Network]],
              now: datetime) -> dict[tuple[int, Network], tuple[MediaItem, ...]]:
        """Return each (post, network)'s images as adapter input: the network's renditions, signed from ``now``."""
        return media_items(session, wanted, self.store, self.signer, now)


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery this worker now owns: everything the network call needs, no ORM objects."""

    delivery_id: int
    fence: int  # claim_count at claim time; outcome writes must carry it
    attempt_id: int
    network: Network
    channel_id: int
    sealed_credentials: str
    handle: str
    content: PostContent


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently transient failures are retried."""

    max_attempts: int = 4
    base_s: float = 30.0
    cap_s: float = 1800.0
    reconcile_after_s: float = 30.0  # then ask the network whether an `unknown` post exists


def claim(session: Session, delivery_ids: Sequence[int], *, now: datetime, lease_s: float,
          worker: str, media: MediaLinks) -> list[Claim]:
    """Claim queued deliveries (``queued -> publishing``); the caller commits before any network call.

    Deliveries whose channel is disconnected or rate limited are parked instead, without a call.
    """
    rows = session.execute(
        select(Delivery.id, Channel.status, Channel.rate_limited_until)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.id.in_(delivery_ids), Delivery.state == S.QUEUED)
    ).all()
    ready: list[int] = []
    for delivery_id, status, limited_until in rows:
        if status != ChannelStatus.CONNECTED:
            message = ("The channel is disabled; enable it to publish." if status is ChannelStatus.DISABLED
                       else "The channel needs to be reconnected before it can publish.")
            move(session, delivery_id, S.QUEUED, S.NEEDS_RECONNECT, last_error_kind="channel_unavailable",
                 last_error_message=message)
        elif limited_until is not None and limited_until > now:
            move(session, delivery_id, S.QUEUED, S.SCHEDULED, run_at=limited_until)
        else:
            ready.append(delivery_id)
    if not ready:
        return []
    claimed = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ready), Delivery.state == S.QUEUED)
        .values(state=S.PUBLISHING, claim_count=Delivery.claim_count + 1, claimed_at=now,
                lease_until=now + timedelta(seconds=lease_s), updated_at=now)
        .returning(Delivery.id, Delivery.claim_count)
        .execution_options(synchronize_session=False)
    ).all()
    fences = dict(claimed)
    if not fences:
        return []
    details = session.execute(
        select(Delivery.id, Post.id, Channel.id, Channel.network, Channel.credentials, Channel.handle)
        .join(Post, Post.id == Delivery.post_id)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.id.in_(list(fences)))
    ).all()
    # The safety net for every way a delivery gets here (CSV import, re-posts, approvals, publish again):
    # its links are tracked before it goes out. The image signer knows Postillon's public address.
    texts = publishable_texts(session, list(fences), media.signer.base_url)
    images = media.items(session, {(row[1], row[3]) for row in details}, now)
    attempts = {d_id: Attempt(delivery_id=d_id, number=fences[d_id], started_at=now, worker=worker)
                for d_id in fences}
    session.add_all(attempts.values())
    session.flush()
    return [
        Claim(
            delivery_id=d_id, fence=fences[d_id], attempt_id=attempts[d_id].id, network=network,
            channel_id=channel_id, sealed_credentials=sealed, handle=handle,
            content=PostContent(delivery_id=d_id, text=texts[d_id].text, link=texts[d_id].link,
                                media=images.get((post_id, network), ())),
        )
        for d_id, post_id, channel_id, network, sealed, handle in details
    ]


def record_success(session: Session, claim_: Claim, receipt: Receipt, *, now: datetime) -> bool:
    """Record a published post (or a pending one, see record_pending); False if the claim was lost."""
    if receipt.pending:
        return record_pending(session, claim_, receipt, now=now)
    moved = move(
        session, claim_.delivery_id, S.PUBLISHING, S.PUBLISHED, fence=claim_.fence,
        external_id=receipt.external_id, external_url=receipt.url, published_at=now,
        attempts=Delivery.attempts + 1, last_error_kind=None, last_error_message=None, lease_until=None,
        metrics_due_at=first_collection(now),
    )
    detail = f"id={receipt.external_id} url={receipt.url or ''}"
    if not moved:
        # The lease ran out and the delivery went to `unknown`; this receipt is the evidence that
        # it is live, so adopt it rather than leave a person to guess.
        moved = move(session, claim_.delivery_id, S.UNKNOWN, S.PUBLISHED, fence=claim_.fence,
                     external_id=receipt.external_id,
                     external_url=receipt.url, published_at=now, last_error_kind=None,
                     last_error_message=None, metrics_due_at=first_collection(now))
        detail += " (adopted after the lease had expired)" if moved else " (claim lost: the delivery had moved on)"
    _finish_attempt(session, claim_.attempt_id, "published", detail, now)
    return moved


def record_pending(session: Session, claim_: Claim, receipt: Receipt, *, now: datetime) -> bool:
    """The network accepted the media and is still processing it: ``publishing -> processing``.

    Keeps the receipt (e.g. Instagram's container id) so scheduler.pending can look again from
    ``now + FIRST_CHECK``; False if the claim was lost (the receipt is still logged).
    """
    data = json.dumps({"external_id": receipt.external_id, "url": receipt.url, "data": dict(receipt.pending_data)})
    moved = move(session, claim_.delivery_id, S.PUBLISHING, S.PROCESSING, fence=claim_.fence, pending_data=data,
                 check_at=now + FIRST_CHECK, attempts=Delivery.attempts + 1, last_error_kind=None,
                 last_error_message=None, lease_until=None)
    detail = f"accepted as {receipt.external_id}; the network is still processing the media"
    if not moved:
        # Nothing was published yet, and only this claim knew the container: it expires unused.
        detail += " (claim lost: the delivery had moved on; the container is not followed up)"
    _finish_attempt(session, claim_.attempt_id, "processing", detail, now)
    return moved


def record_failure(session: Session, claim_: Claim, error: BaseException, *, now: datetime,
                   policy: RetryPolicy, jitter: float) -> DeliveryState | None:
    """Record a failed try and move the delivery per the error's kind; return the new state."""
    spends = not isinstance(error, PublishError) or error.spends_attempt
    spent = session.scalar(select(Delivery.attempts).where(Delivery.id == claim_.delivery_id)) or 0
    spent += 1 if spends else 0
    new_state = state_after_error(error, attempts_spent=spent, max_attempts=policy.max_attempts)
    run_at = run_at_after_error(error, now=now, attempts_spent=spent, base_s=policy.base_s,
                                cap_s=policy.cap_s, jitter=jitter)
    kind, message = describe(error)
    if new_state is S.FAILED and isinstance(error, PublishError) and error.kind == "transient":
        message = f"Gave up after {spent} attempts. Last error: {message}"
    values: dict[str, object] = {"attempts": spent, "last_error_kind": kind, "last_error_message": message,
                                 "lease_until": None}
    if run_at is not None:
        values["run_at"] = run_at
    if new_state is S.UNKNOWN:
        values["reconcile_at"] = now + timedelta(seconds=policy.reconcile_after_s)
    moved = move(session, claim_.delivery_id, S.PUBLISHING, new_state, fence=claim_.fence, **values)
    _finish_attempt(session, claim_.attempt_id, kind, message, now)
    if isinstance(error, RateLimitedError):
        session.execute(update(Channel).where(Channel.id == claim_.channel_id)
                        .values(rate_limited_until=error.retry_at))
    elif isinstance(error, AuthExpiredError):
        session.execute(update(Channel).where(Channel.id == claim_.channel_id,
                                              Channel.status == ChannelStatus.CONNECTED)
                        .values(status=ChannelStatus.NEEDS_RECONNECT, status_detail=message))
    return new_state if moved else None


def describe(error: BaseException) -> tuple[str, str]:
    """Return (kind, message in plain words) for an error, with the network's own words kept."""
    if isinstance(error, PublishError):
        message = error.message
        if error.detail and error.detail not in message:
            message = f"{message} ({error.detail})"
        return error.kind, message[:2000]
    return "unknown", (f"Unexpected {type(error).__name__} while publishing; the post may or may not be live. "
                       "Check the channel before publishing again.")


def _finish_attempt(session: Session, attempt_id: int, outcome: str, detail: str, now: datetime) -> None:
    session.execute(update(Attempt).where(Attempt.id == attempt_id)
                    .values(finished_at=now, outcome=outcome, detail=detail[:2000]))
