"""Mes paiements: the list (page and htmx fragment, filters, 422s, pagination, year counters, a
constant number of queries), the décompte of a payment with its recovered debts, the monthly PDF
statement, and who may see what. Claims go through the real ``claims.submit``."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Payment, Professional
from app.rules.liquidation import ActLine
from app.services import claims
from app.web.paiements.queries import months_before, paris_today
from tests.conftest import HX, make_person, recorded_queries

NBSP = "\u00a0"
INDEX = "/compte/paiements/"


def text_of(response) -> str:
    """The response's HTML with entities decoded (amounts carry a no-break space before €)."""
    return html.unescape(response.get_data(as_text=True))


def euros(text: str) -> str:
    """``"7,00 €"`` as the pages write it: ``7,00\\u00a0€``."""
    return text.replace(" €", f"{NBSP}€")


def day(days_ago: int) -> date:
    """A care date ``days_ago`` days back, kept in the current year (the counters' year)."""
    today = paris_today()
    return max(today - timedelta(days=days_ago), date(today.year, 1, 1))


@pytest.fixture
def professional(app, caisses) -> Professional:
    doctor = Professional(
        rpps="10101010105",
        last_name="Durand",
        first_name="Claire",
        profession="Médecin",
        specialty="Médecine générale",
        secteur="1",
        postal_code="44000",
        commune_name="Nantes",
        caisse_id=caisses["cpam-de-la-loire-atlantique"].id,
        iban="FR7630006000011234567890189",
    )
    db.session.add(doctor)
    db.session.commit()
    return doctor


@pytest.fixture
def camille(users):
    """Camille's person, with an IBAN so her refunds say which account they went to."""
    person = users["camille"].person
    person.iban = "FR7630004000031234567890143"
    db.session.commit()
    return person


@pytest.fixture
def child(camille, caisses):
    return make_person(
        caisses["cpam-de-la-loire-atlantique"],
        None,
        "Léa",
        "Martin",
        date(2019, 3, 8),
        sex="F",
        ouvrant_droit_id=camille.id,
        rang=2,
        lien="enfant",
    )


@pytest.fixture
def submit(app, professional):
    """``submit(patient, care_date, tiers_payant=False)``: a G consultation through the real service
    (in a request context: the service links its notification with ``url_for``)."""

    def do(patient, care_date: date, *, tiers_payant: bool = False, billed: str = "30.00"):
        with app.test_request_context():
            return claims.submit(
                professional,
                patient,
                care_date,
                [ActLine(code="G", billed=Decimal(billed))],
                tiers_payant=tiers_payant,
            ).claim

    return do


def payment_of(claim) -> Payment:
    return db.session.scalar(sa.select(Payment).where(Payment.claim_id == claim.id))


def ij_payment(person, paid_on: date, amount: str = "41.47") -> Payment:
    payment = Payment(
        person_id=person.id,
        beneficiary_id=person.id,
        payee="assure",
        kind="ij",
        gross=Decimal(amount),
        recovered=Decimal("0.00"),
        amount=Decimal(amount),
        paid_on=paid_on,
        iban_last4=person.iban_last4,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def rows(page_html: str) -> list[str]:
    """The payment rows of the results table (their first cell is a link to the detail)."""
    return re.findall(r'<th scope="row"><a href="/compte/paiements/(\d+)">', page_html)


def test_anonymous_goes_to_login(client, users):
    for url in (INDEX, "/compte/paiements/1", "/compte/paiements/releve/2026/1.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/connexion?next=")


def test_agent_is_forbidden(client, login_as):
    login_as("agent44")
    assert client.get(INDEX).status_code == 403
    assert client.get("/compte/paiements/1").status_code == 403
    assert client.get("/compte/paiements/releve/2026/1.pdf").status_code == 403


def test_list_page_and_fragments(client, login_as, camille, child, submit):
    own = payment_of(submit(camille, day(3)))
    childs = payment_of(submit(child, day(1)))
    login_as("camille")

    response = client.get(INDEX)
    page = text_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" in page
    assert "<h1" in page
    assert "Mes paiements" in page
    assert rows(page) == [str(childs.id), str(own.id)]  # newest first
    assert "Léa MARTIN" in page
    assert "Camille MARTIN" in page
    assert "Dr Claire Durand" in page
    assert euros("7,00 €") in page
    assert 'hx-get="/compte/paiements/"' in page
    assert 'hx-target="#paiements-resultats"' in page
    assert 'hx-trigger="change, submit"' in page
    assert '"partiel": "1"' in page

    fragment = client.get(INDEX + "?partiel=1&nature=soins", headers=HX)
    body = text_of(fragment)
    assert fragment.status_code == 200
    assert "<html" not in body
    assert "<h1" not in body
    assert rows(body) == [str(childs.id), str(own.id)]
    assert 'hx-swap-oob="true"' in body  # the filter fields follow the search
    assert fragment.headers["HX-Push-Url"] == "/compte/paiements/?nature=soins"
    assert fragment.headers["Cache-Control"] == "no-store"

    # The widget's whole-page htmx navigation (no partiel) still gets the page's content block.
    navigation = text_of(client.get(INDEX, headers=HX))
    assert "<html" not in navigation
    assert "Mes paiements</h1>" in navigation
    assert "Relevés mensuels" in navigation


def test_tiers_payant_is_listed_as_paid_to_the_professional(client, login_as, camille, submit):
    payment = payment_of(submit(camille, day(2), tiers_payant=True))
    assert payment.payee == "professionnel"
    login_as("camille")
    page = text_of(client.get(INDEX))
    assert rows(page) == [str(payment.id)]
    assert "payé à votre professionnel (tiers payant)" in page
    assert euros("9,00 €") in page


def test_filter_by_beneficiary(client, login_as, camille, child, submit):
    own = payment_of(submit(camille, day(3)))
    childs = payment_of(submit(child, day(1)))
    login_as("camille")
    page = text_of(client.get(INDEX, query_string={"beneficiaire": child.id}))
    assert rows(page) == [str(childs.id)]
    page = text_of(client.get(INDEX, query_string={"beneficiaire": camille.id}))
    assert rows(page) == [str(own.id)]
    assert f'<option selected value="{camille.id}">' in page


def test_filter_by_kind(client, login_as, camille, submit):
    soins = payment_of(submit(camille, day(3)))
    ij = ij_payment(camille, day(1))
    login_as("camille")
    assert rows(text_of(client.get(INDEX))) == [str(ij.id), str(soins.id)]
    page = text_of(client.get(INDEX, query_string={"nature": "ij"}))
    assert rows(page) == [str(ij.id)]
    assert "Indemnités journalières" in page
    assert rows(text_of(client.get(INDEX, query_string={"nature": "soins"}))) == [str(soins.id)]


@pytest.mark.parametrize("style", ["%d/%m/%Y", "%Y-%m-%d"])
def test_filter_by_period(client, login_as, camille, style):
    today = paris_today()
    old = ij_payment(camille, today - timedelta(days=60))
    middle = ij_payment(camille, today - timedelta(days=30))
    recent = ij_payment(camille, today - timedelta(days=2))
    login_as("camille")
    start, end = today - timedelta(days=40), today - timedelta(days=10)
    query = {"du": start.strftime(style), "au": end.strftime(style)}
    assert rows(text_of(client.get(INDEX, query_string=query))) == [str(middle.id)]
    since = {"du": (today - timedelta(days=31)).strftime(style)}
    assert rows(text_of(client.get(INDEX, query_string=since))) == [str(recent.id), str(middle.id)]
    until = {"au": (today - timedelta(days=31)).strftime(style)}
    assert rows(text_of(client.get(INDEX, query_string=until))) == [str(old.id)]


def test_payments_outside_the_window_are_not_listed(app, client, login_as, camille):
    app.config["PAYMENTS_MONTHS"] = 2
    today = paris_today()
    kept = ij_payment(camille, months_before(today, 2) + timedelta(days=1))
    ij_payment(camille, months_before(today, 2) - timedelta(days=1))
    login_as("camille")
    page = text_of(client.get(INDEX))
    assert rows(page) == [str(kept.id)]
    assert "des 2 derniers mois" in page
    # A period starting before the window does not reach past it.
    start = (today - timedelta(days=400)).strftime("%d/%m/%Y")
    assert rows(text_of(client.get(INDEX, query_string={"du": start}))) == [str(kept.id)]


def test_a_beneficiary_of_another_file_is_refused(client, login_as, users, camille, submit):
    theirs = users["louis"].person
    ij_payment(theirs, day(1), amount="12.34")
    submit(camille, day(2))
    login_as("camille")
    for headers, query in (({}, {}), (HX, {"partiel": "1"})):
        response = client.get(INDEX, query_string={"beneficiaire": theirs.id, **query}, headers=headers)
        page = text_of(response)
        assert response.status_code == 422
        assert "Il y a un problème" in page
        assert "Choisissez un bénéficiaire de votre dossier." in page
        assert "Louis" not in page
        assert "BERNARD" not in page
        assert euros("12,34 €") not in page
        assert rows(page) == []
        assert "<title>Erreur : Mes paiements" in page
    response = client.get(INDEX, query_string={"beneficiaire": "abc"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"du": "31/02/2026"}, "La date de début doit être une vraie date"),
        ({"du": "demain"}, "La date de début doit être une vraie date"),
        ({"au": "2026-13-01"}, "La date de fin doit être une vraie date"),
        ({"du": "10/03/2026", "au": "01/03/2026"}, "La date de fin doit être la même que la date de début"),
        ({"nature": "cadeaux"}, "Choisissez la nature du paiement"),
    ],
)
def test_bad_filters_are_422_with_the_typed_values(client, login_as, camille, query, message):
    login_as("camille")
    for headers, extra in (({}, {}), (HX, {"partiel": "1"})):
        response = client.get(INDEX, query_string={**query, **extra}, headers=headers)
        page = text_of(response)
        assert response.status_code == 422
        assert message in page
        assert 'aria-invalid="true"' in page
        for name, value in query.items():
            if name in ("du", "au"):
                assert f'value="{value}"' in page
        assert "Erreur : Mes paiements" in page


def test_pagination(client, login_as, camille):
    today = paris_today()
    payments = [ij_payment(camille, today - timedelta(days=n)) for n in range(25)]
    login_as("camille")
    first = text_of(client.get(INDEX))
    assert rows(first) == [str(p.id) for p in payments[:20]]
    assert "25 paiements, page 1 sur 2" in first
    assert "Paiements plus anciens" in first
    assert "Paiements plus récents" not in first
    assert 'href="/compte/paiements/?page=2"' in first

    second = text_of(client.get(INDEX, query_string={"page": 2}))
    assert rows(second) == [str(p.id) for p in payments[20:]]
    assert "Paiements plus récents" in second
    assert "Paiements plus anciens" not in second

    fragment = client.get(INDEX, query_string={"page": 2, "partiel": 1, "nature": "ij"}, headers=HX)
    assert rows(text_of(fragment)) == [str(p.id) for p in payments[20:]]
    assert fragment.headers["HX-Push-Url"] == "/compte/paiements/?nature=ij&page=2"
    assert "data-autofocus" in text_of(fragment)

    assert client.get(INDEX, query_string={"page": 3}).status_code == 404


def test_year_counters(client, login_as, camille, child, submit):
    submit(camille, day(5))
    submit(camille, day(4), tiers_payant=True)
    submit(child, day(3))
    login_as("camille")
    page = text_of(client.get(INDEX))
    counters = page.split("participations forfaitaires et franchises</h2>")[1].split("</table>")[0]
    assert re.search(
        r"Camille MARTIN</th>\s*<td>4,00\xa0€ sur 50,00\xa0€</td>\s*<td>0,00\xa0€ sur 50,00\xa0€", counters
    )
    assert re.search(r"Léa MARTIN</th>\s*<td>0,00\xa0€ sur 50,00\xa0€</td>", counters)


def test_constant_number_of_queries(client, login_as, camille, child, submit):
    for n in range(3):
        submit(camille if n % 2 else child, day(n))
    login_as("camille")
    client.get(INDEX)  # warm up whatever a first request loads once
    with recorded_queries() as few:
        assert len(rows(text_of(client.get(INDEX)))) == 3
    today = paris_today()
    for n in range(37):
        ij_payment(camille if n % 2 else child, today - timedelta(days=n))
    for n in range(3, 8):
        submit(child, day(n))
    with recorded_queries() as many:
        assert len(rows(text_of(client.get(INDEX)))) == 20
    assert len(many) == len(few), "\n".join(many)
    with recorded_queries() as fragment_few:
        client.get(INDEX, query_string={"partiel": 1, "page": 2}, headers=HX)
    with recorded_queries() as fragment_many:
        client.get(INDEX, query_string={"partiel": 1}, headers=HX)
    assert len(fragment_few) == len(fragment_many)


def test_detail_explains_the_refund(client, login_as, camille, submit):
    claim = submit(camille, day(2))
    payment = payment_of(claim)
    login_as("camille")
    response = client.get(f"/compte/paiements/{payment.id}")
    page = text_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<html" in page
    assert "sur le compte se terminant par 0143" in page
    assert "Dr Claire Durand" in page
    assert "Camille MARTIN" in page
    assert "G — Consultation du médecin généraliste" in page
    assert f"participation forfaitaire de 2,00{NBSP}€ déduite" in page
    assert f"base de remboursement 30,00{NBSP}€ × 30 % = 9,00{NBSP}€" in page
    assert f"reste à votre charge : 23,00{NBSP}€" in page  # the claim's global explanation
    assert euros("7,00 €") in page
    assert claim.invoice_number in page

    fragment = client.get(f"/compte/paiements/{payment.id}", headers=HX)
    assert "<html" not in text_of(fragment)
    assert f"participation forfaitaire de 2,00{NBSP}€ déduite" in text_of(fragment)


def test_another_assures_payment_is_404(client, login_as, camille, submit):
    payment = payment_of(submit(camille, day(2)))
    login_as("louis")
    assert client.get(f"/compte/paiements/{payment.id}").status_code == 404
    assert client.get("/compte/paiements/999999").status_code == 404
    assert rows(text_of(client.get(INDEX))) == []


def test_debt_of_tiers_payant_is_recovered_on_the_next_refund(client, login_as, camille, submit):
    first_day = day(6)
    tiers_payant = payment_of(submit(camille, first_day, tiers_payant=True))
    login_as("camille")

    page = text_of(client.get(f"/compte/paiements/{tiers_payant.id}"))
    assert "payés à votre professionnel (tiers payant)" in page
    assert "sur le compte se terminant par" not in page
    assert (
        f"Participation forfaitaire de 2,00{NBSP}€ non déduite (tiers payant) : "
        "elle sera récupérée sur un prochain remboursement." in page
    )
    assert f"{NBSP}€ de participations forfaitaires et franchises" in text_of(client.get(INDEX))

    refund = payment_of(submit(camille, day(1)))
    assert (refund.gross, refund.recovered, refund.amount) == (
        Decimal("7.00"),
        Decimal("2.00"),
        Decimal("5.00"),
    )
    page = text_of(client.get(f"/compte/paiements/{refund.id}"))
    assert f"Participation forfaitaire du {first_day:%d/%m/%Y} récupérée : 2,00{NBSP}€" in page
    assert f"remboursement de 7,00{NBSP}€, dont 2,00{NBSP}€ récupérés" in page

    listing = text_of(client.get(INDEX))
    assert f"dont 2,00{NBSP}€ récupérés" in listing
    assert "seront récupérés sur vos prochains remboursements" not in listing

    page = text_of(client.get(f"/compte/paiements/{tiers_payant.id}"))
    assert "entièrement récupérée" in page
    assert f'href="/compte/paiements/{refund.id}"' in page


def test_monthly_statement_pdf(client, login_as, camille, child, submit):
    care = day(0)
    submit(camille, care)
    submit(child, care, tiers_payant=True)
    login_as("camille")
    response = client.get(f"/compte/paiements/releve/{care.year}/{care.month}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="releve-{care.year:04d}-{care.month:02d}.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")
    assert "2 95 06 75 056 123 49" in text
    assert "Camille MARTIN" in text
    assert "Léa MARTIN" in text
    assert "CPAM de la Loire-Atlantique" in text or "Loire-Atlantique" in text
    assert "Relevé mensuel de vos paiements" in text
    assert "7,00 €" in text  # Camille's refund
    assert "Payé à votre professionnel (tiers payant)" in text
    assert "Versé sur votre compte se terminant par 0143" in text
    assert "Consultation du médecin généraliste" in text
    assert "Participations forfaitaires du mois" in text


def test_statement_without_payment_and_impossible_months(client, login_as, users, camille, submit):
    submit(camille, day(0))
    login_as("louis")
    today = paris_today()
    response = client.get(f"/compte/paiements/releve/{today.year}/{today.month}.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Aucun paiement" in text
    assert "Camille" not in text
    assert "2 95 06 75 056 123 49" not in text
    assert "1 84 12 75 108 264 03" in text
    for month in (0, 13):
        assert client.get(f"/compte/paiements/releve/{today.year}/{month}.pdf").status_code == 404
    following = months_before(today.replace(day=1), -1)
    assert client.get(f"/compte/paiements/releve/{following.year}/{following.month}.pdf").status_code == 404


def test_index_links_the_last_twelve_statements(client, login_as, camille):
    login_as("camille")
    page = text_of(client.get(INDEX))
    today = paris_today()
    links = re.findall(r'href="/compte/paiements/releve/(\d{4})/(\d{1,2})\.pdf"', page)
    assert len(links) == 12
    assert links[0] == (str(today.year), str(today.month))
    oldest = months_before(today.replace(day=1), 11)
    assert links[-1] == (str(oldest.year), str(oldest.month))


def test_month_names_after_releve():
    from app.documents.statements import of_month

    assert of_month(2026, 4) == "d'avril 2026"
    assert of_month(2026, 8) == "d'août 2026"
    assert of_month(2026, 10) == "d'octobre 2026"
    assert of_month(2026, 11) == "de novembre 2026"
