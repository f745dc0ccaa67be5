"""Identity and access: every branch of account creation, sign-in, lockout, reset and the gate."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, KnownDevice, Letter, OneTimeToken, OutgoingMail, SignIn, User
from app.models.base import utcnow
from tests.conftest import HX, PASSWORD, csrf_token, last_code, login, make_person

NEW_PASSWORD = "cheval agrafe batterie correcte"


def page(response) -> str:
    """The response's text with HTML entities decoded (Jinja escapes apostrophes)."""
    return html_lib.unescape(response.get_data(as_text=True))


SAME_ANSWER = "Si ces informations correspondent à un assuré"


def audit_kinds() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.id)))


def mails(kind: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == kind)))


@pytest.fixture
def register_person(app, caisses):
    """Someone in the register without a web account: Anne-Sophie Lefèvre, Nantes, with an IBAN."""
    return make_person(
        caisses["cpam-de-la-loire-atlantique"],
        "295067505612349",
        "Anne-Sophie",
        "Lefèvre",
        date(1995, 6, 12),
        iban="FR7630006000011234567890189",
    )


def register_form(client, **overrides):
    data = {
        "nir": "2 95 06 75 056 123 49",
        "last_name": "LEFEVRE",
        "first_name": "anne sophie",
        "birth_date": "12/06/1995",
        "postal_code": "44000",
        "email": "anne@example.org",
        "iban": "",
        "csrf_token": csrf_token(client, "/inscription"),
    }
    data.update(overrides)
    return client.post("/inscription", data=data)


# --- Account creation ---------------------------------------------------------------------------


def test_registration_form_in_french(client):
    html = page(client.get("/inscription"))
    for label in (
        "Numéro de sécurité sociale",
        "Nom de naissance",
        "Prénom",
        "Date de naissance",
        "Code postal",
        "Adresse e-mail",
    ):
        assert f">{label}</label>" in html


def test_matching_registration_queues_a_letter_with_a_provisional_code(client, register_person):
    response = register_form(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inscription/demande-enregistree"
    assert SAME_ANSWER in page(client.get("/inscription/demande-enregistree"))
    user = db.session.scalar(sa.select(User).where(User.person_id == register_person.id))
    assert user.password_hash is None
    assert user.email == "anne@example.org"
    letter = db.session.scalar(sa.select(Letter))
    assert letter.caisse_id == register_person.caisse_id
    assert letter.pdf.startswith(b"%PDF")
    token = db.session.scalar(sa.select(OneTimeToken).where(OneTimeToken.purpose == "provisional"))
    assert (token.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).days in (59, 60)
    assert "registration_provisional_code" in audit_kinds()


@pytest.mark.parametrize(
    "overrides",
    [
        {"last_name": "Durand"},
        {"first_name": "Anne"},
        {"nir": "1 84 12 75 108 264 03", "birth_date": "03/12/1984"},
    ],
)
def test_unmatched_registration_answers_the_same_and_creates_nothing(client, register_person, overrides):
    response = register_form(client, **overrides)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inscription/demande-enregistree"
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0


def test_iban_match_sends_an_activation_link_valid_30_minutes(client, register_person):
    register_form(client, iban="FR76 3000 6000 0112 3456 7890 189")
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0
    (mail,) = mails("activation")
    assert mail.to_address == "anne@example.org"
    link = re.search(r"http://localhost:\d+(/activation/\S+)", mail.body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client, link)}
    response = client.post(link, data=data)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.person_id == register_person.id))
    assert user.email_verified_at is not None
    assert user.password_hash
    # Used once: the link is dead now.
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(link).status_code == 410


def test_activation_link_expires_after_30_minutes(client, register_person):
    register_form(client, iban="FR7630006000011234567890189")
    link = re.search(r"(/activation/\S+)", mails("activation")[0].body).group(1)
    token = db.session.scalar(sa.select(OneTimeToken).where(OneTimeToken.purpose == "activation"))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "n'est plus valable" in page(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nir": "2 95 06 75 056 123 48"}, "nir", "La clé (les 2 derniers chiffres) ne correspond pas"),
        ({"nir": "2 95 06 75 056"}, "nir", "13 ou 15 chiffres attendus"),
        ({"birth_date": "12/07/1995"}, "birth_date", "Le mois de naissance du numéro ne correspond pas"),
        ({"birth_date": "31/02/1995"}, "birth_date", "JJ/MM/AAAA"),
        ({"postal_code": "4400"}, "postal_code", "5 chiffres"),
        ({"email": "pas-une-adresse"}, "email", "adresse e-mail valide"),
        ({"iban": "FR76 1234"}, "iban", "Cet IBAN n'est pas valide"),
    ],
)
def test_registration_errors_are_precise_and_keep_the_input(
    client, register_person, overrides, field, message
):
    response = register_form(client, **overrides)
    html = page(response)
    assert response.status_code == 422
    assert message in html
    assert f'href="#{field}"' in html
    assert 'value="LEFEVRE"' in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_ambiguous_postal_code_asks_for_the_commune(client, register_person):
    response = register_form(client, postal_code="37160")
    html = page(response)
    assert response.status_code == 422
    assert "Choisissez votre commune" in html
    insee = re.search(r'name="commune" value="(\w+)"', html).group(1)
    response = register_form(client, postal_code="37160", commune=insee)
    assert response.status_code == 302


def test_registration_for_an_existing_account_warns_its_owner(client, users):
    response = register_form(client, last_name="Martin", first_name="Camille")
    assert response.status_code == 302
    (mail,) = mails("registration_existing")
    assert mail.to_address == "camille@example.org"


def test_registration_fragment_for_htmx(client, register_person):
    data = {"nir": "", "csrf_token": csrf_token(client, "/inscription")}
    response = client.post("/inscription", data=data, headers=HX)
    assert response.status_code == 422
    assert "<html" not in page(response)


# --- First sign-in with the provisional code -------------------------------------------------


def provisional_code_from_letter(letter: Letter) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(letter.pdf)).pages)
    return re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", text).group(1)


def test_first_login_with_the_code_forces_a_password_then_cgu_then_email(client, register_person):
    register_form(client)
    code = provisional_code_from_letter(db.session.scalar(sa.select(Letter)))
    data = {
        "nir": "295067505612349",
        "password": code.lower(),
        "csrf_token": csrf_token(client, "/connexion"),
    }
    response = client.post("/connexion", data=data)
    assert response.headers["Location"] == "/compte/mot-de-passe"
    # Anything else redirects to the pending step, with the reason.
    blocked = client.get("/compte/")
    assert blocked.headers["Location"] == "/compte/mot-de-passe"
    assert client.get("/dmp").status_code == 200  # the public widget stays open
    url = "/compte/mot-de-passe"
    weak = {"password": "Lefevre-1995!", "confirm": "Lefevre-1995!", "csrf_token": csrf_token(client, url)}
    html = page(client.post(url, data=weak))
    assert "ne doit contenir ni votre numéro de sécurité sociale, ni votre nom" in html
    good = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client, url)}
    response = client.post(url, data=good)
    assert response.headers["Location"] == "/cgu"
    assert "Acceptez les conditions" in page(client.get("/compte/", follow_redirects=True))
    refused = client.post("/cgu", data={"csrf_token": csrf_token(client, "/cgu")})
    assert refused.status_code == 422
    response = client.post("/cgu", data={"accept": "y", "csrf_token": csrf_token(client, "/cgu")})
    assert response.headers["Location"] == "/verification-email"
    url = "/verification-email"
    client.post(
        url, data={"action": "send", "email-email": "anne@example.org", "csrf_token": csrf_token(client, url)}
    )
    user = db.session.scalar(sa.select(User).where(User.person_id == register_person.id))
    wrong = client.post(
        url, data={"action": "verify", "code-code": "000000", "csrf_token": csrf_token(client, url)}
    )
    assert wrong.status_code == 422
    code = last_code(user, "email_verify")
    response = client.post(
        url, data={"action": "verify", "code-code": code, "csrf_token": csrf_token(client, url)}
    )
    assert response.headers["Location"] == "/compte/"
    assert "Bonjour Anne-Sophie" in page(client.get("/compte/"))
    # The provisional code is spent once a personal password exists.
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    again = client.post(
        "/connexion",
        data={"nir": "295067505612349", "password": code, "csrf_token": csrf_token(client, "/connexion")},
    )
    assert again.status_code == 422


# --- Sign-in, e-mail code, remembered device -------------------------------------------------


def test_new_device_asks_the_emailed_code_with_french_labels(client, users):
    data = {"nir": "2950675056123", "password": PASSWORD, "csrf_token": csrf_token(client, "/connexion")}
    response = client.post("/connexion", data=data)
    assert response.headers["Location"] == "/connexion/code"
    html = page(client.get("/connexion/code"))
    assert ">Code reçu par e-mail</label>" in html
    assert ">Valider</button>" in html
    assert "ca•••••@example.org" in html
    (mail,) = mails("login_code")
    assert mail.to_address == "camille@example.org"
    assert mail.sent_at is not None  # delivered by the queued job (immediate in tests)
    code = last_code(users["camille"])
    response = client.post(
        "/connexion/code", data={"code": code, "csrf_token": csrf_token(client, "/connexion/code")}
    )
    assert response.headers["Location"] == "/compte/"
    assert mails("new_device")
    sign_in = db.session.scalar(sa.select(SignIn))
    assert sign_in.method == "mot de passe + code e-mail"


def test_wrong_code_five_times_kills_it(client, users):
    client.post(
        "/connexion",
        data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": csrf_token(client, "/connexion")},
    )
    messages = []
    for _ in range(5):
        response = client.post(
            "/connexion/code", data={"code": "000000", "csrf_token": csrf_token(client, "/connexion/code")}
        )
        assert response.status_code == 422
        messages.append(page(response))
    assert "Ce code est incorrect" in messages[0]
    assert "n'est plus valable" in messages[-1]
    good = last_code(users["camille"])
    response = client.post(
        "/connexion/code", data={"code": good, "csrf_token": csrf_token(client, "/connexion/code")}
    )
    assert response.status_code == 422


def test_code_expires_after_10_minutes(client, users):
    client.post(
        "/connexion",
        data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": csrf_token(client, "/connexion")},
    )
    db.session.execute(sa.update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    code = last_code(users["camille"])
    response = client.post(
        "/connexion/code", data={"code": code, "csrf_token": csrf_token(client, "/connexion/code")}
    )
    assert "n'est plus valable" in page(response)


def test_remembered_device_skips_the_code_for_90_days(client, users):
    login(client, users["camille"], remember=True)
    cookie = client.get_cookie("macaisse_appareil")
    assert cookie is not None
    assert 89 * 86400 < (cookie.expires.timestamp() - utcnow().timestamp()) <= 90 * 86400 + 60
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    response = client.post(
        "/connexion",
        data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": csrf_token(client, "/connexion")},
    )
    assert response.headers["Location"] == "/compte/"
    device = db.session.scalar(sa.select(KnownDevice))
    device.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    response = client.post(
        "/connexion",
        data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": csrf_token(client, "/connexion")},
    )
    assert response.headers["Location"] == "/connexion/code"


def test_staff_give_a_code_at_every_login_even_with_a_device_cookie(client, users):
    login(client, users["agent44"], remember=True)
    assert client.get_cookie("macaisse_appareil") is None
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    response = client.post(
        "/agent/connexion",
        data={"login": "agent44", "password": PASSWORD, "csrf_token": csrf_token(client, "/agent/connexion")},
    )
    assert response.headers["Location"] == "/connexion/code"


# --- Lockout -----------------------------------------------------------------------------------


def wrong_password(client):
    return client.post(
        "/connexion",
        data={
            "nir": "295067505612349",
            "password": "pas le bon mot de passe",
            "csrf_token": csrf_token(client, "/connexion"),
        },
    )


def test_five_failures_lock_15_minutes_and_say_until_when(client, users):
    statuses = [wrong_password(client).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 423]
    user = users["camille"]
    db.session.refresh(user)
    minutes = (user.locked_until.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds() / 60
    assert 14 < minutes <= 15
    html = page(wrong_password(client))
    assert re.search(r"bloqué jusqu'au \d\d/\d\d/\d{4} à \d\d:\d\d \(heure de Paris\)", html)
    assert "Code oublié" in html
    # Even the right password is refused while locked.
    response = client.post(
        "/connexion",
        data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": csrf_token(client, "/connexion")},
    )
    assert response.status_code == 423
    assert "account_locked" in audit_kinds()


def test_each_further_lock_doubles_up_to_24_hours(client, users):
    user = users["camille"]
    durations = []
    for _ in range(8):
        for _ in range(5):
            wrong_password(client)
        db.session.refresh(user)
        durations.append(
            round(
                (user.locked_until.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds() / 60
            )
        )
        user.locked_until = utcnow() - timedelta(seconds=1)  # wait it out
        db.session.commit()
    assert durations == [15, 30, 60, 120, 240, 480, 960, 1440]


# --- Code oublié and reset ---------------------------------------------------------------------


def forgot(client, nir="2 95 06 75 056 123 49", birth="12/06/1995"):
    return client.post(
        "/code-oublie",
        data={"nir": nir, "birth_date": birth, "csrf_token": csrf_token(client, "/code-oublie")},
    )


def test_forgot_sends_a_reset_link_and_answers_the_same_for_strangers(client, users):
    stranger = forgot(client, "1 84 12 75 108 264 03", "01/01/1990")  # wrong birth date
    owner = forgot(client)
    assert stranger.headers["Location"] == owner.headers["Location"] == "/code-oublie/demande-enregistree"
    (mail,) = mails("reset")
    assert mail.to_address == "camille@example.org"


def test_reset_link_works_once_ends_other_sessions_and_expires(app, client, users):
    other = app.test_client()
    login(other, users["camille"])
    assert other.get("/compte/").status_code == 200
    forgot(client)
    link = re.search(r"(/reinitialisation/\S+)", mails("reset")[0].body).group(1)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client, link)}
    response = client.post(link, data=data)
    assert response.headers["Location"] == "/connexion"
    assert other.get("/compte/").status_code == 302  # the other session is over
    assert client.get(link).status_code == 410  # used
    forgot(client)
    link = re.search(r"(/reinitialisation/\S+)", mails("reset")[-1].body).group(1)
    token = db.session.scalars(sa.select(OneTimeToken).where(OneTimeToken.purpose == "reset")).all()[-1]
    token.expires_at = utcnow() - timedelta(minutes=1)  # 30 minutes have passed
    db.session.commit()
    assert client.get(link).status_code == 410


def test_reset_unlocks_the_account(client, users):
    for _ in range(5):
        wrong_password(client)
    forgot(client)
    link = re.search(r"(/reinitialisation/\S+)", mails("reset")[0].body).group(1)
    client.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client, link)}
    )
    response = client.post(
        "/connexion",
        data={
            "nir": "295067505612349",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/connexion"),
        },
    )
    assert response.status_code == 302


def test_forgot_without_verified_email_sends_a_new_code_by_post(client, users):
    user = users["louis"]
    user.email_verified_at = None
    db.session.commit()
    forgot(client, "1 84 12 75 108 264 03", "03/12/1984")
    assert not mails("reset")
    letter = db.session.scalar(sa.select(Letter))
    assert letter.person_id == user.person_id


# --- Sessions, gate, history -------------------------------------------------------------------


def test_logout_everywhere_ends_the_other_browser(app, client, users):
    other = app.test_client()
    login(other, users["camille"])
    login(client, users["camille"])
    response = client.post(
        "/securite/deconnexion-partout", data={"csrf_token": csrf_token(client, "/securite")}
    )
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert other.get("/compte/").status_code == 302
    assert client.get("/compte/").status_code == 302


def test_new_cgu_version_is_a_legal_alert_on_the_home_of_an_assure(app, client, users):
    login(client, users["camille"])
    app.config["CGU_VERSION"] = "2027-01"
    home = client.get("/compte/")
    assert home.status_code == 200
    assert "Les conditions générales d'utilisation ont changé" in html_lib.unescape(
        home.get_data(as_text=True)
    )
    assert 'href="/cgu"' in html_lib.unescape(home.get_data(as_text=True))
    # Legal: it cannot be put away.
    token = csrf_token(client, "/compte/")
    client.post("/compte/alertes/masquer", data={"csrf_token": token, "alerte": "cgu"})
    assert "Les conditions générales d'utilisation ont changé" in html_lib.unescape(
        client.get("/compte/").get_data(as_text=True)
    )
    # Accepting makes it disappear.
    client.post("/cgu", data={"csrf_token": csrf_token(client, "/cgu"), "accept": "y"})
    assert "conditions générales d'utilisation ont changé" not in html_lib.unescape(
        client.get("/compte/").get_data(as_text=True)
    )


def test_cgu_never_accepted_sends_users_to_the_cgu_page(app, client, users):
    login(client, users["camille"])
    users["camille"].cgu_version = None
    db.session.commit()
    response = client.get("/compte/")
    assert response.headers["Location"] == "/cgu"
    assert client.get("/formulaires").status_code == 200
    # The public information and simulators stay readable meanwhile.
    assert client.get("/informations/c2s").status_code == 200
    assert client.get("/simulateurs/conge-maternite-paternite").status_code == 200
    htmx = client.get("/compte/", headers=HX)
    assert htmx.headers["HX-Redirect"] == "/cgu"


def test_new_cgu_version_still_gates_the_staff(app, client, users):
    login(client, users["agent44"])
    app.config["CGU_VERSION"] = "2027-01"
    assert client.get("/agent/").headers["Location"] == "/cgu"


def test_security_page_lists_the_history(client, users):
    login(client, users["camille"])
    html = page(client.get("/securite"))
    assert "Historique de connexion" in html
    assert "mot de passe + code e-mail" in html
    assert "Réseau local" in html


def test_another_users_device_cannot_be_forgotten(app, client, users):
    other = app.test_client()
    login(other, users["louis"], remember=True)
    device_id = db.session.scalar(sa.select(KnownDevice.id))
    login(client, users["camille"])
    response = client.post(
        f"/securite/appareils/{device_id}/oubli", data={"csrf_token": csrf_token(client, "/securite")}
    )
    assert response.status_code == 404
    assert db.session.get(KnownDevice, device_id) is not None


def test_absolute_session_lifetime(client, users):
    login(client, users["camille"])
    with client.session_transaction() as session:
        session["_login_at"] = 0
    assert client.get("/compte/").status_code == 302


def test_reauthentication_refreshes_the_proof_of_identity(client, users):
    login(client, users["camille"])
    with client.session_transaction() as session:
        session["_auth_at"] = 0
    url = "/connexion/confirmation?next=/securite/cles-d-acces"
    wrong = client.post(url, data={"password": "non", "csrf_token": csrf_token(client, url)})
    assert wrong.status_code == 422
    response = client.post(url, data={"password": PASSWORD, "csrf_token": csrf_token(client, url)})
    assert response.headers["Location"] == "/securite/cles-d-acces"
    with client.session_transaction() as session:
        assert session["_auth_at"] > 0


def test_the_header_badge_is_not_gated(client, users):
    """The badge loads on every page, the gate's own pages included: it must never redirect."""
    users["camille"].cgu_version = None
    db.session.commit()
    login(client, users["camille"])
    response = client.get("/notifications/badge", headers=HX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
