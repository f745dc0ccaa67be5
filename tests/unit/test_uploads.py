"""Uploaded files are judged by their content, never their name; images keep only their pixels."""

from __future__ import annotations

import io
import zipfile

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


def office_zip(*names: str, payload: bytes = b"<xml/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            # A fixed date: the same bytes at every collection (parallel workers must agree).
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), payload, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


DOCX = office_zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office_zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCM = office_zip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")
XLSM = office_zip("[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin")
RANDOM_ZIP = office_zip("photos/IMG_0001.jpg", "notes.txt")
CSV_UTF8 = "Date;Libellé;Montant\n03/02/2025;Pharmacie Hôtel-Dieu;12,50 €\n".encode()
CSV_BOM = b"\xef\xbb\xbf" + CSV_UTF8
CSV_CP1252 = "Nom;Prénom\r\nMartin;Zoé\r\n".encode("cp1252")
MACROS = (
    "Pièce : ce document contient des macros ; enregistrez-le sans macros (.docx ou .xlsx) "
    "puis envoyez-le à nouveau."
)


def test_fixtures_are_what_they_claim():
    assert b"\xe9" in CSV_CP1252
    assert CSV_UTF8.decode("utf-8") != CSV_UTF8.decode("cp1252")
    assert rules.sniff(DOCX[:16]) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, rules.PDF),
        (image_bytes("JPEG"), rules.JPEG),
        (image_bytes("PNG"), rules.PNG),
        (DOCX, rules.DOCX),
        (XLSX, rules.XLSX),
        (DOCM, rules.DOCM),
        (XLSM, rules.XLSM),
        (office_zip("[Content_Types].xml", "word/document.xml", "word/VBAPROJECT.BIN"), rules.DOCM),
        (RANDOM_ZIP, None),
        (office_zip("word/document.xml"), None),
        (office_zip("[Content_Types].xml", "ppt/presentation.xml"), None),
        (office_zip("[Content_Types].xml", "xl/vbaProject.bin"), None),
        (DOCX[:60], None),
        (b"PK\x03\x04" + b"\x00" * 40, None),
        (CSV_UTF8, rules.CSV),
        (CSV_BOM, rules.CSV),
        (CSV_CP1252, rules.CSV),
        (b"a\tb\r\n1\t2\r\n", rules.CSV),
        (b"Texte libre sans s\xe9parateur", rules.CSV),
        (b"%PDF-1.4 tout en texte\n", rules.PDF),
        (b"Nom;Pr\x81nom\n", None),
        (b"Nom;Prenom\x00\n", None),
        (b"Nom;Prenom\x0c\n", None),
        (b"Nom;Prenom\x7f\n", None),
        ("Nom;Prénom\u0085\n".encode(), None),
        (ELF, None),
        (MZ, None),
        (b" \r\n\t\n", None),
        (b"\xef\xbb\xbf\n", None),
        (b"", None),
    ],
)
def test_identify_by_content(data, expected):
    assert rules.identify(data) is expected


def test_identify_reads_office_names_without_decompressing():
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"A" * 100)
    corrupted = stored.getvalue().replace(b"A" * 100, b"B" * 100)
    with zipfile.ZipFile(io.BytesIO(corrupted)) as archive:
        assert archive.testzip() == "word/document.xml"
    assert rules.identify(corrupted) is rules.DOCX


@pytest.mark.parametrize(
    ("data", "allowed", "expected"),
    [
        (DOCX, rules.MESSAGE_TYPES, rules.DOCX),
        (XLSX, rules.MESSAGE_TYPES, rules.XLSX),
        (CSV_UTF8, rules.MESSAGE_TYPES, rules.CSV),
        (CSV_BOM, rules.MESSAGE_TYPES, rules.CSV),
        (CSV_CP1252, (rules.CSV,), rules.CSV),
        (PDF, rules.MESSAGE_TYPES, rules.PDF),
        (image_bytes("PNG"), rules.MESSAGE_TYPES, rules.PNG),
    ],
)
def test_check_accepts(data, allowed, expected):
    assert rules.check(data, "Pièce", allowed, 2 * rules.MB) is expected


NOT_MESSAGE = "Pièce : ce fichier n'est pas un PDF, JPEG, PNG, DOCX, XLSX ou CSV (son contenu a été vérifié"


@pytest.mark.parametrize(
    ("data", "allowed", "message"),
    [
        (DOCM, rules.MESSAGE_TYPES, MACROS),
        (XLSM, rules.MESSAGE_TYPES, MACROS),
        (XLSM, (rules.XLSX,), MACROS),
        (DOCM, rules.DOCUMENT_TYPES, "Pièce : ce fichier n'est pas un PDF, JPEG ou PNG"),
        (XLSM, (rules.DOCX, rules.CSV), "Pièce : ce fichier n'est pas un DOCX ou CSV"),
        (MZ, rules.MESSAGE_TYPES, NOT_MESSAGE),
        (ELF, rules.MESSAGE_TYPES, NOT_MESSAGE),
        (SCRIPT + b"\x00", rules.MESSAGE_TYPES, NOT_MESSAGE),
        (RANDOM_ZIP, rules.MESSAGE_TYPES, NOT_MESSAGE),
        (b"Nom;Pr\x81nom\n", rules.MESSAGE_TYPES, NOT_MESSAGE),
        (b"\n\n", rules.MESSAGE_TYPES, NOT_MESSAGE),
        (CSV_UTF8, rules.DOCUMENT_TYPES, "Pièce : ce fichier n'est pas un PDF, JPEG ou PNG"),
        (DOCX, (rules.XLSX,), "Pièce : ce fichier n'est pas un XLSX (son contenu"),
        (b"%PDF-1.4 tout en texte\n", (rules.CSV,), "Pièce : ce fichier n'est pas un CSV (son contenu"),
    ],
)
def test_check_refuses_office_and_text_in_french(data, allowed, message):
    with pytest.raises(UploadRefused) as refused:
        rules.check(data, "Pièce", allowed, 2 * rules.MB)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "name", "filename", "content_type"),
    [
        (DOCX, "Attestation employeur.pdf", "piece.docx", rules.DOCX.content_type),
        (XLSX, "tableau.csv", "piece.xlsx", rules.XLSX.content_type),
        (CSV_CP1252, "export.xlsx", "piece.csv", "text/csv"),
    ],
)
def test_read_upload_keeps_office_and_csv_as_sent(data, name, filename, content_type):
    checked = read_upload(storage(data, name), "Pièce", "piece", allowed=rules.MESSAGE_TYPES)
    assert checked.filename == filename
    assert checked.content_type == content_type
    assert checked.data == data


@pytest.mark.parametrize("executable", [MZ, ELF])
@pytest.mark.parametrize("name", ["facture.pdf", "export.csv", "courrier.docx"])
def test_read_upload_refuses_a_renamed_executable_whatever_its_name(executable, name):
    with pytest.raises(UploadRefused, match="n'est pas un PDF, JPEG, PNG, DOCX, XLSX ou CSV"):
        read_upload(storage(executable, name), "Pièce", "piece", allowed=rules.MESSAGE_TYPES)


def ole_file(*streams: str) -> bytes:
    """An OLE2 compound file's header then directory entries naming ``streams`` (128 bytes each:
    the UTF-16LE name, NUL-padded), enough for ``identify``, which never parses further."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entries = b"".join(
        (name.encode("utf-16-le") + b"\x00\x00").ljust(128, b"\x00") for name in ("Root Entry", *streams)
    )
    return header + entries


TIFF_LE = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16
TIFF_BE = b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 16
DOC = ole_file("WordDocument", "1Table", "\x05SummaryInformation")
XLS = ole_file("Workbook", "\x05SummaryInformation")
XLS_95 = ole_file("Book")
OTHER_OLE = ole_file("PowerPoint Document", "Current User")
NOT_RECLAMATION = (
    "Pièce : ce fichier n'est pas un PDF, DOC, DOCX, XLS, XLSX, CSV, TIFF, PNG ou JPEG (son contenu"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TIFF_LE, rules.TIFF),
        (TIFF_BE, rules.TIFF),
        (image_bytes("TIFF"), rules.TIFF),
        (DOC, rules.DOC),
        (XLS, rules.XLS),
        (XLS_95, rules.XLS),
        (OTHER_OLE, None),
        (ole_file(), None),
        (ole_file("Bookmarks"), None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None),
        (b"II*\x01" + b"\x00" * 8, None),
        (b"II*", rules.CSV),
        (b"MM*\x00" + b"\x00" * 8, None),
        (b"\xd0\xcf\x11\xe0" + "WordDocument".encode("utf-16-le") + b"\x00\x00", None),
    ],
)
def test_identify_tiff_and_old_office_files(data, expected):
    assert rules.identify(data) is expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, rules.PDF),
        (DOC, rules.DOC),
        (DOCX, rules.DOCX),
        (XLS, rules.XLS),
        (XLSX, rules.XLSX),
        (CSV_UTF8, rules.CSV),
        (TIFF_LE, rules.TIFF),
        (image_bytes("PNG"), rules.PNG),
        (image_bytes("JPEG"), rules.JPEG),
    ],
)
def test_check_accepts_every_reclamation_type(data, expected):
    assert rules.check(data, "Pièce", rules.RECLAMATION_TYPES, 2 * rules.MB) is expected


@pytest.mark.parametrize(
    ("data", "allowed", "message"),
    [
        (MZ, rules.RECLAMATION_TYPES, NOT_RECLAMATION),
        (ELF, rules.RECLAMATION_TYPES, NOT_RECLAMATION),
        (OTHER_OLE, rules.RECLAMATION_TYPES, NOT_RECLAMATION),
        (RANDOM_ZIP, rules.RECLAMATION_TYPES, NOT_RECLAMATION),
        (DOCM, rules.RECLAMATION_TYPES, MACROS),
        (DOC, rules.MESSAGE_TYPES, NOT_MESSAGE),
        (XLS, rules.MESSAGE_TYPES, NOT_MESSAGE),
        (TIFF_LE, rules.MESSAGE_TYPES, NOT_MESSAGE),
        (TIFF_BE, rules.DOCUMENT_TYPES, "Pièce : ce fichier n'est pas un PDF, JPEG ou PNG"),
    ],
)
def test_check_refuses_outside_the_reclamation_types(data, allowed, message):
    with pytest.raises(UploadRefused) as refused:
        rules.check(data, "Pièce", allowed, 2 * rules.MB)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "name", "filename", "content_type"),
    [
        (TIFF_LE, "scan facture.pdf", "piece.tif", "image/tiff"),
        (DOC, "courrier.docx", "piece.doc", "application/msword"),
        (XLS, "tableau.xlsx", "piece.xls", "application/vnd.ms-excel"),
    ],
)
def test_read_upload_keeps_tiff_and_old_office_files_as_sent(data, name, filename, content_type):
    checked = read_upload(storage(data, name), "Pièce", "piece", allowed=rules.RECLAMATION_TYPES)
    assert checked.filename == filename
    assert checked.content_type == content_type
    assert checked.data == data


def test_damaged_archives_are_not_recognised_and_never_raise():
    """Truncated and byte-flipped DOCX archives: ``identify`` answers (a type or None), never raises."""
    import random

    rng = random.Random(2026)
    for _ in range(3000):
        data = bytearray(DOCX)
        if rng.random() < 0.5:
            data = data[: rng.randrange(8, len(data))]
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(4, len(data))] = rng.randrange(256)
        assert rules.identify(bytes(data)) in (
            None,
            rules.DOCX,
            rules.DOCM,
            rules.XLSX,
            rules.XLSM,
            rules.CSV,
        )
