"""X (Twitter) adapter: API v2 through tweepy with OAuth 2.0 user-context tokens.

tweepy's ``Client`` hard-codes ``https://api.twitter.com`` and has no timeout argument; both come
from the shared session of ``adapters._http``, which rewrites that origin to the configured base
URL (the sandbox in tests and the zero-setup run) and applies the configured timeouts.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import requests
import tweepy

from adapters._http import (
    json_object,
    new_session,
    redact_logger,
    timeouts,
    truncate,
)
from adapters.textcount import comparable_text, text_problems, weighted_length
from adapters.x_errors import MAX_MESSAGE, body_messages, error_messages, join_messages, refused_private, translate
from adapters.x_media import MediaUploader, media_problems
from scheduler.clock import ensure_utc, utcnow
from scheduler.errors import (
    AuthExpiredError,
    OutcomeUnknownError,
    RejectedError,
    TransientError,
)
from scheduler.networks import Network
from scheduler.ports import (
    AdapterConfig,
    ConnectedAccount,
    Credentials,
    MetricValues,
    PostContent,
    Problem,
    Receipt,
)

__all__ = ["XAdapter", "weighted_length"]

TWEEPY_ORIGIN = "https://api.twitter.com"  # what tweepy 4.17 prefixes to every v2 route
REAL_API_URLS = frozenset({"https://api.twitter.com", "https://api.x.com"})
REAL_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", "media.write")
# media.write is asked for but not required: text posts work without it (images then get a 403).
REQUIRED_SCOPES = frozenset({"tweet.read", "tweet.write", "users.read"})
USER_AGENT = "Postillon (self-hosted scheduler)"

IDS_PER_LOOKUP = 100  # GET /2/tweets and GET /2/users/:id/tweets take at most 100
PUBLIC_FIELDS = ["public_metrics"]
PRIVATE_FIELDS = ["public_metrics", "non_public_metrics"]


class XAdapter:
    """Publishes to X, reconciles unknown outcomes and reads metrics; safe to share between threads.

    One pooled ``requests.Session`` serves every thread: urllib3's pool is thread-safe, the session
    keeps no cookies and no per-account state (the bearer token travels in each request's headers),
    and the pool holds ~64 connections, the worker's concurrency. The tweepy ``Client`` is built
    per call because it carries the account's token; it is a thin object over that session.
    """

    network: ClassVar[Network] = Network.X

    def __init__(self, config: AdapterConfig) -> None:
        self._config = config
        self._api_url = config.api_urls.get(Network.X, TWEEPY_ORIGIN).rstrip("/")
        self._session = new_session(
            USER_AGENT, timeout=timeouts(config), rewrites={TWEEPY_ORIGIN: self._api_url}
        )
        # v2 uploads go to the configured upload host (the sandbox in tests), else to the API host.
        self._media = MediaUploader(self._session, config.upload_urls.get(Network.X) or self._api_url)
        redact_logger("tweepy.client")  # tweepy logs the Authorization header at DEBUG

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    # -- validation --------------------------------------------------------------------------

    def validate(self, content: PostContent) -> list[Problem]:
        """Return every reason X would refuse ``content`` (weighted length, cashtags, images)."""
        problems = text_problems(content.text)
        if not content.text.strip() and not content.media:
            problems.insert(0, Problem("text", "empty", "Write a text, add a link or add an image."))
        return problems + media_problems(content.media)

    # -- publishing ------------------------------------------------------------------------

    def publish(self, credentials: Credentials, content: PostContent) -> Receipt:
        """Upload the images, then create the post with ``POST /2/tweets``; never retries.

        A failed upload leaves nothing visible behind, so it raises TransientError or RejectedError,
        never OutcomeUnknownError; only the create itself can end with an unknown outcome.
        """
        if problems := media_problems(content.media):
            raise RejectedError(problems[0].message)
        media_ids = self._media.upload_all(credentials.access_token, content.media)
        client = self._client(credentials)
        text = content.text if content.text or not media_ids else None  # X takes media without text
        try:
            body = client.create_tweet(text=text, media_ids=media_ids or None, user_auth=False)
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise translate(exc, mutation=True) from exc
        tweet_id = (body.get("data") or {}).get("id")
        if tweet_id:
            return Receipt(external_id=str(tweet_id), url=_permalink(credentials, tweet_id, self._api_url))
        if errors := body.get("errors"):
            text = truncate(join_messages(error_messages(errors)), MAX_MESSAGE)
            raise RejectedError(f"X refused the post: {text}", status=201, detail=truncate(json.dumps(errors)))
        # A success status without an id: we cannot tell whether the post exists.
        raise OutcomeUnknownError("X answered without a post id; the post may be live.", status=201)

    def check_pending(self, credentials: Credentials, receipt: Receipt) -> Receipt:
        """Return ``receipt`` unchanged: X posts are live as soon as they are created."""
        return receipt

    def find_existing(self, credentials: Credentials, content: PostContent, since: datetime) -> Receipt | None:
        """Return the account's post created after ``since`` whose text matches ``content``.

        X returns every URL as a t.co link and HTML-escapes ``&<>``, so both texts are compared with
        URLs replaced by a placeholder, NFC-normalised and with whitespace collapsed.
        """
        client = self._client(credentials)
        wanted = comparable_text(content.text)
        for tweet in self._timeline(client, credentials, ensure_utc(since)):
            if comparable_text(html.unescape(str(tweet.get("text", "")))) == wanted:
                return Receipt(external_id=str(tweet["id"]), url=_permalink(credentials, tweet["id"], self._api_url))
        return None

    def _timeline(self, client: tweepy.Client, credentials: Credentials, since: datetime) -> Iterator[dict[str, Any]]:
        """Yield the account's posts since ``since``, newest first, following every page."""
        try:
            user_id = credentials.account_id or _me(client)["id"]
            token: str | None = None
            while True:
                page = client.get_users_tweets(
                    user_id, start_time=since, max_results=IDS_PER_LOOKUP, pagination_token=token, user_auth=False
                )
                yield from page.get("data") or []
                token = (page.get("meta") or {}).get("next_token")
                if not token:
                    return
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise translate(exc, mutation=False) from exc

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, credentials: Credentials, external_ids: Sequence[str]) -> dict[str, MetricValues]:
        """Return X's figures per post id; posts X did not return are left out.

        Asks for ``non_public_metrics`` (impressions and link clicks, only for the author's own posts
        of the last 30 days); where X refuses them, asks once more with ``public_metrics`` only.
        """
        client = self._client(credentials)
        ids = list(dict.fromkeys(str(i) for i in external_ids))
        result: dict[str, MetricValues] = {}
        for start in range(0, len(ids), IDS_PER_LOOKUP):
            chunk = ids[start : start + IDS_PER_LOOKUP]
            for tweet in self._metrics_chunk(client, chunk):
                result[str(tweet["id"])] = _metric_values(tweet)
        return result

    def _metrics_chunk(self, client: tweepy.Client, ids: list[str]) -> list[dict[str, Any]]:
        """Fetch one chunk with private metrics, falling back once to public ones where refused."""
        try:
            try:
                body = client.get_tweets(ids, tweet_fields=PRIVATE_FIELDS, user_auth=False)
            except tweepy.Forbidden:
                tweets: list[dict[str, Any]] = []
                refused = ids
            else:
                tweets = list(body.get("data") or [])
                got = {str(t["id"]) for t in tweets}
                refused = [i for i in ids if i not in got] if refused_private(body.get("errors") or []) else []
            if refused:
                retry = client.get_tweets(refused, tweet_fields=PUBLIC_FIELDS, user_auth=False)
                tweets.extend(retry.get("data") or [])
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise translate(exc, mutation=False) from exc
        return tweets

    # -- OAuth 2.0 with PKCE ---------------------------------------------------------------

    def authorization_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        """Return X's consent page URL (authorization code flow, PKCE S256)."""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode("ascii")).digest())
        params = {
            "response_type": "code",
            "client_id": self._client_id(),
            "redirect_uri": redirect_uri,
            "scope": " ".join(SCOPES),
            "state": state,
            "code_challenge": challenge.rstrip(b"=").decode("ascii"),
            "code_challenge_method": "S256",
        }
        base = REAL_AUTHORIZE_URL if self._api_url in REAL_API_URLS else f"{self._api_url}/i/oauth2/authorize"
        return f"{base}?{urlencode(params, quote_via=quote)}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> list[ConnectedAccount]:
        """Trade the authorization code for tokens and return the one account they act for."""
        tokens = self._token_request({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        })
        granted = set(str(tokens.get("scope", " ".join(SCOPES))).split())
        if missing := sorted(REQUIRED_SCOPES - granted):
            raise AuthExpiredError(f"X did not grant {', '.join(missing)}; connect again and allow posting.")
        credentials = _credentials_from(tokens, Credentials(access_token=""))
        try:
            user = _me(self._client(credentials))
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise translate(exc, mutation=False) from exc
        account_id, handle = str(user["id"]), str(user["username"])
        credentials = replace(credentials, account_id=account_id, extra={"handle": handle})
        return [ConnectedAccount(account_id=account_id, name=str(user.get("name") or handle), handle=handle,
                                 credentials=credentials)]

    def refresh(self, credentials: Credentials) -> Credentials:
        """Return new credentials from the refresh token (X rotates it); AuthExpiredError if refused."""
        if not credentials.refresh_token:
            raise AuthExpiredError("This X connection has no refresh token; connect the channel again.")
        tokens = self._token_request({"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})
        return _credentials_from(tokens, credentials)

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        """POST ``form`` to X's token endpoint as a confidential client (Basic auth) or a public one.

        Without a configured client id the form goes as it is (the sandbox needs none; X answers
        401, which becomes AuthExpiredError), so worker paths only ever see typed errors.
        """
        client_id = self._config.client_ids.get(Network.X)
        secret = self._config.client_secrets.get(Network.X)
        auth = requests.auth.HTTPBasicAuth(client_id, secret) if client_id and secret else None
        if client_id and not secret:
            form = {**form, "client_id": client_id}
        try:
            response = self._session.post(f"{self._api_url}/2/oauth2/token", data=form, auth=auth)
        except requests.RequestException as exc:
            raise translate(exc, mutation=False) from exc
        if response.status_code in (400, 401):  # invalid_grant, revoked or expired refresh token
            raise AuthExpiredError(
                f"X refused the sign-in ({join_messages(body_messages(response))}); connect the channel again.",
                status=response.status_code, detail=truncate(response.text),
            )
        if not response.ok:
            raise translate(requests.HTTPError(response=response), mutation=False)
        tokens = json_object(response)
        if not tokens.get("access_token"):
            raise TransientError("X's token endpoint sent no access token.", status=response.status_code,
                                 detail=truncate(response.text))
        return tokens

    def _client_id(self) -> str:
        """Return the configured X client id; ValueError when there is none (a setup mistake)."""
        client_id = self._config.client_ids.get(Network.X)
        if not client_id:
            raise ValueError("No X client id is configured; set it before connecting X channels.")
        return client_id

    def _client(self, credentials: Credentials) -> tweepy.Client:
        """Return a tweepy Client for one account's OAuth 2.0 user token over the shared session.

        ``return_type=dict`` gives X's JSON as sent: tweepy's model classes warn about fields that X
        renamed in 2026 (``edit_history_tweet_ids``) and hide nothing we need.
        """
        client = tweepy.Client(bearer_token=credentials.access_token, return_type=dict, wait_on_rate_limit=False)
        client.session = self._session
        return client


def _me(client: tweepy.Client) -> dict[str, Any]:
    """Return the account the client's token acts for (``GET /2/users/me``): id, name, username."""
    user = client.get_me(user_auth=False).get("data") or {}
    if not user.get("id") or not user.get("username"):
        raise TransientError("X did not say which account this token belongs to.")
    return dict(user)


def _metric_values(tweet: dict[str, Any]) -> MetricValues:
    """Map X's metrics to ours; a figure X did not send is None, never 0.

    reactions = likes + reposts (retweets) + quotes; shares = reposts + quotes; comments = replies;
    impressions prefer ``non_public_metrics`` and fall back to ``public_metrics``;
    clicks = ``url_link_clicks`` (private metrics only).
    """
    public: dict[str, Any] = tweet.get("public_metrics") or {}
    private: dict[str, Any] = tweet.get("non_public_metrics") or {}

    def total(*keys: str) -> int | None:
        if any(public.get(k) is None for k in keys):
            return None
        return sum(int(public[k]) for k in keys)

    impressions = private.get("impression_count", public.get("impression_count"))
    return MetricValues(
        impressions=impressions,
        reactions=total("like_count", "retweet_count", "quote_count"),
        comments=public.get("reply_count"),
        shares=total("retweet_count", "quote_count"),
        clicks=private.get("url_link_clicks"),
    )


def _credentials_from(tokens: dict[str, Any], previous: Credentials) -> Credentials:
    """Return ``previous`` updated with a token response (keeps the old refresh token if none came)."""
    expires_in = tokens.get("expires_in")
    return replace(
        previous,
        access_token=str(tokens["access_token"]),
        refresh_token=tokens.get("refresh_token") or previous.refresh_token,
        expires_at=utcnow() + timedelta(seconds=int(expires_in)) if expires_in else None,
    )


def _permalink(credentials: Credentials, tweet_id: object, api_url: str) -> str:
    # Against the sandbox, link to its page of the post, so "View post" shows what was posted.
    site = "https://x.com" if api_url in REAL_API_URLS else api_url + "/x"
    handle = credentials.extra.get("handle", "").lstrip("@")
    return f"{site}/{handle}/status/{tweet_id}" if handle else f"{site}/i/web/status/{tweet_id}"
