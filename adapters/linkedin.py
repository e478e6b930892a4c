"""LinkedIn adapter: company-page posts through the versioned REST API (``/rest/posts``), with python-linkedin-v2.

python-linkedin-v2 0.9.4 predates the versioned API (networks.md §3.10). It is used where it still fits:
``LinkedInAuthentication`` builds the consent URL (its legacy ``/uas/`` URL is overridden per instance)
and ``LinkedInApplication`` carries the token, with ``make_request`` overridden so that each call goes
through the shared session of ``adapters._http`` (pool, timeouts, no retries) with ``Authorization:
Bearer``, ``LinkedIn-Version`` and ``X-Restli-Protocol-Version`` headers, a JSON-encoded body and no
``oauth2_access_token`` query parameter (which would put the token into URLs and logs). The token
exchange and refresh also use the shared session directly: the library's ``get_access_token`` drops the
refresh token and calls a retired URL, and it has no refresh grant at all. Its ``raise_for_error``
crashes on current error bodies, so every answer is checked here (``adapters.linkedin_errors``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

import requests
from linkedin_v2.linkedin import LinkedInAuthentication

from adapters._http import json_object, new_session, timeouts, truncate
from adapters.linkedin_client import LinkedInRestApplication, urn_param
from adapters.linkedin_errors import duplicate_urn, next_midnight_utc, translate
from adapters.linkedin_media import ImageUploader, media_problems, post_content
from adapters.linkedin_text import escape_commentary, unescape_commentary
from adapters.textcount import comparable_text
from scheduler.clock import ensure_utc, utcnow
from scheduler.errors import AuthExpiredError, OutcomeUnknownError, RejectedError, TransientError
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

__all__ = ["DEFAULT_VERSION", "LinkedInAdapter", "duplicate_urn", "escape_commentary", "next_midnight_utc",
           "unescape_commentary"]

REAL_API_URL = "https://api.linkedin.com"
REAL_WEB_URL = "https://www.linkedin.com"  # consent page, token endpoint and post pages
DEFAULT_VERSION = "202610"  # LinkedIn-Version (YYYYMM); versions live about a year, so keep it current
SCOPES = ("r_organization_social", "w_organization_social", "rw_organization_admin")
USER_AGENT = "Postillon (self-hosted scheduler)"
PAGE_SIZE = 50  # posts per page of the author finder
MAX_PAGES = 4  # reconciliation looks at the newest 200 posts at most
STATS_PER_CALL = 50


class LinkedInAdapter:
    """Publishes to LinkedIn company pages, reconciles unknown outcomes and reads share statistics.

    Thread-safe: one pooled session serves every thread; the token travels per request.
    """

    network: ClassVar[Network] = Network.LINKEDIN

    def __init__(self, config: AdapterConfig, *, version: str = DEFAULT_VERSION) -> None:
        self._config = config
        self._version = version
        self._api_url = config.api_urls.get(Network.LINKEDIN, REAL_API_URL).rstrip("/")
        self._real = self._api_url == REAL_API_URL
        # The sandbox serves the OAuth pages and post pages on its one host.
        self._web_url = REAL_WEB_URL if self._real else self._api_url
        self._session = new_session(USER_AGENT, timeout=timeouts(config))
        self._images = ImageUploader(self._session, self._call, self._api_url, real=self._real)

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    # -- validation ------------------------------------------------------------------------

    def validate(self, content: PostContent) -> list[Problem]:
        """Return every reason LinkedIn would refuse ``content`` (length after escaping, images)."""
        problems = []
        limit = RULES[Network.LINKEDIN].max_text
        if not content.text.strip() and not content.media:
            problems.append(Problem("text", "empty", "Write a text, add a link or add an image."))
        length, escaped = len(content.text), len(escape_commentary(content.text))
        if length > limit:
            problems.append(Problem("text", "too_long",
                                    f"LinkedIn takes at most {limit:,} characters; this text has {length:,}.",
                                    params=params(network=Network.LINKEDIN, limit=limit, length=length)))
        elif escaped > limit:
            problems.append(Problem(
                "text", "too_long_escaped",
                f"LinkedIn takes {limit:,} characters; this text counts {escaped:,} (each of \\ | {{ }} @ [ ] ( ) "
                "< > * _ ~ counts twice because it must be escaped).",
                params=params(limit=limit, length=escaped),
            ))
        return problems + media_problems(content.media)

    # -- publishing ------------------------------------------------------------------------

    def publish(self, credentials: Credentials, content: PostContent) -> Receipt:
        """Upload the images, then create the post with ``POST /rest/posts`` as ``credentials.account_id``.

        Never retries. Upload failures are TransientError or RejectedError (an unused image is visible
        to no one); only the create itself can end with an unknown outcome.
        """
        if problems := media_problems(content.media):
            raise RejectedError(problems[0].message)
        author = self._author(credentials)
        urns = self._images.upload_all(credentials, author, content.media)
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_commentary(content.text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if urns:
            body["content"] = post_content(urns, content.media)
        response = self._call(credentials, "POST", "/rest/posts", data=body, mutation=True)
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise OutcomeUnknownError("LinkedIn answered without a post URN; the post may be live.",
                                      status=response.status_code, detail=truncate(response.text))
        return Receipt(external_id=urn, url=self.post_url(urn))

    def post_url(self, urn: str) -> str:
        """Return the public page of a post (the sandbox's own page when not talking to LinkedIn)."""
        return f"{self._web_url}/feed/update/{urn}/"

    def check_pending(self, credentials: Credentials, receipt: Receipt) -> Receipt:
        """Return ``receipt`` unchanged: LinkedIn posts are live once created."""
        return receipt

    def find_existing(self, credentials: Credentials, content: PostContent, since: datetime) -> Receipt | None:
        """Return the organization's post created after ``since`` whose unescaped text matches ``content``."""
        wanted = comparable_text(content.text)
        since_ms = ensure_utc(since).timestamp() * 1000
        for post in self._recent_posts(credentials):
            created = post.get("createdAt") or post.get("publishedAt") or 0
            if created and created < since_ms:
                return None  # newest first: nothing older can match
            if comparable_text(unescape_commentary(str(post.get("commentary", "")))) == wanted and post.get("id"):
                return Receipt(external_id=str(post["id"]), url=self.post_url(str(post["id"])))
        return None

    def _recent_posts(self, credentials: Credentials) -> Iterator[dict[str, Any]]:
        author = urn_param(self._author(credentials))
        for page in range(MAX_PAGES):
            path = f"/rest/posts?author={author}&q=author&count={PAGE_SIZE}&start={page * PAGE_SIZE}"
            body = json_object(self._call(credentials, "GET", path, headers={"X-RestLi-Method": "FINDER"}))
            elements = [e for e in body.get("elements") or [] if isinstance(e, dict)]
            yield from elements
            if len(elements) < PAGE_SIZE:
                return

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, credentials: Credentials, external_ids: Sequence[str]) -> dict[str, MetricValues]:
        """Return lifetime share statistics per post URN; posts LinkedIn did not return are left out."""
        organization = urn_param(self._author(credentials))
        urns = list(dict.fromkeys(str(i) for i in external_ids))
        result: dict[str, MetricValues] = {}
        for start in range(0, len(urns), STATS_PER_CALL):
            chunk = urns[start : start + STATS_PER_CALL]
            query = f"q=organizationalEntity&organizationalEntity={organization}"
            for key, prefix in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")):
                mine = [urn_param(u) for u in chunk if u.startswith(prefix)]
                if mine:
                    query += f"&{key}=List({','.join(mine)})"
            if "List(" not in query:
                continue
            body = json_object(self._call(credentials, "GET", f"/rest/organizationalEntityShareStatistics?{query}"))
            for element in body.get("elements") or []:
                urn = element.get("share") or element.get("ugcPost") if isinstance(element, dict) else None
                if urn:
                    result[str(urn)] = metric_values(element.get("totalShareStatistics") or {})
        return result

    # -- OAuth 2.0 (3-legged) --------------------------------------------------------------

    def authorization_url(self, state: str, redirect_uri: str, code_verifier: str) -> str:
        """Return LinkedIn's consent page URL (no PKCE on LinkedIn: ``code_verifier`` is unused)."""
        auth = LinkedInAuthentication(self._client_id(), "", redirect_uri, list(SCOPES))
        auth.AUTHORIZATION_URL = f"{self._web_url}/oauth/v2/authorization"  # the library's /uas/ URL is retired
        auth.state = state  # otherwise the library invents a new, unstored state on every access
        return str(auth.authorization_url)

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> list[ConnectedAccount]:
        """Trade the code for tokens; return one account per organization the member administers."""
        tokens = self._token_request({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
        member = _credentials_from(tokens, Credentials(access_token=""))
        acls = json_object(self._call(member, "GET", "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR"
                                                     "&state=APPROVED"))
        accounts = []
        for element in acls.get("elements") or []:
            urn = str(element.get("organization") or element.get("organizationTarget") or "")
            if not urn.startswith("urn:li:organization:"):
                continue
            org = json_object(self._call(member, "GET", f"/rest/organizations/{urn.rsplit(':', 1)[-1]}"))
            name = str(org.get("localizedName") or urn)
            handle = str(org.get("vanityName") or urn.rsplit(":", 1)[-1])
            credentials = replace(member, account_id=urn, extra={"handle": handle})
            accounts.append(ConnectedAccount(account_id=urn, name=name, handle=handle, credentials=credentials))
        if not accounts:
            raise RejectedError("The LinkedIn member who signed in administers no company page; sign in as a page "
                                "administrator.")
        return accounts

    def refresh(self, credentials: Credentials) -> Credentials:
        """Return new credentials (the stored refresh token is kept when none comes); AuthExpiredError if refused."""
        if not credentials.refresh_token:
            raise AuthExpiredError("This LinkedIn connection has no refresh token; connect the channel again.")
        tokens = self._token_request({"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})
        return _credentials_from(tokens, credentials)

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        """POST ``form`` with the app's client id and secret to the token endpoint (shared session, not the library)."""
        form = {**form, "client_id": self._config.client_ids.get(Network.LINKEDIN, ""),
                "client_secret": self._config.client_secrets.get(Network.LINKEDIN, "")}
        try:
            response = self._session.post(f"{self._web_url}/oauth/v2/accessToken", data=form)
        except requests.RequestException as exc:
            raise translate(exc, mutation=False) from exc
        if response.status_code in (400, 401):  # invalid_grant / invalid_request: expired or revoked
            raise AuthExpiredError(
                f"LinkedIn refused the sign-in ({truncate(response.text, 300)}); connect the channel again.",
                status=response.status_code, detail=truncate(response.text))
        if not response.ok:
            raise translate(response, mutation=False)
        tokens = json_object(response)
        if not tokens.get("access_token"):
            raise TransientError("LinkedIn's token endpoint sent no access token.", status=response.status_code,
                                 detail=truncate(response.text))
        return tokens

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, credentials: Credentials, method: str, path: str, *, data: Any = None,
              headers: Mapping[str, str] | None = None, mutation: bool = False) -> requests.Response:
        """Make one REST call through python-linkedin-v2; raise the typed error for anything but 2xx."""
        app = LinkedInRestApplication(self._session, credentials.access_token, self._version)
        try:
            response = app.make_request(method, self._api_url + path, data=data, headers=headers)
        except requests.RequestException as exc:
            raise translate(exc, mutation=mutation) from exc
        if not response.ok:
            raise translate(response, mutation=mutation)
        return response

    def _author(self, credentials: Credentials) -> str:
        if not credentials.account_id.startswith("urn:li:"):
            raise RejectedError("This LinkedIn channel has no organization URN; connect it again and pick a page.")
        return credentials.account_id

    def _client_id(self) -> str:
        client_id = self._config.client_ids.get(Network.LINKEDIN)
        if not client_id:
            raise ValueError("No LinkedIn client id is configured; set it before connecting LinkedIn channels.")
        return client_id


def metric_values(stats: Mapping[str, Any]) -> MetricValues:
    """Map ``totalShareStatistics`` to our figures; a figure LinkedIn did not send is None, never 0."""

    def figure(key: str) -> int | None:
        value = stats.get(key)
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    return MetricValues(impressions=figure("impressionCount"), reactions=figure("likeCount"),
                        comments=figure("commentCount"), shares=figure("shareCount"), clicks=figure("clickCount"))


def _credentials_from(tokens: Mapping[str, Any], previous: Credentials) -> Credentials:
    """Return ``previous`` updated with a token answer; a stored refresh token is kept when none came."""
    expires_in = tokens.get("expires_in")
    extra = dict(previous.extra)
    if tokens.get("refresh_token_expires_in"):
        refresh_ttl = timedelta(seconds=int(tokens["refresh_token_expires_in"]))
        extra["refresh_expires_at"] = (utcnow() + refresh_ttl).isoformat()
    return replace(
        previous,
        access_token=str(tokens["access_token"]),
        refresh_token=tokens.get("refresh_token") or previous.refresh_token,
        expires_at=utcnow() + timedelta(seconds=int(expires_in)) if expires_in else None,
        extra=extra,
    )
