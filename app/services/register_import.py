"""Import the caisse's register of insured people (assurés and ayants droit) from a CSV file.

Why: the register is kept by the caisse's own systems; an agent exports it from a spreadsheet and
loads it here with ``flask register import FILE``. A register is health data: a half-imported file
would leave families split or rights wrong, so the import is **all or nothing**. Every row is
checked first; if anything is wrong nothing is written and the report lists each problem by line
and column, in French, so the agent fixes the spreadsheet and runs the import again. The report
says *what* is wrong, never the value (it may be logged, and a NIR or an IBAN must not be).

Format
------
- Encoding UTF-8, with or without BOM ("CSV UTF-8" in a spreadsheet's export dialog).
- Delimiter ``;`` (French spreadsheets) or ``,``, detected from the header line.
- Line 1 is the header; line numbers in the report are those a spreadsheet shows (header = 1).
  Empty lines are skipped. Header names are matched ignoring case, accents and surrounding spaces
  ("Prénom" is ``prenom``).
- Dates are ``JJ/MM/AAAA`` or ``AAAA-MM-JJ``. A code that a spreadsheet shortened to 4 digits
  (postal code ``1400``, INSEE code ``1001``) gets its leading zero back.
- Rows are matched to the register by NIR, and updated in place; an ayant droit without NIR is
  matched by ouvrant droit + first name + birth date. A column left out of the header is not
  touched on update; a column present but empty clears the value.

Columns (* = the column must be in the header)
----------------------------------------------
===========================  ======================================================================
``nir`` *                    15 characters, or 13 (the key is then computed); 2A/2B for Corsica.
                             Empty only for an ayant droit.
``nom`` *                    last name (required, 120 characters at most).
``prenom`` *                 first name (required, 120 characters at most).
``date_naissance`` *         birth date (required); must agree with the NIR's year and month.
``sexe``                     ``F`` or ``M``. Optional when the NIR gives it (and must then agree
                             with it); required for an ayant droit without NIR.
``adresse`` *                street address (required, 200 characters at most).
``complement``               address complement (building, flat…).
``code_postal`` *            postal code (required); must be known to the territory data.
``commune_insee``            INSEE code of the commune. Required when the postal code serves
                             several communes; must be one of the postal code's communes.
``droits_debut`` *           start of the rights (required, not before the birth date).
``droits_fin``               end of the rights (empty = open); not before ``droits_debut``.
``iban``                     French IBAN (``FR…``), checked with its check digits; stored compact.
``email``                    e-mail address (basic shape check).
``medecin_traitant_rpps``    RPPS number of the médecin traitant: 11 digits, Luhn check.
``medecin_traitant_depuis``  date the médecin traitant was declared (needs the RPPS).
``ald_debut``                start of the ALD (affection de longue durée) exonération.
``ald_fin``                  end of the ALD exonération (needs ``ald_debut``, not before it).
``c2s_debut``                start of the C2S (complémentaire santé solidaire).
``c2s_fin``                  end of the C2S (needs ``c2s_debut``, not before it).
``nir_ouvrant_droit``        empty for an assuré; for an ayant droit the NIR of the assuré, who
                             must be an assuré of the same file or of the register.
``rang``                     1 for an assuré; 2 or more for an ayant droit, unique per assuré.
                             Empty: 1 for an assuré, the ayant droit's current rang or the next
                             free one for an ayant droit.
``lien``                     ``assure`` (default when ``nir_ouvrant_droit`` is empty), or
                             ``conjoint``, ``enfant``, ``autre`` (required for an ayant droit).
===========================  ======================================================================

The caisse is not a column: it is derived from the commune (``territory.caisse_for_commune``), and
the caisses must already be in the database (``flask caisses sync`` or ``flask demo load``).

Example: ``tests/data/register_sample.csv`` (four assurés and an ayant droit, ``;`` delimiter).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Final, TextIO

import sqlalchemy as sa
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, ValidationError

from app.extensions import db
from app.models import Caisse, Person
from app.models.register import LIENS
from app.rules import territory
from app.rules.nir import birth_mismatch, parse_nir, sex_of

REGISTER_COLUMNS: Final = (
    "nir",
    "nom",
    "prenom",
    "date_naissance",
    "sexe",
    "adresse",
    "complement",
    "code_postal",
    "commune_insee",
    "droits_debut",
    "droits_fin",
    "iban",
    "email",
    "medecin_traitant_rpps",
    "medecin_traitant_depuis",
    "ald_debut",
    "ald_fin",
    "c2s_debut",
    "c2s_fin",
    "nir_ouvrant_droit",
    "rang",
    "lien",
)
REQUIRED_COLUMNS: Final = (
    "nir",
    "nom",
    "prenom",
    "date_naissance",
    "adresse",
    "code_postal",
    "droits_debut",
)
CAISSES_NOT_LOADED: Final = (
    "Les caisses ne sont pas chargées : lancez d'abord flask demo load ou flask caisses sync."
)

_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DIGIT_RUN = re.compile(r"\d{4}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
_EARLIEST_BIRTH = date(1890, 1, 1)
_MAX_LISTED_COMMUNES = 8
_FRENCH_IBAN_LENGTH = 27
_LIENS_AYANT_DROIT = tuple(lien for lien in LIENS if lien != "assure")
_CHUNK = 500  # keeps IN (...) lists under every database's bound-parameter limit


@dataclass(frozen=True)
class RowError:
    """One problem: ``line`` as a spreadsheet numbers it (header = 1, 0 = the whole file),
    ``column`` the header name ("" when the whole line or file is at fault), ``message`` a French
    sentence that never quotes the faulty value."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return self.message
        where = f"ligne {self.line}, colonne {self.column}" if self.column else f"ligne {self.line}"
        return f"{where} : {_lower_first(self.message)}"


@dataclass
class ImportReport:
    """What an import did: rows created and updated, or the errors that stopped it (then both
    counts are 0: nothing was written)."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def format_report(report: ImportReport) -> str:
    """The report as French text: one line per error, then a one-line summary."""
    lines = [str(error) for error in report.errors]
    if report.errors:
        count = len(report.errors)
        lines.append(f"Aucune ligne importée : {count} erreur{'s' if count > 1 else ''}.")
    else:
        total = report.created + report.updated
        lines.append(
            f"{total} {plural(total, 'ligne importée', 'lignes importées')} "
            f"({report.created} {plural(report.created, 'créée', 'créées')}, "
            f"{report.updated} {plural(report.updated, 'mise à jour', 'mises à jour')})."
        )
    return "\n".join(lines)


def import_register_csv(stream: TextIO) -> ImportReport:
    """Check every row of a register CSV, then create or update the people in one transaction.

    Nothing is written if any row is wrong (the session is rolled back); see the module docstring
    for the format. Commits on success.
    """
    report = ImportReport()
    errors = report.errors
    records = read_csv_records(stream, errors)
    if records is None:
        db.session.rollback()
        return report
    header, body = records[0], records[1:]
    columns = _parse_header(header, body, errors)
    if errors:
        db.session.rollback()
        return report

    caisses = {c.key: c for c in db.session.scalars(sa.select(Caisse))}
    if not caisses:
        errors.append(RowError(0, "", CAISSES_NOT_LOADED))

    rows: list[_Row] = []
    for index, record in enumerate(body):
        line = index + 2
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            errors.append(
                RowError(
                    line,
                    "",
                    f"La ligne compte {len(record)} valeurs au lieu de {len(header)} (celles de "
                    "l'en-tête) : un séparateur en trop ou en moins ?",
                )
            )
            continue
        values = {name: cell.strip() for name, cell in zip(columns, record, strict=True) if name}
        rows.append(_parse_row(line, values, caisses, errors))
    if not rows and not errors:
        errors.append(RowError(0, "", "Le fichier ne contient aucune ligne de données."))

    present = frozenset(name for name in columns if name)
    _Linker(rows, errors).link()
    if errors:
        errors.sort(key=lambda error: (error.line, _column_order(error.column)))
        db.session.rollback()
        return report

    try:
        report.created, report.updated = _write(rows, present)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


@dataclass
class _Row:
    """One data line, parsed. Fields a check rejected stay None; the row then only serves the
    cross-row checks (so one typo does not cascade into unrelated messages)."""

    line: int
    nir: str | None = None
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    sex: str | None = None
    address_line: str = ""
    address_complement: str = ""
    postal_code: str = ""
    commune: territory.Commune | None = None
    caisse: Caisse | None = None
    rights_start: date | None = None
    rights_end: date | None = None
    iban: str | None = None
    email: str | None = None
    rpps: str | None = None
    rpps_since: date | None = None
    ald_start: date | None = None
    ald_end: date | None = None
    c2s_start: date | None = None
    c2s_end: date | None = None
    ouvrant_nir: str | None = None
    rang: int | None = None
    lien: str = "assure"
    # Filled by _Linker:
    existing: Person | None = None
    ouvrant_row: _Row | None = None
    ouvrant_person: Person | None = None
    person: Person | None = None

    @property
    def is_ayant_droit(self) -> bool:
        return self.lien != "assure"


def read_csv_records(stream: TextIO, errors: list[RowError]) -> list[list[str]] | None:
    """The CSV records, header first, or None (with an error) when the file cannot be read."""
    try:
        text = stream.read()
    except UnicodeDecodeError:
        errors.append(
            RowError(0, "", "Le fichier n'est pas encodé en UTF-8 : enregistrez-le au format CSV UTF-8.")
        )
        return None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        errors.append(RowError(0, "", "Le fichier est vide."))
        return None
    header_line = text.splitlines()[0]
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=";,").delimiter
    except csv.Error:
        # One column only, or a header line the sniffer cannot decide on: count the candidates.
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        errors.append(
            RowError(
                0,
                "",
                "Le fichier CSV est mal formé (guillemets non refermés ?) : exportez-le à nouveau "
                "depuis le tableur.",
            )
        )
        return None


def _parse_header(header: list[str], body: list[list[str]], errors: list[RowError]) -> list[str | None]:
    """Column names in file order (None for a nameless, empty column a spreadsheet added)."""
    names = [normalize_header(raw) for raw in header]
    if not any(name in REGISTER_COLUMNS for name in names):
        # No known column: the first line is data, not a header. Never echo it (NIR, names).
        errors.append(
            RowError(
                1,
                "",
                "La première ligne doit être l'en-tête (nir;nom;prenom;…) : aucune colonne connue "
                "n'y figure.",
            )
        )
        return []
    columns: list[str | None] = []
    seen: set[str] = set()
    for position, name in enumerate(names):
        if not name:
            if any(position < len(record) and record[position].strip() for record in body):
                errors.append(RowError(1, "", f"La colonne n° {position + 1} n'a pas de nom dans l'en-tête."))
            columns.append(None)
            continue
        if name not in REGISTER_COLUMNS:
            # A run of digits looks like data typed in the header: name the position only.
            label = "" if _DIGIT_RUN.search(name) else name[:40]
            errors.append(
                RowError(
                    1,
                    label,
                    f"Colonne inconnue (n° {position + 1}) : les colonnes possibles sont "
                    + ", ".join(REGISTER_COLUMNS)
                    + ".",
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, "Cette colonne figure deux fois dans l'en-tête."))
        seen.add(name)
        columns.append(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, "Colonne obligatoire absente de l'en-tête."))
    return columns


def _parse_row(line: int, values: dict[str, str], caisses: dict[str, Caisse], errors: list[RowError]) -> _Row:
    """Check one line on its own (cross-row checks come later, in ``_Linker``)."""
    cells = _Cells(line, values, errors)
    row = _Row(line)

    row.ouvrant_nir = cells.nir("nir_ouvrant_droit")
    ouvrant_given = bool(values.get("nir_ouvrant_droit"))
    row.lien = cells.lien(ouvrant_given)
    row.rang = cells.rang(ouvrant_given)

    if values.get("nir"):
        row.nir = cells.nir("nir")
    elif not ouvrant_given:
        cells.error(
            "nir",
            "Le numéro de sécurité sociale est obligatoire pour un assuré (il ne peut manquer "
            "que pour un ayant droit).",
        )

    row.last_name = cells.text("nom", "le nom", max_length=120)
    row.first_name = cells.text("prenom", "le prénom", max_length=120)
    row.birth_date = cells.date("date_naissance", required=True)
    if row.birth_date is not None:
        if row.birth_date > date.today():
            cells.error("date_naissance", "La date de naissance est dans le futur.")
        elif row.birth_date < _EARLIEST_BIRTH:
            cells.error("date_naissance", "La date de naissance est trop ancienne : vérifiez l'année.")
        elif row.nir:
            mismatch = birth_mismatch(row.nir, row.birth_date)
            if mismatch:
                cells.error("date_naissance", mismatch)
    # Without a NIR the sex cannot be deduced; only an ayant droit may lack one (an assuré
    # without NIR already has an error, a second one would be noise).
    row.sex = cells.sex(row.nir, required=not values.get("nir") and ouvrant_given)

    row.address_line = cells.text("adresse", "l'adresse", max_length=200)
    row.address_complement = cells.text(
        "complement", "le complément d'adresse", max_length=200, required=False
    )
    row.postal_code, row.commune = cells.commune()
    if row.commune is not None and caisses:
        row.caisse = cells.caisse(row.commune, caisses)

    row.rights_start = cells.date("droits_debut", required=True)
    row.rights_end = cells.date("droits_fin")
    cells.ordered("droits_debut", row.rights_start, "droits_fin", row.rights_end)
    if row.rights_start and row.birth_date and row.rights_start < row.birth_date:
        cells.error("droits_debut", "Le début des droits précède la date de naissance.")

    row.iban = cells.iban()
    row.email = cells.email()
    row.rpps = cells.rpps()
    row.rpps_since = cells.date("medecin_traitant_depuis")
    if row.rpps_since and not values.get("medecin_traitant_rpps"):
        cells.error(
            "medecin_traitant_depuis",
            "Une date de déclaration sans médecin traitant : indiquez aussi medecin_traitant_rpps.",
        )
    row.ald_start = cells.date("ald_debut")
    row.ald_end = cells.date("ald_fin")
    cells.ordered("ald_debut", row.ald_start, "ald_fin", row.ald_end)
    row.c2s_start = cells.date("c2s_debut")
    row.c2s_end = cells.date("c2s_fin")
    cells.ordered("c2s_debut", row.c2s_start, "c2s_fin", row.c2s_end)
    return row


class _Cells:
    """The values of one line and the checks of each kind of cell; errors go to the shared list."""

    def __init__(self, line: int, values: dict[str, str], errors: list[RowError]) -> None:
        self.line = line
        self.values = values
        self.errors = errors
        self.failed: set[str] = set()

    def error(self, column: str, message: str) -> None:
        self.failed.add(column)
        self.errors.append(RowError(self.line, column, message))

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def text(self, column: str, what: str, *, max_length: int, required: bool = True) -> str:
        value = " ".join(self.get(column).split())
        if required and not value:
            self.error(column, f"Indiquez {what}.")
        elif len(value) > max_length:
            self.error(column, f"{_upper_first(what)} dépasse {max_length} caractères.")
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        text = self.get(column)
        if not text:
            if required:
                self.error(column, "Indiquez une date (JJ/MM/AAAA ou AAAA-MM-JJ).")
            return None
        if match := _DATE_FR.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
        elif match := _DATE_ISO.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        else:
            self.error(column, "La date doit être au format JJ/MM/AAAA ou AAAA-MM-JJ.")
            return None
        try:
            return date(year, month, day)
        except ValueError:
            self.error(column, "Cette date n'existe pas dans le calendrier.")
            return None

    def ordered(self, start_column: str, start: date | None, end_column: str, end: date | None) -> None:
        if end is None:
            return
        if start is None:
            if start_column not in self.failed:
                self.error(
                    start_column,
                    f"Indiquez aussi la date de début : une date de fin ({end_column}) sans "
                    "date de début n'a pas de sens.",
                )
        elif end < start:
            self.error(end_column, f"La date de fin est antérieure à la date de début ({start_column}).")

    def nir(self, column: str) -> str | None:
        text = self.get(column)
        if not text:
            return None
        result = parse_nir(text)
        if not result.ok:
            self.error(column, result.error or "Le numéro de sécurité sociale n'est pas valide.")
            return None
        return result.value

    def sex(self, nir: str | None, *, required: bool) -> str | None:
        text = self.get("sexe").upper()
        if text and text not in ("F", "M"):
            self.error("sexe", "Le sexe doit être F ou M.")
            return None
        if nir is not None:
            from_nir = sex_of(nir)
            if text and text != from_nir:
                self.error(
                    "sexe",
                    "Le sexe ne correspond pas au premier chiffre du numéro de sécurité sociale.",
                )
                return None
            return from_nir
        if not text:
            if required:
                self.error(
                    "sexe",
                    "Indiquez le sexe (F ou M) : sans numéro de sécurité sociale, il ne peut pas "
                    "être déduit.",
                )
            return None
        return text

    def commune(self) -> tuple[str, territory.Commune | None]:
        typed = territory.normalize_postal_code(self.get("code_postal"))
        if not typed:
            self.error("code_postal", "Indiquez le code postal.")
            return "", None
        if len(typed) == 4 and typed.isdigit():
            typed = "0" + typed  # a spreadsheet dropped the leading zero
        resolution = territory.resolve_postal_code(typed)
        if resolution.error:
            self.error("code_postal", resolution.error)
            return typed, None
        insee = "".join(self.get("commune_insee").split()).upper()
        if len(insee) == 4 and insee.isdigit():
            insee = "0" + insee
        communes = [choice.commune for choice in resolution.choices]
        if insee:
            chosen = next((c for c in communes if c.insee == insee), None)
            if chosen is None:
                known = territory.commune_by_insee(insee)
                self.error(
                    "commune_insee",
                    "Ce code INSEE n'est pas celui d'une commune desservie par ce code postal."
                    if known
                    else "Ce code INSEE ne correspond à aucune commune.",
                )
            return typed, chosen
        if len(communes) > 1:
            listed = ", ".join(f"{c.name} ({c.insee})" for c in communes[:_MAX_LISTED_COMMUNES])
            more = "…" if len(communes) > _MAX_LISTED_COMMUNES else ""
            self.error(
                "commune_insee",
                "Ce code postal dessert plusieurs communes : indiquez le code INSEE de la commune "
                f"({listed}{more}).",
            )
            return typed, None
        return typed, communes[0]

    def caisse(self, commune: territory.Commune, caisses: dict[str, Caisse]) -> Caisse | None:
        try:
            ref = territory.caisse_for_commune(commune)
        except LookupError:
            self.error("code_postal", "Aucune caisse connue ne dessert cette commune.")
            return None
        row = caisses.get(ref.key)
        if row is None:
            column = "commune_insee" if self.get("commune_insee") else "code_postal"
            self.error(
                column,
                f"La caisse de cette commune ({ref.name}) n'est pas dans la base : lancez "
                "flask caisses sync.",
            )
        return row

    def iban(self) -> str | None:
        text = self.get("iban")
        if not text:
            return None
        number = stdnum_iban.compact(text)
        if not number.startswith("FR"):
            self.error("iban", "L'IBAN doit être un IBAN français (commençant par FR).")
            return None
        if len(number) != _FRENCH_IBAN_LENGTH:
            self.error(
                "iban",
                f"L'IBAN est invalide : un IBAN français compte {_FRENCH_IBAN_LENGTH} caractères "
                "(FR, 2 chiffres de contrôle et 23 caractères de compte).",
            )
            return None
        try:
            return stdnum_iban.validate(number)
        except InvalidChecksum:
            self.error("iban", "L'IBAN est invalide : sa clé de contrôle est fausse (faute de frappe ?).")
        except ValidationError:
            self.error("iban", "L'IBAN est invalide : caractères inattendus pour un IBAN français.")
        return None

    def email(self) -> str | None:
        text = self.get("email")
        if not text:
            return None
        if len(text) > 254 or not _EMAIL.fullmatch(text):
            self.error("email", "L'adresse e-mail n'est pas valide (forme nom@domaine.fr attendue).")
            return None
        return text

    def rpps(self) -> str | None:
        text = "".join(self.get("medecin_traitant_rpps").split())
        if not text:
            return None
        if not (len(text) == 11 and text.isdigit()):
            self.error("medecin_traitant_rpps", "Le numéro RPPS doit comporter 11 chiffres.")
            return None
        if not luhn.is_valid(text):
            self.error(
                "medecin_traitant_rpps",
                "Le numéro RPPS est invalide : son chiffre de contrôle est faux (faute de frappe ?).",
            )
            return None
        return text

    def lien(self, ouvrant_given: bool) -> str:
        text = _fold(self.get("lien"))
        if text and text not in LIENS:
            self.error("lien", "Le lien doit être assure, conjoint, enfant ou autre.")
            return "autre" if ouvrant_given else "assure"
        if not ouvrant_given:
            if text and text != "assure":
                self.error(
                    "lien",
                    "Un ayant droit a besoin du numéro de son assuré ouvrant droit "
                    "(colonne nir_ouvrant_droit).",
                )
            return "assure"
        if not text:
            self.error("lien", "Indiquez le lien avec l'assuré : conjoint, enfant ou autre.")
            return "autre"
        if text == "assure":
            self.error(
                "lien",
                "Un assuré n'a pas d'ouvrant droit : videz nir_ouvrant_droit ou choisissez "
                "conjoint, enfant ou autre.",
            )
            return "autre"
        return text

    def rang(self, ouvrant_given: bool) -> int | None:
        text = self.get("rang")
        if not text:
            return None
        if not text.isdigit():
            self.error("rang", "Le rang doit être un nombre entier.")
            return None
        value = int(text)
        if not ouvrant_given and value != 1:
            self.error("rang", "Un assuré a le rang 1.")
            return None
        if ouvrant_given and value < 2:
            self.error("rang", "Un ayant droit a un rang de 2 ou plus (le rang 1 est l'assuré).")
            return None
        return value


class _Linker:
    """Cross-row checks: duplicates, ouvrants droit, who is already in the register, rangs."""

    def __init__(self, rows: list[_Row], errors: list[RowError]) -> None:
        self.rows = rows
        self.errors = errors

    def error(self, row: _Row, column: str, message: str) -> None:
        self.errors.append(RowError(row.line, column, message))

    def link(self) -> None:
        by_nir = self._by_nir()
        wanted = set(by_nir) | {row.ouvrant_nir for row in self.rows if row.ouvrant_nir}
        known = _people_by_nir(wanted)
        for row in self.rows:
            if row.nir:
                row.existing = known.get(row.nir)
        for row in self.rows:
            if row.is_ayant_droit and row.ouvrant_nir:
                self._find_ouvrant(row, by_nir, known)
        self._match_without_nir()
        self._check_same_person()
        self._check_demotions()
        self._assign_rangs()

    def _by_nir(self) -> dict[str, _Row]:
        by_nir: dict[str, _Row] = {}
        for row in self.rows:
            if not row.nir:
                continue
            first = by_nir.get(row.nir)
            if first is not None:
                self.error(row, "nir", f"Ce numéro de sécurité sociale figure déjà à la ligne {first.line}.")
                continue
            by_nir[row.nir] = row
        return by_nir

    def _find_ouvrant(self, row: _Row, by_nir: dict[str, _Row], known: dict[str, Person]) -> None:
        column = "nir_ouvrant_droit"
        if row.ouvrant_nir == row.nir:
            self.error(row, column, "Une personne ne peut pas être son propre ouvrant droit.")
            return
        in_file = by_nir.get(row.ouvrant_nir or "")
        if in_file is not None:
            if in_file.is_ayant_droit:
                self.error(
                    row,
                    column,
                    f"L'ouvrant droit (ligne {in_file.line}) est lui-même un ayant droit, pas un assuré.",
                )
                return
            row.ouvrant_row = in_file
            row.ouvrant_person = in_file.existing
            return
        person = known.get(row.ouvrant_nir or "")
        if person is None:
            self.error(
                row,
                column,
                "L'assuré ouvrant droit n'est ni dans ce fichier ni dans le registre.",
            )
        elif person.ouvrant_droit_id is not None:
            self.error(
                row,
                column,
                "Ce numéro est celui d'un ayant droit du registre, pas d'un assuré.",
            )
        else:
            row.ouvrant_person = person

    def _match_without_nir(self) -> None:
        """Ayants droit matched by ouvrant droit + first name + birth date: the rows without NIR,
        and the rows whose NIR the register does not have yet (recorded without one)."""
        seen: dict[tuple, _Row] = {}
        ouvrant_ids = {
            row.ouvrant_person.id
            for row in self.rows
            if row.existing is None and row.ouvrant_person is not None
        }
        registered = _ayants_droit_of(ouvrant_ids)
        for row in self.rows:
            if row.existing is not None or not row.is_ayant_droit or row.birth_date is None:
                continue
            if row.ouvrant_row is None and row.ouvrant_person is None:
                continue
            key = (row.ouvrant_nir, _fold(row.first_name), row.birth_date)
            if not row.nir:
                first = seen.get(key)
                if first is not None:
                    self.error(
                        row,
                        "",
                        f"Cet ayant droit figure déjà à la ligne {first.line} (même assuré, même "
                        "prénom, même date de naissance).",
                    )
                    continue
                seen[key] = row
            if row.ouvrant_person is not None:
                row.existing = next(
                    (
                        person
                        for person in registered.get(row.ouvrant_person.id, ())
                        if _fold(person.first_name) == key[1]
                        and person.birth_date == key[2]
                        and (not row.nir or person.nir is None)
                    ),
                    None,
                )

    def _check_same_person(self) -> None:
        matched: dict[int, _Row] = {}
        for row in self.rows:
            if row.existing is None:
                continue
            first = matched.get(row.existing.id)
            if first is not None:
                self.error(row, "", f"Cette ligne désigne la même personne que la ligne {first.line}.")
            else:
                matched[row.existing.id] = row

    def _check_demotions(self) -> None:
        """An assuré of the register who has ayants droit cannot become an ayant droit himself."""
        candidates = {
            row.existing.id: row for row in self.rows if row.is_ayant_droit and row.existing is not None
        }
        if not candidates:
            return
        for ouvrant_id, dependants in _ayants_droit_of(set(candidates)).items():
            # Dependants that this file re-attaches elsewhere (or promotes) no longer count.
            staying = [p for p in dependants if not _moved(p, self.rows)]
            if staying:
                self.error(
                    candidates[ouvrant_id],
                    "nir_ouvrant_droit",
                    "Cette personne est l'assuré ouvrant droit d'ayants droit du registre : elle "
                    "ne peut pas devenir ayant droit.",
                )

    def _assign_rangs(self) -> None:
        """Explicit rangs must be free; missing ones keep the current rang or take the next one."""
        groups: dict[str, list[_Row]] = {}
        for row in self.rows:
            if row.is_ayant_droit and (row.ouvrant_row or row.ouvrant_person):
                groups.setdefault(row.ouvrant_nir or "", []).append(row)
        if not groups:
            return
        ouvrant_ids = {rows[0].ouvrant_person.id for rows in groups.values() if rows[0].ouvrant_person}
        registered = _ayants_droit_of(ouvrant_ids)
        in_file = {row.existing.id for row in self.rows if row.existing is not None}
        for rows in groups.values():
            ouvrant = rows[0].ouvrant_person
            # Rangs held by ayants droit of the register that this file does not mention.
            taken: dict[int, _Row | None] = {
                person.rang: None
                for person in (registered.get(ouvrant.id, ()) if ouvrant else ())
                if person.id not in in_file
            }
            for row in rows:
                if row.rang is None:
                    continue
                if row.rang in taken:
                    holder = taken[row.rang]
                    where = f"la ligne {holder.line}" if holder else "un autre ayant droit du registre"
                    self.error(row, "rang", f"Ce rang est déjà donné à {where} pour cet assuré.")
                else:
                    taken[row.rang] = row
            for row in rows:
                if row.rang is not None:
                    continue
                current = row.existing
                keep = (
                    current is not None
                    and ouvrant is not None
                    and current.ouvrant_droit_id == ouvrant.id
                    and current.rang >= 2
                    and current.rang not in taken
                )
                if keep and current is not None:
                    row.rang = current.rang
                else:
                    row.rang = max([1, *taken]) + 1
                taken[row.rang] = row


def _moved(person: Person, rows: list[_Row]) -> bool:
    """Whether a row of the file re-attaches ``person`` to another ouvrant droit (or promotes it)."""
    for row in rows:
        if row.existing is not None and row.existing.id == person.id:
            return row.ouvrant_person is None or row.ouvrant_person.id != person.ouvrant_droit_id
    return False


def _people_by_nir(nirs: set[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    ordered = sorted(nirs)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        for person in db.session.scalars(sa.select(Person).where(Person.nir.in_(chunk))):
            found[person.nir or ""] = person
    return found


def _ayants_droit_of(ouvrant_ids: set[int]) -> dict[int, list[Person]]:
    found: dict[int, list[Person]] = {}
    ordered = sorted(ouvrant_ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        query = sa.select(Person).where(Person.ouvrant_droit_id.in_(chunk))
        for person in db.session.scalars(query):
            found.setdefault(person.ouvrant_droit_id or 0, []).append(person)
    return found


_OPTIONAL_FIELDS: Final = (
    ("complement", "address_complement"),
    ("droits_fin", "rights_end"),
    ("iban", "iban"),
    ("email", "email"),
    ("medecin_traitant_rpps", "rpps"),
    ("medecin_traitant_depuis", "rpps_since"),
    ("ald_debut", "ald_start"),
    ("ald_fin", "ald_end"),
    ("c2s_debut", "c2s_start"),
    ("c2s_fin", "c2s_end"),
)
_PERSON_ATTRIBUTES: Final = {
    "address_complement": "address_complement",
    "rights_end": "rights_end",
    "iban": "iban",
    "email": "email",
    "rpps": "medecin_traitant_rpps",
    "rpps_since": "medecin_traitant_since",
    "ald_start": "ald_start",
    "ald_end": "ald_end",
    "c2s_start": "c2s_start",
    "c2s_end": "c2s_end",
}


def _write(rows: list[_Row], present: frozenset[str]) -> tuple[int, int]:
    """Create or update every person (assurés first, so ayants droit can point at them)."""
    created = updated = 0
    assures = [row for row in rows if not row.is_ayant_droit]
    ayants_droit = [row for row in rows if row.is_ayant_droit]
    for group in (assures, ayants_droit):
        for row in group:
            person = row.existing
            if person is None:
                person = Person()
                db.session.add(person)
                created += 1
            else:
                updated += 1
            _apply(row, person, present)
            row.person = person
        # Flush so the new assurés have ids before their ayants droit refer to them.
        db.session.flush()
    return created, updated


def _apply(row: _Row, person: Person, present: frozenset[str]) -> None:
    # Only rows that passed every check get here: these are all set.
    assert row.birth_date is not None
    assert row.sex is not None
    assert row.commune is not None
    assert row.caisse is not None
    assert row.rights_start is not None
    if row.nir:
        person.nir = row.nir  # never erased: a row without NIR keeps the register's one
    person.sex = row.sex
    person.last_name = row.last_name
    person.first_name = row.first_name
    person.birth_date = row.birth_date
    person.address_line = row.address_line
    person.postal_code = row.postal_code
    person.commune_insee = row.commune.insee
    person.commune_name = row.commune.name
    person.caisse_id = row.caisse.id
    person.rights_start = row.rights_start
    for column, attribute in _OPTIONAL_FIELDS:
        if column in present or person.id is None:
            value = getattr(row, attribute)
            if attribute == "address_complement":
                value = value or ""
            setattr(person, _PERSON_ATTRIBUTES[attribute], value)
    # The foreign key, not the relationship: moving a person off an ouvrant droit's
    # ``ayants_droit`` collection would trigger its delete-orphan cascade.
    if row.is_ayant_droit:
        ouvrant = row.ouvrant_row.person if row.ouvrant_row else row.ouvrant_person
        assert ouvrant is not None
        person.ouvrant_droit_id = ouvrant.id
        person.rang = row.rang or 2
    else:
        person.ouvrant_droit_id = None
        person.rang = 1
    person.lien = row.lien


def normalize_header(raw: str) -> str:
    return "_".join(_fold(raw).replace("-", " ").split())


def _fold(text: str) -> str:
    """Lower case without accents, for forgiving comparisons of names and keywords."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _column_order(column: str) -> int:
    return REGISTER_COLUMNS.index(column) if column in REGISTER_COLUMNS else -1


def _lower_first(message: str) -> str:
    # "La clé…" → "la clé…", but "IBAN…" or "RPPS…" keep their capitals.
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def plural(count: int, singular: str, plural: str) -> str:
    return plural if count > 1 else singular
