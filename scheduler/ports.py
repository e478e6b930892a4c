"""The adapter contract: plain frozen data in, receipts or typed errors out (see DESIGN.md §4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from scheduler.networks import Network


@dataclass(frozen=True, slots=True)
class Credentials:
    """Decrypted credentials of one channel; never logged, never rendered."""

    access_token: str
    account_id: str = ""  # the network's id of the account: X user id, organization URN, page id
    refresh_token: str | None = None
    expires_at: datetime | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # network-specific (page token, OAuth1 secret)

    def __repr__(self) -> str:
        return f"Credentials(account_id={self.account_id!r}, access_token='***')"


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One image (or video) attached to a post."""

    url: str  # publicly fetchable URL (Instagram and the Graph API fetch it themselves)
    mime_type: str
    alt_text: str = ""
    path: str | None = None  # local file for networks that take an upload
    width: int | None = None  # pixels; None when unknown (validation then skips the aspect check)
    height: int | None = None
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class PostContent:
    """What to publish on one channel: the text already rendered for that network."""

    delivery_id: int
    text: str
    link: str | None = None
    media: tuple[MediaItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof that a network accepted a post."""

    external_id: str
    url: str | None = None
    pending: bool = False  # container-style networks: accepted but still processing
    pending_data: Mapping[str, str] = field(default_factory=dict)


#: The values a message's placeholders take, as (name, value) pairs: hashable, so a Problem stays a value.
Params = tuple[tuple[str, object], ...]


def params(**values: object) -> Params:
    """Return ``values`` as message parameters (in the given order, hashable)."""
    return tuple(values.items())


@dataclass(frozen=True, slots=True)
class Problem:
    """A reason a post (or a form) cannot be used as it is, shown next to the field.

    ``field`` and ``code`` name the reason for the UI, which words it in the reader's language from
    ``params`` (web/messages.py); ``message`` is the same in English, for logs and API clients.
    """

    field: str  # "text", "link", "media", or the form field
    code: str  # stable machine code, e.g. "too_long"; (field, code) names one sentence
    message: str  # plain English words for the author
    blocking: bool = True  # False: a warning the author may accept (e.g. a job-ad rule an admin left advisory)
    params: Params = ()  # the values in the message: limits, lengths, names


class ExplainedError(Exception):
    """An error a person sees: a stable ``code`` and ``params`` the UI words it from; ``message`` is English."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None, params: Params = ()) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        if code is not None:
            self.code = code


class InputError(ExplainedError, ValueError):
    """A value a person typed (or a file held) that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class MetricValues:
    """Network-reported figures for one post; None means the network did not say (not zero)."""

    impressions: int | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    clicks: int | None = None


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """An account the OAuth consent gave us access to (a profile, page or organization)."""

    account_id: str
    name: str
    handle: str
    credentials: Credentials


@dataclass(frozen=True, slots=True)
class AdapterConfig:
    """How adapters reach the networks: base URLs (real or sandbox), app keys and timeouts."""

    api_urls: Mapping[Network, str] = field(default_factory=dict)
    upload_urls: Mapping[Network, str] = field(default_factory=dict)
    client_ids: Mapping[Network, str] = field(default_factory=dict)
    client_secrets: Mapping[Network, str] = field(default_factory=dict)
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0


class NetworkAdapter(Protocol):
    """What every network adapter offers; errors are scheduler.errors.PublishError subclasses."""

    network: ClassVar[Network]

    def validate(self, content: PostContent) -> list[Problem]:
        """Return every problem that would stop this content on this network (empty when fine)."""
        ...

    def publish(self, credentials: Credentials, content: PostContent) -> Receipt:
        """Create the post once; never retries by itself."""
        ...

    def check_pending(self, credentials: Credentials, receipt: Receipt) -> Receipt:
        """Look at a pending receipt without repeating any mutation."""
        ...

    def find_existing(self, credentials: Credentials, content: PostContent, since: datetime) -> Receipt | None:
        """Return the live post that matches ``content`` created after ``since``, or None if there is none."""
        ...

    def fetch_metrics(self, credentials: Credentials, external_ids: Sequence[str]) -> dict[str, MetricValues]:
        """Return the network's current figures for the given posts."""
        ...

    def authorization_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        """Return the network's consent page URL for the OAuth flow."""
        ...

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> list[ConnectedAccount]:
        """Trade an authorization code for tokens and the accounts they reach."""
        ...

    def refresh(self, credentials: Credentials) -> Credentials:
        """Return fresh credentials, or raise AuthExpiredError when the user must reconnect."""
        ...
