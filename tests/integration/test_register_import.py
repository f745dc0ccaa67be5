"""Register CSV import: all or nothing, French errors by line and column, updates in place."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Person
from app.services.register_import import (
    CAISSES_NOT_LOADED,
    REGISTER_COLUMNS,
    ImportReport,
    RowError,
    format_report,
    import_register_csv,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "register_sample.csv"

# Valid NIRs (keys computed with stdnum): Sophie born 03/1978 in Lyon 1er, her son Hugo born
# 05/2012 in Lyon 3e, Marc born 11/1962 in Lille.
SOPHIE = "278036938104554"
HUGO = "112056938302136"
MARC = "162115935011215"
IBAN = "FR7699001000010001234567876"


def sophie(**changes: str) -> dict[str, str]:
    row = {
        "nir": SOPHIE,
        "nom": "Durand",
        "prenom": "Sophie",
        "date_naissance": "22/03/1978",
        "adresse": "8 rue des Lilas",
        "code_postal": "69003",
        "droits_debut": "01/09/1998",
        "iban": "FR76 9900 1000 0100 0123 4567 876",
        "email": "sophie.durand@example.org",
        "medecin_traitant_rpps": "10000123454",
        "medecin_traitant_depuis": "2019-05-02",
    }
    row.update(changes)
    return row


def hugo(**changes: str) -> dict[str, str]:
    row = {
        "nir": HUGO,
        "nom": "Durand",
        "prenom": "Hugo",
        "date_naissance": "2012-05-30",
        "adresse": "8 rue des Lilas",
        "code_postal": "69003",
        "droits_debut": "2012-05-30",
        "nir_ouvrant_droit": SOPHIE,
        "lien": "enfant",
    }
    row.update(changes)
    return row


def emma(**changes: str) -> dict[str, str]:
    """An ayant droit without NIR (matched by ouvrant droit + first name + birth date)."""
    row = {
        "nir": "",
        "nom": "Durand",
        "prenom": "Emma",
        "date_naissance": "10/09/2015",
        "sexe": "F",
        "adresse": "8 rue des Lilas",
        "code_postal": "69003",
        "droits_debut": "10/09/2015",
        "nir_ouvrant_droit": SOPHIE,
        "lien": "enfant",
    }
    row.update(changes)
    return row


def marc(**changes: str) -> dict[str, str]:
    row = {
        "nir": MARC,
        "nom": "Lefebvre",
        "prenom": "Marc",
        "date_naissance": "1962-11-05",
        "adresse": "45 avenue de la République",
        "code_postal": "59000",
        "droits_debut": "1984-01-01",
    }
    row.update(changes)
    return row


def make_csv(
    *rows: dict[str, str],
    delimiter: str = ";",
    bom: bool = False,
    columns: tuple[str, ...] = REGISTER_COLUMNS,
) -> io.StringIO:
    lines = [delimiter.join(columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column, "")
            cells.append(f'"{value}"' if delimiter in value else value)
        lines.append(delimiter.join(cells))
    return io.StringIO(("\ufeff" if bom else "") + "\n".join(lines) + "\n")


def run(*rows: dict[str, str], **options) -> ImportReport:
    return import_register_csv(make_csv(*rows, **options))


def people() -> list[Person]:
    return list(db.session.scalars(sa.select(Person).order_by(Person.id)))


def by_first_name() -> dict[str, Person]:
    return {person.first_name: person for person in people()}


def only_error(report: ImportReport) -> RowError:
    assert len(report.errors) == 1, format_report(report)
    return report.errors[0]


def test_sample_file_imports(caisses):
    with SAMPLE.open(encoding="utf-8") as handle:
        report = import_register_csv(handle)
    assert report.errors == []
    assert (report.created, report.updated) == (5, 0)
    found = by_first_name()
    assert found["Sophie"].caisse.key == "cpam-du-rhone"
    assert found["Sophie"].iban == IBAN
    assert found["Marc"].ald_start == date(2021, 3, 1)
    assert found["Nadia"].nir == "290079935008793"  # 13 digits in the file: key computed
    assert found["Nadia"].commune_insee == "13030"
    assert found["Nadia"].caisse.key == "cpam-des-bouches-du-rhone"
    assert found["Paul"].caisse.key == "cpam-de-la-corse-du-sud"
    emma_row = found["Emma"]
    assert emma_row.nir is None
    assert emma_row.ouvrant_droit_id == found["Sophie"].id
    assert (emma_row.rang, emma_row.lien, emma_row.sex) == (2, "enfant", "F")


def test_good_file_imports_assure_and_ayants_droit(caisses):
    report = run(sophie(), hugo(), emma(), marc(nir=MARC[:13]))
    assert report.errors == []
    assert (report.created, report.updated) == (4, 0)
    assert format_report(report) == "4 lignes importées (4 créées, 0 mise à jour)."
    found = by_first_name()
    mother = found["Sophie"]
    assert mother.ouvrant_droit_id is None
    assert (mother.rang, mother.lien, mother.sex) == (1, "assure", "F")
    assert mother.birth_date == date(1978, 3, 22)
    assert mother.commune_insee == "69383"
    assert mother.commune_name == "Lyon 3e Arrondissement"
    assert mother.medecin_traitant_rpps == "10000123454"
    assert mother.medecin_traitant_since == date(2019, 5, 2)
    assert [(p.first_name, p.rang, p.lien) for p in mother.ayants_droit] == [
        ("Hugo", 2, "enfant"),
        ("Emma", 3, "enfant"),
    ]
    assert found["Hugo"].sex == "M"  # from the NIR
    assert found["Marc"].nir == MARC
    assert found["Marc"].caisse.key == "cpam-de-lille-douai"


def test_reimport_updates_in_place(caisses):
    run(sophie(), hugo(), emma())
    ids = {p.first_name: p.id for p in people()}

    report = run(
        sophie(adresse="3 place Bellecour", code_postal="69002", droits_fin="31/12/2026"),
        hugo(),
        emma(adresse="3 place Bellecour", code_postal="69002", sexe="f"),
    )
    assert report.errors == []
    assert (report.created, report.updated) == (0, 3)
    assert format_report(report) == "3 lignes importées (0 créée, 3 mises à jour)."
    db.session.expire_all()
    found = by_first_name()
    assert {p.first_name: p.id for p in people()} == ids
    assert found["Sophie"].address_line == "3 place Bellecour"
    assert found["Sophie"].commune_insee == "69382"
    assert found["Sophie"].rights_end == date(2026, 12, 31)
    assert found["Emma"].rang == 3  # kept
    assert found["Hugo"].rang == 2


def test_column_left_out_is_kept_on_update(caisses):
    run(sophie())
    columns = tuple(c for c in REGISTER_COLUMNS if c not in ("iban", "email"))
    report = run(sophie(adresse="3 place Bellecour"), columns=columns)
    assert report.errors == []
    person = people()[0]
    assert person.iban == IBAN
    assert person.email == "sophie.durand@example.org"
    assert person.address_line == "3 place Bellecour"


def test_ayant_droit_of_an_assure_already_in_the_register(caisses):
    run(sophie())
    report = run(emma())
    assert report.errors == []
    assert report.created == 1
    found = by_first_name()
    assert found["Emma"].ouvrant_droit_id == found["Sophie"].id
    assert found["Emma"].rang == 2


def test_ayant_droit_promoted_to_assure_is_kept(caisses):
    run(sophie(), hugo())
    # A loaded ``ayants_droit`` collection is what would make a delete-orphan cascade fire.
    assert len(by_first_name()["Sophie"].ayants_droit) == 1
    report = run(hugo(nir_ouvrant_droit="", lien=""))
    assert report.errors == []
    assert report.updated == 1
    db.session.expire_all()
    found = by_first_name()
    assert set(found) == {"Sophie", "Hugo"}
    assert found["Hugo"].ouvrant_droit_id is None
    assert (found["Hugo"].rang, found["Hugo"].lien) == (1, "assure")


def test_one_bad_nir_and_nothing_is_imported(caisses):
    bad_key = SOPHIE[:13] + "00"
    report = run(marc(), hugo(nir_ouvrant_droit=MARC), sophie(nir=bad_key))
    error = only_error(report)
    assert (error.line, error.column) == (4, "nir")
    text = format_report(report)
    assert text.splitlines() == [
        "ligne 4, colonne nir : la clé (les 2 derniers chiffres) ne correspond pas au numéro.",
        "Aucune ligne importée : 1 erreur.",
    ]
    assert (report.created, report.updated) == (0, 0)
    assert people() == []


def test_bad_file_leaves_the_register_untouched(caisses):
    run(sophie())
    report = run(sophie(adresse="3 place Bellecour"), marc(date_naissance="05/11/1963"))
    assert len(report.errors) == 1
    db.session.expire_all()
    assert [p.address_line for p in people()] == ["8 rue des Lilas"]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"nir": SOPHIE[:13] + "00"}, "nir", "La clé (les 2 derniers chiffres) ne correspond"),
        ({"nir": SOPHIE[:11]}, "nir", "incomplet ou trop long : 13 ou 15 chiffres attendus"),
        ({"nir": ""}, "nir", "obligatoire pour un assuré"),
        ({"date_naissance": "22/03/1979"}, "date_naissance", "L'année de naissance du numéro"),
        ({"date_naissance": "22/04/1978"}, "date_naissance", "Le mois de naissance du numéro"),
        ({"date_naissance": "31/02/1978"}, "date_naissance", "n'existe pas dans le calendrier"),
        ({"date_naissance": "1978/03/22"}, "date_naissance", "JJ/MM/AAAA ou AAAA-MM-JJ"),
        ({"date_naissance": ""}, "date_naissance", "Indiquez une date"),
        ({"sexe": "M"}, "sexe", "ne correspond pas au premier chiffre"),
        ({"sexe": "X"}, "sexe", "F ou M"),
        ({"nom": ""}, "nom", "Indiquez le nom."),
        ({"adresse": "x" * 201}, "adresse", "L'adresse dépasse 200 caractères."),
        ({"code_postal": "99999"}, "code_postal", "Aucune commune ne correspond à ce code postal"),
        ({"code_postal": "690"}, "code_postal", "5 chiffres"),
        ({"code_postal": "13780"}, "commune_insee", "dessert plusieurs communes"),
        ({"commune_insee": "44109"}, "commune_insee", "pas celui d'une commune desservie"),
        ({"droits_fin": "31/08/1998"}, "droits_fin", "antérieure à la date de début"),
        ({"droits_debut": "01/01/1970"}, "droits_debut", "précède la date de naissance"),
        ({"ald_fin": "2020-01-01"}, "ald_debut", "sans date de début"),
        ({"c2s_debut": "2025-04-01", "c2s_fin": "2025-03-31"}, "c2s_fin", "antérieure"),
        ({"iban": IBAN[:-1] + "7"}, "iban", "clé de contrôle est fausse"),
        ({"iban": IBAN[:-2]}, "iban", "27 caractères"),
        ({"iban": "DE89370400440532013000"}, "iban", "IBAN français"),
        ({"email": "sophie.durand@"}, "email", "adresse e-mail n'est pas valide"),
        ({"medecin_traitant_rpps": "10000123455"}, "medecin_traitant_rpps", "chiffre de contrôle"),
        ({"medecin_traitant_rpps": "1000012345"}, "medecin_traitant_rpps", "11 chiffres"),
        ({"medecin_traitant_rpps": ""}, "medecin_traitant_depuis", "sans médecin traitant"),
        ({"rang": "2"}, "rang", "Un assuré a le rang 1."),
        ({"lien": "enfant"}, "lien", "ouvrant droit"),
        ({"lien": "cousin"}, "lien", "assure, conjoint, enfant ou autre"),
    ],
)
def test_one_mistake_one_message(caisses, changes, column, message):
    report = run(marc(), sophie(**changes))
    error = only_error(report)
    assert (error.line, error.column) == (3, column)
    assert message in error.message
    assert people() == []


def test_ambiguous_postal_code_with_commune_insee_imports(caisses):
    report = run(sophie(code_postal="13780", commune_insee="83105"))
    assert report.errors == []
    person = people()[0]
    assert (person.commune_name, person.caisse.key) == ("Riboux", "cpam-du-var")


def test_ambiguous_postal_code_lists_the_communes(caisses):
    error = only_error(run(sophie(code_postal="13780")))
    assert "Cuges-les-Pins (13030)" in error.message
    assert "Riboux (83105)" in error.message


def test_spreadsheet_dropped_leading_zeros(caisses):
    report = run(sophie(code_postal="1400", commune_insee="1001"))
    assert report.errors == []
    assert (people()[0].postal_code, people()[0].commune_insee) == ("01400", "01001")


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"nir_ouvrant_droit": MARC}, "nir_ouvrant_droit", "ni dans ce fichier ni dans le registre"),
        ({"nir_ouvrant_droit": HUGO}, "nir_ouvrant_droit", "propre ouvrant droit"),
        ({"lien": ""}, "lien", "Indiquez le lien"),
        ({"lien": "assure"}, "lien", "Un assuré n'a pas d'ouvrant droit"),
        ({"rang": "1"}, "rang", "2 ou plus"),
    ],
)
def test_ayant_droit_mistakes(caisses, changes, column, message):
    report = run(sophie(), hugo(**changes))
    error = only_error(report)
    assert (error.line, error.column) == (3, column)
    assert message in error.message


def test_ayant_droit_without_nir_needs_a_sex(caisses):
    error = only_error(run(sophie(), emma(sexe="")))
    assert (error.line, error.column) == (3, "sexe")
    assert "ne peut pas être déduit" in error.message


def test_ouvrant_droit_that_is_an_ayant_droit(caisses):
    report = run(sophie(), hugo(), emma(nir_ouvrant_droit=HUGO))
    error = only_error(report)
    assert (error.line, error.column) == (4, "nir_ouvrant_droit")
    assert "ligne 3" in error.message


def test_duplicate_nir_in_file(caisses):
    report = run(sophie(), marc(), sophie(prenom="Sophia"))
    error = only_error(report)
    assert (error.line, error.column) == (4, "nir")
    assert error.message == "Ce numéro de sécurité sociale figure déjà à la ligne 2."


def test_duplicate_ayant_droit_without_nir(caisses):
    report = run(sophie(), emma(), emma(adresse="autre adresse"))
    error = only_error(report)
    assert error.line == 4
    assert "ligne 3" in error.message


def test_rang_given_twice_for_the_same_assure(caisses):
    report = run(sophie(), hugo(rang="2"), emma(rang="2"))
    error = only_error(report)
    assert (error.line, error.column) == (4, "rang")
    assert "ligne 3" in error.message


def test_unknown_header(caisses):
    columns = (*REGISTER_COLUMNS, "mutuelle")
    report = run(sophie(), columns=columns)
    error = only_error(report)
    assert (error.line, error.column) == (1, "mutuelle")
    assert error.message.startswith("Colonne inconnue")
    assert people() == []


def test_missing_required_column(caisses):
    columns = tuple(c for c in REGISTER_COLUMNS if c != "date_naissance")
    error = only_error(run(sophie(), columns=columns))
    assert (error.line, error.column) == (1, "date_naissance")
    assert error.message == "Colonne obligatoire absente de l'en-tête."


def test_file_without_header_never_echoes_the_data(caisses):
    text = ";".join(sophie().get(c, "") for c in REGISTER_COLUMNS) + "\n"
    report = import_register_csv(io.StringIO(text))
    error = only_error(report)
    assert error.line == 1
    assert "en-tête" in error.message
    assert SOPHIE not in format_report(report)


def test_line_with_too_many_values(caisses):
    stream = make_csv(sophie())
    text = stream.getvalue().rstrip("\n") + ";en trop\n"
    error = only_error(import_register_csv(io.StringIO(text)))
    assert (error.line, error.column) == (2, "")
    assert str(error).startswith("ligne 2 : la ligne compte 23 valeurs au lieu de 22")


def test_comma_delimiter_and_bom(caisses):
    report = run(sophie(adresse="8, rue des Lilas"), hugo(), delimiter=",", bom=True)
    assert report.errors == []
    assert report.created == 2
    assert by_first_name()["Sophie"].address_line == "8, rue des Lilas"


def test_semicolon_delimiter_with_french_headers_and_blank_lines(caisses):
    header = ";".join(["NIR", "Nom", "Prénom", "Date naissance", "Adresse", "Code postal", "Droits début"])
    body = ";".join([SOPHIE, "Durand", "Sophie", "22/03/1978", "8 rue des Lilas", "69003", "01/09/1998"])
    report = import_register_csv(io.StringIO(f"\ufeff{header}\r\n\r\n{body}\r\n"))
    assert report.errors == []
    assert report.created == 1


def test_caisses_not_loaded(app):
    report = run(sophie())
    assert [str(error) for error in report.errors] == [CAISSES_NOT_LOADED]
    assert people() == []


def test_empty_file(caisses):
    report = import_register_csv(io.StringIO(""))
    assert format_report(report) == "Le fichier est vide.\nAucune ligne importée : 1 erreur."
    report = run()
    assert "aucune ligne de données" in format_report(report)


def test_report_never_shows_nir_or_iban(caisses):
    report = run(
        sophie(date_naissance="22/03/1979", iban=IBAN[:-1] + "7", sexe="M"),
        hugo(nir=HUGO[:13] + "00"),
        emma(nir_ouvrant_droit=MARC),
    )
    text = format_report(report)
    assert len(report.errors) == 5
    for secret in (SOPHIE, SOPHIE[:13], HUGO, HUGO[:13], MARC, MARC[:13], IBAN, IBAN[4:]):
        assert secret not in text
    assert text.endswith("Aucune ligne importée : 5 erreurs.")
    lines = [error.line for error in report.errors]
    assert lines == sorted(lines)


def test_format_report_summary():
    assert format_report(ImportReport(1, 0, [])) == "1 ligne importée (1 créée, 0 mise à jour)."
    report = ImportReport(
        0, 0, [RowError(7, "nir", "La clé ne correspond pas."), RowError(8, "iban", "IBAN invalide.")]
    )
    assert format_report(report).splitlines() == [
        "ligne 7, colonne nir : la clé ne correspond pas.",
        "ligne 8, colonne iban : IBAN invalide.",
        "Aucune ligne importée : 2 erreurs.",
    ]


def test_promoting_an_ayant_droit_keeps_the_person(app, caisses):
    """An ayant droit who becomes an assuré is detached, never deleted."""
    from tests.conftest import make_person

    parent = make_person(caisses["cpam-de-paris"], "184127510826403", "Louis", "Bernard", date(1984, 12, 3))
    child = make_person(
        caisses["cpam-de-paris"],
        None,
        "Emma",
        "Bernard",
        date(2010, 5, 1),
        sex="F",
        ouvrant_droit_id=parent.id,
        rang=2,
        lien="enfant",
    )
    assert parent.ayants_droit == [child]
    child.ouvrant_droit = None
    child.rang, child.lien = 1, "assure"
    db.session.commit()
    assert db.session.get(Person, child.id) is not None
