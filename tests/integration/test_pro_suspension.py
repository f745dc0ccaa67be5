"""A professional's account unused for 6 months is suspended: the right password then leads to a
page that says why and sends a reactivation link by e-mail; the nightly sweep suspends the
forgotten accounts and ends their sessions; assurés are never suspended this way."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import OutgoingMail, User
from app.models.base import utcnow
from app.services import identity
from tests.conftest import PASSWORD, csrf_token

LOGIN = "/pro/connexion"
SUSPENDED = "/pro/compte-suspendu"


def sign_in(client, rpps: str = "10101010105", password: str = PASSWORD):
    return client.post(
        LOGIN, data={"rpps": rpps, "password": password, "csrf_token": csrf_token(client, LOGIN)}
    )


def unused_for(user: User, days: int) -> None:
    user.last_login_at = utcnow() - timedelta(days=days)
    db.session.commit()


def mails(kind: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == kind)))


def test_a_recently_used_account_signs_in_as_usual(client, doctor_account):
    unused_for(doctor_account, 150)
    response = sign_in(client)
    assert response.headers["Location"] == "/connexion/code"
    assert db.session.get(User, doctor_account.id).suspended_at is None


def test_six_months_unused_then_the_reactivation_link(client, doctor_account):
    unused_for(doctor_account, 200)
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == SUSPENDED
    assert mails("login_code") == []
    assert db.session.get(User, doctor_account.id).suspended_at is not None
    page = client.get(SUSPENDED).get_data(as_text=True)
    assert "Votre compte est suspendu" in page
    assert "plus de 6 mois" in page
    assert client.get("/pro/").status_code == 302  # no session was opened

    sent = client.post(SUSPENDED, data={"csrf_token": csrf_token(client, SUSPENDED)})
    assert "Le lien de réactivation est envoyé" in sent.get_data(as_text=True)
    [mail] = mails("reactivation")
    assert mail.to_address == "sophie.durand@example.org"
    path = "/pro/reactivation/" + re.search(r"/pro/reactivation/(\S+)", mail.body).group(1)
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert db.session.get(User, doctor_account.id).suspended_at is not None  # a GET changes nothing
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.headers["Location"] == LOGIN
    assert db.session.get(User, doctor_account.id).suspended_at is None
    assert client.post(path, data={"csrf_token": csrf_token(client, LOGIN)}).status_code == 410  # once
    assert sign_in(client).headers["Location"] == "/connexion/code"


def test_a_wrong_password_does_not_reveal_the_suspension(client, doctor_account):
    unused_for(doctor_account, 400)
    response = sign_in(client, password="Mauvais-mot-de-passe-1")
    assert response.status_code == 422
    assert "Numéro RPPS ou mot de passe incorrect." in response.get_data(as_text=True)
    assert db.session.get(User, doctor_account.id).suspended_at is None


def test_without_a_verified_email_the_way_back_is_the_caisse(client, doctor_account):
    doctor_account.email_verified_at = None
    unused_for(doctor_account, 200)
    sign_in(client)
    page = client.post(SUSPENDED, data={"csrf_token": csrf_token(client, SUSPENDED)}).get_data(as_text=True)
    assert "contactez votre caisse au" in page
    assert mails("reactivation") == []


def test_the_page_needs_the_right_password_first(client, doctor_account):
    assert client.get(SUSPENDED).headers["Location"] == LOGIN
    assert client.get("/pro/reactivation/inconnu").status_code == 410


def test_the_nightly_sweep(app, users, doctor_account):
    unused_for(doctor_account, 190)
    camille = users["camille"]
    camille.last_login_at = utcnow() - timedelta(days=900)
    version = doctor_account.session_version
    db.session.commit()
    assert identity.suspend_inactive_professionals() == 1
    assert identity.suspend_inactive_professionals() == 0
    assert db.session.get(User, doctor_account.id).suspended_at is not None
    assert db.session.get(User, doctor_account.id).session_version == version + 1
    assert db.session.get(User, camille.id).suspended_at is None
