"""CV files: PDF and DOCX accepted by content, everything else refused, stored privately by random key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scheduler.cv import DOCX_MIME, PDF_MIME, CvError, cv_path, cv_type, delete_cv, download_name, store_cv
from tests.cvfiles import docm_bytes, docx_bytes, pdf_bytes, plain_zip_bytes, png_bytes

LIMIT = 10 * 1024 * 1024


def test_a_real_pdf_and_a_real_docx_are_recognised_by_their_content() -> None:
    assert cv_type(pdf_bytes(), max_bytes=LIMIT) == PDF_MIME
    assert cv_type(docx_bytes(), max_bytes=LIMIT) == DOCX_MIME


@pytest.mark.parametrize(("data", "code"), [
    (png_bytes(), "wrong_type"),  # a PNG renamed to .pdf: the name does not matter
    (plain_zip_bytes(), "wrong_type"),  # a zip, but no Word document
    (docm_bytes(), "macros"),
    (b"", "empty"),
    (pdf_bytes()[:-40], "damaged_pdf"),  # cut off: no trailer, no %%EOF
    (b"%PDF-1.4\nnothing else", "damaged_pdf"),
    (b"PK\x03\x04 truncated zip", "wrong_type"),
    (b"MZ\x90\x00 an executable", "wrong_type"),
])
def test_files_that_are_not_a_pdf_or_docx_are_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(CvError) as raised:
        cv_type(data, max_bytes=LIMIT)
    assert raised.value.code == code


def test_a_file_over_the_limit_is_refused_even_when_it_is_a_good_pdf() -> None:
    data = pdf_bytes()
    with pytest.raises(CvError) as raised:
        cv_type(data, max_bytes=len(data) - 1)
    assert raised.value.code == "too_large"
    assert cv_type(data, max_bytes=len(data)) == PDF_MIME


def test_a_stored_cv_lies_under_the_data_dir_by_random_key_readable_only_by_the_service(tmp_path: Path) -> None:
    first = store_cv(tmp_path, pdf_bytes(), "C:\\Users\\anna\\Lebenslauf.PDF", max_bytes=LIMIT)
    second = store_cv(tmp_path, pdf_bytes(), "Lebenslauf.pdf", max_bytes=LIMIT)
    assert first.key != second.key and first.key.endswith(".pdf")
    assert (first.filename, first.mime_type, first.size_bytes) == ("Lebenslauf.pdf", PDF_MIME, len(pdf_bytes()))
    path = cv_path(tmp_path, first.key)
    assert path.parent == tmp_path / "cv" and path.read_bytes() == pdf_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list((tmp_path / "cv").glob("*.part"))


def test_the_extension_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    stored = store_cv(tmp_path, docx_bytes(), "cv.pdf", max_bytes=LIMIT)
    assert (stored.filename, stored.mime_type) == ("cv.docx", DOCX_MIME)
    assert stored.key.endswith(".docx")


def test_a_refused_file_leaves_nothing_on_disk(tmp_path: Path) -> None:
    with pytest.raises(CvError):
        store_cv(tmp_path, png_bytes(), "cv.pdf", max_bytes=LIMIT)
    assert not (tmp_path / "cv").exists() or not any((tmp_path / "cv").iterdir())


@pytest.mark.parametrize("name", ['../../etc/"pass<wd>".pdf', "", "..", "Lebenslauf"])
def test_download_names_carry_no_folders_or_quotes(name: str) -> None:
    result = download_name(name, PDF_MIME)
    assert result.endswith(".pdf") and "/" not in result and '"' not in result and not result.startswith(".")


@pytest.mark.parametrize("key", ["../secret.pdf", "/etc/passwd", "a" * 32 + ".exe", "A" * 32 + ".pdf", ""])
def test_keys_postillon_never_made_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(CvError):
        cv_path(tmp_path, key)


def test_deleting_a_cv_removes_the_file_and_a_second_delete_is_harmless(tmp_path: Path) -> None:
    stored = store_cv(tmp_path, pdf_bytes(), "cv.pdf", max_bytes=LIMIT)
    assert delete_cv(tmp_path, stored.key) is True
    assert not cv_path(tmp_path, stored.key).exists()
    assert delete_cv(tmp_path, stored.key) is False
