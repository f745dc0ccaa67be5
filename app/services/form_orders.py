"""Commandes d'imprimés: a professional orders blank paper forms, their caisse's back office ships them.

An order goes to the queue of the professional's caisse at the time of ordering. It is pending
(``en_attente``) until an agent of that caisse marks it shipped, or the professional cancels it;
after that it never changes. Every function takes the professional or the caisse explicitly and
never touches another's orders: the views pass the signed-in professional, or the agent's own
caisse. Shipping tells the professional with an in-app notification (and a push).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, lazyload, load_only

from app.extensions import db
from app.models import FormOrder, Professional, User
from app.models.base import utcnow
from app.rules.form_orders import form_label, orderable_form, quantity_ok
from app.rules.forms_catalogue import form_by_slug
from app.services import notifications
from app.services.accounts import audit
from app.services.transactions import commit
from app.services.urls import path_for

STATUS_LABELS = {"en_attente": "En attente", "expediee": "Expédiée", "annulee": "Annulée"}
PER_PAGE = 20
QUEUE_PER_PAGE = 50
NOTIFICATION_KIND = "commande_imprimes"


class OrderClosed(Exception):
    """The order was already shipped or cancelled: nothing changed. ``order`` tells which and when."""

    def __init__(self, order: FormOrder) -> None:
        super().__init__(f"Commande d'imprimés {order.id} : {order.status}")
        self.order = order


@dataclass(frozen=True)
class DeliveryAddress:
    recipient_name: str
    address_line: str
    complement: str
    postal_code: str
    commune_name: str


def address_of(professional: Professional) -> DeliveryAddress:
    """The professional's address of practice, to pre-fill the order form."""
    return DeliveryAddress(
        recipient_name=professional.display_name,
        address_line=professional.address_line,
        complement="",
        postal_code=professional.postal_code,
        commune_name=professional.commune_name,
    )


def label_of(slug: str) -> str:
    """The form's title and references, or the bare slug of a form the catalogue no longer has."""
    form = form_by_slug(slug)
    return form_label(form) if form is not None else slug


def place(professional: Professional, form_slug: str, quantity: int, address: DeliveryAddress) -> FormOrder:
    """Add an order to the queue of the professional's caisse and commit. Raises ``ValueError`` for
    a form that cannot be ordered or a quantity out of bounds (the web form checks them first)."""
    if orderable_form(form_slug) is None:
        raise ValueError(f"Imprimé inconnu : {form_slug!r}")
    if not quantity_ok(quantity):
        raise ValueError(f"Quantité hors limites : {quantity}")
    order = FormOrder(
        professional_id=professional.id,
        caisse_id=professional.caisse_id,
        form_slug=form_slug,
        quantity=quantity,
        recipient_name=address.recipient_name,
        address_line=address.address_line,
        address_complement=address.complement,
        postal_code=address.postal_code,
        commune_name=address.commune_name,
        status="en_attente",
    )
    db.session.add(order)
    commit()
    return order


def orders_of(professional: Professional, page: int) -> Pagination:
    """One page of the professional's orders, newest first, in two queries whatever their number."""
    return db.paginate(
        sa.select(FormOrder)
        .where(FormOrder.professional_id == professional.id)
        .order_by(FormOrder.created_at.desc(), FormOrder.id.desc()),
        page=max(page, 1),
        per_page=PER_PAGE,
        error_out=False,
    )


def queue(caisse_id: int, status: str | None, page: int) -> Pagination:
    """One page of the caisse's orders with their professional and shipper, in two queries: pending
    ones first, oldest first (served in turn), then the others, most recently handled first.
    ``status`` keeps only the orders in that status."""
    pending_first = sa.case((FormOrder.status == "en_attente", 0), else_=1)
    query = (
        sa.select(FormOrder)
        .where(FormOrder.caisse_id == caisse_id)
        .options(
            joinedload(FormOrder.professional, innerjoin=True).options(
                load_only(
                    Professional.first_name,
                    Professional.last_name,
                    Professional.profession,
                    Professional.rpps,
                )
            ),
            # Only the shipper's name: the account's own eager relationships are not wanted here.
            joinedload(FormOrder.shipped_by).options(load_only(User.display_name), lazyload("*")),
        )
        .order_by(
            pending_first,
            sa.case((FormOrder.status == "en_attente", FormOrder.created_at)),
            sa.func.coalesce(FormOrder.shipped_at, FormOrder.cancelled_at).desc(),
            FormOrder.id.desc(),
        )
    )
    if status is not None:
        query = query.where(FormOrder.status == status)
    return db.paginate(query, page=max(page, 1), per_page=QUEUE_PER_PAGE, error_out=False)


def pending_count(caisse_id: int) -> int:
    """How many of the caisse's orders wait to be shipped."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FormOrder)
            .where(FormOrder.caisse_id == caisse_id, FormOrder.status == "en_attente")
        )
        or 0
    )


def cancel(professional: Professional, order_id: int, user: User) -> FormOrder | None:
    """Cancel the professional's pending order ``order_id`` (``user`` is their account), audit it and
    commit; None when they have no such order. Raises ``OrderClosed`` if it was shipped or cancelled."""
    order = _locked(FormOrder.id == order_id, FormOrder.professional_id == professional.id)
    if order is None:
        return None
    if not order.pending:
        raise OrderClosed(order)
    order.status = "annulee"
    order.cancelled_at = utcnow()
    audit("form_order_cancelled", actor=user, detail=f"commande d'imprimés n° {order.id}")
    commit()
    return order


def ship(caisse_id: int, order_id: int, agent: User) -> FormOrder | None:
    """Mark the caisse's pending order ``order_id`` shipped by ``agent``, audit it, notify the
    professional's account and commit; None when the caisse has no such order. Raises
    ``OrderClosed`` if it was already shipped or cancelled."""
    order = _locked(FormOrder.id == order_id, FormOrder.caisse_id == caisse_id)
    if order is None:
        return None
    if not order.pending:
        raise OrderClosed(order)
    order.status = "expediee"
    order.shipped_at = utcnow()
    order.shipped_by_id = agent.id
    audit("form_order_shipped", actor=agent, detail=f"commande d'imprimés n° {order.id}")
    _announce(order)
    commit()
    return order


def _locked(*criteria: sa.ColumnElement[bool]) -> FormOrder | None:
    # Locked (on PostgreSQL) so that a cancellation and a shipping at the same moment do not both pass.
    return db.session.scalar(
        sa.select(FormOrder).where(*criteria).with_for_update().execution_options(populate_existing=True)
    )


def _announce(order: FormOrder) -> None:
    """An in-app notification (and push) to the professional's account, if they have one."""
    user = db.session.scalar(sa.select(User).where(User.professional_id == order.professional_id))
    if user is None:
        return
    plural = "s" if order.quantity > 1 else ""
    notifications.notify(
        user,
        NOTIFICATION_KIND,
        "Commande d'imprimés expédiée",
        f"Votre caisse a expédié votre commande n° {order.id} : {label_of(order.form_slug)}, "
        f"{order.quantity} exemplaire{plural}.",
        path_for("pro.form_orders"),
    )
