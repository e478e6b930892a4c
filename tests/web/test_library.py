"""The media library page: list the company's images, upload several, edit alt text/caption/consent, delete unused."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from PIL import ExifTags, Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import AuditEvent, Media, Role, User
from tests.factories import make_post
from tests.web.conftest import Browser, services_of, text_of
from web import library


@pytest.fixture(autouse=True)
def registered(app: Flask) -> None:
    """The library blueprint on the app (until web/__init__.py registers it itself)."""
    if "library" not in app.blueprints:
        app.register_blueprint(library.bp)


def photo(size: tuple[int, int] = (800, 600), *, gps: bool = False) -> io.BytesIO:
    """Return an in-memory JPEG, optionally with a GPS position in its EXIF."""
    exif = Image.Exif()
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 12.0, 30.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    return buffer


def _upload(browser: Browser, *files: tuple[io.BytesIO, str]) -> Any:
    return browser.post("/library/upload", {"images": list(files)}, content_type="multipart/form-data")


def _all(db: sessionmaker[Session]) -> list[Media]:
    with db() as session:
        return list(session.scalars(select(Media).order_by(Media.id)))


def _edit(browser: Browser, media_id: int, **values: str) -> Any:
    prefix = f"m{media_id}-"
    form = {prefix + "csrf_token": browser.csrf, **{prefix + k: v for k, v in values.items()}}
    return browser.post(f"/library/{media_id}", form)


def test_several_images_upload_at_once_without_their_gps_position_and_are_listed(
        app: Flask, browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    response = _upload(browser, (photo(gps=True), "fest.jpg"), (photo((1200, 900)), "buehne.jpg"),
                       (io.BytesIO(b"plain text"), "notes.txt"))
    assert response.status_code == 303
    stored = _all(db)
    assert [(m.filename, m.width, m.height) for m in stored] == [("fest.jpg", 800, 600), ("buehne.jpg", 1200, 900)]
    path = services_of(app).media_store.path(stored[0].storage_key)
    assert Image.open(path).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert path.stat().st_size == stored[0].size_bytes
    page = text_of(browser.get("/library/"))
    assert "fest.jpg" in page and "buehne.jpg" in page and "800 × 600 pixels" in page
    assert "notes.txt is not an image Postillon can read." in page  # the refusal is shown after the redirect
    assert "Not used yet" in page


def test_an_upload_without_files_is_refused_with_a_message(
        browser: Browser, login_as: Callable[..., User]) -> None:
    login_as(Role.RECRUITER)
    response = browser.post("/library/upload", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose one or more images." in text_of(response)


def test_alt_text_caption_and_consent_are_saved_and_consent_is_audited(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    author = login_as(Role.MARKETER)
    _upload(browser, (photo(), "team.jpg"))
    [media] = _all(db)
    response = _edit(browser, media.id, alt_text=" Das Team vor der Halle ", caption="Sommerfest 2026",
                     consent="y")
    assert response.status_code == 303
    [saved] = _all(db)
    assert (saved.alt_text, saved.caption, saved.consent) == ("Das Team vor der Halle", "Sommerfest 2026", True)
    assert _edit(browser, media.id, alt_text="Das Team", caption="").status_code == 303  # unticked: withdrawn
    assert _all(db)[0].consent is False
    with db() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "media.consent")
                                 .order_by(AuditEvent.id)).all()
    assert [(e.user_id, e.detail) for e in events] == [(author.id, "given"), (author.id, "withdrawn")]


def test_too_long_alt_text_is_refused_next_to_the_field_and_the_typing_is_kept(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    _upload(browser, (photo(), "team.jpg"))
    [media] = _all(db)
    typed = "Lang " * 250
    response = _edit(browser, media.id, alt_text=typed, caption="Bleibt stehen", consent="y")
    assert response.status_code == 422
    page = text_of(response)
    assert f'id="m{media.id}-alt_text-problems"' in page and "1000" in page
    assert typed.strip() in page and "Bleibt stehen" in page
    [unchanged] = _all(db)
    assert (unchanged.alt_text, unchanged.caption, unchanged.consent) == ("", "", False)


def test_an_unused_image_is_deleted_with_its_file(
        app: Flask, browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    _upload(browser, (photo(), "weg.jpg"))
    [media] = _all(db)
    path = services_of(app).media_store.path(media.storage_key)
    response = browser.post(f"/library/{media.id}/delete")
    assert response.status_code == 303
    assert _all(db) == [] and not path.exists()


def test_an_image_shared_by_two_uploads_keeps_its_file_until_the_last_one_goes(
        app: Flask, browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    _upload(browser, (photo(), "a.jpg"), (photo(), "b.jpg"))  # the same picture twice: one file
    first, second = _all(db)
    path = services_of(app).media_store.path(first.storage_key)
    assert browser.post(f"/library/{first.id}/delete").status_code == 303
    assert path.exists()
    assert browser.post(f"/library/{second.id}/delete").status_code == 303
    assert not path.exists()


def test_an_image_used_in_a_post_cannot_be_deleted_and_says_why(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    _upload(browser, (photo(), "messe.jpg"))
    [media] = _all(db)
    with db.begin() as session:
        post = make_post(session, text="Wir sind auf der Messe in Wels")
        session.get_one(Media, media.id).post_id = post.id
    page = text_of(browser.get("/library/"))
    assert "Wir sind auf der Messe in Wels" in page and "cannot be deleted" in page
    response = browser.post(f"/library/{media.id}/delete")
    assert response.status_code == 409
    assert "messe.jpg is used in a post and cannot be deleted" in text_of(response)
    assert len(_all(db)) == 1


def test_colleagues_see_each_others_images_but_only_the_uploader_or_an_admin_changes_them(
        app: Flask, browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    login_as(Role.MARKETER)
    _upload(browser, (photo(), "kollegin.jpg"))
    [media] = _all(db)
    other = app.test_client()
    colleague = Browser(other)
    assert colleague.login(add_user(Role.RECRUITER).email).status_code == 303
    assert "kollegin.jpg" in text_of(colleague.get("/library/"))
    assert _edit(colleague, media.id, alt_text="fremd").status_code == 403
    assert colleague.post(f"/library/{media.id}/delete").status_code == 403
    admin = Browser(app.test_client())
    assert admin.login(add_user(Role.ADMIN).email).status_code == 303
    assert _edit(admin, media.id, alt_text="Korrigiert").status_code == 303
    assert _all(db)[0].alt_text == "Korrigiert"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AMBASSADOR])
def test_people_who_do_not_post_have_no_library(
        browser: Browser, login_as: Callable[..., User], role: Role) -> None:
    login_as(role)
    assert browser.get("/library/").status_code == 403
    assert browser.post("/library/upload", {}, content_type="multipart/form-data").status_code == 403
