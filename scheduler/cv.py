"""CV files from the apply form: checked by content (PDF or DOCX), size-limited, stored by random key.

CVs live under ``<data_dir>/cv/`` and never below web/static: they are personal data and reach people
only through a logged-in, role-checked download. The key is random (not a content hash) so one file's
name tells nothing about another's, and deleting one applicant's CV can never remove someone else's.
What the visitor called the file is kept for the download name only; the type comes from the bytes.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF_MIME: "pdf", DOCX_MIME: "docx"}
CV_DIR = "cv"

# The main part of a Word document as [Content_Types].xml declares it; macro-enabled (.docm) and
# template (.dotx) documents declare a different one.
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# The end of a PDF: "startxref", the byte offset of the cross-reference section, "%%EOF".
_PDF_TRAILER = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF\s*$")
_PDF_TAIL = 2048  # writers may append a little after %%EOF (a newline, padding); look at the last 2 KB
_KEY = re.compile(r"^[0-9a-f]{32}\.(pdf|docx)$")
# A DOCX is a zip: bound what it may unpack to, so a small upload cannot hide a zip bomb.
_MAX_ZIP_ENTRIES = 1000
_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_MAX_CONTENT_TYPES_BYTES = 64 * 1024


class CvError(ValueError):
    """A CV Postillon does not accept; ``code`` is stable, ``message`` is plain words for the visitor."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class StoredCv:
    """A checked CV on disk: its key below ``<data_dir>/cv/``, the visitor's file name, type and size."""

    key: str
    filename: str
    mime_type: str
    size_bytes: int


def cv_type(data: bytes, *, max_bytes: int) -> str:
    """Return the MIME type of a CV (PDF or DOCX, judged by content), or raise CvError."""
    if not data:
        raise CvError("empty", "The file is empty.")
    if len(data) > max_bytes:
        raise CvError("too_large", f"The file is larger than {megabytes(max_bytes)} MB.")
    if data.startswith(b"%PDF-"):
        if not _PDF_TRAILER.search(data[-_PDF_TAIL:]):
            raise CvError("damaged_pdf", "The PDF file is incomplete or damaged.")
        return PDF_MIME
    if data.startswith(b"PK\x03\x04"):
        _check_docx(data)
        return DOCX_MIME
    raise CvError("wrong_type", "Upload your CV as a PDF or Word (.docx) file.")


def megabytes(size: int) -> str:
    """Return ``size`` in megabytes for people ("10", "0.5")."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _check_docx(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if len(entries) > _MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > _MAX_UNPACKED_BYTES:
                raise CvError("wrong_type", "Upload your CV as a PDF or Word (.docx) file.")
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise CvError("wrong_type", "Upload your CV as a PDF or Word (.docx) file.")
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise CvError("macros", "Word files with macros are not accepted; save the CV as .docx or PDF.")
            types_entry = archive.getinfo("[Content_Types].xml")
            if types_entry.file_size > _MAX_CONTENT_TYPES_BYTES:
                raise CvError("wrong_type", "Upload your CV as a PDF or Word (.docx) file.")
            content_types = archive.read(types_entry)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        # RuntimeError: encrypted entries; NotImplementedError: unknown compression.
        raise CvError("wrong_type", "Upload your CV as a PDF or Word (.docx) file.") from None
    if b"macroEnabled" in content_types:
        raise CvError("macros", "Word files with macros are not accepted; save the CV as .docx or PDF.")
    if _DOCX_MAIN not in content_types:
        raise CvError("wrong_type", "Upload your CV as a PDF or Word (.docx) file.")


def store_cv(data_dir: Path | str, data: bytes, filename: str, *, max_bytes: int) -> StoredCv:
    """Check ``data`` and write it under a new random key; return what was stored, or raise CvError."""
    mime = cv_type(data, max_bytes=max_bytes)
    key = f"{secrets.token_hex(16)}.{EXTENSIONS[mime]}"
    folder = Path(data_dir) / CV_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = folder / f"{key}.part"
    # Readable by the service's user only; written whole, then renamed so a reader never sees half a file.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    partial.replace(folder / key)
    return StoredCv(key=key, filename=download_name(filename, mime), mime_type=mime, size_bytes=len(data))


def download_name(filename: str, mime: str) -> str:
    """Return a safe file name for the download: the visitor's name without folders, the true extension."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"<>:|?*').strip(" .")[:200]
    return f"{stem or 'cv'}.{EXTENSIONS[mime]}"


def cv_path(data_dir: Path | str, key: str) -> Path:
    """Return the file behind ``key``; raise CvError for a key Postillon never made (no path tricks)."""
    if not _KEY.match(key):
        raise CvError("bad_key", "Invalid CV key.")
    return Path(data_dir) / CV_DIR / key


def delete_cv(data_dir: Path | str, key: str) -> bool:
    """Delete the CV behind ``key``; return False when it was already gone (deleting twice is fine)."""
    try:
        cv_path(data_dir, key).unlink()
    except FileNotFoundError:
        return False
    return True
