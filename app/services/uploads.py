"""Reading the files users send: checked by content (``app.rules.uploads``), images decoded and
re-encoded so that nothing but pixels is kept (no EXIF: no GPS position, no device), within the
dimensions asked. Nothing here writes to the database: callers store what ``read_upload`` returns
only once every file of the form passed."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from app.rules import uploads as rules
from app.rules.uploads import UploadRefused

# A decompression bomb (a tiny file that decodes to gigapixels) is refused before decoding.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ImageRule:
    """Dimensions in pixels an image must have (a photo d'identité: at least 300 × 400)."""

    min_width: int = 1
    min_height: int = 1
    max_width: int = 8000
    max_height: int = 8000


def read_upload(
    storage: FileStorage | None,
    field_label: str,
    base_name: str,
    *,
    allowed: tuple[rules.FileType, ...] = rules.DOCUMENT_TYPES,
    max_bytes: int = 5 * rules.MB,
    image_rule: ImageRule | None = None,
    required: bool = True,
) -> CheckedFile | None:
    """The checked content of one uploaded file, named ``<base_name>.<ext>`` (never the user's file
    name, which may carry personal data). None when no file was sent and ``required`` is false.
    Raises ``UploadRefused`` with a French message naming ``field_label``."""
    if storage is None or not storage.filename:
        if required:
            raise UploadRefused(f"{field_label} : choisissez un fichier.")
        return None
    data = storage.stream.read(max_bytes + 1)
    kind = rules.check(data, field_label, allowed, max_bytes)
    if kind in rules.IMAGE_TYPES:
        data = _clean_image(data, kind, field_label, image_rule or ImageRule())
    return CheckedFile(filename=f"{base_name}.{kind.extension}", content_type=kind.content_type, data=data)


def _clean_image(data: bytes, kind: rules.FileType, field_label: str, rule: ImageRule) -> bytes:
    unreadable = UploadRefused(f"{field_label} : l'image est illisible ou abîmée.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UploadRefused(
                        f"{field_label} : l'image est trop grande ({width} × {height} pixels)."
                    )
                image.load()
                pixels = image.convert("RGB") if kind is rules.JPEG else _png_mode(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UploadRefused):
            raise
        raise unreadable from exc
    if width < rule.min_width or height < rule.min_height:
        raise UploadRefused(
            f"{field_label} : l'image mesure {width} × {height} pixels, il faut au moins "
            f"{rule.min_width} × {rule.min_height} pixels."
        )
    if width > rule.max_width or height > rule.max_height:
        raise UploadRefused(
            f"{field_label} : l'image mesure {width} × {height} pixels, le maximum est "
            f"{rule.max_width} × {rule.max_height} pixels."
        )
    out = io.BytesIO()
    # A fresh image from the pixels alone: EXIF, XMP, ICC comments and text chunks are left behind.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    if kind is rules.JPEG:
        clean.save(out, "JPEG", quality=90)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def _png_mode(image: Image.Image) -> Image.Image:
    return image.convert("RGBA") if image.mode in ("RGBA", "LA", "P") else image.convert("RGB")


__all__ = ["CheckedFile", "ImageRule", "UploadRefused", "read_upload"]
