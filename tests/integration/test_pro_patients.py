"""A patient's administrative situation for a professional (NIR + birth date, audit, rate limit, no
NIR in URLs) and the 12-month refund history behind the patient's consent, by code or by a request
pushed to the phone; the assuré's "Qui a consulté mes droits" and "Autoriser un professionnel"."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from stdnum.fr import nir as stdnum_nir

from app.extensions import db
from app.models import AuditEvent, HistoryConsent, Notification, Person
from app.models.base import utcnow
from app.rules.liquidation import ActLine
from app.services import claims, patient_rights
from app.services import history_consent as consents
from tests.conftest import HX, count_queries, csrf_token, login
from tests.integration.test_pro import make_professional

LOOKUP = "/pro/patients/"
SITUATION = "/pro/patients/situation"
CODE = "/pro/patients/accord/code"
PUSH = "/pro/patients/accord/demande"
HISTORY = "/pro/patients/historique"
ACCESSES = "/compte/qui-a-consulte"
CONSENT = "/compte/autoriser-un-professionnel"
CAMILLE_NIR = "295067505612349"
CAMILLE_TYPED = "2 95 06 75 056 123 49"
NOT_FOUND = "Aucun assuré ne correspond à ce numéro de sécurité sociale et à cette date de naissance."
# A valid NIR (right key) nobody in the tests' register has.
UNKNOWN_NIR = "2950675056124" + stdnum_nir.calc_check_digits("2950675056124")


@pytest.fixture
def app(app_factory, request):
    """The testing app; ``@pytest.mark.parametrize("app", [{...}], indirect=True)`` adds settings."""
    app = app_factory(**getattr(request, "param", {}))
    with app.app_context():
        yield app


@pytest.fixture
def pro(app, doctor_account):
    """Dr Durand (Camille's médecin traitant) signed in."""
    client = app.test_client()
    login(client, doctor_account)
    return client


@pytest.fixture
def other_pro(app, caisses, users):
    """Dr Marc Lefebvre, another doctor, signed in."""
    account = make_professional(
        caisses["cpam-de-la-loire-atlantique"],
        rpps="10101010204",
        first_name="Marc",
        last_name="Lefebvre",
        specialty="Cardiologie",
    )
    client = app.test_client()
    login(client, account)
    return client


@pytest.fixture
def camille_client(app, users):
    client = app.test_client()
    login(client, users["camille"])
    return client


def look_up(client, nir: str = CAMILLE_TYPED, birth: str = "12/06/1995", headers: dict | None = None):
    data = {"nir": nir, "birth_date": birth, "csrf_token": csrf_token(client, LOOKUP)}
    return client.post(LOOKUP, data=data, headers=headers or {})


def text(response) -> str:
    """The response's HTML, entities decoded (Jinja writes ' as &#39;)."""
    return html_lib.unescape(response.get_data(as_text=True))


def add_care(patient: Person, professional, days_ago: list[int]) -> None:
    """One consultation (G) for ``patient`` with ``professional`` per number of days ago."""
    for days in days_ago:
        claims.submit(
            professional,
            patient,
            date.today() - timedelta(days=days),
            [ActLine("G", Decimal("30.00"))],
            tiers_payant=False,
        )


def make_code(client, member_id: int, rpps: str = "10101010105") -> str:
    """Camille's two steps in "Autoriser un professionnel"; the code shown once."""
    token = csrf_token(client, CONSENT)
    data = {"member": str(member_id), "rpps": rpps, "csrf_token": token}
    confirm = client.post(CONSENT, data=data)
    assert confirm.status_code == 200, text(confirm)[:500]
    assert "Créer le code" in text(confirm)
    shown = client.post(CONSENT, data={**data, "etape": "confirmation"})
    assert shown.status_code == 200
    match = re.search(r"Votre code : <strong>(\d{6})</strong>", text(shown))
    assert match, text(shown)[:2000]
    return match.group(1)


def type_code(client, code: str):
    return client.post(CODE, data={"code": code, "csrf_token": csrf_token(client, SITUATION)})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# Lookup


def test_lookup_then_situation_without_the_nir_in_any_url(pro, users, doctor_account, caisses):
    response = look_up(pro)
    assert response.status_code == 302
    assert response.headers["Location"] == SITUATION
    page = pro.get(SITUATION)
    html = text(page)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Situation de Camille MARTIN" in html
    assert "né(e) le 12/06/1995" in html
    assert "<strong>Ouverts</strong>, sans date de fin" in html
    assert "vous êtes son médecin traitant" in html
    assert "Régime général" in html
    assert caisses["cpam-de-la-loire-atlantique"].name in html
    assert CAMILLE_NIR not in html
    for href in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]+)"', html):
        assert "29506" not in href
        assert "nir" not in href.lower()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "droits_consultes"))
    assert event.subject_person_id == users["camille"].person_id
    assert event.actor_user_id == doctor_account.id
    assert event.detail == "Dr Sophie Durand a consulté vos droits"
    assert CAMILLE_NIR not in event.detail


def test_lookup_with_htmx_redirects_the_whole_page(pro, users):
    response = look_up(pro, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == SITUATION
    fragment = pro.get(LOOKUP, headers=HX)
    assert "<html" not in text(fragment)
    assert "Situation d'un patient" in text(fragment)


def test_an_unknown_nir_and_a_wrong_birth_date_get_the_same_message(pro, users):
    unknown = look_up(pro, nir=UNKNOWN_NIR)
    wrong_birth = look_up(pro, birth="13/06/1995")
    for response in (unknown, wrong_birth):
        assert response.status_code == 422
        html = text(response)
        assert NOT_FOUND in html
        assert "<title>Erreur : Situation d'un patient" in html
        assert "ne correspond pas à la date de naissance" not in html
    assert f'value="{UNKNOWN_NIR}"' in text(unknown)
    assert 'value="13/06/1995"' in text(wrong_birth)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.kind == "droits_consultes")
        )
        == 0
    )


@pytest.mark.parametrize(
    ("nir", "birth", "message"),
    [
        ("", "12/06/1995", "Saisissez le numéro de sécurité sociale."),
        ("12345", "12/06/1995", "incomplet ou trop long"),
        ("295067505612348", "12/06/1995", "La clé (les 2 derniers chiffres) ne correspond pas au numéro."),
        (CAMILLE_TYPED, "", "Saisissez la date de naissance du patient."),
        (CAMILLE_TYPED, "31/02/1995", "Saisissez la date de naissance au format JJ/MM/AAAA"),
        (CAMILLE_TYPED, "12/06/2999", "La date de naissance doit être une date passée réelle."),
    ],
)
def test_bad_input_is_a_422_in_french(pro, users, nir, birth, message):
    response = look_up(pro, nir=nir, birth=birth)
    assert response.status_code == 422
    assert message in text(response)
    assert "Il y a un problème" in text(response)


def test_a_lookup_needs_the_csrf_token(pro, users):
    response = pro.post(LOOKUP, data={"nir": CAMILLE_NIR, "birth_date": "12/06/1995"})
    assert response.status_code == 400


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_lookups_are_rate_limited_with_a_french_page(pro, users):
    token = csrf_token(pro, LOOKUP)
    data = {"nir": UNKNOWN_NIR, "birth_date": "12/06/1995", "csrf_token": token}
    statuses = [pro.post(LOOKUP, data=data).status_code for _ in range(30)]
    last = pro.post(LOOKUP, data=data)
    assert statuses == [422] * 30
    assert last.status_code == 429
    assert "Trop de tentatives" in text(last)
    assert "Patientez quelques minutes" in text(last)


def test_the_lookup_is_for_professionals_only(app, camille_client, client, users):
    assert camille_client.get(LOOKUP).status_code == 403
    assert camille_client.get(SITUATION).status_code == 403
    assert camille_client.get(HISTORY).status_code == 403
    anonymous = client.get(LOOKUP)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/connexion")


def test_no_list_of_patients(pro, users):
    assert pro.get("/pro/patients/liste").status_code == 404
    assert pro.get(f"/pro/patients/{users['camille'].person_id}").status_code == 404


def test_the_situation_expires_after_30_minutes(pro, users):
    look_up(pro)
    with pro.session_transaction() as session:
        kept = dict(session["pro_patient"])
        kept["at"] -= 31 * 60
        session["pro_patient"] = kept
    response = pro.get(SITUATION)
    assert response.status_code == 302
    assert response.headers["Location"] == LOOKUP
    assert pro.get(HISTORY).headers["Location"] == LOOKUP


def test_no_patient_looked_up_goes_to_the_lookup(pro, users):
    assert pro.get(SITUATION).headers["Location"] == LOOKUP
    assert pro.get(HISTORY).headers["Location"] == LOOKUP


# The situation's fields


@pytest.mark.parametrize(
    ("rpps", "expected"),
    [("10101010105", "vous"), ("10101010204", "autre"), (None, "aucun")],
)
def test_medecin_traitant_this_doctor_another_or_none(users, doctor, rpps, expected):
    person = users["camille"].person
    person.medecin_traitant_rpps = rpps
    assert patient_rights.situation_of(person, doctor).medecin_traitant == expected


def test_ald_c2s_maternite_and_closed_rights(pro, users, doctor):
    today = patient_rights.today()
    person = users["camille"].person
    person.ald_start = today - timedelta(days=400)
    person.c2s_start = today - timedelta(days=30)
    person.c2s_end = today + timedelta(days=300)
    person.maternity_start = today - timedelta(days=10)
    person.maternity_end = today + timedelta(days=100)
    person.medecin_traitant_rpps = "10101010204"
    db.session.commit()
    look_up(pro)
    html = text(pro.get(SITUATION))
    assert "<strong>Oui</strong>, aujourd'hui" in html
    assert "<strong>Oui, sans participation financière</strong>" in html
    assert f"jusqu'au {(today + timedelta(days=300)).strftime('%d/%m/%Y')}" in html
    assert f"du {(today - timedelta(days=10)).strftime('%d/%m/%Y')}" in html
    assert "<strong>un autre médecin</strong> est son médecin traitant" in html
    for word in ("diagnostic", "affection"):
        assert word not in html.lower()

    person.c2s_participation = Decimal("8.00")
    person.maternity_end = today - timedelta(days=1)
    person.ald_end = today - timedelta(days=1)
    person.medecin_traitant_rpps = None
    person.rights_end = today - timedelta(days=1)
    db.session.commit()
    html = text(pro.get(SITUATION))
    assert "<strong>Oui, avec participation financière</strong>" in html
    assert "Pas de période de maternité en cours" in html
    assert "Aucun médecin traitant déclaré" in html
    assert "<strong>Fermés</strong>" in html
    situation = patient_rights.situation_of(person, doctor)
    assert situation.ald is False
    assert situation.maternity_end is None


def test_the_situation_links_to_the_teleservices(pro, users):
    look_up(pro)
    html = text(pro.get(SITUATION))
    for href in (
        "/pro/feuille-de-soins",
        "/pro/arrets-de-travail",
        "/pro/medecin-traitant/",
        "/pro/imprimes",
    ):
        assert f'href="{href}"' in html
    home = text(pro.get("/pro/"))
    assert 'href="/pro/patients/"' in home
    assert "ce que votre logiciel obtient par ADRi" in home


# "Qui a consulté mes droits"


def test_the_assure_sees_the_lookup(pro, camille_client, users):
    empty = camille_client.get(ACCESSES)
    assert empty.status_code == 200
    assert "Aucun professionnel n'a consulté vos droits." in text(empty)
    look_up(pro)
    html = text(camille_client.get(ACCESSES))
    assert "Consultation de vos droits par un professionnel de santé" in html
    assert "Dr Sophie Durand a consulté vos droits" in html
    assert 'href="/compte/qui-a-consulte"' in text(camille_client.get("/compte/"))
    fragment = camille_client.get(ACCESSES, headers=HX)
    assert "<html" not in text(fragment)


def test_the_accesses_page_runs_constant_queries(pro, camille_client, users):
    look_up(pro)
    before = count_queries(camille_client, ACCESSES)
    for _ in range(3):
        look_up(pro)
    make_code(camille_client, users["camille"].person_id)
    assert count_queries(camille_client, ACCESSES) == before


def test_accesses_are_for_assures(pro, users):
    assert pro.get(ACCESSES).status_code == 403
    assert pro.get(CONSENT).status_code == 403


# Consent by code


def test_consent_by_code_opens_the_history(pro, camille_client, users, doctor, caisses, doctor_account):
    camille = users["camille"].person
    pharmacy = make_professional(
        caisses["cpam-de-la-loire-atlantique"], rpps="10101010402", first_name="Pharmacie", last_name="Lilas"
    ).professional
    add_care(camille, doctor, [10, 200])
    claims.submit(
        pharmacy,
        camille,
        date.today() - timedelta(days=40),
        [ActLine("PH7", Decimal("8.60"), quantity=2, base=Decimal("4.30"))],
        tiers_payant=False,
    )
    add_care(camille, doctor, [400])  # more than 12 months ago: not shown

    code = make_code(camille_client, camille.id)
    consent = db.session.scalar(sa.select(HistoryConsent))
    assert consent.method == "code"
    assert consent.status == "en_attente"
    assert code not in (consent.code_hash or "")
    assert consent.user_id == users["camille"].id

    look_up(pro)
    assert pro.get(HISTORY).status_code == 403
    response = type_code(pro, code[:3] + " " + code[3:])
    assert response.status_code == 302
    assert response.headers["Location"] == HISTORY
    db.session.refresh(consent)
    assert consent.status == "accordee"
    delta = consent.access_until.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(minutes=59) < delta <= timedelta(hours=1)

    page = pro.get(HISTORY)
    html = text(page)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Historique des remboursements de Camille MARTIN" in html
    assert html.count("<tr>") == 3 + 2  # 3 acts, the header and the total
    assert "PH7" in html
    assert (date.today() - timedelta(days=400)).strftime("%d/%m/%Y") not in html
    kinds = db.session.scalars(
        sa.select(AuditEvent.kind)
        .where(AuditEvent.subject_person_id == camille.id, AuditEvent.kind.not_like("login%"))
        .order_by(AuditEvent.id)
    ).all()
    assert kinds == [
        "historique_code_cree",
        "droits_consultes",
        "historique_autorise",
        "historique_consulte",
    ]
    pro.get(HISTORY)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.kind == "historique_consulte")
        )
        == 2
    )
    accesses = text(camille_client.get(ACCESSES))
    assert "Consultation de l'historique de vos remboursements" in accesses
    assert "Accès à l'historique de vos remboursements autorisé" in accesses
    assert "Accordée" in accesses
    # The code is used: it cannot open the history a second time.
    consent.access_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert type_code(pro, code).status_code == 422
    assert pro.get(HISTORY).status_code == 403


def test_a_wrong_code_then_five_make_the_code_expire(pro, camille_client, users):
    code = make_code(camille_client, users["camille"].person_id)
    look_up(pro)
    first = type_code(pro, wrong(code))
    assert first.status_code == 422
    assert "Ce code n'est pas le bon" in text(first)
    assert "4 essais restants" in text(first)
    assert "<title>Erreur : Situation d'un patient" in text(first)
    for _ in range(3):
        type_code(pro, wrong(code))
    fifth = type_code(pro, wrong(code))
    assert "Code erroné 5 fois" in text(fifth)
    consent = db.session.scalar(sa.select(HistoryConsent))
    assert consent.status == "expiree"
    right = type_code(pro, code)
    assert right.status_code == 422
    assert pro.get(HISTORY).status_code == 403


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez le code à 6 chiffres"),
        ("12ab56", "Le code comporte 6 chiffres"),
        ("1234567", "6 chiffres"),
    ],
)
def test_a_code_of_the_wrong_shape(pro, users, typed, message):
    look_up(pro)
    response = type_code(pro, typed)
    assert response.status_code == 422
    assert message in text(response)


def test_an_expired_code(pro, camille_client, users):
    code = make_code(camille_client, users["camille"].person_id)
    consent = db.session.scalar(sa.select(HistoryConsent))
    consent.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    look_up(pro)
    response = type_code(pro, code)
    assert response.status_code == 422
    assert "Ce code a expiré" in text(response)
    db.session.refresh(consent)
    assert consent.status == "expiree"


def test_another_professional_cannot_use_the_code(pro, other_pro, camille_client, users):
    code = make_code(camille_client, users["camille"].person_id)
    look_up(other_pro)
    response = type_code(other_pro, code)
    assert response.status_code == 422
    assert "Ce code n'est pas valable" in text(response)
    assert other_pro.get(HISTORY).status_code == 403
    consent = db.session.scalar(sa.select(HistoryConsent))
    assert consent.status == "en_attente"
    look_up(pro)
    assert type_code(pro, code).status_code == 302


@pytest.mark.parametrize(
    ("rpps", "message"),
    [
        ("", "Saisissez le numéro RPPS du professionnel"),
        ("1234", "Le numéro RPPS comporte 11 chiffres."),
        ("10101010104", "Ce numéro RPPS n'est pas valide"),
        ("10101010303", "Aucun professionnel de santé ne correspond à ce numéro RPPS."),
    ],
)
def test_consent_with_a_bad_rpps(camille_client, users, doctor, rpps, message):
    data = {
        "member": str(users["camille"].person_id),
        "rpps": rpps,
        "csrf_token": csrf_token(camille_client, CONSENT),
    }
    response = camille_client.post(CONSENT, data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert f'value="{rpps}"' in text(response)
    assert db.session.scalar(sa.select(sa.func.count(HistoryConsent.id))) == 0


def test_consent_for_someone_outside_the_file(camille_client, users, doctor):
    data = {
        "member": str(users["louis"].person_id),
        "rpps": "10101010105",
        "etape": "confirmation",
        "csrf_token": csrf_token(camille_client, CONSENT),
    }
    response = camille_client.post(CONSENT, data=data)
    assert response.status_code == 422
    assert "Choisissez la personne" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(HistoryConsent.id))) == 0


def test_a_code_for_a_minor_child(pro, camille_client, users, leo, doctor):
    page = text(camille_client.get(CONSENT))
    assert "Léo MARTIN" in page
    code = make_code(camille_client, leo.id)
    look_up(pro, nir=leo.nir, birth="08/03/2019")
    assert type_code(pro, code).status_code == 302
    assert "Historique des remboursements de Léo MARTIN" in text(pro.get(HISTORY))
    # Camille answers for Léo: she sees who saw his history.
    assert "Consultation de l'historique de vos remboursements" in text(camille_client.get(ACCESSES))


# Consent by push


def test_consent_by_push_approved(pro, camille_client, users):
    look_up(pro)
    response = pro.post(PUSH, data={"csrf_token": csrf_token(pro, SITUATION)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(SITUATION)
    consent = db.session.scalar(sa.select(HistoryConsent))
    assert consent.method == "push"
    assert consent.status == "en_attente"
    assert consent.user_id == users["camille"].id
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == users["camille"].id)
    )
    assert notification.title == "Un professionnel demande à voir vos remboursements"
    assert notification.kind == "demarche"
    assert notification.url == f"{CONSENT}/demandes/{consent.id}"

    waiting = text(pro.get(SITUATION))
    assert 'hx-trigger="every 5s"' in waiting
    assert "en attente de la réponse du patient" in waiting
    fragment = pro.get(f"{SITUATION}?partiel=accord", headers=HX)
    assert "<html" not in text(fragment)
    assert "en attente de la réponse du patient" in text(fragment)
    assert fragment.headers["Cache-Control"] == "no-store"

    request_page = camille_client.get(notification.url)
    assert request_page.status_code == 200
    assert "Dr Sophie Durand" in text(request_page)
    assert "demandes en attente" in text(camille_client.get(CONSENT)).lower()
    answer = camille_client.post(
        notification.url,
        data={"decision": "accepter", "csrf_token": csrf_token(camille_client, notification.url)},
    )
    assert answer.status_code == 302
    db.session.refresh(consent)
    assert consent.status == "accordee"
    assert consent.access_until is not None

    polled = text(pro.get(f"{SITUATION}?partiel=accord", headers=HX))
    assert "Le patient a accepté votre demande." in polled
    assert "every 5s" not in polled
    assert pro.get(HISTORY).status_code == 200
    kinds = set(db.session.scalars(sa.select(AuditEvent.kind)))
    assert {"historique_demande", "historique_autorise", "historique_consulte"} <= kinds
    # Answered: a second answer changes nothing.
    again = camille_client.post(
        notification.url,
        data={"decision": "refuser", "csrf_token": csrf_token(camille_client, notification.url)},
        follow_redirects=True,
    )
    assert "n'attend plus de réponse" in text(again)
    db.session.refresh(consent)
    assert consent.status == "accordee"


def test_consent_by_push_refused(pro, camille_client, users):
    look_up(pro)
    pro.post(PUSH, data={"csrf_token": csrf_token(pro, SITUATION)})
    consent = db.session.scalar(sa.select(HistoryConsent))
    url = f"{CONSENT}/demandes/{consent.id}"
    camille_client.post(url, data={"decision": "refuser", "csrf_token": csrf_token(camille_client, url)})
    db.session.refresh(consent)
    assert consent.status == "refusee"
    assert "Le patient a refusé votre demande." in text(pro.get(SITUATION))
    forbidden = pro.get(HISTORY)
    assert forbidden.status_code == 403
    assert "Accord du patient nécessaire" in text(forbidden)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "historique_refuse")) is not None


def test_a_request_of_another_account_is_a_404(app, pro, users):
    look_up(pro)
    pro.post(PUSH, data={"csrf_token": csrf_token(pro, SITUATION)})
    consent = db.session.scalar(sa.select(HistoryConsent))
    url = f"{CONSENT}/demandes/{consent.id}"
    louis = app.test_client()
    login(louis, users["louis"])
    assert louis.get(url).status_code == 404
    token = csrf_token(louis, CONSENT)
    assert louis.post(url, data={"decision": "accepter", "csrf_token": token}).status_code == 404
    assert louis.get(f"{CONSENT}/demandes/999").status_code == 404
    db.session.refresh(consent)
    assert consent.status == "en_attente"


def test_a_push_for_a_minor_child_goes_to_the_holder(pro, users, leo):
    look_up(pro, nir=leo.nir, birth="08/03/2019")
    pro.post(PUSH, data={"csrf_token": csrf_token(pro, SITUATION)})
    consent = db.session.scalar(sa.select(HistoryConsent))
    assert consent.person_id == leo.id
    assert consent.user_id == users["camille"].id


def test_a_push_to_a_patient_without_an_account(pro, caisses, doctor):
    from tests.conftest import make_person

    nir = "1840144109" + "123"
    nir += stdnum_nir.calc_check_digits(nir)
    make_person(caisses["cpam-de-la-loire-atlantique"], nir, "Paul", "Petit", date(1984, 1, 1))
    look_up(pro, nir=nir, birth="01/01/1984")
    response = pro.post(PUSH, data={"csrf_token": csrf_token(pro, SITUATION)}, follow_redirects=True)
    assert "n'a pas de compte macaisse" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(HistoryConsent.id))) == 0


# The history


def grant(professional, person, user) -> HistoryConsent:
    consent = HistoryConsent(
        person_id=person.id,
        professional_id=professional.id,
        user_id=user.id,
        method="code",
        status="accordee",
        expires_at=utcnow() + timedelta(minutes=10),
        decided_at=utcnow(),
        access_until=utcnow() + timedelta(hours=1),
    )
    db.session.add(consent)
    db.session.commit()
    return consent


def test_the_history_runs_constant_queries(pro, users, doctor, caisses):
    camille = users["camille"].person
    other = make_professional(caisses["cpam-de-la-loire-atlantique"], rpps="10101010204").professional
    add_care(camille, doctor, [20])
    grant(doctor, camille, users["camille"])
    look_up(pro)
    before = count_queries(pro, HISTORY)
    add_care(camille, doctor, [30, 60, 90])
    add_care(camille, other, [45, 100])
    assert count_queries(pro, HISTORY) == before
    assert text(pro.get(HISTORY)).count("<tr>") == 6 + 2


def test_the_history_without_consent_is_a_french_403(pro, other_pro, users, doctor):
    camille = users["camille"].person
    look_up(pro)
    response = pro.get(HISTORY)
    assert response.status_code == 403
    html = text(response)
    assert "Accord du patient nécessaire" in html
    assert "Autoriser un professionnel" in html
    assert "10101010105" in html
    # A consent given to Dr Durand opens nothing for Dr Lefebvre; an hour later it is closed.
    consent = grant(doctor, camille, users["camille"])
    look_up(other_pro)
    assert other_pro.get(HISTORY).status_code == 403
    assert pro.get(HISTORY).status_code == 200
    consent.access_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert pro.get(HISTORY).status_code == 403


def test_months_ago_keeps_the_end_of_short_months():
    assert consents.months_ago(date(2026, 3, 31), 12) == date(2025, 3, 31)
    assert consents.months_ago(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert consents.months_ago(date(2026, 1, 15), 1) == date(2025, 12, 15)


# Taking a consent back


def withdraw(client, consent_id: int):
    return client.post(
        f"{CONSENT}/accords/{consent_id}/retrait", data={"csrf_token": csrf_token(client, ACCESSES)}
    )


def test_an_open_access_taken_back_closes_the_history_at_once(pro, camille_client, users, doctor):
    add_care(users["camille"].person, doctor, [10])
    code = make_code(camille_client, users["camille"].person_id)
    look_up(pro)
    type_code(pro, code)
    assert pro.get(HISTORY).status_code == 200
    consent = db.session.scalar(sa.select(HistoryConsent))
    page = text(camille_client.get(ACCESSES))
    assert f'action="{CONSENT}/accords/{consent.id}/retrait"' in page
    response = withdraw(camille_client, consent.id)
    assert response.status_code == 303
    assert response.headers["Location"] == ACCESSES
    page = text(camille_client.get(ACCESSES))
    assert "Dr Sophie Durand ne peut plus voir l'historique des remboursements." in page
    assert "Retirée" in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "historique_retire"))
    assert event.subject_person_id == users["camille"].person_id
    assert f'action="{CONSENT}/accords/{consent.id}/retrait"' not in page
    assert pro.get(HISTORY).status_code == 403
    # Twice: a French message, nothing changes.
    withdraw(camille_client, consent.id)
    assert "Cet accord n'est plus en cours" in text(camille_client.get(ACCESSES))


def test_a_code_taken_back_before_it_is_typed_no_longer_works(pro, camille_client, users):
    code = make_code(camille_client, users["camille"].person_id)
    consent = db.session.scalar(sa.select(HistoryConsent))
    assert withdraw(camille_client, consent.id).status_code == 303
    look_up(pro)
    assert type_code(pro, code).status_code == 422
    assert pro.get(HISTORY).status_code == 403


def test_a_consent_of_another_file_cannot_be_taken_back(pro, camille_client, client, users):
    make_code(camille_client, users["camille"].person_id)
    consent = db.session.scalar(sa.select(HistoryConsent))
    login(client, users["louis"])
    assert withdraw(client, consent.id).status_code == 404
    assert withdraw(client, consent.id + 1000).status_code == 404
    db.session.refresh(consent)
    assert consent.status == "en_attente"
    # Without the CSRF token: refused.
    response = camille_client.post(f"{CONSENT}/accords/{consent.id}/retrait")
    assert response.status_code == 400
    db.session.refresh(consent)
    assert consent.status == "en_attente"
