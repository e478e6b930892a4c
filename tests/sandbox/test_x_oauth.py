"""X's OAuth 2.0 with PKCE on the sandbox: consent page, code exchange, refresh rotation."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.sandbox.support import Sandbox

VERIFIER = "v" * 64
REDIRECT = "http://127.0.0.1:5000/channels/x/callback"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize_url(sbx: Sandbox, **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": "postillon",
        "redirect_uri": REDIRECT,
        "scope": "tweet.read tweet.write users.read offline.access",
        "state": "s-123",
        "code_challenge": _challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return f"{sbx.url}/i/oauth2/authorize?{urlencode(params)}"


def _consent(sbx: Sandbox, username: str = "acme_jobs", decision: str = "allow") -> dict[str, list[str]]:
    response = sbx.session.post(
        _authorize_url(sbx), data={"username": username, "name": "ACME", "decision": decision}, allow_redirects=False
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)


def _token(sbx: Sandbox, **form: str) -> tuple[int, dict[str, object]]:
    response = sbx.session.post(f"{sbx.url}/2/oauth2/token", data=form)
    return response.status_code, response.json()


def test_consent_page_asks_for_a_username(sbx: Sandbox) -> None:
    page = sbx.session.get(_authorize_url(sbx))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<label for="username">' in page.text and "postillon" in page.text


@pytest.mark.parametrize(
    "override",
    [
        {"response_type": "token"},
        {"redirect_uri": "javascript:alert(1)"},
        {"code_challenge_method": "md5"},
        {"state": ""},
    ],
)
def test_consent_page_refuses_a_malformed_request(sbx: Sandbox, override: dict[str, str]) -> None:
    assert sbx.session.get(_authorize_url(sbx, **override)).status_code == 400


def test_code_exchange_with_the_right_verifier_gives_working_tokens(sbx: Sandbox) -> None:
    query = _consent(sbx)
    assert query["state"] == ["s-123"]
    status, tokens = _token(
        sbx, grant_type="authorization_code", code=query["code"][0], redirect_uri=REDIRECT, code_verifier=VERIFIER
    )
    assert status == 200 and tokens["token_type"] == "bearer" and tokens["expires_in"] == 7200
    assert "tweet.write" in str(tokens["scope"]).split()
    me = sbx.get(str(tokens["access_token"]), "/2/users/me").json()["data"]
    assert me["username"] == "acme_jobs"


def test_code_exchange_refuses_a_wrong_verifier_and_a_second_use(sbx: Sandbox) -> None:
    code = _consent(sbx)["code"][0]
    assert (
        _token(sbx, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier="w" * 64)[0] == 400
    )
    code = _consent(sbx)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": VERIFIER}
    assert _token(sbx, **form)[0] == 200
    status, body = _token(sbx, **form)
    assert status == 400 and body["error"] == "invalid_request"


def test_code_expires_after_30_seconds(sbx: Sandbox) -> None:
    code = _consent(sbx)["code"][0]
    sbx.clock.advance(30)
    assert (
        _token(sbx, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)[0] == 400
    )


def test_denying_sends_access_denied_back(sbx: Sandbox) -> None:
    assert _consent(sbx, decision="deny") == {"error": ["access_denied"], "state": ["s-123"]}


def test_consenting_twice_with_one_username_reuses_the_account(sbx: Sandbox) -> None:
    _consent(sbx)
    _consent(sbx)
    assert len(sbx.admin("GET", "x/accounts", 200)["accounts"]) == 1


def test_refresh_rotates_both_tokens(sbx: Sandbox) -> None:
    account = sbx.account()
    status, fresh = _token(sbx, grant_type="refresh_token", refresh_token=account["refresh_token"])
    assert status == 200 and fresh["refresh_token"] != account["refresh_token"]
    assert sbx.create(account["access_token"], "old token").status_code == 401
    assert sbx.create(str(fresh["access_token"]), "new token").status_code == 201
    assert _token(sbx, grant_type="refresh_token", refresh_token=account["refresh_token"])[0] == 400


def test_unsupported_grant_is_refused(sbx: Sandbox) -> None:
    status, body = _token(sbx, grant_type="client_credentials")
    assert status == 400 and body["error"] == "unsupported_grant_type"


def test_token_endpoint_is_down_during_an_outage(sbx: Sandbox) -> None:
    now = sbx.clock().timestamp()
    sbx.knobs(outages=[[now, now + 10]])
    assert _token(sbx, grant_type="refresh_token", refresh_token="x")[0] == 503
