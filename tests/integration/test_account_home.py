"""Mon compte: page and fragment, the lazy blocks with and without htmx, quick actions, putting
alerts away, and "Agir pour un proche" with its checks against other files."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AlertDismissal, Demarche, Payment
from app.rules import demarches as demarche_rules
from app.services import account_home
from tests.conftest import HX, count_queries, csrf_token, make_person


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def pay(person, beneficiary, paid_on: date, amount: str = "21.00", recovered: str = "0.00") -> Payment:
    payment = Payment(
        person_id=person.id,
        beneficiary_id=beneficiary.id,
        payee="assure",
        kind="soins",
        gross=Decimal(amount) + Decimal(recovered),
        recovered=Decimal(recovered),
        amount=Decimal(amount),
        paid_on=paid_on,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def demarche(person, beneficiary, kind: str = "adresse", days_ago: int = 2) -> Demarche:
    filed = date.today() - timedelta(days=days_ago)
    row = Demarche(
        person_id=person.id,
        beneficiary_id=beneficiary.id,
        caisse_id=person.caisse_id,
        kind=kind,
        status="deposee",
        payload="{}",
        due_on=demarche_rules.due_date(kind, filed),
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_home_page_and_fragment_hold_lazy_blocks_that_work_without_javascript(client, login_as):
    login_as("camille")
    page = text(client.get("/compte/"))
    assert "<html" in page
    assert 'hx-get="/compte/blocs/derniers-paiements" hx-trigger="load"' in page
    assert 'href="/compte/blocs/derniers-paiements"' in page  # the placeholder's link without JS
    assert 'hx-get="/compte/blocs/demarches-en-cours"' in page
    fragment = text(client.get("/compte/", headers=HX))
    assert "<html" not in fragment
    assert "Bonjour Camille" in fragment
    # Quick actions.
    for href in (
        "/compte/documents/attestation-de-droits.pdf",
        "/compte/dernier-paiement",
        "/compte/messages/nouveau",
        "/compte/demarches/carte-vitale",
    ):
        assert f'href="{href}"' in page


def test_blocks_render_alone_for_htmx_and_as_pages_without(client, login_as, leo):
    camille = login_as("camille")
    pay(camille.person, camille.person, date.today() - timedelta(days=40), "10.00")
    pay(camille.person, leo, date.today() - timedelta(days=3), "23.50")
    demarche(camille.person, camille.person)
    fragment = text(client.get("/compte/blocs/derniers-paiements", headers=HX))
    assert "<title>" not in fragment  # swapped into the home: the home keeps its title
    assert fragment.strip().startswith('<div class="lazy-block" id="bloc-paiements">')
    assert "23,50\u00a0€" in fragment
    assert fragment.index("23,50") < fragment.index("10,00")  # latest first
    page = text(client.get("/compte/blocs/derniers-paiements"))
    assert "<h1" in page
    assert "Retour à Mon compte" in page
    block = text(client.get("/compte/blocs/demarches-en-cours", headers=HX))
    assert "Changement d'adresse" in block or "adresse" in block.lower()
    assert "traitement estimé le" in block
    assert "<h1" in text(client.get("/compte/blocs/demarches-en-cours"))


def test_blocks_and_home_run_a_constant_number_of_queries(client, login_as, leo):
    camille = login_as("camille")
    pay(camille.person, camille.person, date.today() - timedelta(days=2), recovered="2.00")
    demarche(camille.person, camille.person)
    urls = ("/compte/", "/compte/blocs/derniers-paiements", "/compte/blocs/demarches-en-cours")
    before = {url: count_queries(client, url) for url in urls}
    for days in range(3, 15):
        pay(camille.person, leo, date.today() - timedelta(days=days), recovered="1.00")
        demarche(camille.person, leo, days_ago=days)
    assert {url: count_queries(client, url) for url in urls} == before


def test_last_payment_quick_action(client, login_as):
    camille = login_as("camille")
    response = client.get("/compte/dernier-paiement")
    assert response.headers["Location"] == "/compte/paiements/"
    assert "Aucun paiement" in text(client.get("/compte/paiements/"))
    older = pay(camille.person, camille.person, date.today() - timedelta(days=9))
    latest = pay(camille.person, camille.person, date.today() - timedelta(days=1))
    assert client.get("/compte/dernier-paiement").headers["Location"] == f"/compte/paiements/{latest.id}"
    assert older.id != latest.id


def test_putting_away_an_alert(client, login_as, users):
    louis = login_as("louis")
    key = f"medecin_traitant:{louis.person_id}"
    assert "Déclarez votre médecin traitant" in text(client.get("/compte/"))
    # Without a CSRF token: refused, nothing stored.
    assert client.post("/compte/alertes/masquer", data={"alerte": key}).status_code == 400
    # A key he does not have (Camille's), a legal one, garbage: a French message, nothing stored.
    token = csrf_token(client, "/compte/")
    for other in (f"medecin_traitant:{users['camille'].person_id}", "cgu", "x" * 500, ""):
        response = client.post("/compte/alertes/masquer", data={"csrf_token": token, "alerte": other})
        assert response.status_code == 303
        assert "Cette alerte ne peut pas être masquée." in text(client.get("/compte/"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertDismissal)) == 0
    client.post("/compte/alertes/masquer", data={"csrf_token": token, "alerte": key})
    page = text(client.get("/compte/"))
    assert "L'alerte est masquée." in page
    assert "Déclarez votre médecin traitant" not in page
    # Twice (two tabs) does not fail.
    client.post("/compte/alertes/masquer", data={"csrf_token": token, "alerte": key})


def test_medecin_traitant_alert_goes_once_declared(client, login_as):
    louis = login_as("louis")
    assert "Déclarez votre médecin traitant" in text(client.get("/compte/"))
    louis.person.medecin_traitant_rpps = "10101010105"
    db.session.commit()
    assert "Déclarez votre médecin traitant" not in text(client.get("/compte/"))


def test_act_for_a_minor_child_shows_a_banner_and_the_childs_data(client, login_as, leo):
    camille = login_as("camille")
    mine = pay(camille.person, camille.person, date.today() - timedelta(days=1), "11.11")
    pay(camille.person, leo, date.today() - timedelta(days=5), "22.22")
    home = text(client.get("/compte/"))
    assert "Agir pour un proche" in home
    assert f'value="{leo.id}"' in home
    response = client.post(
        "/compte/proche", data={"csrf_token": csrf_token(client, "/compte/"), "proche": leo.id}
    )
    assert response.status_code == 303
    home = text(client.get("/compte/"))
    assert "Vous agissez pour <strong>Léo MARTIN</strong>" in home
    assert "Les droits de Léo" in home
    assert "le médecin traitant de Léo" in home  # the child's own alert
    block = text(client.get("/compte/blocs/derniers-paiements", headers=HX))
    assert "22,22" in block
    assert "11,11" not in block
    # Mes paiements opens on the child's payments; the banner is on every page.
    payments = text(client.get("/compte/paiements/"))
    assert "Vous agissez pour" in payments
    assert "22,22" in payments
    assert "11,11" not in payments
    # Mes documents offers the child's attestation.
    documents = text(client.get("/compte/documents"))
    assert f'value="{leo.id}" checked>' in documents
    assert 'value="dossier" checked' not in documents
    # Back to her own file.
    client.post("/compte/proche/quitter", data={"csrf_token": csrf_token(client, "/compte/")})
    home = text(client.get("/compte/"))
    assert "Vous agissez pour" not in home
    assert "11,11" in text(client.get("/compte/blocs/derniers-paiements", headers=HX))
    assert mine.id


def test_acting_for_is_refused_for_adults_other_files_and_garbage(client, login_as, users, caisses, leo):
    camille = login_as("camille")
    adult = make_person(
        caisses["cpam-de-la-loire-atlantique"],
        None,
        "Jeanne",
        "Martin",
        date.today().replace(year=date.today().year - 19),
        ouvrant_droit_id=camille.person_id,
        rang=3,
        lien="enfant",
        rights_start=date(2010, 1, 1),
        sex="F",
    )
    spouse = make_person(
        caisses["cpam-de-la-loire-atlantique"],
        None,
        "Paul",
        "Martin",
        date(1990, 1, 1),
        ouvrant_droit_id=camille.person_id,
        rang=4,
        lien="conjoint",
        rights_start=date(2015, 1, 1),
        sex="M",
    )
    louis_child = make_person(
        caisses["cpam-de-paris"],
        None,
        "Zoé",
        "Bernard",
        date(2018, 5, 5),
        ouvrant_droit_id=users["louis"].person_id,
        rang=2,
        lien="enfant",
        rights_start=date(2018, 5, 5),
        sex="F",
    )
    token = csrf_token(client, "/compte/")
    for value in (adult.id, spouse.id, louis_child.id, camille.person_id, "abc", "", "-1", "9" * 30):
        response = client.post("/compte/proche", data={"csrf_token": token, "proche": value})
        assert response.status_code == 303
        page = text(client.get("/compte/"))
        assert "Vous ne pouvez agir que pour vos enfants mineurs" in page
        assert "Vous agissez pour <strong>" not in page
    # A child who leaves the file (or comes of age) stops the view at once.
    client.post("/compte/proche", data={"csrf_token": token, "proche": leo.id})
    assert "Vous agissez pour <strong>Léo" in text(client.get("/compte/"))
    leo.rights_end = date.today() - timedelta(days=1)
    db.session.commit()
    assert "Vous agissez pour" not in text(client.get("/compte/"))


def test_proches_are_minor_children_only(app, users, caisses, leo):
    camille = users["camille"].person
    today = account_home.today()
    eighteen = make_person(
        caisses["cpam-de-la-loire-atlantique"],
        None,
        "Anna",
        "Martin",
        today.replace(year=today.year - 18),
        ouvrant_droit_id=camille.id,
        rang=3,
        lien="enfant",
        rights_start=date(2010, 1, 1),
        sex="F",
    )
    seventeen = make_person(
        caisses["cpam-de-la-loire-atlantique"],
        None,
        "Hugo",
        "Martin",
        today.replace(year=today.year - 18) + timedelta(days=1),
        ouvrant_droit_id=camille.id,
        rang=4,
        lien="enfant",
        rights_start=date(2010, 1, 1),
        sex="F",
    )
    assert [p.id for p in account_home.proches_of(camille)] == [leo.id, seventeen.id]
    assert account_home.proche_of(camille, eighteen.id) is None
    assert account_home.proche_of(camille, True) is None
    assert account_home.proche_of(camille, str(leo.id)) is None


@pytest.mark.parametrize("url", ["/compte/blocs/derniers-paiements", "/compte/blocs/demarches-en-cours"])
def test_blocks_need_an_assure(client, login_as, url):
    assert client.get(url).status_code == 302
    login_as("agent44")
    assert client.get(url).status_code == 403


def test_an_alert_links_to_the_fiche_that_explains_it(client, login_as):
    login_as("louis")
    page = text(client.get("/compte/"))
    assert 'href="/informations/medecin-traitant-et-parcours-de-soins">En savoir plus' in page
    assert client.get("/informations/medecin-traitant-et-parcours-de-soins").status_code == 200


def test_every_alert_fiche_exists():
    import inspect

    from app.services import fiches

    slugs = set(re.findall(r'fiche="([a-z0-9-]+)"', inspect.getsource(account_home)))
    assert slugs
    assert {slug for slug in slugs if fiches.fiche(slug) is None} == set()
