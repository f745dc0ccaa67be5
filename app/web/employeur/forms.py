"""Forms of the employer space. The attestation's rules are checked by ``services.employers`` (the
same for the API); the form reads what was typed and carries the service's messages back."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired

from app.rules.attestation_salaire import MONTHS_COVERED
from app.services.employers import parse_siret
from app.web.auth.forms import PASSWORD_MAX, PASSWORD_REQUIRED, parse_french_date

_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The service's field names (the API's) and this form's.
FIELD_OF = {
    "nir": "nir",
    "date_debut_arret": "arret_start",
    "heures_travaillees": "hours",
    "salaires": "gross_0",
    **{f"salaires[{index}].brut": f"gross_{index}" for index in range(MONTHS_COVERED)},
}


class EmployerLoginForm(FlaskForm):
    siret = StringField("Numéro SIRET", validators=[DataRequired("Saisissez le numéro SIRET (14 chiffres).")])
    password = PasswordField("Mot de passe", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])

    siret_value: str | None = None

    def validate_siret(self, field: StringField) -> None:
        from wtforms.validators import ValidationError

        value, error = parse_siret(field.data)
        if error:
            raise ValidationError(error)
        self.siret_value = value


class AttestationForm(FlaskForm):
    """NIR, start of the arrêt, the gross salary of the 3 months before it, hours worked.

    ``arret_start_value`` is the typed date once it reads as one; the month of each gross field is
    computed from it by the view."""

    # A key made when the form is shown: a second click on "Transmettre" finds the attestation the
    # first one stored instead of a duplicate.
    submission_key = HiddenField()
    nir = StringField("Numéro de sécurité sociale du salarié")
    arret_start = StringField("Date de début de l'arrêt de travail")
    gross_0 = StringField("Salaire brut du 1er mois")
    gross_1 = StringField("Salaire brut du 2e mois")
    gross_2 = StringField("Salaire brut du 3e mois")
    hours = StringField("Heures travaillées sur les 3 mois")

    arret_start_value: date | None = None
    created_id: int | None = None

    @property
    def gross_fields(self) -> list[Any]:
        return [self[f"gross_{index}"] for index in range(MONTHS_COVERED)]

    @property
    def key(self) -> str | None:
        """The submission key, if it has the shape this form gives it."""
        value = self.submission_key.data or ""
        return value if _SUBMISSION_KEY.fullmatch(value) else None

    def read_start(self) -> None:
        """Read the typed start date (``arret_start_value``), or add the format error."""
        text = (self.arret_start.data or "").strip()
        if not text:
            return
        self.arret_start_value = parse_french_date(text)
        if self.arret_start_value is None:
            self.arret_start.errors = [
                "Saisissez la date de début de l'arrêt au format JJ/MM/AAAA, par exemple 15/04/2026."
            ]

    def add_errors(self, fields: dict[str, str]) -> None:
        """Put the service's messages on this form's fields (the first one of a field wins)."""
        for name, message in fields.items():
            if name.endswith(".mois"):
                continue  # the months are the view's, computed from the date: its error says it all
            target = self[FIELD_OF.get(name, "nir")]
            if not target.errors:
                target.errors = [message]
