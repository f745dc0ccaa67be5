"""The refund flow end to end: a feuille de soins from billing software for the demo assurée → a
payment in her "Mes paiements" with its explanation → a push message that a local push service
receives, decrypts (aes128gcm) and finds the title and the payment's URL in."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Payment
from app.services import push
from tests.conftest import API_TOKEN, login
from tests.push_receiver import PushReceiver

TOKEN = API_TOKEN


@pytest.fixture
def receiver():
    with PushReceiver() as running:
        yield running


def test_claim_to_payment_to_push(app, client, users, doctor, receiver):
    camille = users["camille"]
    device = receiver.subscribe(application_server_key=push.vapid_public_key_b64url())
    push.subscribe(camille, push.parse_subscription(device.to_json()), "Chrome sur Android")
    db.session.commit()

    response = client.post(
        "/api/v1/feuilles-de-soins",
        json={"nir": "295067505612349", "date": "2026-03-10", "actes": [{"code": "G", "montant": 30.00}]},
        headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "flow-1"},
    )
    assert response.status_code == 201
    payment = db.session.scalars(sa.select(Payment)).one()

    [received] = receiver.pushes_for(device)
    message = received.payload
    assert message["title"] == "Remboursement de 19,00\u00a0€"
    assert message["url"] == f"/compte/paiements/{payment.id}"
    assert "Camille" not in received.plaintext.decode()  # no personal data in the push body
    assert receiver.rejected == []

    login(client, camille)
    listing = html.unescape(client.get("/compte/paiements/").get_data(as_text=True))
    assert f"/compte/paiements/{payment.id}" in listing
    detail = html.unescape(client.get(message["url"]).get_data(as_text=True))
    assert "participation forfaitaire de 2,00\u00a0€ déduite" in detail
    assert re.search(r"19,00\u00a0€", detail)
    # The same feuille again (a retry of the software) pays nothing more and pushes nothing more.
    again = client.post(
        "/api/v1/feuilles-de-soins",
        json={"nir": "295067505612349", "date": "2026-03-10", "actes": [{"code": "G", "montant": 30.00}]},
        headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "flow-1"},
    )
    assert again.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
    assert len(receiver.pushes_for(device)) == 1
