"""Images in the composer: upload, keep across problems, attach on scheduling; previews and signed URLs."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import Channel, Media, MediaRendition, Post, Role, User
from scheduler.networks import Network
from scheduler.renditions import rendition_for
from tests.factories import make_channel
from tests.web.conftest import NOW, Browser, services_of, text_of


def jpeg(size: tuple[int, int] = (1080, 1080), fmt: str = "JPEG") -> io.BytesIO:
    """Return an in-memory image file."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=fmt)
    buffer.seek(0)
    return buffer


@pytest.fixture
def channels(db: sessionmaker[Session]) -> list[Channel]:
    """An X channel and an Instagram channel (which takes JPEG only)."""
    with db.begin() as session:
        return [make_channel(session, name="ACME X", handle="acme"),
                make_channel(session, network=Network.INSTAGRAM, name="ACME Insta", handle="acme.insta")]


def _compose(chosen: list[Channel], **values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"text": "Unser Team auf der Messe in Wels.", "link": "", "kind": "event_photos",
                            "campaign": "", "channels": [str(c.id) for c in chosen], "when": "now"}
    form.update(values)
    return form


def _media(db: sessionmaker[Session]) -> list[Media]:
    with db() as session:
        return list(session.scalars(select(Media).order_by(Media.id)))


def test_upload_stores_images_and_reports_refused_files_by_name(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    author = login_as(Role.MARKETER)
    response = browser.client.post("/api/media", headers={"X-CSRFToken": browser.csrf}, data={
        "images": [(jpeg(), "stand.jpg"), (io.BytesIO(b"not an image"), "notes.txt")]},
        content_type="multipart/form-data")
    assert response.status_code == 201
    body = response.get_json()
    assert [m["filename"] for m in body["media"]] == ["stand.jpg"]
    assert body["problems"] == ["notes.txt is not an image Postillon can read."]
    stored = _media(db)
    assert [(m.filename, m.owner_id, m.post_id, m.width) for m in stored] == [("stand.jpg", author.id, None, 1080)]
    preview = browser.get(body["media"][0]["preview"])
    assert (preview.status_code, preview.mimetype) == (200, "image/jpeg")


def test_images_sent_with_the_form_are_kept_when_the_post_has_problems_and_attached_once_fixed(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as(Role.MARKETER)
    first = browser.post("/compose", _compose(channels[:1], images=[(jpeg(), "a.jpg"), (jpeg((800, 600)), "b.jpg")],
                                              when="later", date="", time=""),
                         content_type="multipart/form-data")
    assert first.status_code == 422
    page = first.get_data(as_text=True)
    kept = [m.id for m in _media(db)]
    assert len(kept) == 2
    for media_id in kept:
        assert f'name="media_ids" value="{media_id}"' in page
    without_consent = browser.post("/compose", _compose(channels[:1], media_ids=[str(i) for i in kept]),
                                   content_type="multipart/form-data")
    assert without_consent.status_code == 422
    assert "a.jpg has no consent from the people shown" in text_of(without_consent)
    second = browser.post("/compose", _compose(channels[:1], media_ids=[str(i) for i in reversed(kept)],
                                               **{f"alt-{kept[0]}": "Unser Messestand", f"alt-{kept[1]}": ""},
                                               **{f"consent-{i}": "yes" for i in kept}),
                          content_type="multipart/form-data")
    assert second.status_code == 303
    with db() as session:
        post = session.scalars(select(Post)).one()
        assert [(m.id, m.position) for m in post.media] == [(kept[1], 0), (kept[0], 1)]
        assert session.get_one(Media, kept[0]).alt_text == "Unser Messestand"


def test_channel_problems_with_images_are_shown_and_nothing_is_scheduled(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session], channels: list[Channel]) -> None:
    login_as(Role.MARKETER)
    # A rendition fixes type, shape and size, never the number of images: X takes four at most.
    images = [(jpeg((1080, 1080 + i)), f"bild{i}.jpg") for i in range(5)]
    response = browser.post("/compose", _compose(channels[:1], images=images), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "X takes at most 4 images per post; this one has 5." in text_of(response)
    with db() as session:
        assert session.scalars(select(Post)).all() == []
        assert len(session.scalars(select(Media)).all()) == 5  # the uploads are kept for the next try


def test_another_users_upload_cannot_be_attached(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User], db: sessionmaker[Session],
        channels: list[Channel]) -> None:
    stranger = add_user(Role.MARKETER)
    with db.begin() as session:
        foreign = Media(owner_id=stranger.id, filename="x.jpg", mime_type="image/jpeg", size_bytes=1, width=1,
                        height=1, sha256="0" * 64, storage_key="00/none.jpg")
        session.add(foreign)
    login_as(Role.MARKETER)
    response = browser.post("/compose", _compose(channels[:1], media_ids=[str(foreign.id)]),
                            content_type="multipart/form-data")
    assert response.status_code == 422
    assert "An image is no longer available; add it again." in text_of(response)


def test_signed_urls_serve_without_login_until_they_expire(
        app: Flask, browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    upload = browser.client.post("/api/media", headers={"X-CSRFToken": browser.csrf},
                                 data={"images": [(jpeg(), "stand.jpg")]}, content_type="multipart/form-data")
    media_id = upload.get_json()["media"][0]["id"]
    signer = services_of(app).media_signer
    with db() as session:
        url = signer.url(session.get_one(Media, media_id), NOW).removeprefix(signer.base_url)
        stale = signer.url(session.get_one(Media, media_id), NOW - signer.ttl * 2).removeprefix(signer.base_url)
    anonymous = app.test_client()
    served = anonymous.get(url)
    assert (served.status_code, served.mimetype) == (200, "image/jpeg")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get(stale).status_code == 404
    assert anonymous.get(url.replace(url.rsplit("/", 1)[1][:4], "0000")).status_code == 404
    assert anonymous.get(f"/media/{media_id}").status_code == 302  # previews need a login


def test_a_rendition_is_served_under_its_own_signed_url_and_a_media_signature_does_not_open_it(
        app: Flask, browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    upload = browser.client.post("/api/media", headers={"X-CSRFToken": browser.csrf},
                                 data={"images": [(jpeg((1080, 1080), "PNG"), "logo.png")]},
                                 content_type="multipart/form-data")
    media_id = upload.get_json()["media"][0]["id"]
    services = services_of(app)
    with db.begin() as session:
        media = session.get_one(Media, media_id)
        rendition = rendition_for(session, services.media_store, media, Network.INSTAGRAM)
        assert isinstance(rendition, MediaRendition)
        url = services.media_signer.url(rendition, NOW).removeprefix(services.media_signer.base_url)
        forged = services.media_signer.url(media, NOW).removeprefix(services.media_signer.base_url)
    assert url.startswith(f"/media/r/{rendition.id}/") and url.endswith(".jpg")
    anonymous = app.test_client()
    served = anonymous.get(url)
    assert (served.status_code, served.mimetype) == (200, "image/jpeg")
    assert Image.open(io.BytesIO(served.data)).format == "JPEG"
    assert "logo.jpg" in served.headers["Content-Disposition"]
    # The original's valid signature, moved onto the rendition's path, opens nothing.
    assert anonymous.get(forged.replace(f"/media/{media_id}/", f"/media/r/{rendition.id}/")).status_code == 404
