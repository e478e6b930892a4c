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


class VacancyStatus(StrEnum):
    """Whether a vacancy is still to be filled; filling or closing it stops its pending posts."""

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class EmploymentType(StrEnum):
    """schema.org JobPosting employmentType values (Google for Jobs)."""

    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    CONTRACTOR = "CONTRACTOR"
    TEMPORARY = "TEMPORARY"
    INTERN = "INTERN"
    APPRENTICESHIP = "APPRENTICESHIP"  # Lehre; published as OTHER in JobPosting
    OTHER = "OTHER"


class ApprovalState(StrEnum):
    """Where a post stands in the company's review (posts of kinds without approval are `not_required`)."""

    NOT_REQUIRED = "not_required"
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"




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
    __table_args__ = (
        # One post per "still hiring" round of a vacancy, whatever two dispatchers do at once.
        Index("uq_post_vacancy_repost", "vacancy_id", "repost_number", unique=True,
              postgresql_where=text("repost_number > 0"), sqlite_where=text("repost_number > 0")),
    )

    id: Mapped[intpk]
    kind: Mapped[PostKind] = mapped_column(_enum(PostKind), default=PostKind.PRODUCT_NEWS)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2048))
    campaign: Mapped[str] = mapped_column(String(120), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id"), index=True)  # job ads
    repost_number: Mapped[int] = mapped_column(default=0)  # 0: the first ad; n: the n-th "still hiring" re-post
    approval: Mapped[ApprovalState] = mapped_column(_enum(ApprovalState), default=ApprovalState.NOT_REQUIRED)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created]

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="post")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
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
    caption: Mapped[str] = mapped_column(Text, default="")  # event photos: what the photo shows
    consent: Mapped[bool] = mapped_column(default=False)  # the people shown agreed to its publication
    created_at: Mapped[created]

    post: Mapped[Post | None] = relationship(back_populates="media")


class Delivery(Base):
    """One post on one channel at one time: the unit that is claimed, published and measured."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id", "due_at", name="uq_delivery_post_channel_due"),
        Index("ix_delivery_state_run_at", "state", "run_at"),
        Index("ix_delivery_metrics_due_at", "metrics_due_at"),
        Index("ix_delivery_due_at", "due_at"),  # the calendar's date range
        Index("ix_delivery_channel_due_at", "channel_id", "due_at"),  # posting slots: is this slot taken?
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


class Vacancy(Base):
    """The job behind job ads."""

    __tablename__ = "vacancy"

    id: Mapped[intpk]
    reference: Mapped[str] = mapped_column(String(64), default="")  # the ATS requisition id, if any
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="AT")  # decides which job-ad rules apply
    employment_type: Mapped[EmploymentType] = mapped_column(_enum(EmploymentType), default=EmploymentType.FULL_TIME)
    salary_statement: Mapped[str] = mapped_column(Text, default="")  # as it must appear in the ad
    salary_min: Mapped[int | None]  # whole euros per salary_period; the collective-agreement minimum in AT
    salary_period: Mapped[str] = mapped_column(String(8), default="MONTH")  # HOUR, MONTH, YEAR
    overpay: Mapped[bool] = mapped_column(default=False)  # willing to pay more than the minimum (GlBG §9(2))
    description: Mapped[str] = mapped_column(Text, default="")
    apply_url: Mapped[str | None] = mapped_column(String(2048))  # external ATS; None: Postillon's own apply form
    language: Mapped[str] = mapped_column(String(2), default="de")
    valid_through: Mapped[datetime | None]
    hiring_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[VacancyStatus] = mapped_column(_enum(VacancyStatus), default=VacancyStatus.OPEN, index=True)
    repost_every_days: Mapped[int | None]  # "still hiring": repeat until filled or valid_through
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created]
    updated_at: Mapped[created]
    closed_at: Mapped[datetime | None]


class MediaRendition(Base):
    """An image resized and cropped for one network (aspect, size, JPEG for Instagram), made with Pillow."""

    __tablename__ = "media_rendition"
    __table_args__ = (UniqueConstraint("media_id", "network", name="uq_media_rendition_media_network"),)

    id: Mapped[intpk]
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"))
    network: Mapped[Network] = mapped_column(_enum(Network))
    mime_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))


class PostText(Base):
    """A post's own text for one network, overriding the common text there."""

    __tablename__ = "post_text"
    __table_args__ = (UniqueConstraint("post_id", "network", name="uq_post_text_post_network"),)

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    network: Mapped[Network] = mapped_column(_enum(Network))
    text: Mapped[str] = mapped_column(Text)


class JobAdTemplate(Base):
    """Editable per-network job-ad text in one language, with {placeholders} from the vacancy."""

    __tablename__ = "job_ad_template"
    __table_args__ = (UniqueConstraint("language", "network", name="uq_job_ad_template_language_network"),)

    id: Mapped[intpk]
    language: Mapped[str] = mapped_column(String(2))
    network: Mapped[Network] = mapped_column(_enum(Network))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[created]


class PostingSlot(Base):
    """A regular time a channel posts (e.g. Tuesday 09:00 in the channel's zone); "add to queue" fills them."""

    __tablename__ = "posting_slot"
    __table_args__ = (UniqueConstraint("channel_id", "weekday", "local_time", name="uq_posting_slot_channel_time"),)

    id: Mapped[intpk]
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM" wall-clock in the channel's time zone


class Guideline(Base):
    """Company rules checked when a post is saved; one row per post kind (kind None: every kind)."""

    __tablename__ = "guideline"
    __table_args__ = (UniqueConstraint("kind", name="uq_guideline_kind"),)

    id: Mapped[intpk]
    kind: Mapped[PostKind | None] = mapped_column(_enum(PostKind))
    banned_words: Mapped[str] = mapped_column(Text, default="")  # one per line
    required_hashtags: Mapped[str] = mapped_column(Text, default="")  # space separated
    max_hashtags: Mapped[int | None]
    legal_footer: Mapped[str] = mapped_column(Text, default="")  # must appear in the text
    require_imprint_link: Mapped[bool] = mapped_column(default=False)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[created]


class CompanySetting(Base):
    """One company-wide setting as JSON (job-ad rules blocking or warning, imprint URL, …)."""

    __tablename__ = "company_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[created]


# --- Outcomes: tracked links, clicks, applications, leads, inbound webhooks -------------------


class ApplicationStage(StrEnum):
    """Where an application stands in the recruiting pipeline; each stage has its own timestamp."""

    RECEIVED = "received"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"


class LeadStatus(StrEnum):
    """Where a sales lead stands; each status has its own timestamp."""

    NEW = "new"
    QUALIFIED = "qualified"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    JUNK = "junk"


class TrackedLink(Base):
    """A link of one delivery, published as ``/r/<code>``; the destination carries the UTM parameters."""

    __tablename__ = "tracked_link"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    original: Mapped[str] = mapped_column(String(2048))  # as the author wrote it
    destination: Mapped[str] = mapped_column(String(4096))  # original plus UTM parameters
    created_at: Mapped[created]


class Click(Base):
    """One request to a tracked link; bots and repeats are kept but flagged, never counted as people."""

    __tablename__ = "click"
    __table_args__ = (
        # Covering on PostgreSQL: the dashboard's click counts read only the index (bench/reports.py).
        Index("ix_click_at", "at", postgresql_include=["delivery_id", "channel_id", "is_bot", "repeat"]),
        Index("ix_click_delivery_at", "delivery_id", "at"),
    )

    id: Mapped[intpk]
    link_id: Mapped[int] = mapped_column(ForeignKey("tracked_link.id"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"))  # copied from the link for reports
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))  # likewise
    at: Mapped[datetime]
    referrer_host: Mapped[str] = mapped_column(String(255), default="")
    country: Mapped[str | None] = mapped_column(String(2))  # None: not derivable without a third party
    browser: Mapped[str] = mapped_column(String(40), default="")
    device: Mapped[str] = mapped_column(String(16), default="")  # desktop, mobile, tablet, bot, other
    is_bot: Mapped[bool] = mapped_column(default=False)
    bot_reason: Mapped[str] = mapped_column(String(32), default="")  # crawler, preview, head, empty-ua, burst…
    repeat: Mapped[bool] = mapped_column(default=False)  # same source, same link, within the hour
    visitor: Mapped[str] = mapped_column(String(16), default="")  # keyed hash, salt rotated daily


class ClickLoss(Base):
    """Clicks that were redirected but could not be recorded (Redis unreachable), per UTC day."""

    __tablename__ = "click_loss"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    lost: Mapped[int] = mapped_column(default=0)


class Integration(Base):
    """An ATS or CRM that reports applications and leads by signed webhook."""

    __tablename__ = "integration"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # "ats" or "crm"
    secret: Mapped[str] = mapped_column(Text)  # CredentialBox token of the HMAC secret
    active: Mapped[bool] = mapped_column(default=True)
    last_event_at: Mapped[datetime | None]
    created_at: Mapped[created]


class WebhookEvent(Base):
    """An accepted webhook event; the unique sender event id makes redelivery a no-op."""

    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("integration_id", "event_id", name="uq_webhook_event_integration_event"),)

    id: Mapped[intpk]
    integration_id: Mapped[int] = mapped_column(ForeignKey("integration.id"))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(200), default="")  # what it changed, e.g. "application:12"
    received_at: Mapped[created]


class Application(Base):
    """A job application, from the apply form or an ATS, attributed to a delivery where evidence allows."""

    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("integration_id", "external_id", name="uq_application_integration_external"),
        Index("ix_application_received_at", "received_at"),
    )

    id: Mapped[intpk]
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    cv_key: Mapped[str | None] = mapped_column(String(255))  # below the data directory, never web-served
    cv_filename: Mapped[str] = mapped_column(String(255), default="")
    cv_mime: Mapped[str] = mapped_column(String(100), default="")
    privacy_text: Mapped[str] = mapped_column(Text, default="")  # the consent text the applicant saw
    consented_at: Mapped[datetime | None]
    talent_pool: Mapped[bool] = mapped_column(default=False)  # may be kept for later vacancies
    talent_pool_until: Mapped[datetime | None]
    stage: Mapped[ApplicationStage] = mapped_column(_enum(ApplicationStage), default=ApplicationStage.RECEIVED)
    received_at: Mapped[datetime]
    screening_at: Mapped[datetime | None]
    interview_at: Mapped[datetime | None]
    offer_at: Mapped[datetime | None]
    hired_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(64), default="careers")  # careers, webhook:<name>, manual
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id"))
    external_id: Mapped[str | None] = mapped_column(String(200))  # the ATS's id
    utm_source: Mapped[str] = mapped_column(String(100), default="")
    utm_medium: Mapped[str] = mapped_column(String(100), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    utm_content: Mapped[str] = mapped_column(String(100), default="")
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"), index=True)
    anonymized_at: Mapped[datetime | None]  # personal data removed; the counts stay for reports
    created_at: Mapped[created]

    vacancy: Mapped[Vacancy] = relationship()


class Lead(Base):
    """A contact request from the lead form or a CRM; one row per person, repeat requests merged."""

    __tablename__ = "lead"
    __table_args__ = (
        UniqueConstraint("integration_id", "external_id", name="uq_lead_integration_external"),
        Index("ix_lead_created_at", "created_at"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased, trimmed: finds duplicates
    message: Mapped[str] = mapped_column(Text, default="")
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime | None]
    status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus), default=LeadStatus.NEW)
    qualified_at: Mapped[datetime | None]
    opportunity_at: Mapped[datetime | None]
    customer_at: Mapped[datetime | None]
    junk_at: Mapped[datetime | None]
    submissions: Mapped[int] = mapped_column(default=1)  # merged duplicates count here, not as leads
    last_submitted_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(64), default="form")  # form, webhook:<name>, manual
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    utm_source: Mapped[str] = mapped_column(String(100), default="")  # first touch
    utm_medium: Mapped[str] = mapped_column(String(100), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    utm_content: Mapped[str] = mapped_column(String(100), default="")
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"), index=True)
    anonymized_at: Mapped[datetime | None]
    created_at: Mapped[created]


# --- Reports: channel costs and e-mailed digests ------------------------------------------------


class ChannelCost(Base):
    """Money spent on a channel for a vacancy or a campaign (a boost, a paid job slot), entered by a person."""

    __tablename__ = "channel_cost"

    id: Mapped[intpk]
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id"), index=True)
    campaign: Mapped[str] = mapped_column(String(120), default="")  # when the cost is for a campaign
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    spent_at: Mapped[datetime]  # which report period the cost belongs to
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created]


class ReportDigest(Base):
    """A person's subscription to the report by e-mail (weekly or monthly, PDF attached)."""

    __tablename__ = "report_digest"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    frequency: Mapped[str] = mapped_column(String(8))  # "weekly" or "monthly"
    active: Mapped[bool] = mapped_column(default=True)
    next_due_at: Mapped[datetime]
    created_at: Mapped[created]

    user: Mapped[User] = relationship()


class ReportDigestRun(Base):
    """One digest mailed for one period; the unique period makes "send once" a constraint."""

    __tablename__ = "report_digest_run"
    __table_args__ = (UniqueConstraint("digest_id", "period_start", name="uq_report_digest_run_period"),)

    id: Mapped[intpk]
    digest_id: Mapped[int] = mapped_column(ForeignKey("report_digest.id"), index=True)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    created_at: Mapped[created]
