"""The forms catalogue: faithful to the shared reference data, searchable, filterable."""

import csv
from pathlib import Path

import pytest

from app.rules import forms_catalogue
from app.rules.forms_catalogue import Form, audiences, categories, form_by_slug, forms, search

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "formulaires.csv"


def shared_rows() -> list[dict]:
    if not SHARED.exists():
        pytest.skip("shared reference data not available")
    with SHARED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_at_least_thirty_forms_with_unique_ascii_slugs():
    catalogue = forms()
    assert len(catalogue) >= 30
    slugs = [form.slug for form in catalogue]
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert slug.isascii()
        assert slug == slug.lower()
        assert " " not in slug
    assert all(isinstance(form, Form) for form in catalogue)


def test_no_invented_numbers():
    rows = shared_rows()
    assert len(rows) == len(forms())
    for row, form in zip(rows, forms(), strict=True):
        assert form.title == row["title"]
        assert form.s_number == row["s_number"]
        assert form.cerfa == row["cerfa"]
        assert form.description == row["description"]
        assert form.source_url == row["source_url"]


def test_form_by_slug_and_references():
    form = form_by_slug("declaration-de-choix-du-medecin-traitant")
    assert form is not None
    assert form.references == "S3704 · cerfa 12485*03"
    assert form_by_slug("feuille-de-soins-medecin").references == ""
    assert form_by_slug("nope") is None


def test_audiences_are_labelled_in_french_and_categories_sorted():
    assert audiences() == [
        ("assure", "assuré"),
        ("employeur", "employeur"),
        ("professionnel", "professionnel"),
    ]
    assert "médecin traitant" in categories()
    assert categories() == sorted(set(categories()), key=lambda c: (forms_catalogue.fold(c), c))


@pytest.mark.parametrize(
    ("text", "expected_slug"),
    [
        ("S3704", "declaration-de-choix-du-medecin-traitant"),
        ("12485*03", "declaration-de-choix-du-medecin-traitant"),
        ("MEDECIN traitant", "declaration-de-choix-du-medecin-traitant"),
        ("co-signé", "declaration-de-choix-du-medecin-traitant"),  # a word of the description only
        ("kinés", "feuille-de-soins-auxiliaire-medical"),
        ("europeenne", "demande-de-carte-europeenne-d-assurance-maladie-ceam"),
    ],
)
def test_search_ignores_accents_and_case(text, expected_slug):
    assert expected_slug in [form.slug for form in search(text)]


def test_search_needs_every_word():
    assert search("transport vitale") == []
    assert search("") == list(forms())


def test_filters():
    employeur = search("", audience="employeur")
    assert employeur
    assert all(form.audience == "employeur" for form in employeur)
    transport = search("", category="transport")
    assert transport
    assert all(form.category == "transport" for form in transport)
    both = search("prescription", audience="professionnel", category="transport")
    assert [form.slug for form in both] == ["prescription-medicale-de-transport"]
    assert search("S3138", audience="assure") == []
