"""Commandes d'imprimés: which forms of the catalogue a professional can order on paper, and how many.

Pure: no Flask, no database.

Which forms. The catalogue (``forms_catalogue``) gives each form one audience: who fills it in and
sends it. A professional orders the blank paper forms they fill in themselves, so the orderable
forms are:

- every form whose audience is ``professionnel``: each is a paper form the caisse stocks (avis
  d'arrêt de travail, certificat AT/MP, entente préalable, prescription de transport, déclaration
  de grossesse, protocole de soins, cure thermale);
- the paper feuilles de soins (slugs ``feuille-de-soins-…``): the catalogue files them under the
  assuré, who posts them to the caisse, but the professional fills them in and hands them over.

The catalogue has no column for the medium, so "paper" rests on this reading; a form that only
exists online must not be given the ``professionnel`` audience.

How many. ``quantity`` counts forms (exemplaires): a multi-part form in a liasse autocopiante, such
as the avis d'arrêt de travail with its volets, counts for one. One order holds 1 to 500 of one
form: a parcel the caisse posts as it is, and a typing slip (5 000) cannot empty its stock. A
practice that needs more orders again.
"""

from __future__ import annotations

from typing import Final

from app.rules.forms_catalogue import Form, form_by_slug, forms

QUANTITY_MIN: Final = 1
QUANTITY_MAX: Final = 500
ORDERING_AUDIENCE: Final = "professionnel"
FEUILLE_DE_SOINS_PREFIX: Final = "feuille-de-soins-"


def is_orderable(form: Form) -> bool:
    """Whether a professional can order ``form`` on paper from their caisse."""
    return form.audience == ORDERING_AUDIENCE or form.slug.startswith(FEUILLE_DE_SOINS_PREFIX)


def orderable_forms() -> list[Form]:
    """The forms a professional can order, feuilles de soins first, then in the catalogue's order."""
    return sorted(
        (form for form in forms() if is_orderable(form)),
        key=lambda form: not form.slug.startswith(FEUILLE_DE_SOINS_PREFIX),
    )


def orderable_form(slug: str | None) -> Form | None:
    """The orderable form with this slug, or None (unknown slug, or a form not ordered on paper)."""
    form = form_by_slug(slug or "")
    return form if form is not None and is_orderable(form) else None


def form_label(form: Form) -> str:
    """``Avis d'arrêt de travail (cerfa 10170*07)``: the title and its references when known."""
    return f"{form.title} ({form.references})" if form.references else form.title


def quantity_ok(quantity: int) -> bool:
    return QUANTITY_MIN <= quantity <= QUANTITY_MAX
