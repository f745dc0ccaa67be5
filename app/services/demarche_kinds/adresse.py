"""A new address (``adresse``), and the transfer of the file to another caisse (``transfert``).

The current caisse checks and accepts the new address: the file (and the ayants droit who lived
at the same address) moves to it, and a letter "changement d'adresse" goes to the **old** address,
so that the assuré hears of it by post even if someone else changed it from their account. When
the new commune is served by another caisse, acceptance also files a ``transfert`` démarche
processed by that **new** caisse: until one of its agents accepts it, the file (and its démarches)
stays with the current caisse; on acceptance the assuré and their ayants droit belong to the new
caisse, and their next démarches go there. Démarches already filed stay with the caisse that has
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Caisse, Demarche, Person, User
from app.rules import territory
from app.services import letters
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register


@dataclass(frozen=True)
class PostalAddress:
    """An address a letter can be sent to (``app.documents.letters.Recipient``): the old one of a
    person who moved."""

    sex: str
    first_name: str
    last_name: str
    address_line: str
    address_complement: str
    postal_code: str
    commune_name: str

    @classmethod
    def of(cls, person: Person) -> PostalAddress:
        return cls(
            person.sex,
            person.first_name,
            person.last_name,
            person.address_line,
            person.address_complement,
            person.postal_code,
            person.commune_name,
        )

    def same_place(self, person: Person) -> bool:
        return (self.address_line, self.address_complement, self.postal_code) == (
            person.address_line,
            person.address_complement,
            person.postal_code,
        )

    @property
    def one_line(self) -> str:
        parts = [self.address_line, self.address_complement, f"{self.postal_code} {self.commune_name}"]
        return ", ".join(part for part in parts if part)


def address_line(payload: dict) -> str:
    parts = [payload.get("adresse", ""), payload.get("complement", "")]
    parts.append(f"{payload.get('code_postal', '')} {payload.get('commune', '')}")
    return ", ".join(part.strip() for part in parts if part.strip())


def _household(person: Person) -> list[Person]:
    """The assuré and the ayants droit of their file."""
    members = db.session.scalars(sa.select(Person).where(Person.ouvrant_droit_id == person.id)).all()
    return [person, *members]


class AddressHandler(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        lines = [("Nouvelle adresse", address_line(data))]
        if data.get("date"):
            lines.append(("Date du déménagement", date.fromisoformat(data["date"]).strftime("%d/%m/%Y")))
        if data.get("transfert"):
            lines.append(("Caisse de la nouvelle adresse", f"{data['caisse_nom']} (transfert du dossier)"))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        data = payload_of(demarche)
        commune = territory.commune_by_insee(data.get("commune_insee", ""))
        if commune is None or data.get("code_postal") not in commune.postal_codes:
            raise CannotAccept(
                "La commune de cette adresse est inconnue : refusez la demande en l'expliquant."
            )
        person = demarche.person
        old = PostalAddress.of(person)
        for member in _household(person):
            if member is person or old.same_place(member):
                member.address_line = data["adresse"]
                member.address_complement = data.get("complement", "")
                member.postal_code = data["code_postal"]
                member.commune_insee = commune.insee
                member.commune_name = commune.name
        new_caisse = db.session.get(Caisse, data["caisse_id"]) if data.get("transfert") else None
        if new_caisse is not None and new_caisse.id == person.caisse_id:
            new_caisse = None
        paragraphs = [
            f"Nous avons enregistré votre nouvelle adresse : {address_line(data)}. Ce courrier vous est "
            "adressé à votre ancienne adresse pour vous en informer ; les prochains vous parviendront à "
            "la nouvelle.",
        ]
        if new_caisse is not None:
            paragraphs.append(
                f"Votre nouvelle commune relève de la caisse « {new_caisse.name} » : votre dossier lui est "
                "transféré. Vous suivez ce transfert dans « Mes démarches » de votre compte en ligne."
            )
        paragraphs.append(
            "Si vous n'êtes pas à l'origine de ce changement, appelez sans attendre le 36 46 (service "
            "gratuit + prix d'un appel) : quelqu'un a peut-être accédé à votre compte."
        )
        letters.queue_information_letter(
            person, "changement_adresse", "votre changement d'adresse", paragraphs, recipient=old
        )
        sentence = (
            f"Votre nouvelle adresse est enregistrée : {address_line(data)}. Un courrier de confirmation "
            "part à votre ancienne adresse."
        )
        if new_caisse is not None:
            _file_transfer(demarche, person, new_caisse, agent)
            sentence += (
                f" Votre dossier est transmis à la caisse « {new_caisse.name} », qui va le reprendre : "
                "vous suivez ce transfert dans « Mes démarches »."
            )
        return sentence


def _file_transfer(address: Demarche, person: Person, new_caisse: Caisse, agent: User) -> Demarche:
    # Imported here: app.services.demarches loads every kind module, this one included.
    from app.services import demarches

    transfer = demarches.file_demarche(
        agent,
        "transfert",
        person=person,
        payload={
            "adresse_demarche_id": address.id,
            "ancienne_caisse": person.caisse.name,
            "caisse_nom": new_caisse.name,
        },
        message=f"Transfert demandé par {person.caisse.name} après le changement d'adresse.",
    )
    # Processed by the new caisse: its agents see it in their queue, the old caisse's do not.
    transfer.caisse = new_caisse
    transfer.caisse_id = new_caisse.id
    return transfer


class TransferHandler(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        return [
            ("Caisse actuelle du dossier", data.get("ancienne_caisse", "")),
            ("Nouvelle caisse", data.get("caisse_nom", "")),
        ]

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        person = demarche.person
        caisse = db.session.get(Caisse, demarche.caisse_id)
        for member in _household(person):
            member.caisse = caisse
        return f"Votre dossier est désormais géré par la caisse « {caisse.name} »."


register("adresse", AddressHandler())
register("transfert", TransferHandler())
