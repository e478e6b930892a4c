"""Facebook Pages adapter: Graph API over ``requests`` with Page access tokens (networks.md §4).

``credentials.account_id`` is the Page id and ``credentials.access_token`` the Page token. Text and
link posts go to ``/{page}/feed``, one photo to ``/{page}/photos``, several photos are uploaded
unpublished and attached to one ``/feed`` post with ``attached_media``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from adapters.graph_client import (
    GRAPH_URL,
    GRAPH_VERSION,
    WWW_URL,
    GraphClient,
    as_count,
    insight_values,
    long_lived_user_token,
    parse_time,
)
from adapters.textcount import comparable_text
from scheduler.clock import ensure_utc
from scheduler.errors import OutcomeUnknownError, RejectedError, TransientError
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

__all__ = ["FacebookAdapter", "GRAPH_VERSION"]

SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights")
#: Current post metrics (the impressions family was removed in 2025–2026, networks.md §4.6).
POST_METRICS = ("post_media_view", "post_clicks", "post_reactions_by_type_total")
COUNT_FIELDS = "shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)"
RECENT_POSTS = 25
PHOTO_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png"})
FORMATS = "JPEG, PNG"
MAX_PHOTO_BYTES = 4 * 1024 * 1024  # Meta's subcode 1366046: "smaller than 4 MB and saved as JPG, PNG"
CLOCK_SKEW = timedelta(seconds=2)  # Graph times are whole seconds


class FacebookAdapter:
    """Publishes to Facebook Pages, reconciles, reads metrics and connects Pages; thread-safe."""

    network: ClassVar[Network] = Network.FACEBOOK

    def __init__(self, config: AdapterConfig) -> None:
        self._config = config
        self._api_url = config.api_urls.get(Network.FACEBOOK, GRAPH_URL).rstrip("/")
        self._graph = GraphClient(config, self._api_url, "Facebook")

    def close(self) -> None:
        """Release pooled connections."""
        self._graph.close()

    # -- validation --------------------------------------------------------------------------

    def validate(self, content: PostContent) -> list[Problem]:
        """Return every reason Facebook would refuse ``content`` (length, photo count, format)."""
        rules = RULES[Network.FACEBOOK]
        fb = Network.FACEBOOK
        problems = []
        message = _message(content)
        if len(message) > rules.max_text:
            problems.append(Problem("text", "too_long", f"Facebook takes at most {rules.max_text:,} characters; "
                                                        f"this text has {len(message):,}.",
                                    params=params(network=fb, limit=rules.max_text, length=len(message))))
        if not message.strip() and not content.media and not content.link:
            problems.append(Problem("text", "empty", "Write a text, add a link or add an image."))
        if len(content.media) > rules.max_media:
            problems.append(Problem("media", "too_many_media",
                                    f"Facebook takes at most {rules.max_media} images per post; "
                                    f"this one has {len(content.media)}.",
                                    params=params(network=fb, limit=rules.max_media, count=len(content.media))))
        if any(not item.mime_type.startswith("image/") for item in content.media):
            problems.append(Problem("media", "media_unsupported",
                                    "Postillon posts photos to Facebook Pages; videos are not supported yet.",
                                    params=params(network=fb)))
        elif any(item.mime_type.lower() not in PHOTO_TYPES for item in content.media):
            problems.append(Problem("media", "media_format",
                                    f"Facebook takes {FORMATS} images only; convert the others first.",
                                    params=params(network=fb, formats=FORMATS)))
        for index, item in enumerate(content.media, 1):
            if item.size_bytes is not None and item.size_bytes >= MAX_PHOTO_BYTES:
                size, most = round(item.size_bytes / 1_048_576, 1), MAX_PHOTO_BYTES / 1_048_576
                problems.append(Problem("media", "media_too_large",
                                        f"Image {index} has {size:.1f} MB; Facebook takes at most {most:.1f} MB.",
                                        params=params(index=index, size=size, network=fb, limit=most)))
        return problems

    # -- publishing ------------------------------------------------------------------------

    def publish(self, credentials: Credentials, content: PostContent) -> Receipt:
        """Create the Page post once: ``/feed``, ``/photos``, or unpublished photos + ``attached_media``."""
        page, token = credentials.account_id, credentials.access_token
        if any(not item.mime_type.startswith("image/") for item in content.media):
            raise RejectedError("Postillon posts photos to Facebook Pages; videos are not supported yet.")
        message = _message(content)
        if not content.media:
            form = {"message": message}
            if content.link:
                form["link"] = content.link
            body = self._graph.post(f"{page}/feed", token, form, mutation=True)
            return _receipt(body.get("id"))
        if len(content.media) == 1:
            form = {"url": content.media[0].url, "published": "true"}
            if message:
                form["caption"] = message
            body = self._graph.post(f"{page}/photos", token, form, mutation=True)
            return _receipt(body.get("post_id"))
        photo_ids = []
        for item in content.media:
            # Unpublished photos are invisible until attached: a failure here publishes nothing.
            uploaded = self._graph.post(f"{page}/photos", token, {"url": item.url, "published": "false"},
                                        mutation=False)
            if not uploaded.get("id"):
                raise TransientError("Facebook did not return an id for an uploaded photo.")
            photo_ids.append(str(uploaded["id"]))
        form = {"message": message} if message else {}
        for index, photo_id in enumerate(photo_ids):
            form[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        return _receipt(self._graph.post(f"{page}/feed", token, form, mutation=True).get("id"))

    def check_pending(self, credentials: Credentials, receipt: Receipt) -> Receipt:
        """Facebook posts are never pending: return the receipt as final."""
        return Receipt(external_id=receipt.external_id, url=receipt.url or _permalink(receipt.external_id))

    def find_existing(self, credentials: Credentials, content: PostContent, since: datetime) -> Receipt | None:
        """Return the Page's recent post with this content created since ``since`` (newest first)."""
        body = self._graph.get(f"{credentials.account_id}/posts", credentials.access_token,
                               {"fields": "id,message,created_time", "limit": str(RECENT_POSTS)})
        return match_post(body, content, since)

    def fetch_metrics(self, credentials: Credentials, external_ids: Sequence[str]) -> dict[str, MetricValues]:
        """Read each post's current insights and counts; a metric Meta does not give is None."""
        out = {}
        for post_id in external_ids:
            insights = self._insights(credentials.access_token, post_id)
            counts = self._graph.call("GET", post_id, credentials.access_token, params={"fields": COUNT_FIELDS},
                                      none_on_invalid=True) or {}
            out[post_id] = metric_values(insights, counts)
        return out

    def _insights(self, token: str, post_id: str) -> dict[str, Any]:
        """Ask for every metric at once; if Meta refuses one (code 100), ask one by one and skip refusals."""
        body = self._graph.call("GET", f"{post_id}/insights", token, params={"metric": ",".join(POST_METRICS)},
                                none_on_invalid=True)
        if body is not None:
            return insight_values(body)
        values: dict[str, Any] = {}
        for metric in POST_METRICS:
            single = self._graph.call("GET", f"{post_id}/insights", token, params={"metric": metric},
                                      none_on_invalid=True)
            values.update(insight_values(single or {}))
        return values

    # -- OAuth -------------------------------------------------------------------------------

    def authorization_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        """Return Facebook Login's dialog URL (no PKCE: the code is redeemed with the app secret)."""
        site = WWW_URL if self._api_url == GRAPH_URL else self._api_url
        query = {"client_id": self._client_id(), "redirect_uri": redirect_uri, "state": state,
                 "response_type": "code", "scope": ",".join(SCOPES)}
        return f"{site}/{self._graph.version}/dialog/oauth?{urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> list[ConnectedAccount]:
        """Code → user token → long-lived user token → one ConnectedAccount per Page with its Page token."""
        user_token = self.long_lived_user_token(code, redirect_uri)
        pages = self._graph.get("me/accounts", user_token, {"fields": "id,name,access_token,tasks", "limit": "100"})
        return pages_to_accounts(pages)

    def long_lived_user_token(self, code: str, redirect_uri: str) -> str:
        """Redeem the code and exchange the short-lived user token for a long-lived one."""
        return long_lived_user_token(self._graph, self._client_id(),
                                     self._config.client_secrets.get(Network.FACEBOOK, ""), code, redirect_uri)

    def refresh(self, credentials: Credentials) -> Credentials:
        """Page tokens do not refresh: return them unchanged while ``/me`` accepts them, else AuthExpiredError."""
        self._graph.get("me", credentials.access_token, {"fields": "id"})
        return credentials

    def _client_id(self) -> str:
        client_id = self._config.client_ids.get(Network.FACEBOOK)
        if not client_id:
            raise ValueError("No Facebook app id is configured; set it before connecting Facebook Pages.")
        return client_id


def _message(content: PostContent) -> str:
    """Return the text to send: with photos the link cannot be a separate field, so it joins the text."""
    if content.media and content.link and content.link not in content.text:
        return f"{content.text}\n\n{content.link}".strip()
    return content.text


def _permalink(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


def _receipt(post_id: Any) -> Receipt:
    if not post_id:
        raise OutcomeUnknownError("Facebook accepted the post but sent no id; it may be live.")
    return Receipt(external_id=str(post_id), url=_permalink(str(post_id)))


def match_post(body: dict[str, Any], content: PostContent, since: datetime) -> Receipt | None:
    """Return the first post in a ``/posts`` answer with the content's text created since ``since``."""
    wanted = comparable_text(_message(content))
    floor = ensure_utc(since) - CLOCK_SKEW
    for item in body.get("data") or []:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        created = parse_time(item.get("created_time"))
        if created is not None and created < floor:
            continue
        if comparable_text(str(item.get("message") or "")) == wanted:
            return Receipt(external_id=str(item["id"]), url=str(item.get("permalink_url") or _permalink(item["id"])))
    return None


def metric_values(insights: dict[str, Any], counts: dict[str, Any]) -> MetricValues:
    """Map post insights and the post's summary counts to ours; a figure Meta did not give is None.

    impressions = ``post_media_view``; reactions = sum of ``post_reactions_by_type_total``, else
    ``reactions.summary.total_count``; comments = ``comments.summary.total_count``; shares =
    ``shares.count``; clicks = ``post_clicks``.
    """

    def summary(name: str) -> int | None:
        block = counts.get(name)
        return as_count((block.get("summary") or {}).get("total_count")) if isinstance(block, dict) else None

    reactions = as_count(insights.get("post_reactions_by_type_total"))
    shares = counts.get("shares")
    return MetricValues(
        impressions=as_count(insights.get("post_media_view")),
        reactions=reactions if reactions is not None else summary("reactions"),
        comments=summary("comments"),
        shares=as_count(shares.get("count")) if isinstance(shares, dict) else None,
        clicks=as_count(insights.get("post_clicks")),
    )


def pages_to_accounts(body: dict[str, Any]) -> list[ConnectedAccount]:
    """Return one ConnectedAccount per Page in a ``/me/accounts`` answer that carries a Page token."""
    accounts = []
    for page in body.get("data") or []:
        if not isinstance(page, dict) or not page.get("id") or not page.get("access_token"):
            continue
        page_id, name = str(page["id"]), str(page.get("name") or page["id"])
        credentials = Credentials(access_token=str(page["access_token"]), account_id=page_id,
                                  extra={"page_name": name})
        accounts.append(ConnectedAccount(account_id=page_id, name=name, handle=str(page.get("username") or name),
                                         credentials=credentials))
    return accounts

