"""Forms of the account: the choice of what an attestation de droits covers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.models.register import Person

WHOLE_FILE = "dossier"


class AttestationForm(FlaskForm):
    """The whole file, or one beneficiary of it. Built with ``for_file(person)``: the choices come
    from the file, and an id outside it is an error, never someone else's attestation."""

    beneficiaire = RadioField("Pour qui ?", choices=[], validate_choice=False, default=WHOLE_FILE)

    @classmethod
    def for_file(cls, members: list[Person]) -> AttestationForm:
        form = cls()
        form.beneficiaire.choices = [
            SelectChoice(WHOLE_FILE, "Tout le dossier : vous et les personnes rattachées à votre dossier")
        ] + [SelectChoice(str(member.id), f"{member.full_name} seul(e)") for member in members]
        return form

    def validate_beneficiaire(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez un bénéficiaire de votre dossier.")

    @property
    def beneficiary_id(self) -> int | None:
        """The chosen beneficiary's id once valid, None for the whole file."""
        return None if self.beneficiaire.data == WHOLE_FILE else int(self.beneficiaire.data)
