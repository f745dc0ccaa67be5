"""The filters of "Mes paiements": a GET form (no CSRF: it changes nothing), messages in French."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.models.register import Person
from app.web.auth.forms import parse_french_date
from app.web.paiements.queries import KINDS, file_members

DATE_HINT = "Par exemple 12/03/2026."


class DateText(StringField):
    """A date typed JJ/MM/AAAA or AAAA-MM-JJ. The text is kept as typed (re-shown on error);
    ``day`` holds the parsed date once the field has validated."""

    def __init__(self, label: str, what: str, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.what = what
        self.day: date | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        text = (self.data or "").strip()
        self.day = None
        if not text:
            return
        day = parse_french_date(text)
        if day is None:
            raise ValidationError(
                f"La date {self.what} doit être une vraie date, au format JJ/MM/AAAA "
                "(par exemple 12/03/2026)."
            )
        self.day = day


class PaymentFilterForm(FlaskForm):
    """Beneficiary (the assuré or an ayant droit of the file), kind and period of payment.

    Built with ``for_file(person, request.args)``: the beneficiary choices come from the file, and
    an id outside it is an error, never a filter on someone else's payments.
    """

    class Meta:
        csrf = False

    beneficiaire = SelectField("Bénéficiaire", validate_choice=False)
    nature = SelectField(
        "Nature du paiement",
        choices=[SelectChoice("", "Tous les paiements")]
        + [SelectChoice(k, label) for k, label in KINDS.items()],
        validate_choice=False,
    )
    du = DateText("Payés à partir du", "de début")
    au = DateText("Jusqu'au", "de fin")

    @classmethod
    def for_file(cls, person: Person, args) -> PaymentFilterForm:
        form = cls(formdata=args)
        form.beneficiaire.choices = [SelectChoice("", "Tous les bénéficiaires")] + [
            SelectChoice(str(member.id), member.full_name) for member in file_members(person)
        ]
        return form

    def validate_beneficiaire(self, field: SelectField) -> None:
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez un bénéficiaire de votre dossier.")

    def validate_nature(self, field: SelectField) -> None:
        if (field.data or "") not in ("", *KINDS):
            raise ValidationError("Choisissez la nature du paiement : soins ou indemnités journalières.")

    def validate_au(self, field: DateText) -> None:
        if field.day and self.du.day and field.day < self.du.day:
            raise ValidationError("La date de fin doit être la même que la date de début ou après elle.")

    @property
    def beneficiary_id(self) -> int | None:
        """The chosen beneficiary's id once validated (None: everyone of the file)."""
        return int(self.beneficiaire.data) if self.beneficiaire.data else None

    @property
    def kind(self) -> str | None:
        return self.nature.data or None

    def query_args(self) -> dict[str, str]:
        """The filters as typed, for links that keep them (pagination)."""
        values = {
            "beneficiaire": self.beneficiaire.data,
            "nature": self.nature.data,
            "du": self.du.data,
            "au": self.au.data,
        }
        return {name: value for name, value in values.items() if value}
