"""The professional's space: home, feuille de soins in two steps with its décompte, API tokens.

Professionals sign in through the real forms: RPPS and password, then the e-mail code.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Person, User
from app.models.base import utcnow
from app.models.care import ApiToken, Claim, Debt, Payment, Professional
from app.security import hash_password
from app.services import api_tokens, claims
from app.services.api_tokens import professional_for_token, token_hash
from app.web.filters import PARIS
from tests.conftest import HX, PASSWORD, count_queries, csrf_token, last_code, login, make_person

HOME = "/pro/"
FORM = "/pro/feuille-de-soins"
TOKENS = "/pro/jetons"
CAMILLE_NIR = "295067505612349"
CARE_DATE = "10/03/2025"


def make_professional(caisse, rpps: str = "10101010105", **extra) -> User:
    """A professional and their web account (verified e-mail, CGU accepted)."""
    from flask import current_app

    values = {
        "rpps": rpps,
        "last_name": "Durand",
        "first_name": "Sophie",
        "profession": "Médecin",
        "specialty": "Médecine générale",
        "secteur": "1",
        "caisse_id": caisse.id,
        "postal_code": "44000",
        "commune_name": "Nantes",
        **extra,
    }
    professional = Professional(**values)
    db.session.add(professional)
    db.session.flush()
    user = User(
        role="professionnel",
        professional_id=professional.id,
        login=rpps,
        display_name=f"{values['first_name']} {values['last_name']}",
        email=f"{values['first_name'].lower()}.{values['last_name'].lower()}@example.org",
        email_verified_at=utcnow(),
        cgu_version=current_app.config["CGU_VERSION"],
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, user: User) -> None:
    """Sign ``user`` in at ``/pro/connexion``: RPPS and password, then the code sent by e-mail."""
    data = {"rpps": user.login, "password": PASSWORD, "csrf_token": csrf_token(client, "/pro/connexion")}
    response = client.post("/pro/connexion", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert response.headers["Location"] == "/connexion/code"
    data = {"code": last_code(user), "csrf_token": csrf_token(client, "/connexion/code")}
    response = client.post("/connexion/code", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert response.headers["Location"] == HOME


@pytest.fixture
def camille(users) -> Person:
    """Camille, with a médecin traitant declared: her consultations are in the parcours de soins."""
    person = users["camille"].person
    person.medecin_traitant_rpps = "10101010105"
    person.medecin_traitant_since = date(2023, 1, 15)
    person.iban = "FR7630006000011234567890189"
    db.session.commit()
    return person


@pytest.fixture
def leo(camille, caisses) -> Person:
    """Camille's son, an ayant droit with his own NIR."""
    return make_person(
        caisses["cpam-de-la-loire-atlantique"],
        "119034410904791",
        "Léo",
        "Martin",
        date(2019, 3, 8),
        ouvrant_droit_id=camille.id,
        rang=2,
        lien="enfant",
    )


@pytest.fixture
def sophie(caisses) -> User:
    return make_professional(caisses["cpam-de-la-loire-atlantique"], iban="FR7630006000019876543210987")


@pytest.fixture
def other_pro(caisses) -> User:
    return make_professional(
        caisses["cpam-de-paris"],
        rpps="10000000016",
        last_name="Petit",
        first_name="Marc",
        postal_code="75011",
    )


@pytest.fixture
def pro_client(client, sophie):
    sign_in(client, sophie)
    return client


def start(client, nir: str = CAMILLE_NIR, **headers):
    """Step 1: post the NIR."""
    return client.post(FORM, data={"nir": nir, "csrf_token": csrf_token(client, FORM)}, headers=headers)


def care_data(client, patient: Person, **overrides) -> dict:
    """Step 2's fields for one G at 30 € billed to ``patient``, as the browser sends them."""
    html = start(client, patient.nir).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html)
    data = {
        "csrf_token": csrf_token(client, FORM),
        "etape": "soins",
        "nir": patient.nir,
        "submission_key": key.group(1) if key else "",
        "beneficiary": str(patient.id),
        "care_date": CARE_DATE,
        "code_0": "G",
        "montant_0": "30,00",
        "tiers_payant": "non",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def only_claim() -> Claim:
    return db.session.scalars(sa.select(Claim)).one()


def test_home_shows_the_professional_and_links(pro_client):
    response = pro_client.get(HOME)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert "<h1" in html
    assert "Espace professionnel" in html
    assert "Dr Sophie Durand" in html
    assert "Médecin" in html
    assert "Médecine générale" in html
    assert "Secteur 1" in html
    assert "CPAM de la Loire-Atlantique" in html
    assert 'href="/pro/feuille-de-soins"' in html
    assert 'href="/pro/jetons"' in html
    assert "aucune feuille de soins" in html


def test_home_as_an_htmx_fragment(pro_client):
    response = pro_client.get(HOME, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith("<title>Espace professionnel – macaisse</title>")
    assert "Dernières feuilles de soins" in html


def submit_g(
    sophie_user: User, patient: Person, *, tiers_payant: bool = False, day: date = date(2025, 3, 10)
):
    from app.rules.liquidation import ActLine

    return claims.submit(
        sophie_user.professional, patient, day, [ActLine("G", Decimal("30.00"))], tiers_payant=tiers_payant
    ).claim


def test_home_lists_the_last_ten_claims_in_constant_queries(pro_client, sophie, camille, leo):
    submit_g(sophie, camille)
    with_one = count_queries(pro_client, HOME)
    for day in range(1, 12):
        submit_g(sophie, leo if day % 2 else camille, tiers_payant=bool(day % 3), day=date(2025, 4, day))
    with_twelve = count_queries(pro_client, HOME)
    assert with_twelve == with_one
    html = pro_client.get(HOME).get_data(as_text=True)
    newest = db.session.scalars(sa.select(Claim).order_by(Claim.id.desc())).first()
    assert newest.invoice_number in html
    assert newest.lot_number in html
    assert html.count("/pro/feuilles-de-soins/") == 10
    assert "L. M." in html
    assert "C. M." in html
    assert "Léo" not in html
    assert "Camille" not in html
    assert "19,00" in html  # the refund of a G in the parcours


def test_step_one_confirms_the_patient(pro_client, sophie, camille):
    response = start(pro_client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Patient : Camille MARTIN, née le 12/06/1995" in html
    assert f'name="nir" type="hidden" value="{CAMILLE_NIR}"' in html
    assert f'value="{camille.id}" checked' in html
    assert "nir=" not in html  # carried in a hidden field, never in a URL
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.kind == "professional_patient_lookup")
    ).one()
    assert event.subject_person_id == camille.id
    assert event.actor_user_id == sophie.id
    assert "2950675" not in event.detail


def test_step_one_accepts_13_digits_with_spaces(pro_client, camille):
    response = start(pro_client, "2 95 06 75 056 123")
    assert response.status_code == 200
    assert "Patient : Camille MARTIN" in response.get_data(as_text=True)


def test_step_one_as_an_htmx_fragment(pro_client, camille):
    response = start(pro_client, CAMILLE_NIR, **HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert "Patient : Camille MARTIN" in html


def test_an_unknown_nir_is_422(pro_client, camille):
    response = start(pro_client, "2 95 10 99 126 111 93")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert "Aucun assuré ne correspond à ce numéro." in html
    assert "<title>Erreur : Feuille de soins" in html
    assert 'value="2 95 10 99 126 111 93"' in html


@pytest.mark.parametrize(
    ("nir", "message"),
    [
        ("", "Saisissez le numéro de sécurité sociale."),
        ("29506750561", "incomplet ou trop long : 13 ou 15 chiffres attendus"),
        ("295067505612399", "La clé (les 2 derniers chiffres) ne correspond pas au numéro."),
        ("395067505612349", "Le premier chiffre (le sexe) doit être 1 ou 2"),
        ("2951375056123", "Le mois de naissance (4e et 5e chiffres) n'est pas valide."),
    ],
)
def test_bad_nirs_are_explained(pro_client, nir, message):
    response = start(pro_client, nir)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in html
    assert 'href="#nir"' in html
    assert 'aria-invalid="true"' in html


def test_a_consultation_for_camille_is_liquidated_and_paid(pro_client, sophie, camille):
    response = pro_client.post(FORM, data=care_data(pro_client, camille))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    claim = only_claim()
    assert response.headers["Location"] == f"/pro/feuilles-de-soins/{claim.id}"
    assert claim.professional_id == sophie.professional_id
    assert claim.patient_id == claim.assure_id == camille.id
    assert claim.source == "web"
    assert claim.care_date == date(2025, 3, 10)
    assert not claim.tiers_payant
    (line,) = claim.lines
    assert (line.code, line.billed, line.base, line.rate) == ("G", Decimal("30.00"), Decimal("30.00"), 70)
    assert (line.amo, line.pf, line.refunded) == (Decimal("21.00"), Decimal("2.00"), Decimal("19.00"))
    assert claim.total_refunded == Decimal("19.00")
    payment = db.session.scalars(sa.select(Payment).where(Payment.claim_id == claim.id)).one()
    assert (payment.payee, payment.person_id, payment.amount) == ("assure", camille.id, Decimal("19.00"))

    detail = pro_client.get(response.headers["Location"])
    html = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert detail.headers["Cache-Control"] == "no-store"
    assert claim.invoice_number in html
    assert claim.lot_number in html
    assert "Camille MARTIN, née le 12/06/1995" in html
    assert "Feuille de soins transmise" in html
    for amount in ("30,00", "21,00", "19,00", "2,00"):
        assert amount in html
    assert "70 %" in html
    assert "base de remboursement 30,00\u00a0€ × 70 % = 21,00\u00a0€" in html
    assert "participation forfaitaire de 2,00\u00a0€ déduite" in html
    assert "l'assuré(e), Camille MARTIN" in html


def test_the_decompte_as_an_htmx_fragment(pro_client, sophie, camille):
    claim = submit_g(sophie, camille)
    response = pro_client.get(f"/pro/feuilles-de-soins/{claim.id}", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert f"<title>Décompte de la facture {claim.invoice_number} – macaisse</title>" in html


def test_her_child_as_beneficiary(pro_client, camille, leo):
    response = start(pro_client)
    html = response.get_data(as_text=True)
    assert "Léo MARTIN, né le 08/03/2019 (enfant)" in html
    assert "Camille MARTIN, née le 12/06/1995 (assuré(e))" in html
    response = pro_client.post(FORM, data=care_data(pro_client, camille, beneficiary=str(leo.id)))
    assert response.status_code == 302
    claim = only_claim()
    assert (claim.patient_id, claim.assure_id) == (leo.id, camille.id)
    assert claim.total_pf == Decimal("0.00")  # under 18
    payment = db.session.scalars(sa.select(Payment)).one()
    assert (payment.person_id, payment.beneficiary_id) == (camille.id, leo.id)


def test_the_nir_of_an_ayant_droit_finds_the_whole_file(pro_client, camille, leo):
    html = start(pro_client, leo.nir).get_data(as_text=True)
    assert "Patient : Léo MARTIN, né le 08/03/2019" in html
    assert f'value="{leo.id}" checked' in html
    assert f'value="{camille.id}"' in html


def test_tiers_payant_pays_the_professional(pro_client, sophie, camille):
    response = pro_client.post(FORM, data=care_data(pro_client, camille, tiers_payant="oui"))
    assert response.status_code == 302
    claim = only_claim()
    assert claim.tiers_payant
    payment = db.session.scalars(sa.select(Payment)).one()
    assert (payment.payee, payment.professional_id) == ("professionnel", sophie.professional_id)
    assert payment.amount == Decimal("21.00")
    assert payment.iban_last4 == "0987"
    assert db.session.scalars(sa.select(Debt)).one().amount == Decimal("2.00")
    html = pro_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "vous, Dr Sophie Durand (tiers payant), sur le compte se terminant par 0987" in html


def test_a_second_click_does_not_bill_twice(pro_client, camille):
    data = care_data(pro_client, camille)
    first = pro_client.post(FORM, data=data)
    second = pro_client.post(FORM, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
    assert "avait déjà été transmise" in pro_client.get(second.headers["Location"]).get_data(as_text=True)


def test_several_acts(pro_client, camille):
    data = care_data(
        pro_client,
        camille,
        code_1="PH7",
        montant_1="12.40",
        quantite_1="2",
        base_1="6,20",
        tiers_payant="oui",
    )
    assert pro_client.post(FORM, data=data).status_code == 302
    lines = only_claim().lines
    assert [(line.code, line.quantity, line.base) for line in lines] == [
        ("G", 1, Decimal("30.00")),
        ("PH7", 2, Decimal("12.40")),
    ]


def future() -> str:
    from datetime import datetime

    return (datetime.now(PARIS).date() + timedelta(days=1)).strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"care_date": ""}, "care_date", "Saisissez la date des soins."),
        ({"care_date": "31/02/2025"}, "care_date", "Saisissez la date des soins au format JJ/MM/AAAA"),
        ({"care_date": future}, "care_date", "La date des soins ne peut pas être dans le futur."),
        ({"care_date": "10/03/2022"}, "care_date", "ne sont connues qu&#39;à partir du 01/01/2023"),
        ({"code_0": "ZZZ"}, "code_0", "Code d&#39;acte inconnu pour l&#39;acte 1 : « ZZZ »."),
        ({"code_0": "", "montant_0": "30"}, "code_0", "Choisissez le code de l&#39;acte 1."),
        ({"code_0": "", "montant_0": ""}, "code_0", "Saisissez au moins un acte."),
        ({"montant_0": ""}, "montant_0", "Saisissez le montant facturé de l&#39;acte 1."),
        ({"montant_0": "trente"}, "montant_0", "en euros, par exemple 30,00."),
        ({"montant_0": "30,005"}, "montant_0", "en euros, par exemple 30,00."),
        ({"montant_0": "-30"}, "montant_0", "en euros, par exemple 30,00."),
        ({"quantite_0": "0"}, "quantite_0", "doit être un nombre entier entre 1 et 99."),
        ({"quantite_0": "1.5"}, "quantite_0", "doit être un nombre entier entre 1 et 99."),
        ({"base_0": "30"}, "base_0", "L&#39;acte G a un tarif conventionnel"),
        ({"code_0": "PH7"}, "base_0", "Saisissez la base de remboursement d&#39;une unité de l&#39;acte 1."),
        (
            {"code_0": "MEG", "montant_0": "5"},
            "code_0",
            "L&#39;acte MEG ne s&#39;applique qu&#39;aux patients",
        ),
        ({"tiers_payant": None}, "tiers_payant", "Indiquez si vous pratiquez le tiers payant"),
        ({"beneficiary": "999999"}, "beneficiary", "Choisissez le bénéficiaire des soins."),
        ({"ald": "y"}, "ald", "pas d&#39;exonération au titre d&#39;une ALD"),
    ],
)
def test_care_errors_are_422_with_values_kept(pro_client, camille, overrides, field, message):
    overrides = {name: value() if callable(value) else value for name, value in overrides.items()}
    data = care_data(pro_client, camille, **overrides)
    response = pro_client.post(FORM, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert "Il y a un problème" in html
    assert f'href="#{field}"' in html
    assert message in html
    assert "Patient : Camille MARTIN" in html
    if data.get("montant_0"):
        assert f'value="{data["montant_0"]}"' in html
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0


def test_care_errors_as_an_htmx_fragment(pro_client, camille):
    data = care_data(pro_client, camille, code_0="ZZZ")
    response = pro_client.post(FORM, data=data, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html
    assert html.startswith("<title>Erreur : Feuille de soins – macaisse</title>")


def test_closed_rights_are_refused(pro_client, camille):
    camille.rights_end = date(2024, 12, 31)
    db.session.commit()
    response = pro_client.post(FORM, data=care_data(pro_client, camille))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Les droits du patient ne sont pas ouverts à la date des soins." in html
    assert 'href="#beneficiary"' in html


@pytest.mark.parametrize("nir", ["", "123", "295109912611193"])
def test_a_tampered_nir_goes_back_to_step_one(pro_client, camille, nir):
    response = pro_client.post(FORM, data=care_data(pro_client, camille, nir=nir))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#nir"' in html
    assert "Étape 1 sur 2" in html
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0


def test_a_person_outside_the_file_cannot_be_billed(pro_client, camille, users):
    louis = users["louis"].person
    response = pro_client.post(FORM, data=care_data(pro_client, camille, beneficiary=str(louis.id)))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0


def test_posts_without_csrf_are_rejected(pro_client, camille):
    data = care_data(pro_client, camille)
    del data["csrf_token"]
    assert pro_client.post(FORM, data=data).status_code == 400
    assert pro_client.post(TOKENS, data={"name": "Logiciel"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_another_professionals_claim_is_404(client, sophie, other_pro, camille):
    claim = submit_g(other_pro, camille)
    sign_in(client, sophie)
    assert client.get(f"/pro/feuilles-de-soins/{claim.id}").status_code == 404
    assert client.get("/pro/feuilles-de-soins/999999").status_code == 404
    assert claim.invoice_number not in client.get(HOME).get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", HOME),
        ("get", FORM),
        ("post", FORM),
        ("get", "/pro/feuilles-de-soins/1"),
        ("get", TOKENS),
        ("post", TOKENS),
        ("post", "/pro/jetons/1/revocation"),
    ],
)
def test_an_assure_is_forbidden(client, users, method, url):
    login(client, users["camille"])
    token = csrf_token(client, "/compte/")
    response = getattr(client, method)(url, data={"csrf_token": token} if method == "post" else None)
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_a_professional_account_without_a_professional_is_forbidden(client, caisses):
    user = make_professional(caisses["cpam-de-la-loire-atlantique"])
    sign_in(client, user)
    user.professional_id = None
    db.session.commit()
    assert client.get(HOME).status_code == 403


def test_a_token_is_shown_once_and_stored_hashed(pro_client, sophie):
    response = pro_client.post(
        TOKENS,
        data={
            "name": "Logiciel du cabinet",
            "droits": ["feuilles_de_soins", "arrets_de_travail"],
            "csrf_token": csrf_token(pro_client, TOKENS),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="new-token">(mc_[A-Za-z0-9_-]{40})</code>', html).group(1)
    assert "il ne sera plus jamais affiché" in html
    token = db.session.scalars(sa.select(ApiToken)).one()
    assert token.professional_id == sophie.professional_id
    assert token.name == "Logiciel du cabinet"
    assert token.token_hash == token_hash(secret) != secret
    assert len(token.token_hash) == 64
    assert token.prefix == secret[:8]
    assert secret not in str(db.session.execute(sa.text("SELECT * FROM api_token")).all())
    listing = pro_client.get(TOKENS).get_data(as_text=True)
    assert secret not in listing
    assert token.prefix in listing
    assert "Logiciel du cabinet" in listing
    assert "jamais" in listing


def test_a_token_says_what_it_may_do(pro_client, sophie):
    token = csrf_token(pro_client, TOKENS)
    page = pro_client.get(TOKENS).get_data(as_text=True)
    assert 'value="arrets_de_travail" checked' in page
    none = pro_client.post(TOKENS, data={"name": "Poste 2", "csrf_token": token})
    assert none.status_code == 422
    assert "Cochez au moins un droit pour ce jeton." in none.get_data(as_text=True)
    assert 'value="Poste 2"' in none.get_data(as_text=True)
    bad = pro_client.post(TOKENS, data={"name": "Poste 2", "droits": "tout", "csrf_token": token})
    assert bad.status_code == 422
    done = pro_client.post(
        TOKENS, data={"name": "Poste 2", "droits": "arrets_de_travail", "csrf_token": token}
    )
    assert done.status_code == 200
    assert db.session.scalars(sa.select(ApiToken)).one().scopes == "arrets_de_travail"
    listing = pro_client.get(TOKENS).get_data(as_text=True)
    assert "Transmettre des avis d&#39;arrêt de travail" in listing


def test_a_token_needs_a_name(pro_client):
    response = pro_client.post(TOKENS, data={"name": " ", "csrf_token": csrf_token(pro_client, TOKENS)})
    assert response.status_code == 422
    assert "Saisissez un nom pour ce jeton" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_tokens_page_as_an_htmx_fragment(pro_client):
    response = pro_client.get(TOKENS, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)


def test_a_token_is_revoked(pro_client, sophie):
    token, secret = api_tokens.create_token(sophie.professional, "Poste 2")
    assert professional_for_token(secret).id == sophie.professional_id
    response = pro_client.post(
        f"/pro/jetons/{token.id}/revocation", data={"csrf_token": csrf_token(pro_client, TOKENS)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == TOKENS
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert professional_for_token(secret) is None
    assert "Révoqué le" in pro_client.get(TOKENS).get_data(as_text=True)


def test_another_professionals_token_is_404(pro_client, other_pro):
    token, _secret = api_tokens.create_token(other_pro.professional, "Le sien")
    response = pro_client.post(
        f"/pro/jetons/{token.id}/revocation", data={"csrf_token": csrf_token(pro_client, TOKENS)}
    )
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None
    assert "Le sien" not in pro_client.get(TOKENS).get_data(as_text=True)


def test_professional_for_token(sophie, other_pro):
    token, secret = api_tokens.create_token(sophie.professional, "Cabinet")
    assert secret.startswith("mc_")
    assert len(secret) == 43
    assert token.last_used_at is None
    assert professional_for_token(secret).id == sophie.professional_id
    first_use = token.last_used_at
    assert first_use is not None
    professional_for_token(secret)
    assert token.last_used_at == first_use  # written at most once a minute
    for wrong in ("", "mc_", secret[:-1] + ("A" if secret[-1] != "A" else "B"), secret.upper(), "x" * 500):
        assert professional_for_token(wrong) is None
    assert api_tokens.revoke(other_pro.professional, token.id) is False
    assert api_tokens.revoke(sophie.professional, token.id) is True
    revoked_at = token.revoked_at
    assert api_tokens.revoke(sophie.professional, token.id) is True
    assert token.revoked_at == revoked_at
    assert professional_for_token(secret) is None


def test_tokens_are_unique(sophie):
    secrets = {api_tokens.create_token(sophie.professional, f"T{n}")[1] for n in range(5)}
    assert len(secrets) == 5


def test_the_error_summary_follows_the_page_order(pro_client, camille):
    data = care_data(pro_client, camille, care_date="", montant_0="x", tiers_payant=None)
    html = pro_client.post(FORM, data=data).get_data(as_text=True)
    summary = html[html.index("Il y a un problème") : html.index("Étape 2 sur 2")]
    links = re.findall(r'href="#([a-z_0-9]+)"', summary)
    assert links == ["care_date", "montant_0", "tiers_payant"]
