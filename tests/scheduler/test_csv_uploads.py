"""Uploads kept between dry run and import: only for their owner, one hour, never outside their folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scheduler.csv_templates import posts_template, vacancies_template
from scheduler.csv_uploads import KEEP_FOR, UploadStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_upload_is_kept_for_its_owner_for_an_hour(tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "imports")
    upload_id = store.save(b"title;location\n", user_id=7, kind="vacancies", filename="jobs.csv", now=NOW)
    found = store.load(upload_id, user_id=7, now=NOW + KEEP_FOR)
    assert found is not None and (found.kind, found.filename, found.data) == ("vacancies", "jobs.csv",
                                                                            b"title;location\n")
    assert store.load(upload_id, user_id=8, now=NOW) is None
    assert store.load(upload_id, user_id=7, now=NOW + KEEP_FOR + timedelta(seconds=1)) is None


def test_expired_uploads_are_removed_when_the_next_one_is_saved(tmp_path: Path) -> None:
    store = UploadStore(tmp_path)
    old = store.save(b"a", user_id=1, kind="posts", filename="a.csv", now=NOW)
    new = store.save(b"b", user_id=1, kind="posts", filename="b.csv", now=NOW + timedelta(hours=2))
    assert sorted(p.stem for p in tmp_path.iterdir()) == [new, new]
    assert store.load(old, user_id=1, now=NOW) is None


def test_ids_that_are_not_upload_ids_never_reach_the_file_system(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text('{"user_id": 1, "kind": "posts", "filename": "", "uploaded_at": "x"}')
    store = UploadStore(tmp_path / "imports")
    assert store.load("../secret", user_id=1, now=NOW) is None
    store.discard("../secret")
    assert (tmp_path / "secret.json").exists()


def test_the_templates_name_every_column_and_open_in_excel(tmp_path: Path) -> None:
    vacancies = vacancies_template(NOW, "Europe/Vienna")
    posts = posts_template(NOW, "Europe/Vienna", ["LinkedIn ACME"])
    assert vacancies.startswith("\ufefftitle;location;country;".encode())
    assert posts.startswith("\ufefftext;link;kind;campaign;channels;date;time\r\n".encode())
    assert b"Softwareentwickler (m/w/d)" in vacancies and b"LinkedIn ACME" in posts
