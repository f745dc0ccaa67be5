"""The professional's payments (``/pro/paiements``): list and fragment, each filter, the sorts, bad
input, the CSV export, constant queries, the décompte of one payment and its 404 for another
professional, the tiers-payant hook of the claims service and the demo data."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.care import Professional
from app.models.pro_space import ProfessionalPayment
from app.rules.liquidation import ActLine
from app.services import claims
from app.services.sick_leave import paris_today
from tests.conftest import HX, count_queries, login, make_person

URL = "/pro/paiements/"
TODAY = paris_today()


def add_payment(professional, paid_on=None, **values) -> ProfessionalPayment:
    payment = ProfessionalPayment(
        professional_id=professional.id,
        kind=values.pop("kind", "tiers_payant"),
        status=values.pop("status", "payee"),
        lot_number=values.pop("lot_number", "L2026-0001"),
        invoice_number=values.pop("invoice_number", "F26-000001"),
        paid_on=paid_on or TODAY - timedelta(days=3),
        amount=values.pop("amount", Decimal("21.00")),
        **values,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


@pytest.fixture
def pro_client(client, doctor_account):
    login(client, doctor_account)
    return client


@pytest.fixture
def patients(users, caisses):
    """Camille MARTIN and two more patients of Dr Durand: Paul Dupont and Inès Marchand."""
    nantes = caisses["cpam-de-la-loire-atlantique"]
    return {
        "camille": users["camille"].person,
        "paul": make_person(nantes, "180017510800146", "Paul", "Dupont", date(1980, 1, 1)),
        "ines": make_person(nantes, "290027510800199", "Inès", "Marchand", date(1990, 2, 1)),
    }


@pytest.fixture
def other_pro(caisses):
    professional = Professional(
        rpps="10101010204",
        first_name="Marc",
        last_name="Lefebvre",
        profession="Médecin",
        specialty="Cardiologie",
        secteur="1",
        caisse_id=caisses["cpam-de-la-loire-atlantique"].id,
    )
    db.session.add(professional)
    db.session.commit()
    return professional


@pytest.fixture
def sample(doctor, patients):
    """Six payments of Dr Durand, one of each kind, a rejected invoice, and one too old to show."""
    return {
        "martin": add_payment(
            doctor,
            TODAY - timedelta(days=2),
            lot_number="L2026-0101",
            invoice_number="F26-000101",
            beneficiary_id=patients["camille"].id,
            amount=Decimal("21.00"),
        ),
        "dupont": add_payment(
            doctor,
            TODAY - timedelta(days=9),
            lot_number="L2026-0102",
            invoice_number="F26-000102",
            beneficiary_id=patients["paul"].id,
            amount=Decimal("28.00"),
        ),
        "rejet": add_payment(
            doctor,
            TODAY - timedelta(days=20),
            status="rejetee",
            lot_number="L2026-0102",
            invoice_number="F26-000103",
            beneficiary_id=patients["ines"].id,
            amount=Decimal("0.00"),
            reject_reason="Droits fermés à la date des soins",
        ),
        "fpmt": add_payment(
            doctor,
            TODAY - timedelta(days=40),
            kind="forfait_medecin_traitant",
            lot_number="",
            invoice_number="FPMT-2026-T3",
            label="Forfait patientèle médecin traitant, 3e trimestre 2026",
            amount=Decimal("2150.50"),
        ),
        "garde": add_payment(
            doctor,
            TODAY - timedelta(days=60),
            kind="garde",
            lot_number="",
            invoice_number="PDSA-260901",
            label="Astreinte de permanence des soins",
            amount=Decimal("150.00"),
        ),
        "old": add_payment(
            doctor,
            TODAY - timedelta(days=400),
            kind="aide_teletransmission",
            lot_number="",
            invoice_number="AT-2024",
            amount=Decimal("400.00"),
        ),
    }


def invoices(html: str) -> list[str]:
    """The invoice numbers of the table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<td>((?:F26|FPMT|PDSA|AT)-[\w-]+)</td>", body)


def test_the_page_lists_the_payments_of_the_window(pro_client, sample):
    response = pro_client.get(URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<title>Mes paiements" in html
    assert invoices(html) == ["F26-000101", "F26-000102", "F26-000103", "FPMT-2026-T3", "PDSA-260901"]
    assert "Droits fermés à la date des soins" in html
    assert "Forfait patientèle médecin traitant" in html
    assert "Permanence des soins (garde)" in html
    assert "Camille MARTIN" in html
    assert "AT-2024" not in html


def test_the_total_is_the_sum_paid(pro_client, sample):
    html = pro_client.get(URL).get_data(as_text=True)
    assert re.search(r"5 paiements pour un total payé de 2\s?349,50\s€", html)


def test_the_window_is_configurable(app, pro_client, sample):
    app.config["PRO_PAYMENTS_MONTHS"] = 18
    html = pro_client.get(URL).get_data(as_text=True)
    assert "AT-2024" in html
    assert "les 18 derniers mois" in html


def test_the_fragment_and_the_pushed_url(pro_client, sample):
    response = pro_client.get(URL + "?lot=L2026-0102&partiel=1", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1" not in html
    assert invoices(html) == ["F26-000102", "F26-000103"]
    assert response.headers["HX-Push-Url"] == "/pro/paiements/?lot=L2026-0102"
    assert "HX-Request" in response.headers["Vary"]
    # The search fields follow, out of band, with what was searched.
    assert 'hx-swap-oob="true"' in html
    assert 'value="L2026-0102"' in html


def test_without_partiel_an_htmx_request_gets_the_content(pro_client, sample):
    html = pro_client.get(URL, headers=HX).get_data(as_text=True)
    assert "<h1" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("du={d9}", ["F26-000101", "F26-000102"]),
        ("au={d9}", ["F26-000102", "F26-000103", "FPMT-2026-T3", "PDSA-260901"]),
        ("du={d40}&au={d9}", ["F26-000102", "F26-000103", "FPMT-2026-T3"]),
        ("beneficiaire=mar", ["F26-000101", "F26-000103"]),
        ("beneficiaire=MARCH", ["F26-000103"]),
        ("beneficiaire=artin", []),
        ("beneficiaire=%25", []),
        ("lot=L2026-0102", ["F26-000102", "F26-000103"]),
        ("lot=L2026-01", []),
        ("facture=F26-000102", ["F26-000102"]),
        ("facture=F26-0001", []),
        ("type=garde", ["PDSA-260901"]),
        ("type=forfait_medecin_traitant", ["FPMT-2026-T3"]),
        ("statut=rejetee", ["F26-000103"]),
        ("statut=payee&type=tiers_payant", ["F26-000101", "F26-000102"]),
    ],
)
def test_each_filter(pro_client, sample, query, expected):
    d9 = (TODAY - timedelta(days=9)).strftime("%d/%m/%Y")
    d40 = (TODAY - timedelta(days=40)).strftime("%d/%m/%Y")
    response = pro_client.get(URL + "?" + query.format(d9=d9, d40=d40))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert invoices(html) == expected
    if not expected:
        assert "Aucun paiement ne correspond à votre recherche." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["F26-000101", "F26-000102", "F26-000103", "FPMT-2026-T3", "PDSA-260901"]),
        ("tri=date&ordre=asc", ["PDSA-260901", "FPMT-2026-T3", "F26-000103", "F26-000102", "F26-000101"]),
        ("tri=facture&ordre=asc", ["F26-000101", "F26-000102", "F26-000103", "FPMT-2026-T3", "PDSA-260901"]),
        ("tri=facture", ["PDSA-260901", "FPMT-2026-T3", "F26-000103", "F26-000102", "F26-000101"]),
        ("tri=beneficiaire&ordre=asc&type=tiers_payant", ["F26-000102", "F26-000103", "F26-000101"]),
        ("tri=lot&ordre=desc&type=tiers_payant", ["F26-000103", "F26-000102", "F26-000101"]),
    ],
)
def test_sorts(pro_client, sample, query, expected):
    html = pro_client.get(URL + "?" + query).get_data(as_text=True)
    assert invoices(html) == expected


def test_sort_links_keep_the_filters_and_turn_the_order(pro_client, sample):
    html = pro_client.get(URL + "?type=tiers_payant&tri=lot&ordre=asc").get_data(as_text=True)
    assert 'href="/pro/paiements/?type=tiers_payant&amp;tri=lot"' in html  # lot, now descending
    assert 'href="/pro/paiements/?type=tiers_payant&amp;tri=facture&amp;ordre=asc"' in html
    assert 'href="/pro/paiements/?type=tiers_payant&amp;ordre=asc"' not in html
    assert 'aria-sort="ascending"' in html
    assert "/pro/paiements/export.csv?type=tiers_payant&amp;tri=lot&amp;ordre=asc" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("du=31/02/2026", "La date de début doit être une vraie date, au format JJ/MM/AAAA"),
        ("au=demain", "La date de fin doit être une vraie date, au format JJ/MM/AAAA"),
        (
            "du=10/05/2026&au=01/05/2026",
            "La date de fin doit être la même que la date de début ou après elle.",
        ),
        (
            "tri=montant",
            "Choisissez un tri de la liste : date, bénéficiaire, numéro de lot ou numéro de facture.",
        ),
        ("ordre=haut", "Choisissez l'ordre du tri : croissant ou décroissant."),
        ("type=remboursement", "Choisissez un type de paiement de la liste."),
        ("statut=perdu", "Choisissez un statut de la liste : payé ou rejeté."),
        ("lot=L 2026%3B", "Le numéro de lot ne contient que des lettres, des chiffres et des tirets"),
        (
            "facture=" + "F" * 21,
            "Le numéro de facture ne contient que des lettres, des chiffres et des tirets",
        ),
        ("beneficiaire=" + "x" * 61, "Le nom du bénéficiaire fait 60 caractères au plus."),
    ],
)
def test_bad_input_is_422_in_french(pro_client, sample, query, message):
    response = pro_client.get(URL + "?" + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in html
    assert "Il y a un problème" in html
    assert "<title>Erreur : Mes paiements" in html
    assert invoices(html) == []


def test_bad_input_keeps_what_was_typed(pro_client, sample):
    response = pro_client.get(URL + "?du=32/13/2026&beneficiaire=Dup&partiel=1", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="32/13/2026"' in html
    assert 'value="Dup"' in html
    assert response.headers["HX-Push-Url"] == "/pro/paiements/?du=32/13/2026&beneficiaire=Dup"


def test_pages_of_50_keep_the_filters(pro_client, doctor, patients):
    for n in range(55):
        add_payment(
            doctor,
            TODAY - timedelta(days=1 + n % 30),
            invoice_number=f"F26-{n:06d}",
            beneficiary_id=patients["paul"].id,
        )
    html = pro_client.get(URL + "?beneficiaire=dup").get_data(as_text=True)
    assert len(invoices(html)) == 50
    assert "55 paiements" in html
    assert "page 1 sur 2" in html
    assert 'href="/pro/paiements/?page=2&amp;beneficiaire=dup"' in html
    second = pro_client.get(URL + "?beneficiaire=dup&page=2").get_data(as_text=True)
    assert len(invoices(second)) == 5


def test_csv_export_of_the_whole_selection(pro_client, sample, doctor, patients):
    for n in range(60):
        add_payment(
            doctor, TODAY - timedelta(days=5), invoice_number=f"F26-9{n:05d}", lot_number="L2026-0900"
        )
    response = pro_client.get("/pro/paiements/export.csv?lot=L2026-0900&tri=facture&ordre=asc")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="paiements.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Date;Type;Statut;Lot;Facture;Bénéficiaire;Montant;Motif de rejet"
    assert len([line for line in lines[1:] if line]) == 60
    assert (
        lines[1] == f"{(TODAY - timedelta(days=5)):%d/%m/%Y};Tiers payant;Payé;L2026-0900;F26-900000;;21,00;"
    )


def test_csv_export_rows(pro_client, sample):
    text = pro_client.get("/pro/paiements/export.csv?type=tiers_payant").get_data().decode("utf-8-sig")
    rows = text.split("\r\n")
    assert rows[1].endswith(";Tiers payant;Payé;L2026-0101;F26-000101;Camille MARTIN;21,00;")
    assert rows[3].endswith(
        ";Tiers payant;Rejeté;L2026-0102;F26-000103;Inès MARCHAND;0,00;Droits fermés à la date des soins"
    )
    forfait = (
        pro_client.get("/pro/paiements/export.csv?type=forfait_medecin_traitant")
        .get_data()
        .decode("utf-8-sig")
    )
    assert ";2150,50;" in forfait


def test_csv_export_with_a_bad_search_is_422(pro_client, sample):
    response = pro_client.get("/pro/paiements/export.csv?du=hier")
    assert response.status_code == 422
    assert "La date de début doit être une vraie date" in response.get_data(as_text=True)


def test_constant_queries(pro_client, doctor, patients):
    add_payment(doctor, beneficiary_id=patients["camille"].id)
    urls = [URL, URL + "?tri=beneficiaire&ordre=asc", URL + "?beneficiaire=du&type=tiers_payant"]
    before = [count_queries(pro_client, url) for url in urls]
    fragment_before = count_queries(pro_client, URL + "?partiel=1&lot=L2026-0001", headers=HX)
    for n in range(40):
        person = patients[("camille", "paul", "ines")[n % 3]]
        add_payment(
            doctor, TODAY - timedelta(days=n), invoice_number=f"F26-1{n:05d}", beneficiary_id=person.id
        )
    assert [count_queries(pro_client, url) for url in urls] == before
    assert count_queries(pro_client, URL + "?partiel=1&lot=L2026-0001", headers=HX) == fragment_before


def test_the_detail_of_a_tiers_payant_shows_its_decompte(pro_client, doctor, patients):
    patient = patients["camille"]
    claims.submit(
        doctor, patient, TODAY - timedelta(days=4), [ActLine("G", Decimal("30.00"))], tiers_payant=True
    )
    payment = db.session.scalar(sa.select(ProfessionalPayment))
    response = pro_client.get(f"/pro/paiements/{payment.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert f"Facture {payment.invoice_number}" in html
    assert "Décompte de la facture" in html
    assert "Consultation du médecin généraliste" in html
    assert "70 %" in html
    assert "21,00" in html
    fragment = pro_client.get(f"/pro/paiements/{payment.id}", headers=HX).get_data(as_text=True)
    assert "Décompte de la facture" in fragment
    assert "<html" not in fragment


def test_the_detail_of_a_forfait_and_of_a_rejection(pro_client, sample):
    html = pro_client.get(f"/pro/paiements/{sample['fpmt'].id}").get_data(as_text=True)
    assert "Forfait patientèle médecin traitant, 3e trimestre 2026" in html
    assert "Décompte" not in html
    rejected = pro_client.get(f"/pro/paiements/{sample['rejet'].id}").get_data(as_text=True)
    assert "Motif du rejet" in rejected
    assert "Droits fermés à la date des soins" in rejected
    assert "Contester ce rejet" in rejected


def test_another_professionals_payment_is_404(pro_client, sample, other_pro):
    theirs = add_payment(other_pro, invoice_number="F26-777777", lot_number="L2026-7777")
    assert pro_client.get(f"/pro/paiements/{theirs.id}").status_code == 404
    assert pro_client.get("/pro/paiements/999999").status_code == 404
    assert "F26-777777" not in pro_client.get(URL).get_data(as_text=True)
    assert invoices(pro_client.get(URL + "?facture=F26-777777").get_data(as_text=True)) == []
    csv_text = pro_client.get("/pro/paiements/export.csv").get_data().decode("utf-8-sig")
    assert "F26-777777" not in csv_text


def test_a_claim_in_tiers_payant_creates_its_professional_payment(app, doctor, patients):
    on = TODAY - timedelta(days=6)
    claim = claims.submit(
        doctor, patients["camille"], on, [ActLine("G", Decimal("30.00"))], tiers_payant=True
    ).claim
    payment = db.session.scalar(
        sa.select(ProfessionalPayment).where(ProfessionalPayment.claim_id == claim.id)
    )
    assert payment.kind == "tiers_payant"
    assert payment.status == "payee"
    assert payment.professional_id == doctor.id
    assert payment.lot_number == claim.lot_number
    assert payment.invoice_number == claim.invoice_number
    assert payment.beneficiary_id == patients["camille"].id
    assert payment.care_date == on
    assert payment.paid_on == on
    assert payment.amount == Decimal("21.00")


def test_a_claim_paid_to_the_assure_creates_none(app, doctor, patients):
    claims.submit(
        doctor,
        patients["camille"],
        TODAY - timedelta(days=6),
        [ActLine("G", Decimal("30.00"))],
        tiers_payant=False,
    )
    assert db.session.scalar(sa.select(sa.func.count(ProfessionalPayment.id))) == 0


def test_an_assure_gets_403(client, users, doctor, sample):
    login(client, users["camille"])
    assert client.get(URL).status_code == 403
    assert client.get("/pro/paiements/export.csv").status_code == 403
    assert client.get(f"/pro/paiements/{sample['martin'].id}").status_code == 403


def test_anonymous_goes_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302


def test_the_home_links_the_page(pro_client):
    html = pro_client.get("/pro/").get_data(as_text=True)
    assert 'href="/pro/paiements/"' in html
    assert (
        "Tiers payant, forfaits, gardes et aide à la télétransmission, avec leurs lots et factures." in html
    )


def test_the_demo_payments(app, doctor, caisses):
    from app.services.demo_pro_payments import REJECT_REASONS, load_pro_payments_demo

    nantes = caisses["cpam-de-la-loire-atlantique"]
    for n, (first, last) in enumerate((("Jeanne", "Roux"), ("Hugo", "Petit"), ("Lina", "Moreau"))):
        make_person(
            nantes, f"1800175108{n:03d}{97 - (1800175108000 + n) % 97:02d}", first, last, date(1980, 1, 1)
        )
    today = date(2026, 11, 24)
    added = load_pro_payments_demo(today)
    assert added > 400
    assert load_pro_payments_demo(today) == 0
    rows = db.session.scalars(sa.select(ProfessionalPayment)).all()
    assert {row.kind for row in rows} == {
        "tiers_payant",
        "forfait_medecin_traitant",
        "forfait_ald",
        "garde",
        "aide_teletransmission",
    }
    rejected = [row for row in rows if row.status == "rejetee"]
    assert rejected
    assert {row.reject_reason for row in rejected} <= set(REJECT_REASONS)
    assert all(row.amount == 0 for row in rejected)
    paid = [row for row in rows if row.kind == "tiers_payant" and row.status == "payee"]
    assert all(row.claim_id is not None for row in paid)
    assert Decimal("21.00") in {row.amount for row in paid}
    assert len({row.invoice_number for row in rows if row.invoice_number}) == len(
        [row for row in rows if row.invoice_number]
    )
    assert all(today - timedelta(days=366) <= row.paid_on <= today for row in rows)
