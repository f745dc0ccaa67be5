"""Passkeys through the Flask test client, with the software authenticator of ``tests/webauthn_soft``:
adding one (fresh login only), listing, renaming, removing, discoverable sign-in, and refusals
(stale counter, wrong origin or challenge, missing UV, CSRF, someone else's passkey)."""

from __future__ import annotations

import json
import time
from html import unescape

import pytest
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import AuditEvent, Passkey, SignIn
from app.services import passkeys as service
from tests.conftest import HX, csrf_token, login
from tests.webauthn_soft import SoftAuthenticator, b64

PAGE = "/securite/cles-d-acces"
REGISTER_OPTIONS = "/securite/cles-d-acces/options"
LOGIN_OPTIONS = "/connexion/cle-d-acces/options"
LOGIN = "/connexion/cle-d-acces"
NOT_RECOGNISED = "Cette clé d'accès n'a pas été reconnue."


def sign_in(client, user) -> None:
    """Sign in through the real login pages (password, then the e-mail code when asked), with the
    CGU already accepted so the account pages are not gated."""
    user.cgu_version = current_app.config["CGU_VERSION"]
    db.session.commit()
    login(client, user)


def sign_out(client) -> None:
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})


def headers(client, page: str = PAGE) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, page)}


def add_passkey(client, authenticator: SoftAuthenticator, name: str = "Mon téléphone"):
    """Run the whole registration ceremony on ``client`` (already signed in); return the response."""
    csrf = headers(client)
    options = client.post(REGISTER_OPTIONS, headers=csrf)
    assert options.status_code == 200, options.get_data(as_text=True)
    credential = authenticator.create(options.get_data(as_text=True), service.expected_origin())
    return client.post(PAGE, headers=csrf, json={"credential": credential, "name": name})


def passkey_login(client, authenticator: SoftAuthenticator, origin: str | None = None, url: str = LOGIN):
    csrf = headers(client, "/connexion")
    options = client.post(LOGIN_OPTIONS, headers=csrf)
    assert options.status_code == 200
    credential = authenticator.get(options.get_data(as_text=True), origin or service.expected_origin())
    return client.post(url, headers=csrf, json={"credential": credential})


def audit_kinds(user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(AuditEvent.kind, AuditEvent.detail)
        .where(AuditEvent.actor_user_id == user.id, AuditEvent.kind.like("passkey%"))
        .order_by(AuditEvent.id)
    ).all()
    return [(kind, detail) for kind, detail in rows]


def test_anonymous_list_redirects_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")
    assert "cles-d-acces" in response.headers["Location"]


def test_options_for_a_discoverable_passkey_with_user_verification(client, users):
    camille = users["camille"]
    sign_in(client, camille)
    response = client.post(REGISTER_OPTIONS, headers=headers(client))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    options = response.get_json()
    assert options["rp"] == {"id": "localhost", "name": "macaisse"}
    assert options["user"]["id"] == b64(f"macaisse-user-{camille.id}".encode())
    assert options["user"]["name"] == "Camille Martin"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []
    assert camille.person.nir not in response.get_data(as_text=True)


def test_add_a_passkey_right_after_login(client, users):
    camille = users["camille"]
    sign_in(client, camille)
    authenticator = SoftAuthenticator()
    response = add_passkey(client, authenticator, "  Mon   téléphone ")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"ok": True}
    passkey = db.session.scalars(sa.select(Passkey).where(Passkey.user_id == camille.id)).one()
    assert passkey.name == "Mon téléphone"
    assert passkey.sign_count == 1
    assert passkey.transports == "internal"
    assert passkey.credential_id in authenticator.credentials
    assert audit_kinds(camille) == [("passkey_added", "Mon téléphone")]
    page = client.get(PAGE)
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "La clé d'accès « Mon téléphone » est ajoutée à votre compte." in html
    assert "<h3>Mon téléphone</h3>" in html
    assert "jamais" in html
    # The same authenticator is now excluded from a second registration.
    options = client.post(REGISTER_OPTIONS, headers=headers(client)).get_json()
    assert options["excludeCredentials"] == [{"id": b64(passkey.credential_id), "type": "public-key"}]


def test_adding_needs_a_login_of_less_than_5_minutes(client, users):
    sign_in(client, users["camille"])
    with client.session_transaction() as session:
        session["_auth_at"] = int(time.time()) - 301
    html = unescape(client.get(PAGE).get_data(as_text=True))
    assert "il y a moins de 5 minutes" in html
    assert 'href="/connexion/confirmation?next=/securite/cles-d-acces"' in html
    assert "data-passkey-register" not in html
    csrf = headers(client)
    for url, body in ((REGISTER_OPTIONS, None), (PAGE, {"credential": {}, "name": "Mon téléphone"})):
        response = client.post(url, headers=csrf, json=body)
        assert response.status_code == 403
        assert "il y a moins de 5 minutes" in response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count(Passkey.id))) == 0


def test_page_and_fragment(client, users):
    sign_in(client, users["camille"])
    page = client.get(PAGE)
    html = unescape(page.get_data(as_text=True))
    assert "<html" in html
    assert "Vous n'avez pas encore de clé d'accès." in html
    assert "data-passkey-register" in html
    assert "js/passkeys.js" in html
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get(PAGE, headers=HX)
    body = unescape(fragment.get_data(as_text=True))
    assert "<html" not in body
    assert body.startswith("<title>Clés d'accès – macaisse</title>")
    assert "no-store" in fragment.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("", 422, "Saisissez un nom pour cette clé d'accès."),
        ("x" * 81, 422, "Le nom ne peut pas dépasser 80 caractères."),
        (12, 400, "La demande n'a pas pu être comprise."),
    ],
)
def test_registration_name_is_checked(client, users, name, status, message):
    sign_in(client, users["camille"])
    response = add_passkey(client, SoftAuthenticator(), name)
    assert response.status_code == status
    assert message in response.get_json()["error"]


@pytest.mark.parametrize("problem", ["origin", "challenge", "no-uv", "no-options", "garbage"])
def test_registration_refused(client, users, problem):
    camille = users["camille"]
    sign_in(client, camille)
    csrf = headers(client)
    authenticator = SoftAuthenticator(user_verified=problem != "no-uv")
    options = json.loads(client.post(REGISTER_OPTIONS, headers=csrf).get_data(as_text=True))
    origin = "http://localhost:9999" if problem == "origin" else service.expected_origin()
    if problem == "challenge":
        options["challenge"] = b64(b"another challenge, never issued")
    credential = authenticator.create(options, origin)
    if problem == "garbage":
        credential = {"id": "x", "response": "y"}
    if problem == "no-options":
        with client.session_transaction() as session:
            session.pop("_passkey_registration")
    response = client.post(PAGE, headers=csrf, json={"credential": credential, "name": "Mon téléphone"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    if problem == "no-options":
        assert error == "La demande a expiré. Recommencez."
    else:
        assert error == "Cette clé d'accès n'a pas pu être enregistrée. Réessayez."
        assert audit_kinds(camille)[-1] == ("passkey_failed", "enregistrement refusé")
    assert db.session.scalar(sa.select(sa.func.count(Passkey.id))) == 0


def test_list_rename_and_delete(client, users):
    camille = users["camille"]
    sign_in(client, camille)
    add_passkey(client, SoftAuthenticator(), "Mon téléphone")
    add_passkey(client, SoftAuthenticator(), "Ma clé USB")
    phone, usb = db.session.scalars(sa.select(Passkey).order_by(Passkey.id)).all()
    html = unescape(client.get(PAGE).get_data(as_text=True))
    assert html.index("<h3>Mon téléphone</h3>") < html.index("<h3>Ma clé USB</h3>")
    assert f'id="cle-{phone.id}-name"' in html

    token = csrf_token(client, PAGE)
    response = client.post(
        f"{PAGE}/{phone.id}/nom",
        data={f"cle-{phone.id}-name": "Téléphone pro", f"cle-{phone.id}-csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    db.session.refresh(phone)
    assert phone.name == "Téléphone pro"
    assert "La clé d'accès s'appelle maintenant « Téléphone pro »." in unescape(
        client.get(PAGE).get_data(as_text=True)
    )

    response = client.post(
        f"{PAGE}/{usb.id}/nom", data={f"cle-{usb.id}-name": "  ", f"cle-{usb.id}-csrf_token": token}
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "<title>Erreur : Clés d'accès" in html
    assert "Il y a un problème" in html
    assert f'href="#cle-{usb.id}-name"' in html
    assert 'aria-invalid="true"' in html
    db.session.refresh(usb)
    assert usb.name == "Ma clé USB"

    response = client.post(f"{PAGE}/{usb.id}/suppression", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    assert db.session.scalars(sa.select(Passkey.name)).all() == ["Téléphone pro"]
    assert "La clé d'accès « Ma clé USB » est supprimée." in unescape(client.get(PAGE).get_data(as_text=True))
    assert [kind for kind, _ in audit_kinds(camille)] == [
        "passkey_added",
        "passkey_added",
        "passkey_renamed",
        "passkey_removed",
    ]


def test_another_users_passkey_is_404(client, users):
    sign_in(client, users["camille"])
    add_passkey(client, SoftAuthenticator())
    passkey = db.session.scalars(sa.select(Passkey)).one()
    sign_out(client)
    sign_in(client, users["louis"])
    token = csrf_token(client, PAGE)
    rename = client.post(
        f"{PAGE}/{passkey.id}/nom",
        data={f"cle-{passkey.id}-name": "À moi", f"cle-{passkey.id}-csrf_token": token},
    )
    delete = client.post(f"{PAGE}/{passkey.id}/suppression", data={"csrf_token": token})
    assert rename.status_code == 404
    assert delete.status_code == 404
    assert client.post(f"{PAGE}/999999/suppression", data={"csrf_token": token}).status_code == 404
    db.session.refresh(passkey)
    assert passkey.name == "Mon téléphone"
    assert "<h3>Mon téléphone</h3>" not in unescape(client.get(PAGE).get_data(as_text=True))


def test_discoverable_sign_in(client, users):
    camille = users["camille"]
    sign_in(client, camille)
    authenticator = SoftAuthenticator()
    add_passkey(client, authenticator)
    sign_out(client)
    assert client.get("/compte/").status_code == 302

    csrf = headers(client, "/connexion")
    options = client.post(LOGIN_OPTIONS, headers=csrf).get_json()
    assert options["rpId"] == "localhost"
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    credential = authenticator.get(options, service.expected_origin())
    response = client.post(LOGIN, headers=csrf, json={"credential": credential})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"redirect": "/compte/"}
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get("/compte/").status_code == 200

    methods = db.session.scalars(sa.select(SignIn.method).where(SignIn.user_id == camille.id)).all()
    assert methods[-1] == "clé d'accès"
    passkey = db.session.scalars(sa.select(Passkey)).one()
    assert passkey.sign_count == 2
    assert passkey.last_used_at is not None
    assert audit_kinds(camille)[-1] == ("passkey_used", "Mon téléphone")


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/securite/cles-d-acces", "/securite/cles-d-acces"), ("https://evil.example/", "/compte/")],
)
def test_sign_in_goes_to_a_safe_next(client, users, next_url, expected):
    sign_in(client, users["camille"])
    authenticator = SoftAuthenticator()
    add_passkey(client, authenticator)
    sign_out(client)
    response = passkey_login(client, authenticator, url=f"{LOGIN}?next={next_url}")
    assert response.get_json() == {"redirect": expected}


def test_stale_counter_is_refused_and_audited(client, users):
    camille = users["camille"]
    sign_in(client, camille)
    authenticator = SoftAuthenticator()
    add_passkey(client, authenticator)
    sign_out(client)
    assert passkey_login(client, authenticator).status_code == 200
    sign_out(client)

    authenticator.sign_count -= 1  # a clone of the authenticator, one use behind
    response = passkey_login(client, authenticator)
    assert response.status_code == 400
    assert response.get_json() == {"error": NOT_RECOGNISED}
    assert client.get("/compte/").status_code == 302
    kind, detail = audit_kinds(camille)[-1]
    assert kind == "passkey_failed"
    assert "compteur de signatures non croissant" in detail
    assert db.session.scalars(sa.select(Passkey.sign_count)).one() == 2


def test_replayed_assertion_is_refused(client, users):
    camille = users["camille"]
    sign_in(client, camille)
    authenticator = SoftAuthenticator()
    add_passkey(client, authenticator)
    sign_out(client)
    csrf = headers(client, "/connexion")
    options = client.post(LOGIN_OPTIONS, headers=csrf).get_data(as_text=True)
    credential = authenticator.get(options, service.expected_origin())
    assert client.post(LOGIN, headers=csrf, json={"credential": credential}).status_code == 200
    sign_out(client)

    csrf = headers(client, "/connexion")
    client.post(LOGIN_OPTIONS, headers=csrf)
    response = client.post(LOGIN, headers=csrf, json={"credential": credential})
    assert response.status_code == 400
    assert response.get_json() == {"error": NOT_RECOGNISED}
    assert audit_kinds(camille)[-1] == ("passkey_failed", "clé « Mon téléphone » : vérification refusée")


@pytest.mark.parametrize("problem", ["origin", "challenge", "no-uv", "unknown", "no-options", "other-user"])
def test_sign_in_refused(client, users, problem):
    camille = users["camille"]
    sign_in(client, camille)
    authenticator = SoftAuthenticator()
    add_passkey(client, authenticator)
    sign_out(client)

    csrf = headers(client, "/connexion")
    options = client.post(LOGIN_OPTIONS, headers=csrf).get_json()
    origin = "https://evil.example" if problem == "origin" else service.expected_origin()
    if problem == "challenge":
        options["challenge"] = b64(b"another challenge, never issued")
    authenticator.user_verified = problem != "no-uv"
    if problem == "unknown":
        authenticator = SoftAuthenticator()
        authenticator.create(
            {"rp": {"id": "localhost"}, "user": {"id": b64(b"x")}, "challenge": "AA"}, origin
        )
    credential = authenticator.get(options, origin)
    if problem == "other-user":
        credential["response"]["userHandle"] = b64(f"macaisse-user-{users['louis'].id}".encode())
    if problem == "no-options":
        with client.session_transaction() as session:
            session.pop("_passkey_login")
    response = client.post(LOGIN, headers=csrf, json={"credential": credential})
    assert response.status_code == 400
    if problem == "no-options":
        assert response.get_json() == {"error": "La demande a expiré. Recommencez."}
    else:
        assert response.get_json() == {"error": NOT_RECOGNISED}
    assert client.get("/compte/").status_code == 302
    failure = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.kind == "passkey_failed").order_by(AuditEvent.id.desc())
    ).first()
    if problem == "no-options":
        assert failure is None  # nothing was checked: the answer had no challenge to match
    elif problem == "unknown":
        assert (failure.actor_user_id, failure.detail) == (None, "clé inconnue")
    else:
        assert failure.actor_user_id == camille.id
    # The log never holds the credential or its key.
    for event in db.session.scalars(sa.select(AuditEvent)):
        assert credential["id"] not in event.detail
        assert credential["rawId"] not in event.detail


def test_missing_csrf_header_is_400(client, users):
    sign_in(client, users["camille"])
    for url in (REGISTER_OPTIONS, PAGE, LOGIN_OPTIONS, LOGIN):
        assert client.post(url, json={}).status_code == 400, url
    assert client.post(REGISTER_OPTIONS, headers={"X-CSRFToken": "faux"}).status_code == 400


def test_json_routes_answer_401_when_signed_out(client, users):
    csrf = headers(client, "/connexion")
    for url in (REGISTER_OPTIONS, PAGE):
        response = client.post(url, headers=csrf, json={})
        assert response.status_code == 401
        assert "Reconnectez-vous" in response.get_json()["error"]


def test_login_endpoints_are_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        csrf = headers(client, "/connexion")
        statuses = [client.post(LOGIN_OPTIONS, headers=csrf).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
