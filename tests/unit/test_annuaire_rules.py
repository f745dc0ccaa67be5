"""Pure rules of the Annuaire santé: filter kinds from the RPPS codes, full-text words, places."""

from __future__ import annotations

import pytest

from app.rules import annuaire as rules


@pytest.mark.parametrize(
    ("profession", "specialty", "kind"),
    [
        ("10", "SM26", "generaliste"),
        ("10", "SM53", "generaliste"),
        ("10", "SM54", "generaliste"),
        ("10", "SM04", "specialiste"),
        ("10", "SM42", "specialiste"),
        ("10", "", "medecin"),
        ("40", "SCD01", "40"),
        ("60", "", "60"),
        ("26", "", "26"),
    ],
)
def test_kind_of(profession, specialty, kind):
    assert rules.kind_of(profession, specialty) == kind


def test_every_filter_kind_has_a_label_and_known_professions():
    for key, label in rules.KINDS:
        assert label
        assert key in ("generaliste", "specialiste", "medecin") or key in rules.PROFESSIONS


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Dupont", ["dupont"]),
        ("  LEFÈVRE  Élodie ", ["lefevre", "elodie"]),
        ("Saint-Étienne", ["saint", "etienne"]),
        ('"durand" OR NEAR(a*', ["durand", "or", "near", "a"]),
        ("a b c d e f g h i j", ["a", "b", "c", "d", "e", "f", "g", "h"]),
        ("", []),
        ("***", []),
    ],
)
def test_query_words_are_folded_and_bounded(text, words):
    assert rules.query_words(text) == words


def test_full_text_expressions_quote_every_word_as_a_prefix():
    assert rules.fts5_match(["dupont", "jean"]) == '"dupont"* "jean"*'
    assert rules.tsquery(["dupont", "jean"]) == "dupont:* & jean:*"


def test_practitioner_words_include_the_filter_label():
    words = rules.practitioner_words(
        "LE GALL", "Anaïs", "Médecin", "Spécialiste en Médecine Générale", "generaliste"
    )
    assert words.split() == [
        "le",
        "gall",
        "anais",
        "medecin",
        "specialiste",
        "en",
        "medecine",
        "generale",
        "medecin",
        "generaliste",
    ]


@pytest.mark.parametrize(
    ("typed", "postal_code", "departement", "communes"),
    [
        ("44000", "44000", None, 0),
        (" 44 000 ", "44000", None, 0),
        ("44", None, "44", 0),
        ("2a", None, "2A", 0),
        ("2B", None, "2B", 0),
        ("974", None, "974", 0),
        ("Nantes", None, None, 1),
        ("nantes (44000)", None, None, 1),
        ("Saint-Denis", None, None, 2),  # Seine-Saint-Denis and La Réunion (and homonyms)
        ("Paris", None, None, 20),  # the 20 arrondissements carry the postal codes
        ("Marseille", None, None, 16),
        ("Lyon", None, None, 9),
    ],
)
def test_parse_place(typed, postal_code, departement, communes):
    place = rules.parse_place(typed)
    assert place.postal_code == postal_code
    assert place.departement == departement
    if typed == "Saint-Denis":
        assert len(place.communes) >= communes
        assert "93066" in place.communes
        assert "97411" in place.communes
    else:
        assert len(place.communes) == communes


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99", "Le département 99 n'existe pas."),
        ("20", "Le département 20 n'existe pas."),
        ("12345", "Aucune commune ne correspond au code postal 12345."),
        ("4400", "Un code postal comporte 5 chiffres, un département 2 ou 3 (ou 2A, 2B)."),
        ("Atlantis", "Aucune commune ne s'appelle « Atlantis »."),
        ("---", "Indiquez une commune, un code postal ou un département."),
    ],
)
def test_parse_place_errors_are_french(typed, message):
    with pytest.raises(rules.PlaceError) as error:
        rules.parse_place(typed)
    assert str(error.value).startswith(message)
