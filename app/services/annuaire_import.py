"""Import the Annuaire santé: the public RPPS extract, then our complements CSV.

Why: the directory's practitioners, structures and activities come from the public extract of the
Annuaire santé (ANS, "extractions publiques", file ``PS_LibreAcces_Personne_activite_<date>.txt``),
reloaded when a new extract is published; what the extract lacks (secteur, carte Vitale, opening
hours, usual fees) comes from a CSV of ours. ``flask annuaire import [EXTRAIT] [--complements CSV]``
loads either or both in **one transaction**: every line of both files is checked, and one bad line
means nothing at all is written. The report gives each problem with its line number, in French
(the first ``MAX_LISTED_ERRORS`` of each file, then how many more). Unlike the register of insured
people, this data is public, so messages quote the faulty value.

The RPPS extract
----------------
Layout in ``shared/data/rpps_format.md``: pipe-separated, header on line 1, a trailing ``|`` on
every line (its empty last field is dropped), ``\\r\\n`` tolerated, no quoting. Read as UTF-8; when
a line does not decode, the whole file is read again as Windows-1252 (decided once per file).
Columns are found **by header name** (case, accents and apostrophes ignored), so the 52-column
layout of 2021–2022 and the 56-column one both load; a missing column stops the import. A real
extract is about 800 MB and 2.2 million lines: it is streamed twice, never held in memory — a
first pass checks every line (and settles the encoding) without touching the database, a second
writes by batches of ``_BATCH_ROWS`` lines with bulk statements (one ``IN`` lookup, one
``executemany`` insert and one update by id per table and batch). A stream that cannot seek (a
pipe) is first copied to a temporary file.

Checks of each line: "Type d'identifiant PP" is ``8`` (RPPS) or ``0`` (ADELI); an RPPS has 11
digits and a valid Luhn check digit (the real row quoted in ``rpps_format.md`` passes it); an
ADELI number has 9 digits; "Identification nationale PP" is the type followed by the identifier;
"Nom d'exercice" is not empty; "Code profession" is one of ``PROFESSIONS``; the postal code is
empty or 5 digits; the commune code is empty or an INSEE code (5 characters, digits or 2A/2B); no
value is longer than its database column.

How lines become rows:

- Lines of the same "Identification nationale PP" (one per activity) make one practitioner,
  whose identity is that of its first line. Its specialty is the savoir-faire of type ``S``
  (spécialité ordinale), the only type that tells a generalist from a specialist; the other types
  (compétences, capacités…) are ignored. A line without "Identifiant technique de la structure"
  gives the practitioner without an activity.
- A structure (keyed by "Identifiant technique de la structure") takes the values of its first
  line: name = "Raison sociale site", else "Enseigne commerciale site"; address = numéro,
  indice de répétition, libellé du type de voie and libellé de voie; complement = "Complément
  destinataire", "Complément point géographique" and "Mention distribution"; phone = the digits of
  "Téléphone (coord. structure)". Its département is the commune's (``territory``); for a commune
  code our data does not know (a commune merged since), the first characters of that code, which
  are the département by construction; without commune code, those of the postal code (``20``:
  2A below 20200, else 2B), an approximation since a postal code may cross a border.
- Re-import updates in place: same national identifier → same practitioner, same structure key →
  same structure; the activities of every practitioner in the file are replaced by those of the
  file. Practitioners and structures absent from the file are left untouched (a partial extract
  never deletes anything), and the complements (secteur, carte Vitale, hours, tariffs) are never
  touched by the extract.

The complements CSV
-------------------
UTF-8 (BOM tolerated), ``;`` separator (``,`` is detected too, as for the register), header on
line 1, names matched ignoring case and accents. Only ``rpps`` is required; a column left out of
the header leaves that value unchanged for every practitioner. Example:
``tests/data/annuaire_complements_sample.csv``.

================  =================================================================================
``rpps``          the 11-digit RPPS number, or the national identifier of the extract (``8`` + RPPS,
                  ``0`` + ADELI). The practitioner must be in the directory already or in the
                  extract imported in the same run; once per file.
``secteur``       ``1``, ``2_optam`` (or ``2 OPTAM``), ``2``, ``3`` (or ``non conventionné``).
``carte_vitale``  ``oui`` or ``non``.
``horaires``      free text, 300 characters at most.
``tarifs``        space-separated ``CODE=montant`` pairs, e.g. ``G=30,00 VG=40``: codes of
                  ``tarifs.toml``, amounts in euros (comma or dot, 2 decimals at most,
                  0 < montant ≤ 10 000). The list replaces all of the practitioner's tariffs.
================  =================================================================================

An empty cell leaves the value unchanged; ``-`` clears it (secteur and carte Vitale become
unknown, hours empty, tariffs all removed).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import IO, Any, Final

import sqlalchemy as sa
from stdnum import luhn

from app.extensions import db
from app.models import AnnuaireActivity, AnnuairePractitioner, AnnuaireStructure, AnnuaireTariff
from app.models.base import utcnow
from app.rules import territory
from app.rules.annuaire import PROFESSIONS, kind_of, practitioner_words, structure_words
from app.rules.tariffs import act_codes
from app.services.annuaire import refresh_statistics
from app.services.register_import import RowError, normalize_header, plural, read_csv_records

Source = str | os.PathLike[str] | IO[bytes]

MAX_LISTED_ERRORS: Final = 50
_BATCH_ROWS = 1000  # lines written per batch: keeps every IN (...) list under the databases' limits
_LOOKUP_CHUNK: Final = 500

# Field of a parsed line → its header in the extract. Every one is in both layouts.
RPPS_COLUMNS: Final = {
    "id_type": "Type d'identifiant PP",
    "identifier": "Identifiant PP",
    "national_id": "Identification nationale PP",
    "civilite": "Libellé civilité d'exercice",
    "last_name": "Nom d'exercice",
    "first_name": "Prénom d'exercice",
    "profession_code": "Code profession",
    "specialty_type": "Code type savoir-faire",
    "specialty_code": "Code savoir-faire",
    "specialty": "Libellé savoir-faire",
    "mode": "Libellé mode exercice",
    "siret": "Numéro SIRET site",
    "finess": "Numéro FINESS site",
    "structure_key": "Identifiant technique de la structure",
    "raison_sociale": "Raison sociale site",
    "enseigne": "Enseigne commerciale site",
    "complement_destinataire": "Complément destinataire (coord. structure)",
    "complement_geographique": "Complément point géographique (coord. structure)",
    "numero_voie": "Numéro Voie (coord. structure)",
    "indice_voie": "Indice répétition voie (coord. structure)",
    "type_voie": "Libellé type de voie (coord. structure)",
    "voie": "Libellé Voie (coord. structure)",
    "mention_distribution": "Mention distribution (coord. structure)",
    "postal_code": "Code postal (coord. structure)",
    "commune_insee": "Code commune (coord. structure)",
    "commune_name": "Libellé commune (coord. structure)",
    "phone": "Téléphone (coord. structure)",
    "activity_sector": "Libellé secteur d'activité",
}
COMPLEMENT_COLUMNS: Final = ("rpps", "secteur", "carte_vitale", "horaires", "tarifs")
CLEAR: Final = "-"
MAX_HOURS_LENGTH: Final = 300
MAX_TARIFF: Final = Decimal("10000")

_ID_TYPES: Final = frozenset({"8", "0"})
_SPECIALITE_ORDINALE: Final = "S"
_ENCODINGS: Final = ("utf-8", "cp1252")
_RPPS = re.compile(r"\d{11}", re.ASCII)
_ADELI = re.compile(r"\d{9}", re.ASCII)
_POSTAL_CODE = re.compile(r"\d{5}", re.ASCII)
_INSEE = re.compile(r"(?:\d{2}|2[AB])\d{3}", re.ASCII)
_AMOUNT = re.compile(r"\d{1,7}(?:[.,]\d{1,2})?", re.ASCII)
_SECTEURS: Final = {
    "1": "1",
    "2 optam": "2_optam",
    "2": "2",
    "3": "3",
    "non conventionne": "3",
}
# Names of the built values in messages (the others are named by their header).
_LABELS: Final = {
    **RPPS_COLUMNS,
    "name": "Raison sociale site / Enseigne commerciale site",
    "address_line": "adresse de la structure (numéro, indice, type et libellé de voie)",
    "address_complement": "complément d'adresse de la structure",
}


@dataclass
class FileErrors:
    """The problems found in one file: the first ``MAX_LISTED_ERRORS`` with their line, then
    only a count (a wrong extract can have millions)."""

    label: str
    listed: list[RowError] = field(default_factory=list)
    unlisted: int = 0

    @property
    def count(self) -> int:
        return len(self.listed) + self.unlisted

    def add(self, line: int, message: str, column: str = "") -> None:
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(RowError(line, column, message))
        else:
            self.unlisted += 1


@dataclass
class AnnuaireImportReport:
    """What an import did, or the errors that stopped it (then every count is 0: nothing was
    written). ``complements_unchecked``: the extract was wrong, so the complements' practitioners
    were not looked up."""

    rpps_given: bool = False
    complements_given: bool = False
    rpps_lines: int = 0
    practitioners_created: int = 0
    practitioners_updated: int = 0
    structures_created: int = 0
    structures_updated: int = 0
    activities: int = 0
    complemented: int = 0
    tariffs: int = 0
    rpps_errors: FileErrors = field(default_factory=lambda: FileErrors("Extrait RPPS"))
    complement_errors: FileErrors = field(default_factory=lambda: FileErrors("Fichier des compléments"))
    complements_unchecked: bool = False

    @property
    def ok(self) -> bool:
        return not (self.rpps_errors.count or self.complement_errors.count)

    @property
    def error_count(self) -> int:
        return self.rpps_errors.count + self.complement_errors.count

    def forget_writes(self) -> None:
        """Zero the counts after a rollback: they described writes that were undone."""
        self.practitioners_created = self.practitioners_updated = 0
        self.structures_created = self.structures_updated = 0
        self.activities = self.complemented = self.tariffs = 0


def import_annuaire(rpps: Source | None = None, complements: Source | None = None) -> AnnuaireImportReport:
    """Import the RPPS extract (a path or a binary stream), then the complements CSV (a path or a
    stream), in one transaction: committed if both files are right, rolled back otherwise."""
    report = AnnuaireImportReport(rpps_given=rpps is not None, complements_given=complements is not None)
    try:
        if rpps is not None:
            _import_rpps(rpps, report)
        if complements is not None:
            report.complements_unchecked = not report.ok
            _import_complements(complements, report)
        if report.ok:
            db.session.commit()
            refresh_statistics()
        else:
            db.session.rollback()
            report.forget_writes()
    except Exception:
        db.session.rollback()
        raise
    return report


def import_rpps(path_or_binary_stream: Source) -> AnnuaireImportReport:
    """Import the "PS_LibreAcces_Personne_activite" file alone (see the module docstring)."""
    return import_annuaire(rpps=path_or_binary_stream)


def import_complements(stream: Source) -> AnnuaireImportReport:
    """Import our complements CSV alone: every practitioner must already be in the directory."""
    return import_annuaire(complements=stream)


def format_report(report: AnnuaireImportReport) -> str:
    """The report as French text: the errors of each file, or what was created and updated."""
    if not report.ok:
        lines: list[str] = []
        for errors in (report.rpps_errors, report.complement_errors):
            if not errors.count:
                continue
            lines.append(f"{errors.label} :")
            lines.extend(f"  {error}" for error in errors.listed)
            if errors.unlisted:
                more = plural(errors.unlisted, "autre erreur non listée", "autres erreurs non listées")
                lines.append(f"  … et {errors.unlisted} {more}.")
        if report.complements_unchecked:
            lines.append(
                "Les professionnels du fichier des compléments n'ont pas été recherchés dans "
                "l'annuaire : corrigez d'abord l'extrait RPPS."
            )
        total = report.error_count
        lines.append(f"Rien n'a été importé : {total} {plural(total, 'erreur', 'erreurs')}.")
        return "\n".join(lines)
    lines = ["Annuaire santé importé."]
    if report.rpps_given:
        created, updated = report.practitioners_created, report.practitioners_updated
        lines.append(
            f"Extrait RPPS : {report.rpps_lines} {plural(report.rpps_lines, 'ligne lue', 'lignes lues')}."
        )
        lines.append(f"Professionnels : {created} {plural(created, 'créé', 'créés')}, {updated} mis à jour.")
        created, updated = report.structures_created, report.structures_updated
        lines.append(
            f"Structures : {created} {plural(created, 'créée', 'créées')}, "
            f"{updated} {plural(updated, 'mise à jour', 'mises à jour')}."
        )
        lines.append(f"Activités enregistrées : {report.activities}.")
    if report.complements_given:
        done, tariffs = report.complemented, report.tariffs
        lines.append(
            f"Compléments : {done} {plural(done, 'professionnel complété', 'professionnels complétés')}, "
            f"{tariffs} {plural(tariffs, 'tarif enregistré', 'tarifs enregistrés')}."
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class _Layout:
    """Where each field is in a line of this file, and how many fields a line has."""

    positions: dict[str, int]
    width: int
    trailing_pipe: bool

    def cells(self, line: int, text: str, errors: FileErrors) -> dict[str, str] | None:
        if self.trailing_pipe and text.endswith("|"):
            text = text[:-1]
        fields = text.split("|")
        if len(fields) != self.width:
            errors.add(
                line,
                f"{len(fields)} champs au lieu de {self.width} (ceux de l'en-tête) : un « | » en trop "
                "ou en moins ?",
            )
            return None
        return {key: " ".join(fields[index].split()) for key, index in self.positions.items()}


@dataclass(slots=True)
class _RppsRow:
    """One checked line: the practitioner's values, its structure's (None without structure),
    and the mode of the activity."""

    line: int
    practitioner: dict[str, str]
    structure: dict[str, str] | None
    mode: str


class _Extract:
    """The extract as numbered text lines, readable again from the start; ``encoding`` is
    settled by the checking pass."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.start = handle.tell()
        self.encoding = _ENCODINGS[0]
        self.line = 0

    def lines(self) -> Iterator[tuple[int, str]]:
        """Numbered lines without their end (``\\n`` or ``\\r\\n``); ``self.line`` follows, so
        that a decoding error can be placed."""
        self.handle.seek(self.start)
        self.line = 0
        for raw in self.handle:
            self.line += 1
            yield self.line, raw.decode(self.encoding).rstrip("\r\n")

    def data_lines(self, layout: _Layout, errors: FileErrors) -> Iterator[_RppsRow | None]:
        """Every data line parsed (None for a wrong one, with its errors added)."""
        lines = self.lines()
        next(lines, None)
        for number, text in lines:
            if not text.strip():
                continue
            cells = layout.cells(number, text, errors)
            yield None if cells is None else _parse_rpps_row(number, cells, errors)


def _import_rpps(source: Source, report: AnnuaireImportReport) -> None:
    with _seekable(source, report.rpps_errors) as handle:
        if handle is None:
            return
        extract = _Extract(handle)
        layout = _check_extract(extract, report)
        errors = report.rpps_errors
        if layout is None or errors.count:
            return
        writer = _RppsWriter(report)
        batch: list[_RppsRow] = []
        for row in extract.data_lines(layout, errors):
            if row is None:
                break
            batch.append(row)
            if len(batch) >= _BATCH_ROWS:
                writer.write(batch)
                batch = []
        if errors.count:
            errors.add(0, "Le fichier a changé pendant l'import : relancez l'import.")
            return
        if batch:
            writer.write(batch)


def _check_extract(extract: _Extract, report: AnnuaireImportReport) -> _Layout | None:
    """First pass: check every line, as UTF-8 or else as Windows-1252. Returns the layout, or
    None when the header is unusable; line errors are in ``report.rpps_errors``."""
    for encoding in _ENCODINGS:
        extract.encoding = encoding
        errors = FileErrors(report.rpps_errors.label)
        try:
            layout, count = _check_lines(extract, errors)
        except UnicodeDecodeError:
            continue
        report.rpps_errors = errors
        report.rpps_lines = count
        return layout
    report.rpps_errors.add(
        extract.line,
        "Caractère illisible : le fichier n'est ni en UTF-8 ni en Windows-1252.",
    )
    return None


def _check_lines(extract: _Extract, errors: FileErrors) -> tuple[_Layout | None, int]:
    lines = extract.lines()
    first = next(lines, None)
    if first is None:
        errors.add(0, "Le fichier est vide.")
        return None, 0
    layout = _parse_header(first[1], errors)
    if layout is None:
        return None, 0
    count = 0
    for _row in extract.data_lines(layout, errors):
        count += 1
    if not count:
        errors.add(0, "Le fichier ne contient aucune ligne de données, seulement l'en-tête.")
    return layout, count


def _parse_header(header: str, errors: FileErrors) -> _Layout | None:
    header = header.removeprefix("\ufeff")
    if "|" not in header:
        errors.add(
            1,
            "L'en-tête n'est pas séparé par des « | » : est-ce bien le fichier "
            "PS_LibreAcces_Personne_activite de l'extraction publique ?",
        )
        return None
    trailing_pipe = header.endswith("|")
    names = [territory.fold_text(name) for name in (header[:-1] if trailing_pipe else header).split("|")]
    positions: dict[str, int] = {}
    for key, label in RPPS_COLUMNS.items():
        wanted = territory.fold_text(label)
        if wanted not in names:
            errors.add(1, f"Colonne obligatoire absente de l'en-tête : « {label} ».")
        elif names.count(wanted) > 1:
            errors.add(1, f"La colonne « {label} » figure deux fois dans l'en-tête.")
        else:
            positions[key] = names.index(wanted)
    if errors.count:
        return None
    return _Layout(positions, len(names), trailing_pipe)


def _parse_rpps_row(line: int, cells: dict[str, str], errors: FileErrors) -> _RppsRow | None:
    """Check one line and build its values; None (with errors added) when it is wrong."""
    before = errors.count
    id_type, identifier, national_id = cells["id_type"], cells["identifier"], cells["national_id"]
    if id_type == "8":
        if not _RPPS.fullmatch(identifier):
            errors.add(line, f"Identifiant RPPS invalide (11 chiffres attendus) : « {identifier} »")
        elif not luhn.is_valid(identifier):
            errors.add(line, f"Identifiant RPPS invalide (chiffre de contrôle faux) : « {identifier} »")
    elif id_type == "0":
        if not _ADELI.fullmatch(identifier):
            errors.add(line, f"Identifiant ADELI invalide (9 chiffres attendus) : « {identifier} »")
    else:
        errors.add(line, f"Type d'identifiant inconnu (8 pour RPPS, 0 pour ADELI) : « {id_type} »")
    if id_type in _ID_TYPES and national_id != id_type + identifier:
        errors.add(
            line,
            f"Identification nationale incohérente (« {id_type}{identifier} » attendu : type "
            f"d'identifiant suivi de l'identifiant) : « {national_id} »",
        )
    if not cells["last_name"]:
        errors.add(line, "Nom d'exercice vide")
    profession_code = cells["profession_code"]
    if profession_code not in PROFESSIONS:
        errors.add(line, f"Code profession inconnu : « {profession_code} »")
    postal_code = cells["postal_code"]
    if postal_code and not _POSTAL_CODE.fullmatch(postal_code):
        errors.add(line, f"Code postal invalide (5 chiffres attendus, ou vide) : « {postal_code} »")
    insee = cells["commune_insee"].upper()
    if insee and not _INSEE.fullmatch(insee):
        errors.add(
            line,
            f"Code commune invalide (code INSEE de 5 caractères attendu, chiffres ou 2A/2B) : « {insee} »",
        )
    if errors.count > before:
        return None

    specialty = cells["specialty_type"] == _SPECIALITE_ORDINALE
    practitioner = {
        "national_id": national_id,
        "id_type": id_type,
        "identifier": identifier,
        "civilite": cells["civilite"],
        "last_name": cells["last_name"],
        "first_name": cells["first_name"],
        "profession_code": profession_code,
        "profession": PROFESSIONS[profession_code],
        "specialty_code": cells["specialty_code"] if specialty else "",
        "specialty": cells["specialty"] if specialty else "",
    }
    _check_lengths(line, AnnuairePractitioner, practitioner, errors)
    structure = _structure_values(cells, insee) if cells["structure_key"] else None
    if structure is not None:
        _check_lengths(line, AnnuaireStructure, structure, errors)
        _check_lengths(line, AnnuaireActivity, {"mode": cells["mode"]}, errors)
    if errors.count > before:
        return None
    return _RppsRow(line, practitioner, structure, cells["mode"])


def _structure_values(cells: dict[str, str], insee: str) -> dict[str, str]:
    commune = territory.commune_by_insee(insee) if insee else None
    postal_code = cells["postal_code"]
    address = (cells["numero_voie"], cells["indice_voie"], cells["type_voie"], cells["voie"])
    complement = (
        cells["complement_destinataire"],
        cells["complement_geographique"],
        cells["mention_distribution"],
    )
    return {
        "structure_key": cells["structure_key"],
        "finess": cells["finess"],
        "siret": cells["siret"],
        "name": cells["raison_sociale"] or cells["enseigne"],
        "activity_sector": cells["activity_sector"],
        "address_line": " ".join(part for part in address if part),
        "address_complement": ", ".join(part for part in complement if part),
        "postal_code": postal_code,
        "commune_insee": insee,
        "commune_name": cells["commune_name"] or (commune.name if commune else ""),
        "departement": commune.departement if commune else _departement_of_code(insee or postal_code),
        "phone": "".join(char for char in cells["phone"] if char.isdigit()),
    }


def _departement_of_code(code: str) -> str:
    """The département an INSEE code or, less surely, a postal code points to ("" for none)."""
    if not code:
        return ""
    if code.startswith(("97", "98")):
        return code[:3]
    if code.startswith("20"):  # a Corsican postal code: 200xx and 201xx are in Corse-du-Sud
        return "2A" if code[2] in "01" else "2B"
    return code[:2]


def _check_lengths(line: int, model: type[db.Model], values: dict[str, str], errors: FileErrors) -> None:
    columns = model.__table__.c
    for key, value in values.items():
        limit = getattr(columns[key].type, "length", None)
        if limit is not None and len(value) > limit:
            errors.add(
                line,
                f"Valeur trop longue pour « {_LABELS.get(key, key)} » ({limit} caractères au plus) : "
                f"« {value[:40]}… »",
            )


@contextmanager
def _seekable(source: Source, errors: FileErrors) -> Iterator[IO[bytes] | None]:
    """``source`` as a binary stream that can be read twice, or None (with an error) when the
    file cannot be opened. A stream that cannot seek is copied to a temporary file first."""
    if isinstance(source, str | os.PathLike):
        try:
            handle = open(source, "rb")  # noqa: SIM115 - closed below, after the two passes
        except OSError:
            _unreadable(source, errors)
            yield None
            return
        with handle:
            yield handle
    elif source.seekable():
        yield source
    else:
        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(source, spool)
            spool.seek(0)
            yield spool


def _unreadable(path: str | os.PathLike[str], errors: FileErrors) -> None:
    errors.add(0, f"Fichier introuvable ou illisible : {os.fspath(path)}")


class _IdSet:
    """Row ids as a bitmap: a few hundred kilobytes for the millions of ids of a full extract,
    where a Python set would take about a hundred megabytes."""

    def __init__(self) -> None:
        self._bits = bytearray()

    def add(self, row_id: int) -> None:
        index = row_id >> 3
        if index >= len(self._bits):
            self._bits.extend(bytes(index + 1 - len(self._bits)))
        self._bits[index] |= 1 << (row_id & 7)

    def __contains__(self, row_id: int) -> bool:
        index = row_id >> 3
        return index < len(self._bits) and bool(self._bits[index] & (1 << (row_id & 7)))


@dataclass
class _Person:
    """A practitioner's lines of one batch, merged: values, and structure key → mode."""

    values: dict[str, str]
    activities: dict[str, str] = field(default_factory=dict)


class _RppsWriter:
    """Second pass: writes the checked lines batch by batch.

    A practitioner or structure met for the first time in this run is created or updated (and an
    existing practitioner's activities are deleted, to be replaced by the file's); met again in a
    later batch (the extract need not be sorted), it is not rewritten: its new activities are
    added, and a specialty found only now fills an empty one.
    """

    def __init__(self, report: AnnuaireImportReport) -> None:
        self.report = report
        self.now: datetime = utcnow()
        self.practitioners_done = _IdSet()
        self.structures_done = _IdSet()

    def write(self, rows: list[_RppsRow]) -> None:
        people: dict[str, _Person] = {}
        structures: dict[str, dict[str, str]] = {}
        for row in rows:
            values = row.practitioner
            person = people.get(values["national_id"])
            if person is None:
                person = people[values["national_id"]] = _Person(dict(values))
            elif values["specialty_code"] and not person.values["specialty_code"]:
                person.values["specialty_code"] = values["specialty_code"]
                person.values["specialty"] = values["specialty"]
            if row.structure is not None:
                key = row.structure["structure_key"]
                structures.setdefault(key, row.structure)
                person.activities.setdefault(key, row.mode)
        structure_ids = self._save_structures(structures)
        practitioner_ids, continued = self._save_practitioners(people)
        self._save_activities(people, practitioner_ids, structure_ids, continued)

    def _save_structures(self, structures: dict[str, dict[str, str]]) -> dict[str, int]:
        if not structures:
            return {}
        table = AnnuaireStructure
        ids: dict[str, int] = dict(
            db.session.execute(
                sa.select(table.structure_key, table.id).where(table.structure_key.in_(list(structures)))
            ).all()
        )
        new, changed = [], []
        for key, values in structures.items():
            words = structure_words(values["name"], values["activity_sector"], values["commune_name"])
            row = {**values, "search_words": words, "updated_at": self.now}
            if key not in ids:
                new.append(row)
            elif ids[key] not in self.structures_done:
                changed.append({"id": ids[key], **row})
        if new:
            inserted = db.session.execute(sa.insert(table).returning(table.structure_key, table.id), new)
            ids.update(inserted.all())
        if changed:
            db.session.execute(sa.update(table), changed)
        for row in new:
            self.structures_done.add(ids[row["structure_key"]])
        for row in changed:
            self.structures_done.add(row["id"])
        self.report.structures_created += len(new)
        self.report.structures_updated += len(changed)
        return ids

    def _save_practitioners(self, people: dict[str, _Person]) -> tuple[dict[str, int], list[int]]:
        """Create or update the batch's practitioners; returns their ids by national identifier,
        and the ids of those already written earlier in this run."""
        table = AnnuairePractitioner
        known = {
            national_id: (row_id, specialty_code)
            for national_id, row_id, specialty_code in db.session.execute(
                sa.select(table.national_id, table.id, table.specialty_code).where(
                    table.national_id.in_(list(people))
                )
            )
        }
        new, changed, continued = [], [], []
        for national_id, person in people.items():
            values = _practitioner_row(person.values, self.now)
            if national_id not in known:
                new.append(values)
                continue
            row_id, specialty_code = known[national_id]
            if row_id not in self.practitioners_done:
                changed.append({"id": row_id, **values})
                continue
            continued.append(row_id)
            if values["specialty_code"] and not specialty_code:
                fields = ("specialty_code", "specialty", "kind", "search_words", "updated_at")
                changed.append({"id": row_id, **{name: values[name] for name in fields}})
        ids = {national_id: row_id for national_id, (row_id, _code) in known.items()}
        if new:
            inserted = db.session.execute(sa.insert(table).returning(table.national_id, table.id), new)
            ids.update(inserted.all())
        replaced = [row["id"] for row in changed if row["id"] not in self.practitioners_done]
        if replaced:
            db.session.execute(
                sa.delete(AnnuaireActivity)
                .where(AnnuaireActivity.practitioner_id.in_(replaced))
                .execution_options(synchronize_session=False)
            )
        if changed:
            db.session.execute(sa.update(table), changed)
        for row in new:
            self.practitioners_done.add(ids[row["national_id"]])
        for row_id in replaced:
            self.practitioners_done.add(row_id)
        self.report.practitioners_created += len(new)
        self.report.practitioners_updated += len(replaced)
        return ids, continued

    def _save_activities(
        self,
        people: dict[str, _Person],
        practitioner_ids: dict[str, int],
        structure_ids: dict[str, int],
        continued: list[int],
    ) -> None:
        existing: set[tuple[int, int]] = set()
        if continued:
            query = sa.select(AnnuaireActivity.practitioner_id, AnnuaireActivity.structure_id).where(
                AnnuaireActivity.practitioner_id.in_(continued)
            )
            existing = {
                (practitioner_id, structure_id) for practitioner_id, structure_id in db.session.execute(query)
            }
        activities = []
        for national_id, person in people.items():
            practitioner_id = practitioner_ids[national_id]
            for key, mode in person.activities.items():
                if (practitioner_id, structure_ids[key]) not in existing:
                    activities.append(
                        {"practitioner_id": practitioner_id, "structure_id": structure_ids[key], "mode": mode}
                    )
        if activities:
            db.session.execute(sa.insert(AnnuaireActivity), activities)
        self.report.activities += len(activities)


def _practitioner_row(values: dict[str, str], now: datetime) -> dict[str, Any]:
    kind = kind_of(values["profession_code"], values["specialty_code"])
    words = practitioner_words(
        values["last_name"], values["first_name"], values["profession"], values["specialty"], kind
    )
    return {**values, "kind": kind, "search_words": words, "updated_at": now}


@dataclass
class _Complement:
    """One checked line of the complements: the practitioner's columns to set, and its tariffs
    (None: leave them; empty: remove them all)."""

    line: int
    national_id: str
    values: dict[str, Any]
    tariffs: dict[str, Decimal] | None


def _import_complements(source: Source, report: AnnuaireImportReport) -> None:
    errors = report.complement_errors
    records = _complement_records(source, errors)
    if records is None:
        return
    columns = _complement_header(records[0], errors)
    if columns is None:
        return
    complements: list[_Complement] = []
    first_line: dict[str, int] = {}
    for index, record in enumerate(records[1:]):
        line = index + 2
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            errors.add(
                line,
                f"La ligne compte {len(record)} valeurs au lieu de {len(columns)} (celles de l'en-tête) : "
                "un séparateur en trop ou en moins ?",
            )
            continue
        values = {name: cell.strip() for name, cell in zip(columns, record, strict=True) if name}
        complement = _parse_complement(line, values, errors)
        if complement is None:
            continue
        if complement.national_id in first_line:
            errors.add(
                line,
                f"Ce professionnel figure déjà à la ligne {first_line[complement.national_id]}.",
                "rpps",
            )
            continue
        first_line[complement.national_id] = line
        complements.append(complement)
    if not first_line and not errors.count:
        errors.add(0, "Le fichier ne contient aucune ligne de données.")
    if report.complements_unchecked:
        return
    ids = _practitioner_ids(list(first_line))
    for complement in complements:
        if complement.national_id not in ids:
            errors.add(
                complement.line,
                f"Professionnel inconnu : « {complement.national_id} » n'est ni dans l'annuaire ni "
                "dans l'extrait RPPS importé avec ce fichier.",
                "rpps",
            )
    if errors.count:
        return
    _write_complements(complements, ids, report)


def _complement_records(source: Source, errors: FileErrors) -> list[list[str]] | None:
    found: list[RowError] = []
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, encoding="utf-8", newline="") as handle:
                records = read_csv_records(handle, found)
        except OSError:
            _unreadable(source, errors)
            return None
    elif isinstance(source, io.TextIOBase):
        records = read_csv_records(source, found)
    else:
        text = io.TextIOWrapper(source, encoding="utf-8", newline="")
        try:
            records = read_csv_records(text, found)
        finally:
            text.detach()  # the caller's stream stays open
    for error in found:
        errors.add(error.line, error.message, error.column)
    return records


def _complement_header(header: list[str], errors: FileErrors) -> list[str | None] | None:
    columns: list[str | None] = []
    for position, raw in enumerate(header):
        name = normalize_header(raw)
        if not name:
            columns.append(None)
            continue
        if name not in COMPLEMENT_COLUMNS:
            errors.add(
                1,
                f"Colonne inconnue (n° {position + 1}) : « {raw.strip()[:40]} » ; les colonnes possibles "
                "sont " + ", ".join(COMPLEMENT_COLUMNS) + ".",
            )
        elif name in columns:
            errors.add(1, "Cette colonne figure deux fois dans l'en-tête.", name)
        columns.append(name)
    if "rpps" not in columns:
        errors.add(1, "Colonne obligatoire absente de l'en-tête.", "rpps")
    return None if errors.count else columns


def _parse_complement(line: int, values: dict[str, str], errors: FileErrors) -> _Complement | None:
    before = errors.count
    national_id = _national_id("".join(values["rpps"].split()))
    if national_id is None:
        errors.add(
            line,
            "Identifiant invalide : numéro RPPS de 11 chiffres (clé de contrôle juste) ou "
            f"identification nationale (8 + RPPS, 0 + ADELI) attendu : « {values['rpps']} »",
            "rpps",
        )
    changes: dict[str, Any] = {}
    secteur = values.get("secteur", "")
    if secteur == CLEAR:
        changes["secteur"] = ""
    elif secteur:
        folded = territory.fold_text(secteur).removeprefix("secteur ")
        if folded in _SECTEURS:
            changes["secteur"] = _SECTEURS[folded]
        else:
            errors.add(
                line,
                f"Secteur inconnu : « {secteur} » ; valeurs possibles : 1, 2_optam (ou 2 OPTAM), 2, 3 "
                "(ou non conventionné), - pour effacer.",
                "secteur",
            )
    carte_vitale = territory.fold_text(values.get("carte_vitale", ""))
    if values.get("carte_vitale") == CLEAR:
        changes["carte_vitale"] = None
    elif carte_vitale in ("oui", "non"):
        changes["carte_vitale"] = carte_vitale == "oui"
    elif carte_vitale:
        errors.add(
            line,
            f"Valeur inattendue : « {values['carte_vitale']} » ; oui, non, ou - pour effacer.",
            "carte_vitale",
        )
    hours = values.get("horaires", "")
    if hours == CLEAR:
        changes["opening_hours"] = ""
    elif len(hours) > MAX_HOURS_LENGTH:
        errors.add(line, f"Les horaires dépassent {MAX_HOURS_LENGTH} caractères.", "horaires")
    elif hours:
        changes["opening_hours"] = hours
    tariffs = _parse_tariffs(line, values.get("tarifs", ""), errors)
    if national_id is None or errors.count > before:
        return None
    return _Complement(line, national_id, changes, tariffs)


def _national_id(text: str) -> str | None:
    """The national identifier of an RPPS number or of a national identifier, or None."""
    if _RPPS.fullmatch(text):
        text = "8" + text
    if len(text) == 12 and text[0] == "8" and _RPPS.fullmatch(text[1:]) and luhn.is_valid(text[1:]):
        return text
    if len(text) == 10 and text[0] == "0" and _ADELI.fullmatch(text[1:]):
        return text
    return None


def _parse_tariffs(line: int, text: str, errors: FileErrors) -> dict[str, Decimal] | None:
    if not text:
        return None
    if text == CLEAR:
        return {}
    codes = act_codes()
    tariffs: dict[str, Decimal] = {}
    for pair in text.split():
        code, equals, amount = pair.partition("=")
        code = code.upper()
        if not equals:
            errors.add(line, f"« {pair} » : forme CODE=montant attendue (par exemple G=30,00).", "tarifs")
        elif code not in codes:
            errors.add(
                line,
                f"Code d'acte inconnu : « {code} » ; codes possibles : {', '.join(codes)}.",
                "tarifs",
            )
        elif code in tariffs:
            errors.add(line, f"Le code d'acte « {code} » figure deux fois.", "tarifs")
        elif not _AMOUNT.fullmatch(amount):
            errors.add(
                line,
                f"« {pair} » : montant invalide (en euros, 2 décimales au plus, par exemple {code}=30,00).",
                "tarifs",
            )
        elif not Decimal(0) < (value := Decimal(amount.replace(",", "."))) <= MAX_TARIFF:
            errors.add(
                line,
                f"« {pair} » : le montant doit être supérieur à 0 et au plus de 10 000 €.",
                "tarifs",
            )
        else:
            tariffs[code] = value.quantize(Decimal("0.01"))
    return tariffs


def _practitioner_ids(national_ids: list[str]) -> dict[str, int]:
    table = AnnuairePractitioner
    ids: dict[str, int] = {}
    for start in range(0, len(national_ids), _LOOKUP_CHUNK):
        chunk = national_ids[start : start + _LOOKUP_CHUNK]
        query = sa.select(table.national_id, table.id).where(table.national_id.in_(chunk))
        ids.update(db.session.execute(query).all())
    return ids


def _write_complements(
    complements: list[_Complement], ids: dict[str, int], report: AnnuaireImportReport
) -> None:
    now = utcnow()
    changed = [
        {"id": ids[complement.national_id], **complement.values, "updated_at": now}
        for complement in complements
        if complement.values
    ]
    if changed:
        db.session.execute(sa.update(AnnuairePractitioner), changed)
    priced = [complement for complement in complements if complement.tariffs is not None]
    replaced = [ids[complement.national_id] for complement in priced]
    for start in range(0, len(replaced), _LOOKUP_CHUNK):
        db.session.execute(
            sa.delete(AnnuaireTariff)
            .where(AnnuaireTariff.practitioner_id.in_(replaced[start : start + _LOOKUP_CHUNK]))
            .execution_options(synchronize_session=False)
        )
    tariffs = [
        {"practitioner_id": ids[complement.national_id], "act_code": code, "amount": amount}
        for complement in priced
        for code, amount in (complement.tariffs or {}).items()
    ]
    if tariffs:
        db.session.execute(sa.insert(AnnuaireTariff), tariffs)
    report.complemented = sum(
        1 for complement in complements if complement.values or complement.tariffs is not None
    )
    report.tariffs = len(tariffs)
