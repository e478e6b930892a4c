"""Instagram adapter (Instagram API with Facebook Login, host graph.facebook.com; networks.md §5).

``credentials.account_id`` is the IG user id and ``credentials.access_token`` the token that may
publish for it. Publishing is container based: ``publish`` creates the container(s) and publishes
at once when Meta has already processed them, otherwise it returns a pending receipt;
``check_pending`` reads the container's ``status_code`` and calls ``media_publish`` exactly once
when it is ``FINISHED``. A ``PUBLISHED`` container is final and is never published again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from adapters.graph_client import (
    GRAPH_URL,
    WWW_URL,
    GraphClient,
    as_count,
    insight_values,
    long_lived_user_token,
    parse_time,
)
from adapters.textcount import comparable_text
from scheduler.clock import ensure_utc, utcnow
from scheduler.errors import PublishError, RateLimitedError, RejectedError, TransientError
from scheduler.networks import RULES, Network
from scheduler.ports import (
    AdapterConfig,
    ConnectedAccount,
    Credentials,
    MetricValues,
    PostContent,
    Problem,
    Receipt,
    params,
)

__all__ = ["InstagramAdapter"]

SCOPES = ("instagram_basic", "instagram_content_publish", "instagram_manage_insights", "pages_show_list",
          "pages_read_engagement")
JPEG_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg"})
MAX_HASHTAGS = 30  # the API's documented limit; the Dec 2025 product rule of 5 is unconfirmed (§5.3)
MEDIA_METRICS = ("views", "reach", "likes", "comments", "saved", "shares")
QUOTA_WAIT = timedelta(hours=1)  # the quota is a rolling 24 h window whose oldest post we do not know
RECENT_MEDIA = 25
CLOCK_SKEW = timedelta(seconds=2)
HASHTAG = re.compile(r"(?<![\w&])#\w+")
MENTION = re.compile(r"(?<![\w@])@[\w.]+")
MAX_MENTIONS = 20
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91  # width / height; outside it Meta answers 2207009 / 36003
FINISHED, IN_PROGRESS, PUBLISHED, ERROR, EXPIRED = "FINISHED", "IN_PROGRESS", "PUBLISHED", "ERROR", "EXPIRED"


class InstagramAdapter:
    """Publishes to Instagram professional accounts through media containers; thread-safe."""

    network: ClassVar[Network] = Network.INSTAGRAM

    def __init__(self, config: AdapterConfig) -> None:
        self._config = config
        self._api_url = config.api_urls.get(Network.INSTAGRAM, GRAPH_URL).rstrip("/")
        self._graph = GraphClient(config, self._api_url, "Instagram")

    def close(self) -> None:
        """Release pooled connections."""
        self._graph.close()

    # -- validation --------------------------------------------------------------------------

    def validate(self, content: PostContent) -> list[Problem]:
        """Return every reason Instagram would refuse ``content`` (caption, count, JPEG, size, aspect ratio).

        The aspect ratio is checked only for images whose width and height are known.
        """
        rules = RULES[Network.INSTAGRAM]
        ig = Network.INSTAGRAM
        problems = []
        caption = caption_of(content)
        if len(caption) > rules.max_text:
            problems.append(Problem("text", "too_long", f"Instagram takes at most {rules.max_text:,} characters; "
                                                        f"this text has {len(caption):,}.",
                                    params=params(network=ig, limit=rules.max_text, length=len(caption))))
        tags = len(HASHTAG.findall(caption))
        if tags > MAX_HASHTAGS:
            problems.append(Problem("text", "too_many_hashtags",
                                    f"Use at most {MAX_HASHTAGS} hashtags; this text has {tags}.",
                                    params=params(limit=MAX_HASHTAGS, count=tags)))
        mentions = len(MENTION.findall(caption))
        if mentions > MAX_MENTIONS:
            problems.append(Problem("text", "too_many_mentions", f"Instagram allows at most {MAX_MENTIONS} "
                                                                 f"@-mentions; this text has {mentions}.",
                                    params=params(network=ig, limit=MAX_MENTIONS, count=mentions)))
        if not content.media:
            problems.append(Problem("media", "media_required", "Instagram posts need at least one image.",
                                    params=params(network=ig)))
        if len(content.media) > rules.max_media:
            problems.append(Problem("media", "too_many_media",
                                    f"Instagram takes at most {rules.max_media} images per post; "
                                    f"this one has {len(content.media)}.",
                                    params=params(network=ig, limit=rules.max_media, count=len(content.media))))
        if any(item.mime_type.lower() not in JPEG_TYPES for item in content.media):
            problems.append(Problem("media", "media_format", "Instagram takes JPEG images only; convert the "
                                                             "others first.",
                                    params=params(network=ig, formats="JPEG")))
        for index, item in enumerate(content.media, 1):
            if item.size_bytes is not None and item.size_bytes > MAX_IMAGE_BYTES:
                size, most = round(item.size_bytes / 1_048_576, 1), MAX_IMAGE_BYTES / 1_048_576
                problems.append(Problem("media", "media_too_large",
                                        f"Image {index} has {size:.1f} MB; Instagram takes at most {most:.1f} MB.",
                                        params=params(index=index, size=size, network=ig, limit=most)))
            if item.width and item.height and not MIN_ASPECT <= round(item.width / item.height, 2) <= MAX_ASPECT:
                problems.append(Problem("media", "aspect_ratio",
                                        f"Image {index} is {item.width}×{item.height} pixels; Instagram takes "
                                        "shapes from 4:5 (portrait) to 1.91:1 (landscape); crop it first.",
                                        params=params(index=index, dimensions=f"{item.width}×{item.height}",
                                                      network=ig)))
        return problems

    # -- publishing ------------------------------------------------------------------------

    def publish(self, credentials: Credentials, content: PostContent) -> Receipt:
        """Check the quota, create the container(s); publish now if FINISHED, else return a pending receipt."""
        problems = [p for p in self.validate(content) if p.field == "media"]
        if problems:
            raise RejectedError(problems[0].message)
        self._check_quota(credentials)
        user, token, caption = credentials.account_id, credentials.access_token, caption_of(content)
        if len(content.media) == 1:
            container = self._create(user, token, {"image_url": content.media[0].url, "caption": caption})
        else:
            children = [self._create(user, token, {"image_url": item.url, "is_carousel_item": "true"})
                        for item in content.media]
            container = self._create(user, token, {"media_type": "CAROUSEL", "children": ",".join(children),
                                                   "caption": caption})
        # The caption lets a later check find the media of a container that is already PUBLISHED.
        pending = Receipt(external_id=container, pending=True, pending_data={"container": container,
                                                                             "caption": caption})
        status = self._status(token, container)
        if status == FINISHED:
            return self._publish_container(credentials, container, caption)
        if status == IN_PROGRESS:
            return pending
        raise RejectedError(f"Instagram could not process the image (container status {status}).")

    def check_pending(self, credentials: Credentials, receipt: Receipt) -> Receipt:
        """Read the container; publish it once when FINISHED; PUBLISHED is final and never published again."""
        container = receipt.pending_data.get("container") or receipt.external_id
        caption = receipt.pending_data.get("caption")
        status = self._status(credentials.access_token, container)
        if status == IN_PROGRESS:
            return receipt
        if status == PUBLISHED:
            return self._published(credentials, caption)
        if status != FINISHED:
            raise RejectedError(f"Instagram could not process the image (container status {status}); "
                                "publish the post again.")
        return self._publish_container(credentials, container, caption)

    def _publish_container(self, credentials: Credentials, container: str, caption: str | None) -> Receipt:
        try:
            body = self._graph.post(f"{credentials.account_id}/media_publish", credentials.access_token,
                                    {"creation_id": container}, mutation=True)
        except PublishError:
            # Another worker may have published it a moment ago: the container then says so.
            if self._status(credentials.access_token, container) == PUBLISHED:
                return self._published(credentials, caption)
            raise
        media_id = body.get("id")
        if not media_id:
            return self._published(credentials, caption)
        return Receipt(external_id=str(media_id), url=self._permalink(credentials.access_token, str(media_id)))

    def _published(self, credentials: Credentials, caption: str | None) -> Receipt:
        """Return the final receipt of a container that is already PUBLISHED (its media from ``/media``).

        The container does not name its media, so the newest media with the container's caption is it.
        """
        media = [m for m in self._recent_media(credentials) if m.get("id")]
        if caption is not None:
            wanted = comparable_text(caption)
            media = [m for m in media if comparable_text(str(m.get("caption") or "")) == wanted]
        newest = media[0] if media else None
        if newest is None:
            raise TransientError("Instagram says the post is published but does not list it yet.")
        return Receipt(external_id=str(newest["id"]), url=str(newest.get("permalink") or "") or None)

    def _check_quota(self, credentials: Credentials) -> None:
        body = self._graph.get(f"{credentials.account_id}/content_publishing_limit", credentials.access_token,
                               {"fields": "quota_usage,config"})
        usage, total = quota(body)
        if usage is not None and total is not None and usage >= total:
            raise RateLimitedError(f"Instagram's publishing limit is used up ({usage} of {total} posts in 24 hours).",
                                   retry_at=utcnow() + QUOTA_WAIT, status=None)

    def _create(self, user: str, token: str, form: dict[str, str]) -> str:
        body = self._graph.post(f"{user}/media", token, form, mutation=False)  # a container publishes nothing
        if not body.get("id"):
            raise TransientError("Instagram did not return a container id.")
        return str(body["id"])

    def _status(self, token: str, container: str) -> str:
        return str(self._graph.get(container, token, {"fields": "status_code"}).get("status_code") or "")

    def _permalink(self, token: str, media_id: str) -> str | None:
        try:
            return str(self._graph.get(media_id, token, {"fields": "permalink"}).get("permalink") or "") or None
        except PublishError:  # the post is live; a missing link must not turn it into a failure
            return None

    def _recent_media(self, credentials: Credentials) -> list[dict[str, Any]]:
        body = self._graph.get(f"{credentials.account_id}/media", credentials.access_token,
                               {"fields": "id,caption,timestamp,permalink", "limit": str(RECENT_MEDIA)})
        return [m for m in body.get("data") or [] if isinstance(m, dict)]

    def find_existing(self, credentials: Credentials, content: PostContent, since: datetime) -> Receipt | None:
        """Return the account's recent media with this caption created since ``since``."""
        return match_media(self._recent_media(credentials), content, since)

    def fetch_metrics(self, credentials: Credentials, external_ids: Sequence[str]) -> dict[str, MetricValues]:
        """Read media insights (views, likes, comments, shares…); a metric Meta does not give is None."""
        out = {}
        for media_id in external_ids:
            body = self._graph.call("GET", f"{media_id}/insights", credentials.access_token,
                                    params={"metric": ",".join(MEDIA_METRICS)}, none_on_invalid=True)
            if body is not None:
                values = insight_values(body)
            else:  # one metric unsupported for this media type fails the call: ask one by one
                values = {}
                for metric in MEDIA_METRICS:
                    single = self._graph.call("GET", f"{media_id}/insights", credentials.access_token,
                                              params={"metric": metric}, none_on_invalid=True)
                    values.update(insight_values(single or {}))
            out[media_id] = metric_values(values)
        return out

    # -- OAuth (Facebook Login) -------------------------------------------------------------

    def authorization_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        """Return Facebook Login's dialog URL with the Instagram publishing scopes."""
        site = WWW_URL if self._api_url == GRAPH_URL else self._api_url
        query = {"client_id": self._client_id(), "redirect_uri": redirect_uri, "state": state,
                 "response_type": "code", "scope": ",".join(SCOPES)}
        return f"{site}/{self._graph.version}/dialog/oauth?{urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> list[ConnectedAccount]:
        """Code → long-lived user token → Pages → one ConnectedAccount per linked IG professional account."""
        user_token = long_lived_user_token(self._graph, self._client_id(),
                                           self._config.client_secrets.get(Network.INSTAGRAM, ""), code, redirect_uri)
        pages = self._graph.get("me/accounts", user_token,
                                {"fields": "id,name,access_token,instagram_business_account", "limit": "100"})
        accounts = []
        for page in pages.get("data") or []:
            linked = page.get("instagram_business_account") if isinstance(page, dict) else None
            if not isinstance(linked, dict) or not linked.get("id"):
                continue
            # Meta uses the user token for IG calls; the sandbox (one token book per network) sends its own.
            token = str(linked.get("access_token") or user_token)
            user = self._graph.get(str(linked["id"]), token, {"fields": "id,username,name"})
            accounts.append(ig_account(user, token))
        return accounts

    def refresh(self, credentials: Credentials) -> Credentials:
        """Facebook-Login tokens are not refreshed here: return them while valid, else AuthExpiredError."""
        self._graph.get(credentials.account_id, credentials.access_token, {"fields": "id"})
        return credentials

    def _client_id(self) -> str:
        client_id = self._config.client_ids.get(Network.INSTAGRAM) or self._config.client_ids.get(Network.FACEBOOK)
        if not client_id:
            raise ValueError("No Meta app id is configured; set it before connecting Instagram accounts.")
        return client_id


def caption_of(content: PostContent) -> str:
    """Return the caption: the text, plus the link when it is not in the text (IG links are not clickable)."""
    if content.link and content.link not in content.text:
        return f"{content.text}\n\n{content.link}".strip()
    return content.text


def quota(body: dict[str, Any]) -> tuple[int | None, int | None]:
    """Return (quota_usage, quota_total) from a ``content_publishing_limit`` answer."""
    entries = body.get("data") or []
    entry = entries[0] if entries and isinstance(entries[0], dict) else {}
    config = entry.get("config")
    config = config if isinstance(config, dict) else {}
    return as_count(entry.get("quota_usage")), as_count(config.get("quota_total"))


def match_media(media: list[dict[str, Any]], content: PostContent, since: datetime) -> Receipt | None:
    """Return the first media with the content's caption whose timestamp is not before ``since``."""
    wanted = comparable_text(caption_of(content))
    floor = ensure_utc(since) - CLOCK_SKEW
    for item in media:
        created = parse_time(item.get("timestamp"))
        if not item.get("id") or (created is not None and created < floor):
            continue
        if comparable_text(str(item.get("caption") or "")) == wanted:
            return Receipt(external_id=str(item["id"]), url=str(item.get("permalink") or "") or None)
    return None


def metric_values(values: dict[str, Any]) -> MetricValues:
    """Map media insights to ours: views (legacy ``impressions``) → impressions, likes → reactions.

    ``reach`` and ``saved`` have no field in MetricValues; clicks are not reported for media.
    """
    views = values.get("views", values.get("impressions"))
    return MetricValues(impressions=as_count(views), reactions=as_count(values.get("likes")),
                        comments=as_count(values.get("comments")), shares=as_count(values.get("shares")))


def ig_account(user: dict[str, Any], token: str) -> ConnectedAccount:
    """Return the ConnectedAccount of an IG user object (``id``, ``username``, ``name``)."""
    user_id, username = str(user["id"]), str(user.get("username") or user["id"])
    credentials = Credentials(access_token=token, account_id=user_id, extra={"handle": username})
    return ConnectedAccount(account_id=user_id, name=str(user.get("name") or username), handle=username,
                            credentials=credentials)
