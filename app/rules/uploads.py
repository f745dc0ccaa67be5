"""What an uploaded file really is, from its first bytes: never from its name or the browser's
declared type (a renamed executable is refused). Pure: no Flask, no image library."""

from __future__ import annotations

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
IMAGE_TYPES = (JPEG, PNG)
DOCUMENT_TYPES = (PDF, JPEG, PNG)


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
    return None


def _labels(types: tuple[FileType, ...]) -> str:
    names = [kind.label for kind in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ou " + names[-1]


def check(data: bytes, field_label: str, allowed: tuple[FileType, ...], max_bytes: int) -> FileType:
    """The type of ``data`` if it is one of ``allowed`` and at most ``max_bytes``; raises
    ``UploadRefused`` with a French message naming the field otherwise."""
    if not data:
        raise UploadRefused(f"{field_label} : le fichier est vide.")
    if len(data) > max_bytes:
        weight = f"{len(data) / MB:.1f}".replace(".", ",")
        raise UploadRefused(
            f"{field_label} : le fichier pèse {weight} Mo, le maximum est {max_bytes // MB} Mo."
        )
    found = sniff(data[:16])
    if found is None or found not in allowed:
        raise UploadRefused(
            f"{field_label} : ce fichier n'est pas un {_labels(allowed)} (son contenu a été vérifié, "
            "pas seulement son nom)."
        )
    return found
