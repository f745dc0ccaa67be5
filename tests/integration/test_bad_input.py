"""Bad input of any kind gets a French answer, never a 500."""

import pytest

from tests.conftest import csrf_token, login


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/connexion/cle-d-acces", "pas du json"),
        ("post", "/connexion/cle-d-acces", '{"credential": "x"}'),
        ("post", "/connexion/cle-d-acces", '{"credential": {"id": 12, "response": []}}'),
        ("post", "/connexion/cle-d-acces/options", "{}"),
        ("post", "/inscription", {"nir": "\x00" * 20, "birth_date": "99/99/9999", "postal_code": "€"}),
        ("post", "/connexion", {"nir": "2A" * 40, "password": "x" * 500}),
        ("post", "/code-oublie", {"nir": "1", "birth_date": "hier"}),
        ("get", "/adresses?code_postal=%00%FF&commune=zzzzzzzzzz", None),
        ("get", "/reinitialisation/" + "x" * 500, None),
        ("get", "/activation/%00", None),
    ],
)
def test_anonymous_garbage(client, caisses, method, url, data):
    headers = {"X-CSRFToken": csrf_token(client, "/connexion")}
    if isinstance(data, dict):
        data = {**data, "csrf_token": headers["X-CSRFToken"]}
        response = getattr(client, method)(url, data=data, headers=headers)
    elif data is not None:
        response = getattr(client, method)(
            url, data=data, headers={**headers, "Content-Type": "application/json"}
        )
    else:
        response = getattr(client, method)(url)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "url",
    [
        "/agent/courriers.pdf?id=abc&id=-1&id=99999999999999999999",
        "/agent/outbox/999999",
        "/agent/caisses/999999",
    ],
)
def test_staff_garbage(client, users, url):
    from app.services.accounts import create_staff
    from tests.conftest import PASSWORD

    admin = create_staff("admin", PASSWORD, "admin", None, "Admin", "admin@example.org")
    login(client, users["agent44"] if "courriers" in url else admin)
    response = client.get(url)
    assert response.status_code < 500


def test_mark_sent_with_garbage_ids(client, users):
    login(client, users["agent44"])
    token = csrf_token(client, "/agent/courriers")
    response = client.post(
        "/agent/courriers/envoyes", data={"letter_id": ["abc", "-5", "9" * 30], "csrf_token": token}
    )
    assert response.status_code < 500
