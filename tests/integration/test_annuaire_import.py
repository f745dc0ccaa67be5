"""Annuaire santé import: the public RPPS extract and our complements CSV, all or nothing, French
errors by line, re-import in place."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AnnuaireActivity, AnnuairePractitioner, AnnuaireStructure, AnnuaireTariff
from app.services import annuaire_import
from app.services.annuaire_import import (
    MAX_LISTED_ERRORS,
    format_report,
    import_annuaire,
    import_complements,
    import_rpps,
)

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "PS_LibreAcces_Personne_activite_sample.txt"
SAMPLE_52 = DATA / "PS_LibreAcces_Personne_activite_52_colonnes_sample.txt"
COMPLEMENTS = DATA / "annuaire_complements_sample.csv"

# National identifiers of the sample (fictitious people; RPPS numbers with a valid Luhn digit).
LEROY = "810000123454"  # cardiologist, two sites: lines 2 and 10
MOREAU = "810000234566"  # generalist SM54, Nancy, line 3
GIRARD = "810000345677"  # dermatologist, Paris 11e, line 4
SANTONI = "810000456789"  # dentist, Ajaccio (2A004), line 5
PAYET = "810000567890"  # nurse, Saint-Denis de La Réunion (97411), line 6
MARTIN = "0449999990"  # audioprothésiste with an ADELI number, line 8
DUMITRESCU = "810000789015"  # sage-femme, first name Ștefania, line 9
LAMBERT = "810001012342"  # generalist without structure, line 13
BENALI = "810001123453"  # doctor with a capacité only, line 14
CASANOVA = "810001345676"  # kiné in Bastia, no commune code, line 16
UNKNOWN_RPPS = "10009999995"  # valid, in no file


def sample_lines(path: Path = SAMPLE) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def header() -> list[str]:
    return sample_lines()[0].split("|")


def with_fields(line: str, **changes: str) -> str:
    """``line`` with some fields changed, named by their header (spaces for the other characters:
    ``Nom_d_exercice``)."""
    names = header()
    fields = line.split("|")
    for key, value in changes.items():
        position = next(i for i, name in enumerate(names) if _key(name) == key)
        fields[position] = value
    return "|".join(fields)


def _key(name: str) -> str:
    return "".join(char if char.isalnum() else "_" for char in name)


def write_extract(
    tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "extract.txt"
) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_complements(
    tmp_path: Path, *rows: str, head: str = "rpps;secteur;carte_vitale;horaires;tarifs"
) -> Path:
    path = tmp_path / "complements.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def practitioners() -> dict[str, AnnuairePractitioner]:
    return {p.national_id: p for p in db.session.scalars(sa.select(AnnuairePractitioner))}


def structures() -> dict[str, AnnuaireStructure]:
    return {s.structure_key: s for s in db.session.scalars(sa.select(AnnuaireStructure))}


def counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AnnuairePractitioner, AnnuaireStructure, AnnuaireActivity, AnnuaireTariff)
    )


def imported(report) -> None:
    assert report.ok, format_report(report)


def test_sample_extract_imports(app):
    report = import_rpps(SAMPLE)
    imported(report)
    assert report.rpps_lines == 15
    assert (report.practitioners_created, report.practitioners_updated) == (14, 0)
    assert (report.structures_created, report.structures_updated) == (13, 0)
    assert report.activities == 14
    assert counts() == (14, 13, 14, 0)

    found = practitioners()
    assert found[MOREAU].kind == "generaliste"
    assert found[LEROY].kind == "specialiste"
    assert found[LEROY].specialty == "Cardiologie et maladies vasculaires"
    assert found[LEROY].civilite == "Docteur"
    assert found[BENALI].kind == "medecin"  # a capacité is not a specialty
    assert found[SANTONI].kind == "40"
    assert (found[MARTIN].id_type, found[MARTIN].identifier, found[MARTIN].kind) == ("0", "449999990", "26")
    assert found[DUMITRESCU].first_name == "ȘTEFANIA"
    assert found[LAMBERT].activities == []
    assert found[LAMBERT].kind == "generaliste"
    assert (found[LEROY].secteur, found[LEROY].carte_vitale) == ("", None)

    sites = {activity.structure.name: activity.mode for activity in found[LEROY].activities}
    assert sites == {"CABINET DE CARDIOLOGIE LEROY": "Libéral", "CHU DE NANTES": "Salarié"}
    chu = structures()["F440000289"]
    assert {a.practitioner.last_name for a in chu.activities} == {"LEROY", "BERNARD"}
    assert (chu.finess, chu.siret, chu.activity_sector) == (
        "440000289",
        "26440013600014",
        "Etablissement public de santé",
    )


def test_structure_address_and_departement(app):
    imported(import_rpps(SAMPLE))
    found = structures()
    paris = found["C75000000300014"]
    assert paris.address_line == "12 B Boulevard VOLTAIRE"
    assert paris.address_complement == "Bâtiment A, Résidence Voltaire, BP 4021"
    assert (paris.postal_code, paris.commune_insee, paris.departement) == ("75011", "75111", "75")
    assert found["C20000000400015"].departement == "2A"
    assert found["C97400000500016"].departement == "974"
    # No commune code: the postal code decides (20200 is in Haute-Corse).
    assert (found["C20200001200013"].commune_insee, found["C20200001200013"].departement) == ("", "2B")
    assert found["C44000000100012"].phone == "0240123456"  # "02 40 12 34 56" in the file
    assert found["C54000000200013"].name == "MAISON DE SANTÉ DU PARC"  # the enseigne, no raison sociale
    assert found["F440000289"].postal_code == "44093"


def test_search_words_are_folded(app):
    imported(import_rpps(SAMPLE))
    found = practitioners()
    assert "dumitrescu stefania" in found[DUMITRESCU].search_words
    assert "sage femme" in found[DUMITRESCU].search_words
    assert "generaliste" in found[MOREAU].search_words
    assert "sante" in structures()["C54000000200013"].search_words


def test_reimport_updates_in_place(app, tmp_path):
    imported(import_rpps(SAMPLE))
    before = {national_id: p.id for national_id, p in practitioners().items()}
    chu_id = structures()["F440000289"].id
    lines = sample_lines()
    for number in (1, 9):  # both lines of Dr Leroy
        lines[number] = with_fields(lines[number], Nom_d_exercice="LEROY-MARTIN")
    for number in (6, 9):  # both lines at the CHU
        lines[number] = with_fields(lines[number], Raison_sociale_site="CHU DE NANTES HOTEL-DIEU")
    db.session.expunge_all()

    report = import_rpps(write_extract(tmp_path, lines))
    imported(report)
    assert (report.practitioners_created, report.practitioners_updated) == (0, 14)
    assert (report.structures_created, report.structures_updated) == (0, 13)
    assert counts() == (14, 13, 14, 0)
    found = practitioners()
    assert {national_id: p.id for national_id, p in found.items()} == before
    assert found[LEROY].last_name == "LEROY-MARTIN"
    assert "leroy martin" in found[LEROY].search_words
    assert structures()["F440000289"].id == chu_id
    assert structures()["F440000289"].name == "CHU DE NANTES HOTEL-DIEU"


def test_reimport_replaces_activities_and_leaves_absent_practitioners(app, tmp_path):
    imported(import_rpps(SAMPLE))
    lines = sample_lines()
    # Dr Leroy left the CHU; only the first three people are in this smaller file.
    report = import_rpps(write_extract(tmp_path, [lines[0], lines[1], lines[2], lines[3]]))
    imported(report)
    assert report.practitioners_updated == 3
    db.session.expunge_all()
    found = practitioners()
    assert len(found) == 14
    assert [a.structure.structure_key for a in found[LEROY].activities] == ["C44000000100012"]
    assert len(found[PAYET].activities) == 1
    assert {a.practitioner.last_name for a in structures()["F440000289"].activities} == {"BERNARD"}


def test_rows_of_one_person_in_different_batches(app, monkeypatch):
    monkeypatch.setattr(annuaire_import, "_BATCH_ROWS", 2)
    for _ in range(2):
        report = import_rpps(SAMPLE)
        imported(report)
        assert report.activities == 14
        assert counts() == (14, 13, 14, 0)
    assert report.practitioners_updated == 14
    assert report.structures_updated == 13
    assert len(practitioners()[LEROY].activities) == 2


def test_specialty_found_on_a_later_line_fills_an_empty_one(app, tmp_path, monkeypatch):
    monkeypatch.setattr(annuaire_import, "_BATCH_ROWS", 2)
    lines = sample_lines()
    lines[1] = with_fields(lines[1], Code_type_savoir_faire="", Code_savoir_faire="", Libellé_savoir_faire="")
    imported(import_rpps(write_extract(tmp_path, lines)))
    leroy = practitioners()[LEROY]
    assert (leroy.specialty_code, leroy.kind) == ("SM04", "specialiste")


def test_52_column_layout(app):
    report = import_rpps(SAMPLE_52)
    imported(report)
    found = practitioners()
    assert found["810101010105"].kind == "generaliste"  # SM53
    assert found["0019999991"].identifier == "019999991"  # leading zero kept
    pontarlier = structures()["F250000700"]
    assert pontarlier.address_line == "2 Faubourg SAINT ETIENNE"
    assert (pontarlier.commune_name, pontarlier.departement) == ("Pontarlier", "25")
    assert structures()["C90000001900019"].departement == "25"  # from the postal code 25300


def test_cp1252_file(app, tmp_path):
    lines = [line.replace("Ș", "S") for line in sample_lines()]
    imported(import_rpps(write_extract(tmp_path, lines, encoding="cp1252")))
    found = practitioners()
    assert found[DUMITRESCU].first_name == "STEFANIA"
    assert found[BENALI].first_name == "INÈS"
    assert structures()["C54000000200013"].name == "MAISON DE SANTÉ DU PARC"


def test_neither_utf8_nor_cp1252(app, tmp_path):
    lines = [line.replace("Ș", "S") for line in sample_lines()]
    path = write_extract(tmp_path, lines, encoding="cp1252")
    path.write_bytes(path.read_bytes().replace(b"STANISLAS", b"STANIS\x81LAS"))
    report = import_rpps(path)
    assert (
        "ligne 3 : caractère illisible : le fichier n'est ni en UTF-8 ni en Windows-1252."
        in format_report(report)
    )
    assert counts() == (0, 0, 0, 0)


def test_binary_streams(app):
    imported(import_rpps(io.BytesIO(SAMPLE.read_bytes())))
    assert counts()[0] == 14


def test_stream_that_cannot_seek(app):
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    imported(import_rpps(Pipe(SAMPLE.read_bytes())))
    assert counts()[:3] == (14, 13, 14)


BAD_ROWS = [
    pytest.param(
        2,
        {"Type_d_identifiant_PP": "5"},
        "ligne 3 : type d'identifiant inconnu (8 pour RPPS, 0 pour ADELI) : « 5 »",
        id="type",
    ),
    pytest.param(
        2,
        {"Identifiant_PP": "1234", "Identification_nationale_PP": "81234"},
        "ligne 3 : identifiant RPPS invalide (11 chiffres attendus) : « 1234 »",
        id="rpps-length",
    ),
    pytest.param(
        2,
        {"Identifiant_PP": "10000234567", "Identification_nationale_PP": "810000234567"},
        "ligne 3 : identifiant RPPS invalide (chiffre de contrôle faux) : « 10000234567 »",
        id="rpps-luhn",
    ),
    pytest.param(
        7,
        {"Identifiant_PP": "44999999", "Identification_nationale_PP": "044999999"},
        "ligne 8 : identifiant ADELI invalide (9 chiffres attendus) : « 44999999 »",
        id="adeli",
    ),
    pytest.param(
        2,
        {"Identification_nationale_PP": "10000234566"},
        "ligne 3 : identification nationale incohérente (« 810000234566 » attendu : type "
        "d'identifiant suivi de l'identifiant) : « 10000234566 »",
        id="national-id",
    ),
    pytest.param(2, {"Nom_d_exercice": " "}, "ligne 3 : nom d'exercice vide", id="name"),
    pytest.param(2, {"Code_profession": "12"}, "ligne 3 : code profession inconnu : « 12 »", id="profession"),
    pytest.param(
        2,
        {"Code_postal__coord__structure_": "5400"},
        "ligne 3 : code postal invalide (5 chiffres attendus, ou vide) : « 5400 »",
        id="postal-code",
    ),
    pytest.param(
        2,
        {"Code_commune__coord__structure_": "2C004"},
        "ligne 3 : code commune invalide (code INSEE de 5 caractères attendu, chiffres ou 2A/2B) : « 2C004 »",
        id="commune",
    ),
    pytest.param(
        3,
        {"Raison_sociale_site": "X" * 201},
        "ligne 4 : valeur trop longue pour « Raison sociale site / Enseigne commerciale site » "
        "(200 caractères au plus)",
        id="too-long",
    ),
]


@pytest.mark.parametrize("previous", [False, True], ids=["empty", "reimport"])
@pytest.mark.parametrize(("index", "changes", "message"), BAD_ROWS)
def test_one_bad_line_and_nothing_is_written(app, tmp_path, index, changes, message, previous):
    if previous:
        imported(import_annuaire(SAMPLE, COMPLEMENTS))
        db.session.expunge_all()
    before = counts()
    lines = sample_lines()
    lines[1] = with_fields(lines[1], Nom_d_exercice="RENAMED")  # a good change, not written either
    lines[index] = with_fields(lines[index], **changes)

    report = import_rpps(write_extract(tmp_path, lines))
    text = format_report(report)
    assert not report.ok
    assert message in text
    assert text.startswith("Extrait RPPS :\n")
    assert text.endswith("Rien n'a été importé : 1 erreur.")
    assert (report.practitioners_created, report.structures_created, report.activities) == (0, 0, 0)
    assert counts() == before
    if previous:
        assert practitioners()[LEROY].last_name == "LEROY"


def test_line_with_a_missing_field(app, tmp_path):
    lines = sample_lines()
    fields = lines[4].split("|")
    del fields[-2]  # the last one is the empty field after the trailing pipe
    lines[4] = "|".join(fields)
    report = import_rpps(write_extract(tmp_path, lines))
    assert "ligne 5 : 55 champs au lieu de 56 (ceux de l'en-tête) : un « | » en trop ou en moins ?" in (
        format_report(report)
    )


def test_errors_beyond_the_listed_ones_are_counted(app, tmp_path):
    lines = sample_lines()
    bad = with_fields(lines[2], Code_profession="12")
    report = import_rpps(write_extract(tmp_path, [lines[0]] + [bad] * (MAX_LISTED_ERRORS + 10)))
    text = format_report(report)
    assert len(report.rpps_errors.listed) == MAX_LISTED_ERRORS
    assert "ligne 51 : code profession inconnu" in text
    assert "ligne 52 :" not in text
    assert "  … et 10 autres erreurs non listées." in text
    assert text.endswith("Rien n'a été importé : 60 erreurs.")


def test_missing_column(app, tmp_path):
    rows = [line.split("|") for line in sample_lines()]
    position = rows[0].index("Code profession")
    lines = ["|".join(fields[:position] + fields[position + 1 :]) for fields in rows]
    report = import_rpps(write_extract(tmp_path, lines))
    assert format_report(report) == (
        "Extrait RPPS :\n"
        "  ligne 1 : colonne obligatoire absente de l'en-tête : « Code profession ».\n"
        "Rien n'a été importé : 1 erreur."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (SAMPLE.read_bytes().splitlines()[0] + b"\r\n", "Le fichier ne contient aucune ligne de données"),
        (b"rpps;secteur\n10000234566;1\n", "ligne 1 : l'en-tête n'est pas séparé par des « | »"),
    ],
    ids=["empty", "header-only", "not-the-extract"],
)
def test_unusable_extract(app, tmp_path, content, message):
    path = tmp_path / "extract.txt"
    path.write_bytes(content)
    report = import_rpps(path)
    assert message in format_report(report)
    assert counts() == (0, 0, 0, 0)


def test_complements_applied(app):
    report = import_annuaire(SAMPLE, COMPLEMENTS)
    imported(report)
    assert (report.complemented, report.tariffs) == (6, 7)
    found = practitioners()
    moreau = found[MOREAU]
    assert (moreau.secteur, moreau.carte_vitale) == ("1", True)
    assert moreau.opening_hours == "Lundi au vendredi 8h30-19h ; samedi 9h-12h"
    assert {t.act_code: t.amount for t in moreau.tariffs} == {"G": Decimal("30.00"), "VG": Decimal("40.00")}
    assert all(isinstance(t.amount, Decimal) for t in moreau.tariffs)
    leroy = found[LEROY]
    assert (leroy.secteur, leroy.opening_hours) == ("2_optam", "Sur rendez-vous")
    assert {t.act_code: t.amount for t in leroy.tariffs} == {"CS": Decimal("60.00"), "APC": Decimal("65.50")}
    assert (found[GIRARD].secteur, found[GIRARD].carte_vitale) == ("2", False)
    assert found["810001234565"].secteur == "1"  # named by its national identifier
    assert found[LAMBERT].secteur == "3"  # "non conventionné"


def test_complements_alone_then_reimport_of_the_extract_keeps_them(app, tmp_path):
    imported(import_rpps(SAMPLE))
    imported(import_complements(COMPLEMENTS))
    imported(import_rpps(SAMPLE))
    moreau = practitioners()[MOREAU]
    assert (moreau.secteur, moreau.carte_vitale, len(moreau.tariffs)) == ("1", True, 2)
    assert moreau.opening_hours.startswith("Lundi")


def test_empty_cell_keeps_and_dash_clears(app, tmp_path):
    imported(import_annuaire(SAMPLE, COMPLEMENTS))
    path = write_complements(tmp_path, "10000234566;;-;;", "10000123454;-;;-;-", "10000345677;3;;;CS=90")
    report = import_complements(path)
    imported(report)
    db.session.expunge_all()
    found = practitioners()
    moreau, leroy, girard = found[MOREAU], found[LEROY], found[GIRARD]
    assert (moreau.secteur, moreau.carte_vitale, len(moreau.tariffs)) == ("1", None, 2)
    assert moreau.opening_hours.startswith("Lundi")
    assert (leroy.secteur, leroy.carte_vitale, leroy.opening_hours, leroy.tariffs) == ("", True, "", [])
    assert (girard.secteur, [(t.act_code, t.amount) for t in girard.tariffs]) == (
        "3",
        [("CS", Decimal("90.00"))],
    )


def test_columns_left_out_are_kept(app, tmp_path):
    imported(import_annuaire(SAMPLE, COMPLEMENTS))
    imported(import_complements(write_complements(tmp_path, "10000234566;2", head="RPPS;Secteur")))
    moreau = practitioners()[MOREAU]
    assert (moreau.secteur, moreau.carte_vitale, len(moreau.tariffs)) == ("2", True, 2)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "10000234566;;;;XYZ=10",
            "ligne 2, colonne tarifs : code d'acte inconnu : « XYZ » ; codes possibles :",
        ),
        ("10000234566;;;;G=0", "ligne 2, colonne tarifs : « G=0 » : le montant doit être supérieur à 0"),
        (
            "10000234566;;;;G=10000,01",
            "« G=10000,01 » : le montant doit être supérieur à 0 et au plus de 10 000 €",
        ),
        ("10000234566;;;;G=30,001", "« G=30,001 » : montant invalide (en euros, 2 décimales au plus"),
        ("10000234566;;;;G=trente", "« G=trente » : montant invalide"),
        ("10000234566;;;;G30", "« G30 » : forme CODE=montant attendue"),
        ("10000234566;;;;G=30 G=31", "le code d'acte « G » figure deux fois"),
        ("10000234566;4;;;", "ligne 2, colonne secteur : secteur inconnu : « 4 »"),
        ("10000234566;;peut-être;;", "ligne 2, colonne carte_vitale : valeur inattendue : « peut-être »"),
        (
            "10000234566;;;" + "x" * 301 + ";",
            "ligne 2, colonne horaires : les horaires dépassent 300 caractères.",
        ),
        ("1234;1;;;", "ligne 2, colonne rpps : identifiant invalide"),
        ("10000234567;1;;;", "ligne 2, colonne rpps : identifiant invalide"),
        (
            f"{UNKNOWN_RPPS};1;;;",
            "ligne 2, colonne rpps : professionnel inconnu : « 8" + UNKNOWN_RPPS + " » n'est ni dans "
            "l'annuaire ni dans l'extrait RPPS importé avec ce fichier.",
        ),
        ("10000234566;1;oui", "ligne 2 : la ligne compte 3 valeurs au lieu de 5"),
    ],
)
def test_bad_complement_and_nothing_is_written(app, tmp_path, row, message):
    report = import_annuaire(SAMPLE, write_complements(tmp_path, row))
    text = format_report(report)
    assert message in text
    assert text.startswith("Fichier des compléments :\n")
    assert text.endswith("Rien n'a été importé : 1 erreur.")
    assert report.practitioners_created == 0
    assert counts() == (0, 0, 0, 0)


def test_practitioner_twice_in_the_complements(app, tmp_path):
    imported(import_rpps(SAMPLE))
    report = import_complements(write_complements(tmp_path, "10000234566;1;;;", "810000234566;2;;;"))
    assert "ligne 3, colonne rpps : ce professionnel figure déjà à la ligne 2." in format_report(report)
    assert practitioners()[MOREAU].secteur == ""


def test_complements_without_rpps_column(app, tmp_path):
    report = import_complements(write_complements(tmp_path, "1;oui", head="secteur;carte_vitale"))
    assert "ligne 1, colonne rpps : colonne obligatoire absente de l'en-tête." in format_report(report)


def test_complements_not_looked_up_when_the_extract_is_wrong(app, tmp_path):
    lines = sample_lines()
    lines[2] = with_fields(lines[2], Code_profession="12")
    report = import_annuaire(write_extract(tmp_path, lines), write_complements(tmp_path, "10000234566;4;;;"))
    text = format_report(report)
    assert "Extrait RPPS :\n  ligne 3 : code profession inconnu : « 12 »" in text
    assert "Fichier des compléments :\n  ligne 2, colonne secteur : secteur inconnu" in text
    assert "n'ont pas été recherchés dans l'annuaire : corrigez d'abord l'extrait RPPS." in text
    assert text.endswith("Rien n'a été importé : 2 erreurs.")


def test_format_report_summary(app):
    report = import_annuaire(SAMPLE, COMPLEMENTS)
    assert format_report(report) == (
        "Annuaire santé importé.\n"
        "Extrait RPPS : 15 lignes lues.\n"
        "Professionnels : 14 créés, 0 mis à jour.\n"
        "Structures : 13 créées, 0 mise à jour.\n"
        "Activités enregistrées : 14.\n"
        "Compléments : 6 professionnels complétés, 7 tarifs enregistrés."
    )


def test_cli_imports_both_files(app, runner):
    result = runner.invoke(args=["annuaire", "import", str(SAMPLE), "--complements", str(COMPLEMENTS)])
    assert result.exit_code == 0, result.output
    assert "Professionnels : 14 créés, 0 mis à jour." in result.output
    assert "Compléments : 6 professionnels complétés" in result.output
    assert counts() == (14, 13, 14, 7)


def test_cli_complements_alone(app, runner):
    imported(import_rpps(SAMPLE))
    result = runner.invoke(args=["annuaire", "import", "--complements", str(COMPLEMENTS)])
    assert result.exit_code == 0, result.output
    assert "Extrait RPPS" not in result.output
    assert counts()[3] == 7


def test_cli_bad_file_exits_1(app, runner, tmp_path):
    lines = sample_lines()
    lines[2] = with_fields(lines[2], Code_postal__coord__structure_="5400")
    result = runner.invoke(args=["annuaire", "import", str(write_extract(tmp_path, lines))])
    assert result.exit_code == 1
    assert "ligne 3 : code postal invalide" in result.output
    assert "Rien n'a été importé : 1 erreur." in result.output
    assert counts() == (0, 0, 0, 0)


def test_cli_missing_file_exits_1(app, runner, tmp_path):
    result = runner.invoke(args=["annuaire", "import", str(tmp_path / "absent.txt")])
    assert result.exit_code == 1
    assert "Fichier introuvable ou illisible" in result.output


def test_cli_needs_a_file(app, runner):
    result = runner.invoke(args=["annuaire", "import"])
    assert result.exit_code == 2
    assert "Indiquez le fichier de l'extrait RPPS" in result.output
