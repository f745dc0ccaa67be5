"""/pro/arrets-de-travail: the NIR step (audited), the avis form (page and fragment), validation
errors (422, values kept), PRG with the reference, the doctor's recent avis, access control."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.models.sick_leave import Arret
from tests.conftest import HX, login

URL = "/pro/arrets-de-travail"
NIR = "295067505612349"


@pytest.fixture
def pro_client(client, doctor_account):
    login(client, doctor_account)
    return client


def token(client) -> str:
    html = client.get(URL).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def step_two(client, **extra):
    data = {
        "csrf_token": token(client),
        "etape": "arret",
        "nir": NIR,
        "submission_key": "key-for-the-arret-form-0001",
        "kind": "initial",
        "start": "02/03/2026",
        "end": "15/03/2026",
        "temps": "complet",
        "sorties": "autorisees",
        "category": "salarie",
        "reason_code": "J11",
        **extra,
    }
    return client.post(URL, data=data, headers=extra.pop("headers", {}))


def test_nir_step_then_form(pro_client, users):
    page = pro_client.get(URL)
    assert page.status_code == 200
    assert "Vary" in page.headers
    response = pro_client.post(URL, data={"csrf_token": token(pro_client), "nir": NIR})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Étape 2 sur 2" in text
    assert "Camille MARTIN" in text
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.kind == "professional_patient_lookup")
    )


def test_nir_step_as_fragment(pro_client, users):
    response = pro_client.post(URL, data={"csrf_token": token(pro_client), "nir": NIR}, headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in text
    assert "Étape 2 sur 2" in text


def test_unknown_nir_is_422(pro_client, users):
    response = pro_client.post(URL, data={"csrf_token": token(pro_client), "nir": "190017501400194"})
    assert response.status_code == 422
    assert "Aucun assuré ne correspond" in response.get_data(as_text=True)


def test_avis_is_recorded_and_listed(pro_client, users):
    response = step_two(pro_client)
    assert response.status_code == 302
    assert response.headers["Location"] == URL
    arret = db.session.scalars(sa.select(Arret)).one()
    assert (arret.reason_code, arret.person_id, arret.source) == ("J11", users["camille"].person.id, "web")
    listing = pro_client.get(URL).get_data(as_text=True)
    assert arret.reference in listing
    again = step_two(pro_client)  # a second click
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Arret.id))) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": ""}, "Saisissez la date de début."),
        ({"start": "31/02/2026"}, "Saisissez la date de début au format JJ/MM/AAAA"),
        ({"end": "01/03/2026"}, "La date de fin doit être le jour du début ou après."),
        ({"kind": "prolongation"}, "Indiquez la référence de l&#39;arrêt prolongé."),
        ({"kind": "prolongation", "initial_reference": "AT000"}, "Aucun arrêt de ce patient"),
        ({"temps": "x"}, "temps complet ou à temps partiel"),
        ({"category": "x"}, "Indiquez la situation du patient."),
    ],
)
def test_errors_are_422_with_values_kept(pro_client, users, overrides, message):
    response = step_two(pro_client, **overrides)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in text
    assert message in text
    assert 'value="J11"' in text


def test_errors_as_fragment(pro_client, users):
    response = step_two(pro_client, start="", headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.get_data(as_text=True)


def test_csrf_is_required(pro_client, users):
    response = pro_client.post(URL, data={"nir": NIR})
    assert response.status_code == 400


def test_an_assure_is_forbidden(client, login_as):
    login_as("camille")
    assert client.get(URL).status_code == 403
