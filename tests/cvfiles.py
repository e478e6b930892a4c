"""Small, real CV files built in the tests: a one-page PDF, a Word document and look-alikes that are neither."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')
_DOCUMENT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             '<w:body><w:p><w:r><w:t>Lebenslauf Anna Muster</w:t></w:r></w:p></w:body></w:document>')


def pdf_bytes(text: str = "Lebenslauf Anna Muster") -> bytes:
    """Return a one-page PDF with a correct cross-reference table and trailer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _zip(entries: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    """Return a minimal Word document (.docx)."""
    return _zip({"[Content_Types].xml": _DOCX_TYPES.format(main=_DOCX_MAIN), "_rels/.rels": _RELS,
                 "word/document.xml": _DOCUMENT})


def docm_bytes() -> bytes:
    """Return a macro-enabled Word document (.docm) with its VBA project."""
    return _zip({"[Content_Types].xml": _DOCX_TYPES.format(main=_DOCM_MAIN), "_rels/.rels": _RELS,
                 "word/document.xml": _DOCUMENT, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def plain_zip_bytes() -> bytes:
    """Return a zip archive that is no Word document."""
    return _zip({"notes.txt": "not a CV", "photo.jpg": b"\xff\xd8\xff"})


def png_bytes() -> bytes:
    """Return a small PNG image (e.g. to rename to .pdf)."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()
