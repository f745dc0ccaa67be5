"""What an uploaded file really is, from its content: never from its name or the browser's
declared type (a renamed executable is refused). Pure: no Flask, no image library."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extension: str


PDF = FileType("pdf", "PDF", "application/pdf", "pdf")
JPEG = FileType("jpeg", "JPEG", "image/jpeg", "jpg")
PNG = FileType("png", "PNG", "image/png", "png")
DOCX = FileType(
    "docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
)
XLSX = FileType("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
CSV = FileType("csv", "CSV", "text/csv", "csv")
TIFF = FileType("tiff", "TIFF", "image/tiff", "tif")
# The Office formats before 2007 (OLE2 compound files).
DOC = FileType("doc", "DOC", "application/msword", "doc")
XLS = FileType("xls", "XLS", "application/vnd.ms-excel", "xls")
# What ``identify`` reports for an Office document carrying macros; never accepted: ``check`` refuses
# them with their own message when their macro-free counterpart is allowed.
DOCM = FileType("docm", "DOCM", "application/vnd.ms-word.document.macroEnabled.12", "docm")
XLSM = FileType("xlsm", "XLSM", "application/vnd.ms-excel.sheet.macroEnabled.12", "xlsm")
IMAGE_TYPES = (JPEG, PNG)
DOCUMENT_TYPES = (PDF, JPEG, PNG)
MESSAGE_TYPES = (PDF, JPEG, PNG, DOCX, XLSX, CSV)
# A professional's réclamation about a payment: "pdf, doc(x), xls(x), csv, tiff, png, jpeg".
RECLAMATION_TYPES = (PDF, DOC, DOCX, XLS, XLSX, CSV, TIFF, PNG, JPEG)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that makes an OLE2 file a Word or an Excel document, as its directory entry names it
# (UTF-16LE, then the NUL that ends the name).
_OLE_STREAMS = (
    ("WordDocument".encode("utf-16-le") + b"\x00\x00", DOC),
    ("Workbook".encode("utf-16-le") + b"\x00\x00", XLS),
    ("Book".encode("utf-16-le") + b"\x00\x00", XLS),
)
_MACRO_FREE = {DOCM: DOCX, XLSM: XLSX}
# C0 controls but tab, LF and CR; DEL; C1 controls (only reachable through UTF-8: cp1252 maps
# 0x80–0x9F to printable characters or fails).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class UploadRefused(ValueError):
    """The file cannot be accepted; ``str()`` is the French message for the user."""


def sniff(head: bytes) -> FileType | None:
    """The type of a file from its first bytes, or None when it is none we accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    return None


def identify(data: bytes) -> FileType | None:
    """The type of a whole file, or None when it is none we know. Magic bytes come first (``sniff``),
    so a PDF is never taken for text; then Office Open XML (``DOCX``, ``XLSX``, or ``DOCM``/``XLSM``
    when it carries macros); then the older Office files (``DOC``, ``XLS``: an OLE2 compound file
    with a ``WordDocument``, ``Workbook`` or ``Book`` stream; any other OLE2 file is none we know);
    then text: any plain text file (UTF-8, with or without BOM, or Windows-1252) is reported as
    ``CSV``, and so is accepted wherever CSV is."""
    found = sniff(data[:16])
    if found is not None:
        return found
    if data.startswith(_ZIP_MAGIC):
        return _office_kind(data)
    if data.startswith(_OLE_MAGIC):
        return _ole_kind(data)
    return CSV if _is_text(data) else None


def _office_kind(data: bytes) -> FileType | None:
    # Only the central directory is read: no entry is decompressed, so a zip bomb costs nothing.
    # A damaged or hostile archive makes zipfile raise more than BadZipFile: ValueError or EOFError
    # for a truncated or negative offset, OSError for a bad seek, NotImplementedError for an
    # unknown compression, RuntimeError for an encrypted directory. Each means "not a document we
    # read" (a unit test feeds it thousands of damaged archives).
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    macros = any(name.lower().endswith("vbaproject.bin") for name in names)
    if "word/document.xml" in names:
        return DOCM if macros else DOCX
    if "xl/workbook.xml" in names:
        return XLSM if macros else XLSX
    return None


def _ole_kind(data: bytes) -> FileType | None:
    # Only the names are looked for: the compound file is never parsed, nothing in it is read.
    return next((kind for name, kind in _OLE_STREAMS if name in data), None)


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return _CONTROL.search(text) is None and bool(text.strip())


def _labels(types: tuple[FileType, ...]) -> str:
    names = [kind.label for kind in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ou " + names[-1]


def check(data: bytes, field_label: str, allowed: tuple[FileType, ...], max_bytes: int) -> FileType:
    """The type of ``data`` if it is one of ``allowed`` and at most ``max_bytes``; raises
    ``UploadRefused`` with a French message naming the field otherwise, with its own message for an
    Office document carrying macros where DOCX or XLSX is allowed. With ``CSV`` allowed, a plain text
    file is accepted as CSV (see ``identify``)."""
    if not data:
        raise UploadRefused(f"{field_label} : le fichier est vide.")
    if len(data) > max_bytes:
        weight = f"{len(data) / MB:.1f}".replace(".", ",")
        raise UploadRefused(
            f"{field_label} : le fichier pèse {weight} Mo, le maximum est {max_bytes // MB} Mo."
        )
    found = identify(data)
    if found in _MACRO_FREE and _MACRO_FREE[found] in allowed:
        raise UploadRefused(
            f"{field_label} : ce document contient des macros ; enregistrez-le sans macros "
            "(.docx ou .xlsx) puis envoyez-le à nouveau."
        )
    if found is None or found not in allowed:
        raise UploadRefused(
            f"{field_label} : ce fichier n'est pas un {_labels(allowed)} (son contenu a été vérifié, "
            "pas seulement son nom)."
        )
    return found
