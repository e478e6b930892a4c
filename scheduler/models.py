"""Typed SQLAlchemy models: the database is the source of truth for every schedule and state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from sqlalchemy import Enum, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scheduler.clock import utcnow
from scheduler.coltypes import UTCDateTime
from scheduler.lifecycle import DeliveryState
from scheduler.networks import Network

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[StrEnum]) -> Enum:
    # Persist values, not names, as VARCHAR: renaming a member needs no PostgreSQL type migration.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(default=utcnow)]


class Role(StrEnum):
    """What a user may do; every route checks it."""

    ADMIN = "admin"
    RECRUITER = "recruiter"
    MARKETER = "marketer"
    MANAGER = "manager"
    AMBASSADOR = "ambassador"
    VIEWER = "viewer"


class ChannelStatus(StrEnum):
    """Whether Postillon can currently publish through a channel."""

    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    DISABLED = "disabled"


class PostKind(StrEnum):
    """What a post is about; approval and guideline rules hang off the kind."""

    JOB_AD = "job_ad"
    PRODUCT_NEWS = "product_news"
    EVENT_PHOTOS = "event_photos"


class User(Base):
    """A person who logs in."""

    __tablename__ = "user_account"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    tz_name: Mapped[str] = mapped_column(String(64), default="Europe/Vienna")
    locale: Mapped[str] = mapped_column(String(8), default="de")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created]


class Channel(Base):
    """One connected account on one network."""

    __tablename__ = "channel"

    id: Mapped[intpk]
    network: Mapped[Network] = mapped_column(_enum(Network))
    name: Mapped[str] = mapped_column(String(120))
    handle: Mapped[str] = mapped_column(String(120), default="")
    account_id: Mapped[str] = mapped_column(String(120), default="")
    credentials: Mapped[str] = mapped_column(Text, default="")  # MultiFernet token, never plaintext
    status: Mapped[ChannelStatus] = mapped_column(_enum(ChannelStatus), default=ChannelStatus.CONNECTED)
    status_detail: Mapped[str] = mapped_column(Text, default="")
    rate_limited_until: Mapped[datetime | None]
    token_expires_at: Mapped[datetime | None]  # readable copy of the sealed expiry, to find tokens to refresh
    tz_name: Mapped[str] = mapped_column(String(64), default="Europe/Vienna")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # gets tasks and warnings
    reconnect_notified_at: Mapped[datetime | None]  # set when the owner was told; cleared on reconnect
    created_at: Mapped[created]

    owner: Mapped[User | None] = relationship()


class Post(Base):
    """One piece of content; its deliveries put it on channels."""

    __tablename__ = "post"

    id: Mapped[intpk]
    kind: Mapped[PostKind] = mapped_column(_enum(PostKind), default=PostKind.PRODUCT_NEWS)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2048))
    campaign: Mapped[str] = mapped_column(String(120), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created]

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="post")
    author: Mapped[User | None] = relationship()
    media: Mapped[list[Media]] = relationship(back_populates="post", order_by="Media.position")


class Media(Base):
    """One uploaded image; stored under the data directory by content hash, attached to at most one post."""

    __tablename__ = "media"

    id: Mapped[intpk]
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), index=True)  # None until the post is saved
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, for downloads
    mime_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))  # path below the media directory
    alt_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created]

    post: Mapped[Post | None] = relationship(back_populates="media")


class Delivery(Base):
    """One post on one channel at one time: the unit that is claimed, published and measured."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id", "due_at", name="uq_delivery_post_channel_due"),
        Index("ix_delivery_state_run_at", "state", "run_at"),
        Index("ix_delivery_metrics_due_at", "metrics_due_at"),
        Index(
            "uq_delivery_channel_external_id", "channel_id", "external_id", unique=True,
            postgresql_where=text("external_id IS NOT NULL"), sqlite_where=text("external_id IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), index=True)
    state: Mapped[DeliveryState] = mapped_column(_enum(DeliveryState))
    due_at: Mapped[datetime]  # when the author wants it out
    run_at: Mapped[datetime]  # when the dispatcher should act next (due_at, a retry or a rate-limit reset)
    queued_at: Mapped[datetime | None]
    queue_seq: Mapped[int] = mapped_column(default=0)  # bumped on every enqueue
    job_id: Mapped[str | None] = mapped_column(String(64))  # the RQ job that carries it while queued
    claim_count: Mapped[int] = mapped_column(default=0)  # fencing token of the current claim
    claimed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    reconcile_at: Mapped[datetime | None]  # when to ask the network whether an `unknown` post exists
    metrics_due_at: Mapped[datetime | None]  # next metrics collection for a published post
    metrics_round: Mapped[int] = mapped_column(default=0)  # collections done (see scheduler.metrics)
    check_at: Mapped[datetime | None] = mapped_column(index=True)  # next look at a `processing` post
    pending_data: Mapped[str | None] = mapped_column(Text)  # JSON of the network's pending receipt
    attempts: Mapped[int] = mapped_column(default=0)  # attempts spent (rate limits spend none)
    external_id: Mapped[str | None] = mapped_column(String(128))
    external_url: Mapped[str | None] = mapped_column(String(2048))
    published_at: Mapped[datetime | None]
    last_error_kind: Mapped[str | None] = mapped_column(String(32))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created]
    updated_at: Mapped[created]

    post: Mapped[Post] = relationship(back_populates="deliveries")
    channel: Mapped[Channel] = relationship()
    attempt_log: Mapped[list[Attempt]] = relationship(back_populates="delivery", order_by="Attempt.id")


class Attempt(Base):
    """Append-only log of every publish try."""

    __tablename__ = "attempt"

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    number: Mapped[int]  # the delivery's claim_count when this try started
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))  # published, an error kind, or None while running
    detail: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(120), default="")

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")


class MetricSnapshot(Base):
    """What the network reported for one published delivery at one time; None means "not reported"."""

    __tablename__ = "metric_snapshot"

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    taken_at: Mapped[datetime]
    impressions: Mapped[int | None]
    reactions: Mapped[int | None]
    comments: Mapped[int | None]
    shares: Mapped[int | None]
    clicks: Mapped[int | None]


class Notification(Base):
    """Something a person should know: shown in the UI and, when e-mail is configured, mailed once."""

    __tablename__ = "notification"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # e.g. "needs_reconnect", "delivery_failed", "task_due"
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)  # makes "notify once" a constraint
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")  # path inside Postillon
    created_at: Mapped[created]
    read_at: Mapped[datetime | None]
    mail_state: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending/sent/failed/off
    mail_attempts: Mapped[int] = mapped_column(default=0)
    mailed_at: Mapped[datetime | None]
    mail_error: Mapped[str] = mapped_column(Text, default="")


class OAuthPending(Base):
    """A sign-in sent to a network's consent page (and, after it, the accounts to choose from).

    Kept on the server so a state is usable exactly once; the secrets in it are sealed.
    """

    __tablename__ = "oauth_pending"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the state
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    network: Mapped[Network] = mapped_column(_enum(Network))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"))  # reconnect target
    stage: Mapped[str] = mapped_column(String(16), default="consent")  # "consent", then "choose"
    sealed: Mapped[str] = mapped_column(Text)  # CredentialBox token: verifier, later the accounts
    created_at: Mapped[created]


class AuditEvent(Base):
    """Who did what: every state change a person causes."""

    __tablename__ = "audit_event"

    id: Mapped[intpk]
    at: Mapped[created]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))  # e.g. "delivery:42"
    detail: Mapped[str] = mapped_column(Text, default="")
