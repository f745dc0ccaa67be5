"""Commande d'imprimés: a professional orders paper forms at ``/pro/imprimes``, the order waits in the
back-office queue of their caisse at ``/agent/imprimes``, where an agent marks it shipped."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, FormOrder, Notification, Professional
from app.services import form_orders
from app.services.form_orders import DeliveryAddress
from tests.conftest import HX, csrf_token, login
from tests.integration.test_pro import count_queries

PAGE = "/pro/imprimes"
QUEUE = "/agent/imprimes"
ARRET = "avis-d-arret-de-travail"
BOUNDS = "La quantité doit être comprise entre 1 et 500."
WHOLE = "Saisissez la quantité en nombre entier, par exemple 50."
POSTAL = "Le code postal doit comporter 5 chiffres, par exemple 44000."
ADDRESS = DeliveryAddress("Dr Sophie Durand", "12 rue des Lilas", "Bâtiment B", "44000", "Nantes")


def order_data(client, **overrides) -> dict:
    """The order form as the browser sends it: 100 avis d'arrêt de travail to Nantes."""
    data = {
        "csrf_token": csrf_token(client, PAGE),
        "form_slug": ARRET,
        "quantity": "100",
        "recipient_name": "Dr Sophie Durand",
        "address_line": "12 rue des Lilas",
        "address_complement": "Bâtiment B",
        "postal_code": "44000",
        "commune_name": "Nantes",
    }
    data.update(overrides)
    return data


def place(professional: Professional, slug: str = ARRET, quantity: int = 100) -> FormOrder:
    return form_orders.place(professional, slug, quantity, ADDRESS)


@pytest.fixture
def pro_client(client, doctor_account):
    login(client, doctor_account)
    return client


@pytest.fixture
def other_doctor(caisses) -> Professional:
    """A professional of another caisse (Paris), without a web account."""
    professional = Professional(
        rpps="10000000016",
        first_name="Marc",
        last_name="Petit",
        profession="Infirmier",
        caisse_id=caisses["cpam-de-paris"].id,
        postal_code="75011",
        commune_name="Paris",
    )
    db.session.add(professional)
    db.session.commit()
    return professional


def test_the_page_offers_the_paper_forms_with_the_address_prefilled(pro_client, doctor):
    doctor.address_line = "3 place du Commerce"
    db.session.commit()
    response = pro_client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert "<title>Commande d'imprimés – macaisse</title>" in html
    assert "CPAM de la Loire-Atlantique" in html
    assert f'<option value="{ARRET}">Avis d&#39;arrêt de travail (cerfa 10170*07)</option>' in html
    assert "Demande d&#39;entente préalable – assurance maladie (S3108 · cerfa 12040*01)" in html
    assert '<option value="feuille-de-soins-medecin">Feuille de soins – médecin</option>' in html
    # Forms the professional does not fill in are not ordered from the caisse.
    assert "demande-de-carte-vitale" not in html
    assert "attestation-de-salaire" not in html
    assert 'value="Dr Sophie Durand"' in html
    assert 'value="3 place du Commerce"' in html
    assert 'value="44000"' in html
    assert 'value="Nantes"' in html
    assert "Vous n'avez encore passé aucune commande d'imprimés." in html


def test_the_page_as_an_htmx_fragment(pro_client):
    response = pro_client.get(PAGE, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith("<title>Commande d'imprimés – macaisse</title>")
    assert "Nouvelle commande" in html


def test_the_home_links_to_the_page(pro_client):
    assert f'href="{PAGE}"' in pro_client.get("/pro/").get_data(as_text=True)


def test_an_order_goes_to_the_caisse_of_the_professional(pro_client, doctor, caisses):
    response = pro_client.post(PAGE, data=order_data(pro_client, postal_code="44 000"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"] == PAGE
    order = db.session.scalars(sa.select(FormOrder)).one()
    assert order.professional_id == doctor.id
    assert order.caisse_id == caisses["cpam-de-la-loire-atlantique"].id
    assert (order.form_slug, order.quantity, order.status) == (ARRET, 100, "en_attente")
    assert (order.recipient_name, order.address_line, order.address_complement) == (
        "Dr Sophie Durand",
        "12 rue des Lilas",
        "Bâtiment B",
    )
    assert (order.postal_code, order.commune_name) == ("44000", "Nantes")
    assert order.created_at is not None
    assert order.shipped_at is order.shipped_by_id is order.cancelled_at is None

    html = pro_client.get(PAGE).get_data(as_text=True)
    label = "Avis d&#39;arrêt de travail (cerfa 10170*07)"
    assert f"Commande n° {order.id} enregistrée : {label}, 100 exemplaires." in html
    assert f"n° {order.id}" in html
    assert "En attente" in html
    assert "Bâtiment B" in html


def test_an_htmx_order_navigates_with_hx_redirect(pro_client):
    response = pro_client.post(PAGE, data=order_data(pro_client, quantity="1"), headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == PAGE
    assert db.session.scalars(sa.select(FormOrder)).one().quantity == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message", "typed"),
    [
        ({"quantity": ""}, "quantity", "Saisissez la quantité.", None),
        ({"quantity": "cent"}, "quantity", WHOLE, "cent"),
        ({"quantity": "12,5"}, "quantity", WHOLE, "12,5"),
        ({"quantity": "0"}, "quantity", BOUNDS, "0"),
        ({"quantity": "501"}, "quantity", BOUNDS, "501"),
        ({"quantity": "99999999999"}, "quantity", BOUNDS, "99999999999"),
        ({"form_slug": ""}, "form_slug", "Choisissez l&#39;imprimé à commander.", None),
        ({"form_slug": "formulaire-invente"}, "form_slug", "Choisissez un imprimé de la liste.", None),
        ({"form_slug": "demande-de-carte-vitale"}, "form_slug", "Choisissez un imprimé de la liste.", None),
        ({"recipient_name": " "}, "recipient_name", "Saisissez le nom du destinataire.", None),
        ({"address_line": ""}, "address_line", "Saisissez l&#39;adresse de livraison.", None),
        ({"address_line": "x" * 201}, "address_line", "ne peut pas dépasser 200 caractères.", None),
        ({"postal_code": ""}, "postal_code", "Saisissez le code postal.", None),
        ({"postal_code": "4400"}, "postal_code", POSTAL, "4400"),
        ({"postal_code": "44OOO"}, "postal_code", POSTAL, "44OOO"),
        ({"commune_name": ""}, "commune_name", "Saisissez la commune.", None),
    ],
)
def test_bad_orders_are_explained(pro_client, overrides, field, message, typed):
    response = pro_client.post(PAGE, data=order_data(pro_client, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert message in html
    assert f'href="#{field}"' in html
    assert 'aria-invalid="true"' in html
    assert "<title>Erreur : Commande d'imprimés" in html
    if typed is not None:
        assert f'value="{typed}"' in html
    if field != "address_line":
        assert 'value="12 rue des Lilas"' in html  # the other values are kept
    assert db.session.scalar(sa.select(sa.func.count(FormOrder.id))) == 0


def test_an_error_as_an_htmx_fragment(pro_client):
    response = pro_client.post(PAGE, data=order_data(pro_client, quantity="mille"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.startswith("<title>Erreur : Commande d'imprimés – macaisse</title>")
    assert "<html" not in html
    assert 'value="mille"' in html


def test_an_order_without_the_csrf_token_is_refused(pro_client):
    data = order_data(pro_client)
    del data["csrf_token"]
    response = pro_client.post(PAGE, data=data)
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FormOrder.id))) == 0


def test_the_professional_cancels_a_pending_order(pro_client, doctor, doctor_account):
    order = place(doctor)
    url = f"{PAGE}/{order.id}/annulation"
    assert f'action="{url}"' in pro_client.get(PAGE).get_data(as_text=True)
    response = pro_client.post(url, data={"csrf_token": csrf_token(pro_client, PAGE)})
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    db.session.refresh(order)
    assert order.status == "annulee"
    assert order.cancelled_at is not None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "form_order_cancelled")).one()
    assert event.actor_user_id == doctor_account.id
    html = pro_client.get(PAGE).get_data(as_text=True)
    assert "Commande annulée" in html
    assert f'action="{url}"' not in html

    again = pro_client.post(url, data={"csrf_token": csrf_token(pro_client, PAGE)})
    assert again.status_code == 302
    assert "Cette commande était déjà annulée." in pro_client.get(PAGE).get_data(as_text=True)


def test_a_shipped_order_cannot_be_cancelled(pro_client, doctor, users):
    order = place(doctor)
    form_orders.ship(order.caisse_id, order.id, users["agent44"])
    response = pro_client.post(
        f"{PAGE}/{order.id}/annulation", data={"csrf_token": csrf_token(pro_client, PAGE)}
    )
    assert response.status_code == 302
    assert "elle ne peut plus être annulée" in pro_client.get(PAGE).get_data(as_text=True)
    db.session.refresh(order)
    assert (order.status, order.cancelled_at) == ("expediee", None)


def test_another_professionals_order_is_404(pro_client, other_doctor):
    order = place(other_doctor)
    response = pro_client.post(
        f"{PAGE}/{order.id}/annulation", data={"csrf_token": csrf_token(pro_client, PAGE)}
    )
    assert response.status_code == 404
    db.session.refresh(order)
    assert order.status == "en_attente"
    assert f"n° {order.id}" not in pro_client.get(PAGE).get_data(as_text=True)


def test_an_assure_gets_403(client, login_as):
    login_as("camille")
    assert client.get(PAGE).status_code == 403
    assert client.get(QUEUE).status_code == 403


def test_a_professional_gets_403_on_the_queue(pro_client):
    assert pro_client.get(QUEUE).status_code == 403


def test_agent44_sees_the_order_and_ships_it(agent_client, doctor, doctor_account, users):
    order = place(doctor)
    assert f'href="{QUEUE}"' in agent_client.get("/agent/").get_data(as_text=True)
    response = agent_client.get(QUEUE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "1 commande de professionnels de santé en attente d'expédition." in html
    assert f"n° {order.id}" in html
    assert "Dr Sophie Durand" in html
    assert "RPPS 10101010105" in html
    assert "Avis d&#39;arrêt de travail (cerfa 10170*07)" in html
    assert "12 rue des Lilas" in html

    url = f"{QUEUE}/{order.id}/expedition"
    response = agent_client.post(url, data={"csrf_token": csrf_token(agent_client, QUEUE)})
    assert response.status_code == 302
    assert response.headers["Location"] == QUEUE
    db.session.refresh(order)
    assert order.status == "expediee"
    assert order.shipped_at is not None
    assert order.shipped_by_id == users["agent44"].id
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "form_order_shipped")).one()
    assert event.actor_user_id == users["agent44"].id
    assert str(order.id) in event.detail
    notification = db.session.scalars(sa.select(Notification)).one()
    assert notification.user_id == doctor_account.id
    assert notification.title == "Commande d'imprimés expédiée"
    assert notification.url == PAGE
    assert "100 exemplaires" in notification.body
    html = agent_client.get(QUEUE).get_data(as_text=True)
    assert f"Commande n° {order.id} marquée comme expédiée." in html
    assert "par Agent 44" in html
    assert "Aucune commande en attente d'expédition." in html

    shipped_at = order.shipped_at
    again = agent_client.post(url, data={"csrf_token": csrf_token(agent_client, QUEUE)})
    assert again.status_code == 302
    assert "a déjà été expédiée le" in agent_client.get(QUEUE).get_data(as_text=True)
    db.session.refresh(order)
    assert order.shipped_at == shipped_at
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_a_cancelled_order_is_not_shipped(agent_client, doctor, doctor_account):
    order = place(doctor)
    form_orders.cancel(doctor, order.id, doctor_account)
    url = f"{QUEUE}/{order.id}/expedition"
    response = agent_client.post(url, data={"csrf_token": csrf_token(agent_client, QUEUE)})
    assert response.status_code == 302
    assert "a été annulée par le professionnel" in agent_client.get(QUEUE).get_data(as_text=True)
    db.session.refresh(order)
    assert (order.status, order.shipped_at) == ("annulee", None)


def test_the_queue_as_an_htmx_fragment(agent_client, doctor):
    place(doctor)
    response = agent_client.get(QUEUE, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith("<title>Commandes d'imprimés – macaisse</title>")
    assert "Dr Sophie Durand" in html


def test_the_status_filter_stays_in_the_url(agent_client, doctor, users):
    pending = place(doctor, quantity=10)
    shipped = place(doctor, quantity=20)
    form_orders.ship(shipped.caisse_id, shipped.id, users["agent44"])
    html = agent_client.get(f"{QUEUE}?statut=expediee").get_data(as_text=True)
    assert '<option value="expediee" selected>' in html
    assert f"n° {shipped.id}" in html
    assert f"n° {pending.id}<" not in html
    html = agent_client.get(f"{QUEUE}?statut=inconnu").get_data(as_text=True)
    assert f"n° {shipped.id}" in html
    assert f"n° {pending.id}" in html

    html = agent_client.get(f"{QUEUE}?statut=en_attente").get_data(as_text=True)
    assert 'name="statut" value="en_attente"' in html
    response = agent_client.post(
        f"{QUEUE}/{pending.id}/expedition",
        data={"csrf_token": csrf_token(agent_client, QUEUE), "statut": "en_attente"},
    )
    assert response.headers["Location"] == f"{QUEUE}?statut=en_attente"


def test_pending_orders_come_first_oldest_first(agent_client, doctor, users):
    first, second, third = (place(doctor, quantity=n) for n in (1, 2, 3))
    form_orders.ship(first.caisse_id, first.id, users["agent44"])
    html = agent_client.get(QUEUE).get_data(as_text=True)
    positions = [html.index(f"n° {order.id}<") for order in (second, third, first)]
    assert positions == sorted(positions)


def test_agent75_neither_sees_nor_ships_the_order(app, users, doctor):
    order = place(doctor)
    agent75 = app.test_client()
    login(agent75, users["agent75"])
    html = agent75.get(QUEUE).get_data(as_text=True)
    assert f"n° {order.id}" not in html
    assert "Dr Sophie Durand" not in html
    response = agent75.post(f"{QUEUE}/{order.id}/expedition", data={"csrf_token": csrf_token(agent75, QUEUE)})
    assert response.status_code == 404
    db.session.refresh(order)
    assert order.status == "en_attente"


def test_the_order_stays_with_the_caisse_of_the_time(agent_client, doctor, caisses):
    order = place(doctor)
    doctor.caisse_id = caisses["cpam-de-paris"].id
    db.session.commit()
    assert f"n° {order.id}" in agent_client.get(QUEUE).get_data(as_text=True)


def test_an_agent_without_a_caisse_gets_403(app, caisses):
    from app.services.accounts import create_staff
    from tests.conftest import PASSWORD

    admin = create_staff("national", PASSWORD, "admin", None, "Admin national", "national@example.org")
    client = app.test_client()
    login(client, admin)
    assert client.get(QUEUE).status_code == 403


def test_both_pages_cost_the_same_queries_for_1_or_30_orders(
    pro_client, agent_client, doctor, doctor_account, users
):
    place(doctor)
    pro_one, queue_one = count_queries(pro_client, PAGE), count_queries(agent_client, QUEUE)
    orders = [place(doctor, quantity=n) for n in range(2, 31)]
    for order in orders[::3]:
        form_orders.ship(order.caisse_id, order.id, users["agent44"])
    for order in orders[1::3]:
        form_orders.cancel(doctor, order.id, doctor_account)
    assert count_queries(pro_client, PAGE) == pro_one
    assert count_queries(agent_client, QUEUE) == queue_one
    html = pro_client.get(PAGE).get_data(as_text=True)
    assert "Page 1 sur 2" in html
    assert f'href="{PAGE}?page=2"' in html
    assert pro_client.get(f"{PAGE}?page=2").status_code == 200
    assert pro_client.get(f"{PAGE}?page=3").status_code == 404
    assert "30 commandes" in agent_client.get(QUEUE).get_data(as_text=True)
