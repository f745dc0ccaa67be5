"""The fiches pratiques: every fiche is valid and renders, the loader refuses malformed ones, the
search finds body text without accents, and the worked examples follow the tariff data."""

import datetime as dt
import html
from decimal import Decimal

import pytest

from app.api.simulations import simulate_refund
from app.rules import tariffs
from app.services import fiches, fiches_figures
from app.web.filters import euros

GOOD = """{#---
title = "Une fiche"
theme = "remboursements"
summary = "Un résumé."
updated = 2026-11-24
keywords = ["mot"]

[[sources]]
title = "Une source"
url = "https://www.ameli.fr/"
---#}
<p>Le corps de la fiche.</p>
"""


@pytest.fixture(autouse=True)
def _fresh_caches():
    fiches.clear_caches()
    yield
    fiches.clear_caches()


def render_text(app, item: fiches.Fiche) -> str:
    with app.test_request_context():
        from flask import render_template

        return html.unescape(render_template(item.template))


def test_every_fiche_loads_and_validates():
    catalogue = fiches.all_fiches()
    slugs = [item.slug for item in catalogue]
    assert len(slugs) == len(set(slugs))
    for item in catalogue:
        assert item.theme in fiches.THEMES
        assert item.sources
        assert all(source.url.startswith("https://") for source in item.sources)
        assert len(item.summary) <= fiches.SUMMARY_MAX


def test_at_least_twenty_fiches():
    # Fails until the fiches of every theme are written (H2 writes 9, H3 the others).
    assert len(fiches.all_fiches()) >= 20


def test_every_fiche_renders_with_its_examples(app):
    for item in fiches.all_fiches():
        text = render_text(app, item)
        assert "<h1" not in text, item.slug
        assert "<script" not in text, item.slug
        assert " style=" not in text, item.slug
        assert "Cet exemple ne peut pas être calculé" not in text, item.slug


def test_the_remboursement_fiches_are_there():
    for slug in (
        "consultation-medecin-generaliste",
        "consultation-medecin-specialiste",
        "soins-dentaires",
        "kinesitherapie",
        "pharmacie-et-medicaments",
        "transport-sanitaire",
        "hospitalisation",
        "participation-forfaitaire-et-franchises",
        "medecin-traitant-et-parcours-de-soins",
    ):
        assert fiches.fiche(slug) is not None, slug
    assert fiches.fiche("inconnue") is None


def test_by_theme_follows_the_themes_order():
    themes = [theme for theme, _label, _items in fiches.by_theme()]
    assert themes == [theme for theme in fiches.THEMES if theme in themes]
    assert sum(len(items) for _theme, _label, items in fiches.by_theme()) == len(fiches.all_fiches())


def test_a_good_file_parses(tmp_path):
    (tmp_path / "une-fiche.html").write_text(GOOD, encoding="utf-8")
    (item,) = fiches.load_dir(tmp_path)
    assert item.slug == "une-fiche"
    assert item.updated == dt.date(2026, 11, 24)
    assert item.theme_label == "Remboursements"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("sans-entete.html", "<p>Rien</p>", "front matter"),
        ("toml-faux.html", GOOD.replace('title = "Une fiche"', "title = "), "invalid TOML"),
        ("sans-titre.html", GOOD.replace('title = "Une fiche"\n', ""), "missing key(s) title"),
        ("theme-inconnu.html", GOOD.replace('"remboursements"', '"divers"'), "unknown theme"),
        ("source-http.html", GOOD.replace("https://www.ameli.fr/", "http://www.ameli.fr/"), "https"),
        ("date-texte.html", GOOD.replace("updated = 2026-11-24", 'updated = "hier"'), "updated"),
        ("resume-long.html", GOOD.replace("Un résumé.", "x" * 201), "summary"),
        ("cle-inconnue.html", GOOD.replace("keywords", "motscles"), "unknown key(s) motscles"),
        ("Majuscules.html", GOOD, "slug"),
    ],
)
def test_a_malformed_fiche_names_its_file(tmp_path, name, text, message):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=name.replace(".", r"\.")) as error:
        fiches.load_dir(tmp_path)
    assert message in str(error.value)


def test_search_finds_a_word_only_in_the_body(app):
    item = fiches.fiche("transport-sanitaire")
    word = "kilométriques"
    meta = " ".join((item.title, item.summary, *item.keywords))
    assert word not in meta
    with app.test_request_context():
        results = fiches.search(word)
    assert [result.fiche.slug for result in results] == ["transport-sanitaire"]
    assert word in results[0].excerpt


def test_search_ignores_accents_and_case(app):
    with app.test_request_context():
        plain = [result.fiche.slug for result in fiches.search("hopital forfait")]
        accented = [result.fiche.slug for result in fiches.search("HÔPITAL Forfait")]
        nothing = fiches.search("mot-introuvable-xyz")
        empty = fiches.search("  ")
    assert "hospitalisation" in plain
    assert plain == accented
    assert nothing == []
    assert empty == []


def test_search_ranks_title_matches_first(app):
    with app.test_request_context():
        results = fiches.search("franchise")
    in_title = [result.in_title for result in results]
    assert in_title == sorted(in_title, reverse=True)
    assert results[0].in_title


def test_every_rule_is_known_today():
    for name in fiches_figures.RULE_NAMES:
        value = fiches_figures.regle(name)
        assert value is None or isinstance(value, Decimal | int), name
    assert fiches_figures.regle("pf") == tariffs.participation_forfaitaire(fiches_figures.today()).amount
    with pytest.raises(KeyError):
        fiches_figures.regle("inconnue")


def test_tarif_gives_the_base_or_none():
    today = fiches_figures.today()
    assert fiches_figures.tarif("G") == tariffs.act("G", today).tariff
    assert fiches_figures.tarif("PH7") is None  # the caller gives a medicine's base
    assert fiches_figures.tarif("G", secteur="3") is None  # no tarif d'autorité known
    with pytest.raises(tariffs.UnknownAct):
        fiches_figures.tarif("XYZ")


def test_an_example_the_rules_refuse_is_a_sentence(app):
    with app.test_request_context():
        markup = str(fiches_figures.exemple_remboursement("Secteur 3", [{"code": "G"}], secteur="3"))
    assert "Cet exemple ne peut pas être calculé" in html.unescape(markup)
    assert "<table" not in markup


def test_changing_a_tariff_changes_the_fiche(client, monkeypatch):
    today = fiches_figures.today()
    original = tariffs._data()
    acts = dict(original["acts"])
    acts["G"] = {
        **acts["G"],
        "tariffs": (*acts["G"]["tariffs"], tariffs.Dated(start=today, value=Decimal("41.30"), source="test")),
    }
    monkeypatch.setattr(tariffs, "_data", lambda: {**original, "acts": acts})
    expected = simulate_refund(
        {
            "date": today.isoformat(),
            "patient": {"date_naissance": "1986-01-01"},
            "actes": [{"code": "G", "montant": "41.30"}],
        }
    )
    page = html.unescape(client.get("/informations/consultation-medecin-generaliste").get_data(as_text=True))
    assert f"la consultation au cabinet coûte {euros(Decimal('41.30'))}" in page
    assert f"<dt>Remboursé par l'Assurance Maladie</dt><dd>{euros(expected['rembourse'])}</dd>" in page
    monkeypatch.undo()
    page = html.unescape(client.get("/informations/consultation-medecin-generaliste").get_data(as_text=True))
    assert euros(Decimal("41.30")) not in page
