"""The content of the fiches pratiques on life events, 100 % Santé, arrêt de travail, maternité, C2S,
CEAM and prévention: each is there and renders, its figures come from the rules (never written by
hand), and every internal link of every fiche leads somewhere."""

import datetime as dt
import html
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from app.api.simulations import simulate_refund
from app.rules import c2s, dated, ij
from app.services import fiches, fiches_figures
from app.web.filters import euros
from tests.conftest import HX

THEMES = {
    "naissance-ou-adoption": "droits-demarches",
    "demenagement": "droits-demarches",
    "separation-ou-divorce": "droits-demarches",
    "perte-ou-vol-de-carte-vitale": "droits-demarches",
    "premier-emploi-ou-fin-d-etudes": "droits-demarches",
    "cent-pour-cent-sante-optique": "cent-pour-cent-sante",
    "cent-pour-cent-sante-dentaire": "cent-pour-cent-sante",
    "cent-pour-cent-sante-audiologie": "cent-pour-cent-sante",
    "arret-de-travail-et-indemnites-journalieres": "arret-travail",
    "maternite-et-paternite": "maternite-paternite",
    "c2s": "c2s",
    "ceam-et-soins-a-l-etranger": "etranger",
    "vaccination": "prevention",
    "depistage-des-cancers": "prevention",
    "examen-bucco-dentaire-mt-dents": "prevention",
    "bilans-prevention-ages-cles": "prevention",
}
# An amount or a rate typed in a fiche's source instead of asked to the rules: "30 €", "41,95 euros", "70 %".
AMOUNT_RE = re.compile(r"\d[\d  ]*(?:[,.]\d+)?\s*(?:€|euros?\b)")
PERCENT_RE = re.compile(r"(\d+)\s*%")
HREF_RE = re.compile(r'href="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_caches():
    fiches.clear_caches()
    yield
    fiches.clear_caches()


def money(value) -> str:
    """An amount as ``page_text`` shows it (its non-breaking space folded like any space)."""
    return fiches.html_to_text(str(euros(value)))


def page_html(client, slug: str) -> str:
    response = client.get(f"/informations/{slug}")
    assert response.status_code == 200, slug
    return html.unescape(response.get_data(as_text=True))


def page_text(client, slug: str) -> str:
    """The visible text of the fiche's page, tags removed (a figure may be inside <strong>)."""
    response = client.get(f"/informations/{slug}")
    assert response.status_code == 200, slug
    return fiches.html_to_text(response.get_data(as_text=True))


def source_body(slug: str) -> str:
    """The body of the fiche's file, without its front matter."""
    text = (fiches.FICHES_DIR / f"{slug}.html").read_text(encoding="utf-8")
    return text[text.index(fiches.CLOSE) + len(fiches.CLOSE) :]


def test_the_life_event_prevention_and_rights_fiches_are_there_with_their_theme():
    for slug, theme in THEMES.items():
        item = fiches.fiche(slug)
        assert item is not None, slug
        assert item.theme == theme, slug
        assert item.sources, slug
        assert all(source.url.startswith("https://") for source in item.sources), slug


@pytest.mark.parametrize("slug", sorted(THEMES))
def test_a_fiche_renders_as_page_and_fragment(client, slug):
    page = client.get(f"/informations/{slug}")
    fragment = client.get(f"/informations/{slug}", headers=HX)
    assert page.status_code == 200
    assert fragment.status_code == 200
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert fiches.fiche(slug).title in html.unescape(fragment.get_data(as_text=True))


@pytest.mark.parametrize("slug", sorted(THEMES))
def test_a_fiche_writes_no_amount_or_rate_by_hand(slug):
    body = source_body(slug)
    # Jinja expressions print the figures; the text around them must not type any.
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", body, flags=re.DOTALL)
    assert AMOUNT_RE.findall(text) == [], slug
    assert set(PERCENT_RE.findall(text)) <= {"100"}, slug
    assert "<h2>" in body, slug


def test_the_c2s_fiche_shows_the_ceilings_in_force(client, monkeypatch):
    day = c2s._data()["plafonds"][-1].start
    monkeypatch.setattr(fiches_figures, "today", lambda: day)
    ceilings = c2s.ceilings(day, 1)
    page = page_text(client, "c2s")
    assert f"ne dépassent pas {money(ceilings.gratuite)}" in page
    assert f"ne dépassent pas {money(ceilings.participation)}" in page
    assert "Cet exemple ne peut pas être calculé" not in page


def test_the_c2s_fiche_without_ceilings_sends_to_the_simulator(client, monkeypatch):
    monkeypatch.setitem(fiches_figures.RULES, "c2s_plafond_1", lambda on: None)
    monkeypatch.setitem(fiches_figures.RULES, "c2s_plafond_participation_1", lambda on: None)
    page = page_html(client, "c2s")
    assert "ressources annuelles ne dépassent pas" not in page
    assert "Les plafonds sont revalorisés chaque année" in page
    assert 'href="/simulateurs/c2s"' in page


def test_the_c2s_example_leaves_nothing_to_pay(client):
    today = fiches_figures.today()
    expected = simulate_refund(
        {
            "date": today.isoformat(),
            "patient": {"date_naissance": "1986-01-01", "c2s": True},
            "tiers_payant": True,
            "actes": [{"code": "G", "montant": str(fiches_figures.tarif("G"))}],
        }
    )
    page = page_html(client, "c2s")
    assert expected["reste_a_charge"] == 0
    assert f"<dt>Pris en charge par la C2S</dt><dd>{euros(expected['part_complementaire_c2s'])}</dd>" in page
    assert f"<dt>Reste à charge avant complémentaire santé</dt><dd>{euros(Decimal(0))}</dd>" in page


def test_the_arret_fiche_shows_the_ij_maximum_and_the_carence_of_the_rules(client):
    today = fiches_figures.today()
    maximum = ij.daily_ij(ij.sjb([Decimal("1000000.00")] * ij.SALARY_MONTHS, today))
    carence = dated.in_force(ij._data()["carence_jours"], today, "carence", "inconnue").value
    page = page_text(client, "arret-de-travail-et-indemnites-journalieres")
    assert f"ne peut donc pas dépasser {money(maximum)} par jour" in page
    assert f"Les {carence} premiers jours de l'arrêt" in page
    markup = page_html(client, "arret-de-travail-et-indemnites-journalieres")
    assert 'href="/simulateurs/indemnites-journalieres"' in markup
    assert 'href="/compte/arrets/"' in markup


def test_the_arret_fiche_follows_a_new_ij_maximum(client, monkeypatch):
    monkeypatch.setitem(fiches_figures.RULES, "ij_maladie_max", lambda on: Decimal("12.34"))
    page = page_text(client, "arret-de-travail-et-indemnites-journalieres")
    assert f"ne peut donc pas dépasser {money(Decimal('12.34'))} par jour" in page


def test_the_maternite_fiche_shows_the_ij_and_the_durations_of_the_rules(client):
    today = fiches_figures.today()
    maximum = dated.in_force(ij._data()["maternite_maximum"], today, "max", "inconnu").value
    minimum = dated.in_force(ij._data()["maternite_minimum"], today, "min", "inconnu").value
    page = page_text(client, "maternite-et-paternite")
    assert f"au plus {money(maximum)} par jour" in page
    assert f"au moins {money(minimum)} par jour" in page
    assert "Durée légale selon la situation" in page  # the shared durations table
    assert 'href="/simulateurs/conge-maternite-paternite"' in page_html(client, "maternite-et-paternite")
    assert "ticket modérateur exonéré" in page  # the example is computed with maternite=True


def test_the_maternite_fiche_reads_without_the_ij_figures(client, monkeypatch):
    for name in ("ij_maternite_max", "ij_maternite_min"):
        monkeypatch.setitem(fiches_figures.RULES, name, lambda on: None)
    page = page_text(client, "maternite-et-paternite")
    assert "au plus" not in page
    assert "Les indemnités journalières de maternité" in page


def test_every_internal_link_of_every_fiche_leads_somewhere(client):
    """Public pages answer 200; private ones send to the login page."""
    targets: set[str] = set()
    for item in fiches.all_fiches():
        body = html.unescape(client.get(f"/informations/{item.slug}", headers=HX).get_data(as_text=True))
        targets.update(href for href in HREF_RE.findall(body) if href.startswith("/"))
    assert "/informations/c2s" in targets
    for target in sorted(targets):
        path = urlsplit(target)._replace(fragment="").geturl()
        response = client.get(path)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/connexion"), target
        else:
            assert response.status_code == 200, target


def test_the_figures_are_those_of_the_day(client, monkeypatch):
    """A fiche rendered another day shows that day's rules (the example says which day)."""
    day = dt.date(2025, 6, 1)
    monkeypatch.setattr(fiches_figures, "today", lambda: day)
    page = page_text(client, "c2s")
    assert "règles en vigueur le 01/06/2025" in page


def test_the_ceam_fiche_follows_the_rules_of_the_demarche(client, monkeypatch):
    from app.rules import ceam

    text = page_text(client, "ceam-et-soins-a-l-etranger")
    assert f"au moins {ceam.ORDER_LEAD_DAYS} jours avant" in text
    assert f"valable {ceam.CARD_VALIDITY_YEARS} ans" in text
    assert f"pendant {ceam.CERTIFICAT_VALIDITY_MONTHS} mois" in text
    monkeypatch.setattr(ceam, "ORDER_LEAD_DAYS", 21)
    fiches.clear_caches()
    assert "au moins 21 jours avant" in page_text(client, "ceam-et-soins-a-l-etranger")
