"""Adding a child to the file (``ayant_droit_ajout``) and removing a member (``ayant_droit_retrait``).

Adding: the form checks the child (names, sex, birth date under 18, NIR if known and consistent with
sex and birth) and, for a rattachement to both parents, that the other parent is an assuré of the
register (NIR and last name must match: a NIR alone would let anyone test numbers). On acceptance
the child becomes a ``Person`` of the file: next rang, the assuré's caisse and address, lien
"enfant"; the other parent's file lists them too through ``second_ouvrant_droit_id``. Rights start
at birth when the request was filed within ``NEWBORN_DAYS`` of it (a naissance: the newborn's first
care is covered), otherwise on the day of acceptance.

Removing: the member's rights through this file end on the chosen date (``rights_end``), and the
attestation de droits stops listing them after it. A child attached to both parents who is
removed from one file stays covered through the other one.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Demarche, Person, User
from app.models.base import utcnow
from app.rules.nir import sex_of
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register
from app.services.documents import paris_day
from app.services.identity import fold_name

CHILD_MAX_AGE = 18
NEWBORN_DAYS = 90
SEXES = {"F": "Fille", "M": "Garçon"}
REMOVAL_REASONS = {
    "assure_personnel": "Devenu(e) assuré(e) à titre personnel",
    "depart_foyer": "Ne vit plus au foyer",
    "separation": "Séparation ou divorce",
    "deces": "Décès",
    "autre": "Autre raison",
}


def today() -> date:
    return paris_day(utcnow())


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def masked_nir(nir: str | None) -> str:
    """The last 4 characters only: summaries never show a full NIR."""
    return f"se terminant par {nir[-4:]}" if nir else "non connu"


def other_parent(nir: str, last_name: str, holder: Person) -> Person | None:
    """The assuré (not an ayant droit) with this NIR and last name, other than ``holder``."""
    found = db.session.scalar(sa.select(Person).where(Person.nir == nir, Person.ouvrant_droit_id.is_(None)))
    if found is None or found.id == holder.id or fold_name(found.last_name) != fold_name(last_name):
        return None
    return found


def next_rang(holder: Person) -> int:
    """The next rang in the file: one above the highest ever given (removed members keep theirs)."""
    highest = db.session.scalar(
        sa.select(sa.func.max(Person.rang)).where(Person.ouvrant_droit_id == holder.id)
    )
    return max(highest or 1, holder.rang) + 1


def _moved(member: Person) -> str:
    return (
        f"{member.full_name} ne figure plus sur votre dossier ; il ou elle reste couvert(e) par "
        "l'autre parent."
    )


class AddChild(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        birth = date.fromisoformat(data["birth_date"])
        lines = [
            ("Enfant", f"{data['first_name']} {data['last_name'].upper()}"),
            ("Sexe", SEXES.get(data["sex"], data["sex"])),
            ("Né(e) le", f"{birth:%d/%m/%Y}"),
            ("N° de sécurité sociale de l'enfant", masked_nir(data.get("nir"))),
        ]
        if data.get("other_parent_id"):
            lines.append(
                (
                    "Rattachement",
                    f"aux deux parents ; autre parent : {data['other_parent_name'].upper()}, "
                    f"n° {masked_nir(data.get('other_parent_nir'))}",
                )
            )
        else:
            lines.append(("Rattachement", "à ce seul dossier"))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        data = payload_of(demarche)
        holder = demarche.person
        nir = data.get("nir") or None
        if nir and db.session.scalar(sa.select(Person.id).where(Person.nir == nir)) is not None:
            raise CannotAccept(
                "Une personne du registre a déjà ce numéro de sécurité sociale : vérifiez la demande "
                "avant de l'accepter."
            )
        second: Person | None = None
        if data.get("other_parent_id"):
            second = db.session.get(Person, data["other_parent_id"])
            if second is None or second.ouvrant_droit_id is not None:
                raise CannotAccept(
                    "L'autre parent n'est plus assuré(e) dans le registre : le double rattachement "
                    "ne peut pas être enregistré."
                )
        birth = date.fromisoformat(data["birth_date"])
        accepted_on = today()
        filed_on = paris_day(demarche.created_at)
        start = birth if filed_on - birth <= timedelta(days=NEWBORN_DAYS) else accepted_on
        child = Person(
            nir=nir,
            sex=sex_of(nir) if nir else data["sex"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=birth,
            address_line=holder.address_line,
            address_complement=holder.address_complement,
            postal_code=holder.postal_code,
            commune_insee=holder.commune_insee,
            commune_name=holder.commune_name,
            caisse_id=holder.caisse_id,
            rights_start=start,
            ouvrant_droit_id=holder.id,
            second_ouvrant_droit_id=second.id if second else None,
            rang=next_rang(holder),
            lien="enfant",
        )
        db.session.add(child)
        db.session.flush()
        demarche.beneficiary = child
        text = (
            f"{child.full_name} est rattaché(e) à votre dossier (rang {child.rang}), avec des droits "
            f"ouverts à partir du {start:%d/%m/%Y}."
        )
        if second is not None:
            text += " Il ou elle figure aussi sur l'attestation de droits de l'autre parent."
        return text


class RemoveMember(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        return [
            ("Motif", REMOVAL_REASONS.get(data["reason"], data["reason"])),
            ("Fin des droits demandée le", f"{date.fromisoformat(data['end_date']):%d/%m/%Y}"),
        ]

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        data = payload_of(demarche)
        member = demarche.beneficiary
        holder = demarche.person
        end = date.fromisoformat(data["end_date"])
        if member is None:
            raise CannotAccept("Ce bénéficiaire n'est plus dans le registre.")
        if member.ouvrant_droit_id == holder.id:
            if member.rights_end is not None and member.rights_end < end:
                raise CannotAccept(
                    f"Les droits de ce bénéficiaire sont déjà fermés depuis le {member.rights_end:%d/%m/%Y}."
                )
            if member.second_ouvrant_droit_id is not None:
                # Still covered by the other parent: the child moves to that file.
                other = db.session.get(Person, member.second_ouvrant_droit_id)
                member.second_ouvrant_droit_id = None
                member.ouvrant_droit_id = other.id
                member.rang = next_rang(other)
                return _moved(member)
            member.rights_end = end
            return f"Les droits de {member.full_name} par votre dossier prennent fin le {end:%d/%m/%Y}."
        if member.second_ouvrant_droit_id == holder.id:
            member.second_ouvrant_droit_id = None
            return _moved(member)
        raise CannotAccept("Ce bénéficiaire n'est plus rattaché au dossier de l'assuré(e).")


register("ayant_droit_ajout", AddChild())
register("ayant_droit_retrait", RemoveMember())
