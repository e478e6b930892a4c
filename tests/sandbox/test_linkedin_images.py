"""The sandbox's LinkedIn Images API and its check of image URNs in POST /rest/posts (plain requests)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
import requests
from PIL import Image

from tests.sandbox.support import Sandbox

V = "202601"


@pytest.fixture
def li(sbx: Sandbox) -> Sandbox:
    sbx.clock.set(datetime(2026, 6, 15, 12, 0, tzinfo=UTC))
    return sbx


def member(sbx: Sandbox, username: str = "acme") -> dict[str, Any]:
    data = sbx.admin("POST", "linkedin/accounts", 201, json={"username": username, "name": "ACME GmbH"})
    data["org"] = f"urn:li:organization:{data['account_id']}"
    return dict(data)


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "LinkedIn-Version": V, "X-Restli-Protocol-Version": "2.0.0"}


def image(fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 20, 200)).save(buffer, fmt)
    return buffer.getvalue()


def initialize(sbx: Sandbox, m: dict[str, Any], owner: str | None = None) -> requests.Response:
    return sbx.session.post(f"{sbx.url}/rest/images?action=initializeUpload", headers=headers(m["access_token"]),
                            json={"initializeUploadRequest": {"owner": owner or m["org"]}}, timeout=5)


def uploaded(sbx: Sandbox, m: dict[str, Any], data: bytes | None = None) -> str:
    value = initialize(sbx, m).json()["value"]
    put = sbx.session.put(value["uploadUrl"], data=data or image(), timeout=5,
                          headers={"Authorization": f"Bearer {m['access_token']}"})
    assert put.status_code == 201 and put.content == b""
    return str(value["image"])


def create(sbx: Sandbox, m: dict[str, Any], content: dict[str, Any], text: str = "Pictures") -> requests.Response:
    payload = {"author": m["org"], "commentary": text, "visibility": "PUBLIC", "content": content,
               "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                "thirdPartyDistributionChannels": []},
               "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
    return sbx.session.post(f"{sbx.url}/rest/posts", json=payload, headers=headers(m["access_token"]), timeout=5)


def status_of(sbx: Sandbox, m: dict[str, Any], urn: str) -> str:
    response = sbx.session.get(f"{sbx.url}/rest/images/{quote(urn, safe='')}", headers=headers(m["access_token"]),
                               timeout=5)
    return str(response.json()["status"])


def test_initialize_returns_an_upload_url_on_the_sandbox_and_an_image_urn(li: Sandbox) -> None:
    m = member(li)
    response = initialize(li, m)
    value = response.json()["value"]
    assert response.status_code == 200
    assert value["uploadUrl"].startswith(f"{li.url}/dms-uploads/") and value["image"].startswith("urn:li:image:C4E10AQ")
    assert value["uploadUrlExpiresAt"] > li.clock().timestamp() * 1000
    assert status_of(li, m, value["image"]) == "WAITING_UPLOAD"


def test_initialize_for_another_owner_is_403(li: Sandbox) -> None:
    response = initialize(li, member(li), owner="urn:li:organization:1")
    assert response.status_code == 403 and response.json()["code"] == "ACCESS_DENIED"


def test_initialize_needs_the_version_headers(li: Sandbox) -> None:
    m = member(li)
    response = li.session.post(f"{li.url}/rest/images?action=initializeUpload", json={},
                               headers={"Authorization": f"Bearer {m['access_token']}"}, timeout=5)
    assert response.status_code == 400 and response.json()["code"] == "VERSION_MISSING"


def test_put_stores_the_bytes_and_makes_the_image_available(li: Sandbox) -> None:
    m = member(li)
    urn = uploaded(li, m, image("PNG"))
    assert status_of(li, m, urn) == "AVAILABLE"


def test_put_needs_the_owners_token(li: Sandbox) -> None:
    m, other = member(li, "acme"), member(li, "other")
    url = initialize(li, m).json()["value"]["uploadUrl"]
    assert li.session.put(url, data=image(), timeout=5).status_code == 401
    response = li.session.put(url, data=image(), timeout=5,
                              headers={"Authorization": f"Bearer {other['access_token']}"})
    assert response.status_code == 403
    missing = li.session.put(f"{li.url}/dms-uploads/nope/uploaded-image/0", data=image(), timeout=5,
                             headers={"Authorization": f"Bearer {m['access_token']}"})
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_one_image_post_keeps_the_urn(li: Sandbox) -> None:
    m = member(li)
    urn = uploaded(li, m)
    response = create(li, m, {"media": {"id": urn, "altText": "Blue"}})
    assert response.status_code == 201
    [stored] = li.admin("GET", "linkedin/posts", 200)["posts"]
    assert stored["media_ids"] == [urn]


def test_three_image_post_keeps_the_urns_in_order(li: Sandbox) -> None:
    m = member(li)
    urns = [uploaded(li, m, image(fmt)) for fmt in ("JPEG", "PNG", "GIF")]
    response = create(li, m, {"multiImage": {"images": [{"id": urn} for urn in urns]}})
    assert response.status_code == 201
    assert li.admin("GET", "linkedin/posts", 200)["posts"][0]["media_ids"] == urns


@pytest.mark.parametrize(("content", "path"), [
    ({"media": {"id": "urn:li:image:C4E10AQnope"}}, "/content/media/id"),
    ({"multiImage": {"images": [{"id": "urn:li:image:C4E10AQnope"}, {"id": "urn:li:image:C4E10AQnada"}]}},
     "/content/multiImage/images/id"),
])
def test_unknown_image_urns_are_422_with_the_field_path(li: Sandbox, content: dict[str, Any], path: str) -> None:
    response = create(li, member(li), content)
    body = response.json()
    assert response.status_code == 422 and body["code"] == "UNPROCESSABLE_ENTITY"
    assert body["message"].startswith(f"ERROR :: {path} :: urn:li:image:C4E10AQnope does not exist")
    assert li.admin("GET", "linkedin/posts", 200)["posts"] == []


def test_images_not_yet_uploaded_or_failed_or_foreign_are_refused(li: Sandbox) -> None:
    m, other = member(li, "acme"), member(li, "other")
    waiting = initialize(li, m).json()["value"]["image"]
    failed = uploaded(li, m, b"plain text, no image")
    foreign = uploaded(li, other)
    assert status_of(li, m, failed) == "PROCESSING_FAILED"
    assert "is not AVAILABLE (status WAITING_UPLOAD)" in create(li, m, {"media": {"id": waiting}}).json()["message"]
    assert "is not AVAILABLE (status PROCESSING_FAILED)" in create(li, m, {"media": {"id": failed}}).json()["message"]
    assert "not owned by the author" in create(li, m, {"media": {"id": foreign}}).json()["message"]


@pytest.mark.parametrize("count", [1, 21])
def test_multi_image_takes_two_to_twenty(li: Sandbox, count: int) -> None:
    m = member(li)
    urn = uploaded(li, m)
    response = create(li, m, {"multiImage": {"images": [{"id": urn}] * count}})
    assert response.status_code == 422 and f"not {count}" in response.json()["message"]
