"""Postal code → commune(s) → caisse routing, checked against the committed reference data.

Pure rules: no application, no database. The expected caisses come from the project's caisse list
and the documented split-département rules of ``app.rules.territory``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from app.rules import territory
from app.rules.territory import (
    Caisse,
    Commune,
    TerritoryNotCovered,
    caisse_by_key,
    caisse_for_commune,
    caisses,
    caisses_of_departement,
    code_organisme,
    commune_by_insee,
    communes_for_postal_code,
    departement_of,
    fold_text,
    normalize_postal_code,
    resolve_postal_code,
    search_communes,
)

DATA_DIR = Path(territory.__file__).parent / "data"

# The 101 départements: metropolitan (Corsica as 2A/2B) and overseas (971–974, 976).
DEPARTEMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
)
# Overseas collectivités, present in communes.csv, for which caisses.csv has no caisse.
NOT_COVERED = frozenset({"975", "977", "978", "984", "986", "987", "988", "989"})


def all_insee_codes() -> list[str]:
    """Every INSEE code of communes.csv, read independently of the module under test."""
    with (DATA_DIR / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return [row["insee"] for row in csv.DictReader(handle)]


def all_communes() -> list[Commune]:
    communes = [commune_by_insee(insee) for insee in all_insee_codes()]
    assert None not in communes
    return [commune for commune in communes if commune is not None]


@pytest.mark.parametrize(
    ("postal_code", "commune", "caisse_key", "caisse_name"),
    [
        ("44000", "Nantes", "cpam-de-la-loire-atlantique", "CPAM de la Loire-Atlantique"),
        ("75011", "Paris 11e Arrondissement", "cpam-de-paris", "CPAM de Paris"),
        ("59100", "Roubaix", "cpam-de-roubaix-tourcoing", "CPAM de Roubaix-Tourcoing"),
        ("20000", "Ajaccio", "cpam-de-la-corse-du-sud", "CPAM de la Corse-du-Sud"),
        ("97400", "Saint-Denis", "cgss-de-la-reunion", "CGSS de La Réunion"),
        ("62100", "Calais", "cpam-de-la-cote-d-opale", "CPAM de la Côte d'Opale"),
        ("76600", "Le Havre", "cpam-du-havre", "CPAM du Havre"),
        ("64100", "Bayonne", "cpam-de-bayonne", "CPAM de Bayonne"),
        ("69003", "Lyon 3e Arrondissement", "cpam-du-rhone", "CPAM du Rhône"),
        ("13008", "Marseille 8e Arrondissement", "cpam-des-bouches-du-rhone", "CPAM des"),
        ("59000", "Lille", "cpam-de-lille-douai", "CPAM de Lille-Douai"),
        ("59140", "Dunkerque", "cpam-des-flandres", "CPAM des Flandres"),
        ("64000", "Pau", "cpam-de-pau-pyrenees", "CPAM de Pau-Pyrénées"),
        ("76000", "Rouen", "cpam-de-rouen-elbeuf-dieppe-seine-maritime", "CPAM de Rouen"),
        ("97110", "Pointe-à-Pitre", "cgss-de-la-guadeloupe", "CGSS de la Guadeloupe"),
        # The postal code looks like Val-de-Marne's but the commune is in the Essonne.
        ("94390", "Paray-Vieille-Poste", "cpam-de-l-essonne", "CPAM de l'Essonne"),
    ],
)
def test_postal_code_with_one_commune_gives_its_caisse(
    postal_code: str, commune: str, caisse_key: str, caisse_name: str
) -> None:
    resolution = resolve_postal_code(postal_code)

    assert resolution.error is None
    assert not resolution.ambiguous
    assert [choice.commune.name for choice in resolution.choices] == [commune]
    (caisse,) = resolution.caisses
    assert caisse.key == caisse_key
    assert caisse.name.startswith(caisse_name)


@pytest.mark.parametrize(
    ("postal_code", "commune", "caisse_key"),
    [
        ("48000", "Mende", "caisse-commune-de-securite-sociale-de-la-lozere"),
        ("20200", "Bastia", "cpam-de-la-haute-corse"),
        ("97600", "Mamoudzou", "caisse-de-securite-sociale-de-mayotte"),
        ("62000", "Arras", "cpam-de-l-artois"),
        ("51300", "Vitry-le-François", "cpam-de-la-marne"),
    ],
)
def test_postal_code_with_several_communes_of_one_caisse(
    postal_code: str, commune: str, caisse_key: str
) -> None:
    resolution = resolve_postal_code(postal_code)

    assert resolution.error is None
    assert resolution.ambiguous
    assert commune in [choice.commune.name for choice in resolution.choices]
    assert [caisse.key for caisse in resolution.caisses] == [caisse_key]


def test_postal_code_with_many_communes_is_sorted_by_name() -> None:
    resolution = resolve_postal_code("51300")
    names = [choice.commune.name for choice in resolution.choices]

    assert len(names) >= 3
    assert names == sorted(names, key=fold_text)


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        # Cuges-les-Pins (Bouches-du-Rhône) and Riboux (Var).
        ("13780", {"Cuges-les-Pins": "cpam-des-bouches-du-rhone", "Riboux": "cpam-du-var"}),
        # Descartes and its neighbours (Indre-et-Loire), and Buxeuil across the Creuse (Vienne).
        ("37160", {"Descartes": "cpam-d-indre-et-loire", "Buxeuil": "cpam-de-la-vienne"}),
        # Armentières and Bois-Grenier: one postal code, the Armentières sector of the Nord.
        ("59280", {"Armentières": "cpam-des-flandres", "Bois-Grenier": "cpam-des-flandres"}),
    ],
)
def test_postal_code_across_departements_offers_each_caisse(
    postal_code: str, expected: dict[str, str]
) -> None:
    resolution = resolve_postal_code(postal_code)
    by_name = {choice.commune.name: choice.caisse.key for choice in resolution.choices}

    assert resolution.error is None
    assert resolution.ambiguous
    assert {name: by_name[name] for name in expected} == expected
    assert len(resolution.caisses) == len(set(by_name.values()))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Saisissez un code postal."),
        ("   ", "Saisissez un code postal."),
        ("4400", "Le code postal doit comporter 5 chiffres."),
        ("440000", "Le code postal doit comporter 5 chiffres."),
        ("abcde", "Le code postal doit comporter 5 chiffres."),
        ("4400a", "Le code postal doit comporter 5 chiffres."),
        ("４４０００", "Le code postal doit comporter 5 chiffres."),
        ("00000", "Aucune commune ne correspond à ce code postal."),
        ("99999", "Aucune commune ne correspond à ce code postal."),
    ],
)
def test_bad_postal_code_gives_french_error(text: str, error: str) -> None:
    resolution = resolve_postal_code(text)

    assert resolution.error == error
    assert resolution.choices == ()
    assert not resolution.ambiguous
    assert resolution.caisses == ()


@pytest.mark.parametrize(
    ("postal_code", "commune"),
    [
        ("97133", "Saint-Barthélemy"),
        ("97150", "Saint-Martin"),
        ("97500", "Saint-Pierre"),
        ("98714", "Papeete"),
    ],
)
def test_territory_without_caisse_says_the_portal_does_not_cover_it(postal_code: str, commune: str) -> None:
    resolution = resolve_postal_code(postal_code)

    assert resolution.choices == ()
    assert resolution.error is not None
    assert resolution.error.startswith("Le portail ne couvre pas ")
    assert commune in resolution.error


@pytest.mark.parametrize(
    ("text", "expected"),
    [("44000", "44000"), (" 44 000 ", "44000"), ("44\u00a0000", "44000"), ("ab c", "abc")],
)
def test_normalize_postal_code_only_removes_spaces(text: str, expected: str) -> None:
    assert normalize_postal_code(text) == expected
    assert resolve_postal_code(text).postal_code == expected


def test_spaced_postal_code_resolves() -> None:
    assert resolve_postal_code(" 44 000 ").caisses == resolve_postal_code("44000").caisses


def test_every_commune_of_every_departement_gets_a_caisse_of_its_departement() -> None:
    communes = all_communes()
    seen: set[str] = set()
    for commune in communes:
        if commune.departement in NOT_COVERED:
            with pytest.raises(TerritoryNotCovered):
                caisse_for_commune(commune)
            continue
        caisse = caisse_for_commune(commune)
        assert caisse.departement == commune.departement, commune
        seen.add(commune.departement)

    assert seen == DEPARTEMENTS
    assert {commune.departement for commune in communes} == DEPARTEMENTS | NOT_COVERED


def test_every_caisse_serves_at_least_one_commune() -> None:
    served = {caisse_for_commune(c).key for c in all_communes() if c.departement in DEPARTEMENTS}

    assert served == {caisse.key for caisse in caisses()}


def test_every_postal_code_resolves_to_choices_or_not_covered() -> None:
    postal_codes = {code for commune in all_communes() for code in commune.postal_codes}
    assert len(postal_codes) > 6000
    for code in postal_codes:
        resolution = resolve_postal_code(code)
        if resolution.error is not None:
            assert resolution.error.startswith("Le portail ne couvre pas "), code
        else:
            assert resolution.choices, code


def test_every_caisse_row_has_a_name_a_departement_and_a_slug_key() -> None:
    rows = caisses()

    assert len(rows) == 107
    assert len({caisse.key for caisse in rows}) == len(rows)
    for caisse in rows:
        assert caisse.name
        assert caisse.departement in DEPARTEMENTS
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", caisse.key)
        assert all(re.fullmatch(r"[0-9]{3}", code) for code in caisse.codes)
        assert caisse_by_key(caisse.key) is caisse


def test_caisses_csv_is_the_shared_list_with_a_key_column() -> None:
    with (DATA_DIR / "caisses.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [
            "key",
            "departement",
            "caisse_code",
            "name",
            "communes_rule",
            "postal_address",
            "accueil_address",
            "phone",
            "source_url",
            "confidence",
        ]
        rows = list(reader)
    flandres = next(row for row in rows if row["key"] == "cpam-des-flandres")

    # Facts not found stay empty: no code, no address, no source for the CPAM des Flandres.
    assert (flandres["caisse_code"], flandres["postal_address"], flandres["source_url"]) == (
        "",
        "",
        "",
    )
    assert flandres["confidence"] == "low"


@pytest.mark.parametrize(
    ("departement", "count"),
    [("44", 1), ("59", 4), ("62", 2), ("64", 2), ("76", 2), ("2A", 1), ("2B", 1), ("975", 0)],
)
def test_caisses_of_departement(departement: str, count: int) -> None:
    found = caisses_of_departement(departement)

    assert len(found) == count
    assert all(caisse.departement == departement for caisse in found)


@pytest.mark.parametrize(
    ("insee", "name", "caisse_key"),
    [
        ("59512", "Roubaix", "cpam-de-roubaix-tourcoing"),
        ("59599", "Tourcoing", "cpam-de-roubaix-tourcoing"),
        ("59152", "Comines", "cpam-de-roubaix-tourcoing"),
        ("59017", "Armentières", "cpam-des-flandres"),
        ("59431", "Nieppe", "cpam-des-flandres"),
        ("59183", "Dunkerque", "cpam-des-flandres"),
        ("59350", "Lille", "cpam-de-lille-douai"),
        ("59009", "Villeneuve-d'Ascq", "cpam-de-lille-douai"),
        ("59178", "Douai", "cpam-de-lille-douai"),
        ("59606", "Valenciennes", "cpam-du-hainaut"),
        ("59122", "Cambrai", "cpam-du-hainaut"),
        ("59036", "Avesnes-sur-Helpe", "cpam-du-hainaut"),
        ("62041", "Arras", "cpam-de-l-artois"),
        ("62119", "Béthune", "cpam-de-l-artois"),
        ("62498", "Lens", "cpam-de-l-artois"),
        ("62160", "Boulogne-sur-Mer", "cpam-de-la-cote-d-opale"),
        ("62193", "Calais", "cpam-de-la-cote-d-opale"),
        ("62588", "Montreuil-sur-Mer", "cpam-de-la-cote-d-opale"),
        ("62765", "Saint-Omer", "cpam-de-la-cote-d-opale"),
        ("64102", "Bayonne", "cpam-de-bayonne"),
        ("64445", "Pau", "cpam-de-pau-pyrenees"),
        ("64422", "Oloron-Sainte-Marie", "cpam-de-pau-pyrenees"),
        ("76351", "Le Havre", "cpam-du-havre"),
        ("76540", "Rouen", "cpam-de-rouen-elbeuf-dieppe-seine-maritime"),
        ("76217", "Dieppe", "cpam-de-rouen-elbeuf-dieppe-seine-maritime"),
        ("2A004", "Ajaccio", "cpam-de-la-corse-du-sud"),
        ("2B033", "Bastia", "cpam-de-la-haute-corse"),
        ("48095", "Mende", "caisse-commune-de-securite-sociale-de-la-lozere"),
        ("40088", "Dax", "cpam-des-landes"),
    ],
)
def test_caisse_for_commune_follows_the_documented_rules(insee: str, name: str, caisse_key: str) -> None:
    commune = commune_by_insee(insee)

    assert commune is not None
    assert commune.name == name
    assert caisse_for_commune(commune).key == caisse_key


@pytest.mark.parametrize("insee", sorted(territory.COMMUNE_ROUTES))
def test_listed_sector_communes_are_in_the_arrondissement_of_lille(insee: str) -> None:
    commune = commune_by_insee(insee)

    assert commune is not None
    assert commune.arrondissement == "595"
    assert caisse_for_commune(commune).key == territory.COMMUNE_ROUTES[insee]


@pytest.mark.parametrize(
    ("insee", "departement"),
    [
        ("2A004", "2A"),
        ("2B033", "2B"),
        ("75111", "75"),
        ("97105", "971"),
        ("97411", "974"),
        ("97611", "976"),
        ("91479", "91"),
    ],
)
def test_departement_of(insee: str, departement: str) -> None:
    commune = commune_by_insee(insee)

    assert commune is not None
    assert departement_of(commune) == departement


def test_commune_by_insee() -> None:
    paris = commune_by_insee("75056")

    assert paris is not None
    assert paris.postal_codes == ()
    assert commune_by_insee("75111") is not None
    assert commune_by_insee("99999") is None


def test_communes_for_postal_code() -> None:
    assert [c.insee for c in communes_for_postal_code("75116")] == ["75116"]
    assert [c.name for c in communes_for_postal_code("13780")] == ["Cuges-les-Pins", "Riboux"]
    assert communes_for_postal_code("00000") == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("nant", "Nantes"),
        ("Nant", "Nantes"),
        ("saint etienne", "Saint-Étienne"),
        ("SAINT-ÉTIENNE", "Saint-Étienne"),
        ("l’haÿ", "L'Haÿ-les-Roses"),
        ("paris", "Paris 15e Arrondissement"),
        ("42000", "Saint-Étienne"),
        ("440", "Nantes"),
    ],
)
def test_search_communes_most_populated_first(text: str, first: str) -> None:
    found = search_communes(text)

    assert found[0].name == first
    populations = [commune.population for commune in found]
    assert populations == sorted(populations, reverse=True)


def test_search_communes_by_postal_code_prefix() -> None:
    found = search_communes("2", limit=50)

    assert len(found) == 50
    assert all(any(code.startswith("2") for code in c.postal_codes) for c in found)


@pytest.mark.parametrize(("text", "limit"), [("", 10), ("  ", 10), ("-", 10), ("nant", 0)])
def test_search_communes_gives_nothing_for_empty_query_or_limit(text: str, limit: int) -> None:
    assert search_communes(text, limit=limit) == []


def test_search_communes_respects_the_limit_and_skips_communes_without_postal_code() -> None:
    assert len(search_communes("saint", limit=25)) == 25
    found = search_communes("paris", limit=100)

    assert sum(commune.name.startswith("Paris ") for commune in found) == 20
    assert "75056" not in {commune.insee for commune in found}
    assert all(commune.postal_codes for commune in found)


@pytest.mark.parametrize(
    ("key", "centre", "expected"),
    [
        ("cpam-de-la-loire-atlantique", "0000", "014410000"),
        ("cpam-de-la-loire-atlantique", "1234", "014411234"),
        ("cpam-de-lille-douai", "0000", "015950000"),
        ("cgss-de-la-reunion", "0000", "019740000"),
        ("cpam-des-flandres", "0000", None),
        ("cpam-de-la-haute-corse", "0000", None),
        ("caisse-de-securite-sociale-de-mayotte", "0000", None),
    ],
)
def test_code_organisme(key: str, centre: str, expected: str | None) -> None:
    caisse = caisse_by_key(key)

    assert caisse is not None
    assert code_organisme(caisse, centre) == expected


def test_code_organisme_default_centre_for_loire_atlantique() -> None:
    caisse = caisse_by_key("cpam-de-la-loire-atlantique")

    assert caisse is not None
    code = code_organisme(caisse)
    assert code is not None
    assert code.startswith("01441")


@pytest.mark.parametrize("centre", ["", "123", "12345", "abcd"])
def test_code_organisme_rejects_bad_centre(centre: str) -> None:
    caisse = caisse_by_key("cpam-de-paris")

    assert caisse is not None
    with pytest.raises(ValueError, match="4 digits"):
        code_organisme(caisse, centre)


def test_resolution_caisses_are_distinct_in_order() -> None:
    resolution = resolve_postal_code("37160")

    assert [caisse.key for caisse in resolution.caisses] == [
        "cpam-d-indre-et-loire",
        "cpam-de-la-vienne",
    ]
    assert all(isinstance(caisse, Caisse) for caisse in resolution.caisses)


def test_values_are_frozen() -> None:
    commune = commune_by_insee("44109")

    assert commune is not None
    with pytest.raises(AttributeError):
        commune.name = "Nantes-sur-Loire"  # type: ignore[misc]
