"""The sandbox's LinkedIn REST API and OAuth pages, called with plain requests (fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.sandbox.support import Sandbox

V = "202601"  # the tests set the fake clock; versions are active for 12 months


@pytest.fixture
def li(sbx: Sandbox) -> Sandbox:
    sbx.clock.set(datetime(2026, 6, 15, 12, 0, tzinfo=UTC))
    return sbx


def member(sbx: Sandbox, username: str = "acme") -> dict[str, Any]:
    data = sbx.admin("POST", "linkedin/accounts", 201, json={"username": username, "name": "ACME GmbH"})
    data["org"] = f"urn:li:organization:{data['account_id']}"
    return dict(data)


def headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "LinkedIn-Version": V, "X-Restli-Protocol-Version": "2.0.0", **extra}


def create(sbx: Sandbox, token: str, author: str, commentary: str, hdrs: dict[str, str] | None = None,
           **body: Any) -> requests.Response:
    payload = {"author": author, "commentary": commentary, "visibility": "PUBLIC",
               "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                "thirdPartyDistributionChannels": []},
               "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False, **body}
    return sbx.session.post(f"{sbx.url}/rest/posts", json=payload, headers=hdrs or headers(token), timeout=5)


def test_create_answers_201_with_the_urn_in_a_header(li: Sandbox) -> None:
    m = member(li)
    response = create(li, m["access_token"], m["org"], "Hello \\(world\\)")
    assert response.status_code == 201 and response.content == b""
    urn = response.headers["x-restli-id"]
    assert urn.startswith("urn:li:share:")
    [stored] = li.admin("GET", "linkedin/posts", 200)["posts"]
    assert stored["text"] == "Hello \\(world\\)" and urn.endswith(stored["id"])


def test_unknown_token_gets_the_linkedin_401_body(li: Sandbox) -> None:
    response = create(li, "nope", "urn:li:organization:1", "x")
    assert response.status_code == 401
    assert response.json() == {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                               "message": "Invalid access token"}


@pytest.mark.parametrize(
    ("drop", "value", "status", "code"),
    [
        ("LinkedIn-Version", None, 400, "VERSION_MISSING"),
        ("LinkedIn-Version", "202401", 426, "NONEXISTENT_VERSION"),
        ("LinkedIn-Version", "202612", 426, "NONEXISTENT_VERSION"),  # not out yet
        ("LinkedIn-Version", "20260x", 426, "NONEXISTENT_VERSION"),
        ("X-Restli-Protocol-Version", None, 400, "INVALID_PROTOCOL_VERSION"),
    ],
)
def test_version_headers_are_required(li: Sandbox, drop: str, value: str | None, status: int, code: str) -> None:
    m = member(li)
    hdrs = headers(m["access_token"])
    del hdrs[drop]
    if value is not None:
        hdrs[drop] = value
    response = create(li, m["access_token"], m["org"], "x", hdrs)
    assert response.status_code == status and response.json()["code"] == code
    if status == 426:
        assert response.json()["message"] == f"Requested version {value} is not active"


def test_a_patch_version_is_accepted(li: Sandbox) -> None:
    m = member(li)
    hdrs = headers(m["access_token"], **{"LinkedIn-Version": "202605.01"})
    assert create(li, m["access_token"], m["org"], "x", hdrs).status_code == 201


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"commentary": "x" * 3001}, "/commentary"),
        ({"visibility": "EVERYONE"}, "/visibility"),
        ({"lifecycleState": "LIVE"}, "/lifecycleState"),
        ({"distribution": {}}, "/distribution/feedDistribution"),
        ({"author": "acme"}, "/author"),
    ],
)
def test_invalid_bodies_get_422_naming_the_field(li: Sandbox, body: dict[str, Any], path: str) -> None:
    m = member(li)
    response = create(li, m["access_token"], body.pop("author", m["org"]), body.pop("commentary", "x"), **body)
    assert response.status_code == 422
    assert response.json()["message"].startswith(f"ERROR :: {path} :: ")


def test_another_organization_is_forbidden(li: Sandbox) -> None:
    m, other = member(li), member(li, "other")
    response = create(li, m["access_token"], other["org"], "x")
    assert response.status_code == 403 and response.json()["code"] == "ACCESS_DENIED"


def test_duplicate_names_the_live_post_and_the_window_can_be_closed(li: Sandbox) -> None:
    m = member(li)
    first = create(li, m["access_token"], m["org"], "Same")
    again = create(li, m["access_token"], m["org"], "Same")
    assert again.status_code == 422
    assert again.json()["message"] == f"Content is a duplicate of {first.headers['x-restli-id']}"
    li.admin("PUT", "linkedin/knobs", 200, json={"duplicate_window_s": 0})
    assert create(li, m["access_token"], m["org"], "Same").status_code == 201
    assert li.admin("GET", "stats", 200)["linkedin"]["duplicates"] == 1


def test_finder_lists_newest_first_with_paging(li: Sandbox) -> None:
    m = member(li)
    urns = []
    for n in range(3):
        urns.append(create(li, m["access_token"], m["org"], f"post {n}").headers["x-restli-id"])
        li.clock.advance(1)
    response = li.session.get(f"{li.url}/rest/posts", params={"author": m["org"], "q": "author", "count": 2},
                              headers=headers(m["access_token"]), timeout=5)
    body = response.json()
    assert [e["id"] for e in body["elements"]] == [urns[2], urns[1]]
    assert body["paging"]["total"] == 3 and body["paging"]["links"][0]["rel"] == "next"
    assert body["elements"][0]["commentary"] == "post 2" and body["elements"][0]["author"] == m["org"]
    assert body["elements"][0]["createdAt"] > body["elements"][1]["createdAt"]


def test_share_statistics_grow_with_age(li: Sandbox) -> None:
    li.admin("PUT", "linkedin/knobs", 200, json={"token_ttl_s": 5184000})  # LinkedIn's 60 days
    m = member(li)
    urn = create(li, m["access_token"], m["org"], "Stats please").headers["x-restli-id"]
    org, share = m["org"].replace(":", "%3A"), urn.replace(":", "%3A")
    url = f"{li.url}/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={org}" \
          f"&shares=List({share})"

    def stats() -> dict[str, Any]:
        response = li.session.get(url, headers=headers(m["access_token"]), timeout=5)
        [element] = response.json()["elements"]
        assert element["share"] == urn and element["organizationalEntity"] == m["org"]
        return dict(element["totalShareStatistics"])

    early = stats()
    li.clock.advance(48 * 3600)
    late = stats()
    assert late["impressionCount"] > early["impressionCount"]
    assert set(late) == {"uniqueImpressionsCount", "shareCount", "engagement", "clickCount", "likeCount",
                         "impressionCount", "commentCount"}
    bad = li.session.get(url.replace("List(", "("), headers=headers(m["access_token"]), timeout=5)
    assert bad.status_code == 400


def test_organization_acls_and_organization(li: Sandbox) -> None:
    m = member(li)
    response = li.session.get(f"{li.url}/rest/organizationAcls", params={"q": "roleAssignee", "role": "ADMINISTRATOR"},
                              headers=headers(m["access_token"]), timeout=5)
    [acl] = response.json()["elements"]
    assert acl["organization"] == m["org"] and acl["role"] == "ADMINISTRATOR" and acl["state"] == "APPROVED"
    org = li.session.get(f"{li.url}/rest/organizations/{m['account_id']}", headers=headers(m["access_token"]),
                         timeout=5).json()
    assert org["localizedName"] == "ACME GmbH" and org["vanityName"] == "acme"


def test_token_endpoint_errors(li: Sandbox) -> None:
    url = f"{li.url}/oauth/v2/accessToken"
    no_client = li.session.post(url, data={"grant_type": "authorization_code", "code": "x"}, timeout=5)
    assert no_client.status_code == 401 and no_client.json()["error"] == "invalid_client"
    wrong = li.session.post(url, data={"grant_type": "password", "client_id": "c"}, timeout=5)
    assert wrong.status_code == 400 and wrong.json()["error"] == "unsupported_grant_type"
    bad = li.session.post(url, data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": "c"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"


def test_refresh_grant_answers_linkedins_fields(li: Sandbox) -> None:
    m = member(li)
    data = {"grant_type": "refresh_token", "refresh_token": m["refresh_token"], "client_id": "c", "client_secret": "s"}
    body = li.session.post(f"{li.url}/oauth/v2/accessToken", data=data, timeout=5).json()
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "scope"}
    assert body["expires_in"] == int(li.admin("GET", "linkedin/knobs", 200)["token_ttl_s"])


def test_consent_page_needs_the_oauth_parameters(li: Sandbox) -> None:
    response = li.session.get(f"{li.url}/oauth/v2/authorization", params={"response_type": "code"}, timeout=5)
    assert response.status_code == 400 and "Missing parameters" in response.text


def test_post_page_redirects_to_the_sandbox_page(li: Sandbox) -> None:
    m = member(li)
    urn = create(li, m["access_token"], m["org"], "Look at me").headers["x-restli-id"]
    page = li.session.get(f"{li.url}/feed/update/{urn}/", timeout=5)
    assert page.status_code == 200 and "Look at me" in page.text
    assert li.session.get(f"{li.url}/feed/update/urn:li:share:1/", timeout=5).status_code == 404
