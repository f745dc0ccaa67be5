"""Uploaded files are judged by their content, never their name; images keep only their pixels."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.rules import uploads as rules
from app.rules.uploads import UploadRefused
from app.services.uploads import ImageRule, read_upload

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 20
MZ = b"MZ\x90\x00" + b"\x00" * 20
SCRIPT = b"#!/bin/sh\nrm -rf /\n"


def image_bytes(kind: str = "JPEG", size=(400, 500), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Fabricant du téléphone"  # Make
        data[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
        image.save(out, kind, exif=data)
    else:
        image.save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, rules.PDF),
        (image_bytes("JPEG"), rules.JPEG),
        (image_bytes("PNG"), rules.PNG),
        (ELF, None),
        (MZ, None),
        (SCRIPT, None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_sniff_by_magic_bytes(head, expected):
    assert rules.sniff(head[:16]) is expected


@pytest.mark.parametrize(
    ("data", "allowed", "message"),
    [
        (b"", rules.DOCUMENT_TYPES, "Pièce : le fichier est vide."),
        (MZ, rules.DOCUMENT_TYPES, "Pièce : ce fichier n'est pas un PDF, JPEG ou PNG"),
        (PDF, rules.IMAGE_TYPES, "Pièce : ce fichier n'est pas un JPEG ou PNG"),
        (
            PDF + b"0" * (2 * rules.MB),
            rules.DOCUMENT_TYPES,
            "Pièce : le fichier pèse 2,0 Mo, le maximum est 2 Mo.",
        ),
    ],
)
def test_check_refuses_in_french(data, allowed, message):
    with pytest.raises(UploadRefused) as refused:
        rules.check(data, "Pièce", allowed, 2 * rules.MB)
    assert str(refused.value).startswith(message)


def storage(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def test_read_upload_names_the_file_itself_and_refuses_a_renamed_executable():
    checked = read_upload(storage(PDF, "Relevé Camille MARTIN.pdf"), "Pièce", "justificatif")
    assert checked.filename == "justificatif.pdf"
    assert checked.content_type == "application/pdf"
    with pytest.raises(UploadRefused):
        read_upload(storage(MZ, "photo.jpg"), "Photo", "photo", allowed=rules.IMAGE_TYPES)


def test_read_upload_missing_file():
    with pytest.raises(UploadRefused, match="choisissez un fichier"):
        read_upload(None, "Photo", "photo")
    assert read_upload(storage(b"", ""), "Photo", "photo", required=False) is None


def test_image_metadata_is_stripped():
    original = image_bytes("JPEG", exif=True)
    assert Image.open(io.BytesIO(original)).getexif()
    checked = read_upload(storage(original, "IMG_0001.jpg"), "Photo", "photo", allowed=rules.IMAGE_TYPES)
    cleaned = Image.open(io.BytesIO(checked.data))
    assert not cleaned.getexif()
    assert "exif" not in cleaned.info
    assert cleaned.size == (400, 500)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((200, 250), "l'image mesure 200 × 250 pixels, il faut au moins 300 × 400 pixels."),
        ((3000, 3000), "l'image mesure 3000 × 3000 pixels, le maximum est 2000 × 2000 pixels."),
    ],
)
def test_image_dimensions(size, message):
    rule = ImageRule(min_width=300, min_height=400, max_width=2000, max_height=2000)
    with pytest.raises(UploadRefused) as refused:
        read_upload(storage(image_bytes("PNG", size), "p.png"), "Photo", "photo", image_rule=rule)
    assert str(refused.value) == f"Photo : {message}"


def test_truncated_image_is_refused():
    broken = image_bytes("JPEG")[:200]
    with pytest.raises(UploadRefused, match="illisible"):
        read_upload(storage(broken, "p.jpg"), "Photo", "photo")
