"""A new bank account for refunds (``iban``).

Filed in ``attente_confirmation``: the assuré confirms with a code sent to their verified e-mail
(``app.services.situation``), then an agent checks it (the holder's name against the file). On
acceptance the file's IBAN changes (payments liquidated from then on go to it) and a letter to
the postal address says so, naming the account by its last 4 characters only: someone who took
over the online account cannot divert the refunds without the assuré hearing of it by post.

The full IBAN is kept in the payload only while the démarche is open, to be applied; once it is
decided or withdrawn, only its last 4 characters remain. It is never shown, mailed or logged.
"""

from __future__ import annotations

import json

from app.models import Demarche, User
from app.rules.situation import InvalidValue, check_iban, masked_iban
from app.services import letters
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register
from app.services.identity import fold_name


def forget_full_iban(demarche: Demarche) -> None:
    """Keep only the last 4 characters of the IBAN in the payload (the démarche is closed)."""
    data = payload_of(demarche)
    if data.pop("iban", None) is not None:
        demarche.payload = json.dumps(data, ensure_ascii=False, sort_keys=True)


class IbanHandler(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        holder = data.get("titulaire", "")
        lines = [
            ("Nouveau compte", f"IBAN se terminant par {data.get('iban_fin', '')}"),
            ("Pays du compte", data.get("pays", "")),
            ("Titulaire du compte", holder),
        ]
        if holder and fold_name(demarche.person.last_name) not in fold_name(holder):
            lines.append(("Contrôle", "Le titulaire ne porte pas le nom de l'assuré(e) : à vérifier."))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        data = payload_of(demarche)
        try:
            iban = check_iban(data.get("iban", ""))
        except InvalidValue as refused:
            raise CannotAccept("L'IBAN de cette demande n'est plus disponible : refusez-la.") from refused
        person = demarche.person
        previous = person.iban
        person.iban = iban
        forget_full_iban(demarche)
        replaced = f" Il remplace le compte {masked_iban(previous)}." if previous else ""
        letters.queue_information_letter(
            person,
            "changement_iban",
            "vos coordonnées bancaires",
            [
                "Vous nous avez demandé de verser vos remboursements sur un nouveau compte bancaire. "
                f"Nous avons enregistré le compte dont l'IBAN se termine par {iban[-4:]}.{replaced}",
                "Vos prochains remboursements et indemnités y seront versés.",
                "Si vous n'êtes pas à l'origine de ce changement, appelez sans attendre le 36 46 (service "
                "gratuit + prix d'un appel) : quelqu'un a peut-être accédé à votre compte en ligne.",
            ],
        )
        return (
            f"Vos remboursements seront désormais versés sur le compte se terminant par {iban[-4:]}. "
            "Un courrier de confirmation vous est envoyé par la poste."
        )

    def on_reject(self, demarche: Demarche, agent: User) -> None:
        forget_full_iban(demarche)

    def on_cancel(self, demarche: Demarche) -> None:
        forget_full_iban(demarche)


register("iban", IbanHandler())
