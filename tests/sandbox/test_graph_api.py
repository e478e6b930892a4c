"""The Graph sandbox (Facebook Pages + Instagram) over HTTP: shapes, error envelopes, containers, admin."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sandbox.support import Sandbox

V = "v23.0"


def account(sbx: Sandbox, network: str, username: str = "brand") -> dict[str, Any]:
    response = sbx.session.post(f"{sbx.url}/_sandbox/{network}/accounts", json={"username": username}, timeout=5)
    response.raise_for_status()
    return dict(response.json())


def call(sbx: Sandbox, method: str, path: str, token: str, **data: str):
    if method == "GET":
        return sbx.session.get(f"{sbx.url}/{path}", params={**data, "access_token": token}, timeout=5)
    return sbx.session.post(f"{sbx.url}/{path}", data={**data, "access_token": token}, timeout=5)


def assert_envelope(response, code: int) -> dict[str, Any]:
    error = response.json()["error"]
    assert error["code"] == code
    assert {"message", "type", "code", "fbtrace_id"} <= set(error)
    return dict(error)


@pytest.mark.parametrize("version", ["v21.0", "v23.0", "v26.0"])
def test_any_version_and_page_post_shapes(sbx, version):
    page = account(sbx, "facebook")
    created = call(sbx, "POST", f"{version}/{page['account_id']}/feed", page["access_token"], message="hi",
                   link="https://example.com")
    assert created.status_code == 200
    post_id = created.json()["id"]
    assert post_id.startswith(page["account_id"] + "_")
    listed = call(sbx, "GET", f"{version}/{page['account_id']}/posts", page["access_token"],
                  fields="id,message,created_time", limit="5").json()["data"]
    assert listed[0]["id"] == post_id and listed[0]["message"] == "hi"
    assert listed[0]["created_time"].endswith("+0000")


def test_unknown_version_or_id_is_404(sbx):
    page = account(sbx, "facebook")
    assert call(sbx, "POST", f"v1.5/{page['account_id']}/feed", page["access_token"], message="x").status_code == 404
    assert call(sbx, "GET", f"{V}/12345/posts", page["access_token"]).status_code == 404


def test_errors(sbx):
    page = account(sbx, "facebook")
    pid, token = page["account_id"], page["access_token"]
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", "wrong", message="x"), 190)
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", token), 100)
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", token, message="x" * 63207), 100)
    assert call(sbx, "POST", f"{V}/{pid}/feed", token, message="same").ok
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", token, message="same"), 506)
    other = account(sbx, "facebook", "other")
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", other["access_token"], message="x"), 200)
    sbx.admin("PUT", "facebook/knobs", json={"rate_limit": 1})
    limited = call(sbx, "POST", f"{V}/{pid}/feed", token, message="again")
    assert_envelope(limited, 32)
    usage = json.loads(limited.headers["X-Business-Use-Case-Usage"])
    assert usage[pid][0]["estimated_time_to_regain_access"] >= 1
    assert "call_count" in json.loads(limited.headers["X-App-Usage"])


def test_scripted_graph_faults(sbx):
    page = account(sbx, "facebook")
    pid, token = page["account_id"], page["access_token"]
    assert sbx.session.post(f"{sbx.url}/_sandbox/graph/facebook/faults", json={"next": ["bad"]}).status_code == 400
    sbx.session.post(f"{sbx.url}/_sandbox/graph/facebook/faults", json={"next": [368, {"code": 613, "minutes": 2}, 2]})
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", token, message="a"), 368)
    limited = call(sbx, "POST", f"{V}/{pid}/feed", token, message="a")
    assert_envelope(limited, 613)
    assert json.loads(limited.headers["X-Business-Use-Case-Usage"])[pid][0]["estimated_time_to_regain_access"] == 2
    down = call(sbx, "POST", f"{V}/{pid}/feed", token, message="a")
    assert down.status_code == 503 and assert_envelope(down, 2)
    assert call(sbx, "POST", f"{V}/{pid}/feed", token, message="a").ok
    sbx.state.reset()
    assert sbx.session.post(f"{sbx.url}/_sandbox/graph/facebook/faults", json={}).json() == {"next": []}


def test_multi_photo_and_insights(sbx):
    page = account(sbx, "facebook")
    pid, token = page["account_id"], page["access_token"]
    ids = [call(sbx, "POST", f"{V}/{pid}/photos", token, url=f"https://e.x/{i}.jpg", published="false").json()["id"]
           for i in range(2)]
    feed = call(sbx, "POST", f"{V}/{pid}/feed", token, message="two",
                **{f"attached_media[{i}]": json.dumps({"media_fbid": m}) for i, m in enumerate(ids)})
    post_id = feed.json()["id"]
    # A photo can be attached once.
    assert_envelope(call(sbx, "POST", f"{V}/{pid}/feed", token, message="again",
                         **{"attached_media[0]": json.dumps({"media_fbid": ids[0]})}), 100)
    single = call(sbx, "POST", f"{V}/{pid}/photos", token, url="https://e.x/s.jpg", caption="one").json()
    assert set(single) == {"id", "post_id"}
    sbx.clock.advance(3600)  # tokens live 2 h
    insights = call(sbx, "GET", f"{V}/{post_id}/insights", token, metric="post_media_view,post_clicks").json()
    assert [m["name"] for m in insights["data"]] == ["post_media_view", "post_clicks"]
    assert insights["data"][0]["values"][0]["value"] > 0
    assert_envelope(call(sbx, "GET", f"{V}/{post_id}/insights", token, metric="post_impressions"), 100)
    counts = call(sbx, "GET", f"{V}/{post_id}", token, fields="comments.summary(true),reactions.summary(true)")
    assert "total_count" in counts.json()["comments"]["summary"]


def test_instagram_container_lifecycle(sbx):
    user = account(sbx, "instagram")
    uid, token = user["account_id"], user["access_token"]
    sbx.session.put(f"{sbx.url}/_sandbox/graph/instagram/settings", json={"container_ready_s": 30})
    container = call(sbx, "POST", f"{V}/{uid}/media", token, image_url="https://e.x/a.jpeg", caption="c").json()["id"]

    def status() -> str:
        return str(call(sbx, "GET", f"{V}/{container}", token, fields="status_code").json()["status_code"])

    assert status() == "IN_PROGRESS"
    not_ready = call(sbx, "POST", f"{V}/{uid}/media_publish", token, creation_id=container)
    assert assert_envelope(not_ready, 9007)["error_subcode"] == 2207027
    sbx.clock.advance(31)
    assert status() == "FINISHED"
    media = call(sbx, "POST", f"{V}/{uid}/media_publish", token, creation_id=container).json()["id"]
    assert status() == "PUBLISHED"
    assert call(sbx, "POST", f"{V}/{uid}/media_publish", token, creation_id=container).status_code == 400
    assert sbx.admin("GET", "instagram/posts")["posts"][0]["create_calls_with_this_text"] == 1
    listed = call(sbx, "GET", f"{V}/{uid}/media", token, fields="id,caption,timestamp,permalink").json()["data"]
    assert listed[0]["id"] == media and listed[0]["caption"] == "c" and "permalink" in listed[0]
    limit = call(sbx, "GET", f"{V}/{uid}/content_publishing_limit", token, fields="quota_usage,config").json()
    assert limit["data"][0]["quota_usage"] == 1
    insights = call(sbx, "GET", f"{V}/{media}/insights", token, metric="views,reach,likes,comments,saved,shares")
    assert [m["name"] for m in insights.json()["data"]] == ["views", "reach", "likes", "comments", "saved", "shares"]
    assert_envelope(call(sbx, "GET", f"{V}/{media}/insights", token, metric="impressions"), 100)


def test_instagram_png_and_carousel(sbx):
    user = account(sbx, "instagram")
    uid, token = user["account_id"], user["access_token"]
    png = call(sbx, "POST", f"{V}/{uid}/media", token, image_url="https://e.x/a.png").json()["id"]
    assert call(sbx, "GET", f"{V}/{png}", token, fields="status_code").json()["status_code"] == "ERROR"
    kids = [call(sbx, "POST", f"{V}/{uid}/media", token, image_url=f"https://e.x/{i}.jpg",
                 is_carousel_item="true").json()["id"] for i in range(3)]
    parent = call(sbx, "POST", f"{V}/{uid}/media", token, media_type="CAROUSEL", children=",".join(kids),
                  caption="album").json()["id"]
    assert call(sbx, "POST", f"{V}/{uid}/media_publish", token, creation_id=parent).ok
    assert len(sbx.admin("GET", "instagram/posts")["posts"][0]["media_ids"]) == 3
    one = call(sbx, "POST", f"{V}/{uid}/media", token, media_type="CAROUSEL", children=kids[0])
    assert assert_envelope(one, 100)["error_subcode"] == 2207028


def test_oauth_and_me_accounts(sbx):
    back = sbx.session.post(f"{sbx.url}/{V}/dialog/oauth",
                            params={"client_id": "a", "redirect_uri": "https://app/cb", "state": "s"},
                            data={"username": "page_one", "decision": "allow"}, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    code = back.headers["Location"].split("code=")[1].split("&")[0]
    short = sbx.session.get(f"{sbx.url}/{V}/oauth/access_token",
                            params={"code": code, "redirect_uri": "https://app/cb", "client_id": "a"}).json()
    assert short["token_type"] == "bearer"
    again = sbx.session.get(f"{sbx.url}/{V}/oauth/access_token",
                            params={"code": code, "redirect_uri": "https://app/cb"})
    assert_envelope(again, 100)
    long = sbx.session.get(f"{sbx.url}/{V}/oauth/access_token", params={
        "grant_type": "fb_exchange_token", "fb_exchange_token": short["access_token"]}).json()
    assert long["expires_in"] > 50 * 86400
    pages = call(sbx, "GET", f"{V}/me/accounts", long["access_token"]).json()["data"]
    assert pages[0]["access_token"] and "CREATE_CONTENT" in pages[0]["tasks"]
    bad = sbx.session.get(f"{sbx.url}/{V}/dialog/oauth", params={"client_id": "a"})
    assert bad.status_code == 400
