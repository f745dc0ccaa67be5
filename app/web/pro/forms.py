"""Forms of the professional's space: the feuille de soins (patient, then care), the API tokens and
the commande d'imprimés.

The care form has a fixed number of act rows, each a flat set of fields (``code_0``,
``montant_0``…), so that the shared error summary links every message to its own input.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.rules import tariffs
from app.rules.form_orders import QUANTITY_MAX, QUANTITY_MIN, form_label, orderable_form, orderable_forms
from app.rules.liquidation import ActLine
from app.rules.nir import parse_nir
from app.services.api_tokens import PROFESSIONAL_SCOPES
from app.services.form_orders import DeliveryAddress
from app.web.auth.forms import parse_french_date
from app.web.filters import PARIS

ACT_ROWS: Final = 6
MAX_AMOUNT: Final = Decimal("100000")
MAX_QUANTITY: Final = 99
_AMOUNT: Final = re.compile(r"^\d{1,6}([.,]\d{1,2})?$")
_SUBMISSION_KEY: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def parse_euros(text: str | None) -> Decimal | None:
    """``30``, ``30,5`` or ``30.50`` (spaces and a trailing € tolerated) as a Decimal to the cent;
    None when it is not an amount in euros and cents."""
    compact = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if not _AMOUNT.match(compact):
        return None
    try:
        return Decimal(compact.replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


class PatientForm(FlaskForm):
    """Step 1: the patient's NIR. ``nir_value`` holds the 15 characters once valid."""

    nir = StringField("Numéro de sécurité sociale du patient")
    nir_value: str | None = None

    def validate_nir(self, field: StringField) -> None:
        result = parse_nir(field.data or "")
        if not result.ok:
            raise ValidationError(result.error)
        self.nir_value = result.value


class ClaimForm(FlaskForm):
    """Step 2: who was treated, when, which acts, ALD, tiers payant.

    The view sets ``beneficiary.choices`` (the assuré and their ayants droit) before validating.
    Once valid, ``care_date_value`` is the care date and ``acts`` the filled rows as ``ActLine``,
    ``act_rows`` their row numbers.
    """

    nir = HiddenField()
    # A key made when the form is shown: a second click on "Transmettre" finds the claim the first
    # one stored instead of billing (and paying) the same care twice.
    submission_key = HiddenField()
    beneficiary = RadioField("Bénéficiaire des soins", choices=[], validate_choice=False)
    care_date = StringField("Date des soins")
    ald = BooleanField("Soins en rapport avec une ALD (affection de longue durée)")
    # The act rows, then ``tiers_payant``, are added below: fields are ordered by creation, and the
    # error summary must list the errors in the order of the page.
    tiers_payant: RadioField

    care_date_value: date | None = None
    acts: list[ActLine]
    act_rows: list[int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acts = []
        self.act_rows = []

    def validate_beneficiary(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez le bénéficiaire des soins.")

    def validate_care_date(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Saisissez la date des soins.")
        value = parse_french_date(field.data)
        if value is None:
            raise ValidationError("Saisissez la date des soins au format JJ/MM/AAAA, par exemple 10/03/2025.")
        if value > datetime.now(PARIS).date():
            raise ValidationError("La date des soins ne peut pas être dans le futur.")
        self.care_date_value = value

    def validate_tiers_payant(self, field: RadioField) -> None:
        if field.data not in ("oui", "non"):
            raise ValidationError("Indiquez si vous pratiquez le tiers payant pour ces soins.")

    @property
    def key(self) -> str | None:
        """The submission key, if it has the shape this form gives it."""
        value = self.submission_key.data or ""
        return value if _SUBMISSION_KEY.match(value) else None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self._read_acts()
        return valid and not self.errors

    def row(self, index: int) -> dict[str, Field]:
        """The fields of act row ``index`` by name: code, montant, quantite, base."""
        return {name: self[f"{name}_{index}"] for name in ("code", "montant", "quantite", "base")}

    def field_for_rules_error(self, message: str) -> Field:
        """The field a refusal of the rules is about: the code of the act it names, else the date."""
        for index, act in zip(self.act_rows, self.acts, strict=True):
            if re.search(rf"(?:acte|«)\s{re.escape(act.code)}\b", message):
                return self[f"code_{index}"]
        return self.care_date

    def _read_acts(self) -> None:
        """Check each filled row and turn it into an ``ActLine``; errors go on the row's fields."""
        catalogue = {code: base_given for code, _label, base_given in tariffs.catalogue()}
        self.acts, self.act_rows = [], []
        for index in range(ACT_ROWS):
            fields = self.row(index)
            code = (fields["code"].data or "").strip().upper()
            if not code and not any((fields[name].data or "").strip() for name in ("montant", "base")):
                continue
            number = index + 1
            if not code:
                fields["code"].errors.append(f"Choisissez le code de l'acte {number}.")
            elif code not in catalogue:
                fields["code"].errors.append(f"Code d'acte inconnu pour l'acte {number} : « {code[:12]} ».")
            billed = parse_euros(fields["montant"].data)
            if not (fields["montant"].data or "").strip():
                fields["montant"].errors.append(f"Saisissez le montant facturé de l'acte {number}.")
            elif billed is None or billed > MAX_AMOUNT:
                fields["montant"].errors.append(
                    f"Saisissez le montant facturé de l'acte {number} en euros, par exemple 30,00."
                )
            quantity = self._quantity(fields["quantite"], number)
            base = self._base(fields["base"], number, code, catalogue.get(code))
            if not any(field.errors for field in fields.values()) and billed is not None and quantity:
                self.acts.append(ActLine(code=code, billed=billed, quantity=quantity, base=base))
                self.act_rows.append(index)
        if not self.acts and not any(
            field.errors for index in range(ACT_ROWS) for field in self.row(index).values()
        ):
            self.code_0.errors.append("Saisissez au moins un acte.")

    @staticmethod
    def _quantity(field: Field, number: int) -> int | None:
        text = (field.data or "").strip()
        if not text:
            return 1
        if not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
            field.errors.append(
                f"La quantité de l'acte {number} doit être un nombre entier entre 1 et {MAX_QUANTITY}."
            )
            return None
        return int(text)

    @staticmethod
    def _base(field: Field, number: int, code: str, base_given: bool | None) -> Decimal | None:
        text = (field.data or "").strip()
        if base_given is None:  # unknown or missing code: already reported
            return None
        if not base_given:
            if text:
                field.errors.append(
                    f"L'acte {code} a un tarif conventionnel : laissez vide la base de l'acte {number}."
                )
            return None
        base = parse_euros(text)
        if not text:
            field.errors.append(f"Saisissez la base de remboursement d'une unité de l'acte {number}.")
        elif base is None or base > MAX_AMOUNT:
            field.errors.append(
                f"Saisissez la base de remboursement de l'acte {number} en euros, par exemple 7,50."
            )
        return base


def _add_act_rows(form_class: type[FlaskForm]) -> None:
    """Give ``form_class`` the fields of ``ACT_ROWS`` act rows."""
    choices = [SelectChoice("", "Choisir un acte")] + [
        SelectChoice(code, f"{code} — {label}") for code, label, _base_given in tariffs.catalogue()
    ]
    for index in range(ACT_ROWS):
        setattr(form_class, f"code_{index}", SelectField("Code", choices=choices, validate_choice=False))
        setattr(form_class, f"montant_{index}", StringField("Montant facturé (€)"))
        setattr(form_class, f"quantite_{index}", StringField("Quantité"))
        setattr(form_class, f"base_{index}", StringField("Base d'une unité (€)"))


_add_act_rows(ClaimForm)
ClaimForm.tiers_payant = RadioField(
    "Tiers payant",
    choices=[
        SelectChoice("oui", "Oui : l'Assurance Maladie me paie directement"),
        SelectChoice("non", "Non : le patient m'a payé, il est remboursé"),
    ],
    validate_choice=False,
)


class TokenForm(FlaskForm):
    name = StringField(
        "Nom du jeton",
        validators=[
            DataRequired("Saisissez un nom pour ce jeton, par exemple le nom de votre logiciel."),
            Length(max=80, message="Le nom du jeton ne peut pas dépasser 80 caractères."),
        ],
    )


class ProTokenForm(TokenForm):
    """A professional's token also says what it may do (at least one right)."""

    droits = SelectMultipleField(
        "Ce que ce jeton permet",
        choices=[SelectChoice(scope, label) for scope, label in PROFESSIONAL_SCOPES.items()],
        validators=[DataRequired("Cochez au moins un droit pour ce jeton.")],
        default=list(PROFESSIONAL_SCOPES),
        validate_choice=True,
    )


def _trimmed(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _form_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choisir un imprimé")] + [
        SelectChoice(form.slug, form_label(form)) for form in orderable_forms()
    ]


class FormOrderForm(FlaskForm):
    """Commande d'imprimés: which form, how many, delivered where. Once valid, ``quantity_value`` is
    the quantity and ``address`` the delivery address, spaces trimmed."""

    form_slug = SelectField("Imprimé", choices=_form_choices, validate_choice=False)
    quantity = StringField("Quantité", filters=[_trimmed])
    recipient_name = StringField(
        "Destinataire",
        filters=[_trimmed],
        validators=[
            DataRequired("Saisissez le nom du destinataire."),
            Length(max=120, message="Le nom du destinataire ne peut pas dépasser 120 caractères."),
        ],
    )
    address_line = StringField(
        "Adresse",
        filters=[_trimmed],
        validators=[
            DataRequired("Saisissez l'adresse de livraison."),
            Length(max=200, message="L'adresse ne peut pas dépasser 200 caractères."),
        ],
    )
    address_complement = StringField(
        "Complément d'adresse (facultatif)",
        filters=[_trimmed],
        validators=[Length(max=200, message="Le complément d'adresse ne peut pas dépasser 200 caractères.")],
    )
    postal_code = StringField("Code postal", filters=[_trimmed])
    commune_name = StringField(
        "Commune",
        filters=[_trimmed],
        validators=[
            DataRequired("Saisissez la commune."),
            Length(max=120, message="Le nom de la commune ne peut pas dépasser 120 caractères."),
        ],
    )

    quantity_value: int | None = None

    @classmethod
    def prefilled(cls, address: DeliveryAddress) -> FormOrderForm:
        """The empty order form, the delivery address filled in with ``address``."""
        return cls(
            formdata=None,
            recipient_name=address.recipient_name,
            address_line=address.address_line,
            address_complement=address.complement,
            postal_code=address.postal_code,
            commune_name=address.commune_name,
        )

    def validate_form_slug(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError("Choisissez l'imprimé à commander.")
        if orderable_form(field.data) is None:
            raise ValidationError("Choisissez un imprimé de la liste.")

    def validate_quantity(self, field: StringField) -> None:
        text = re.sub(r"[\s\u00a0\u202f]", "", field.data or "")
        if not text:
            raise ValidationError("Saisissez la quantité.")
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ValidationError("Saisissez la quantité en nombre entier, par exemple 50.")
        # Far too many digits to be in bounds: not converted (``int`` refuses very long strings).
        if len(text) > 9 or not QUANTITY_MIN <= int(text) <= QUANTITY_MAX:
            raise ValidationError(f"La quantité doit être comprise entre {QUANTITY_MIN} et {QUANTITY_MAX}.")
        self.quantity_value = int(text)

    def validate_postal_code(self, field: StringField) -> None:
        text = re.sub(r"\s", "", field.data or "")
        if not text:
            raise ValidationError("Saisissez le code postal.")
        if not re.fullmatch(r"[0-9]{5}", text):
            raise ValidationError("Le code postal doit comporter 5 chiffres, par exemple 44000.")
        field.data = text

    @property
    def address(self) -> DeliveryAddress:
        return DeliveryAddress(
            recipient_name=self.recipient_name.data or "",
            address_line=self.address_line.data or "",
            complement=self.address_complement.data or "",
            postal_code=self.postal_code.data or "",
            commune_name=self.commune_name.data or "",
        )


class ArretForm(FlaskForm):
    """Step 2 of an avis d'arrêt de travail: initial or prolongation, dates, temps, ALD, sorties,
    category and the coded medical reason. Once valid, ``start_value`` and ``end_value`` hold the dates."""

    nir = HiddenField()
    # Like the feuille de soins: a second click finds the avis the first one stored.
    submission_key = HiddenField()
    kind = RadioField(
        "Type d'arrêt",
        choices=[
            SelectChoice("initial", "Arrêt initial"),
            SelectChoice("prolongation", "Prolongation d'un arrêt"),
        ],
        default="initial",
        validate_choice=False,
    )
    initial_reference = StringField("Référence de l'arrêt prolongé")
    start = StringField("Date de début")
    end = StringField("Date de fin")
    temps = RadioField(
        "Temps de l'arrêt",
        choices=[
            SelectChoice("complet", "Arrêt à temps complet"),
            SelectChoice("partiel", "Temps partiel thérapeutique"),
        ],
        default="complet",
        validate_choice=False,
    )
    ald = BooleanField("Arrêt en rapport avec une ALD (affection de longue durée)")
    sorties = RadioField(
        "Sorties",
        choices=[
            SelectChoice("interdites", "Sorties interdites"),
            SelectChoice("autorisees", "Sorties autorisées (de 9 h à 11 h et de 14 h à 16 h exceptées)"),
            SelectChoice("libres", "Sorties libres, sur justification médicale"),
        ],
        default="autorisees",
        validate_choice=False,
    )
    category = RadioField(
        "Situation du patient",
        choices=[
            SelectChoice("salarie", "Salarié"),
            SelectChoice("demandeur_emploi", "Demandeur d'emploi"),
            SelectChoice("independant", "Travailleur indépendant"),
        ],
        default="salarie",
        validate_choice=False,
    )
    reason_code = StringField(
        "Motif médical codé", validators=[Length(max=20, message="20 caractères au plus.")]
    )

    start_value: date | None = None
    end_value: date | None = None

    def _choice(self, field: RadioField, message: str) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(message)

    def validate_kind(self, field: RadioField) -> None:
        self._choice(field, "Indiquez s'il s'agit d'un arrêt initial ou d'une prolongation.")

    def validate_initial_reference(self, field: StringField) -> None:
        if self.kind.data == "prolongation" and not (field.data or "").strip():
            raise ValidationError("Indiquez la référence de l'arrêt prolongé.")

    def _date(self, field: StringField, what: str) -> date:
        if not (field.data or "").strip():
            raise ValidationError(f"Saisissez la date de {what}.")
        value = parse_french_date(field.data)
        if value is None:
            raise ValidationError(
                f"Saisissez la date de {what} au format JJ/MM/AAAA, par exemple 10/03/2026."
            )
        return value

    def validate_start(self, field: StringField) -> None:
        self.start_value = self._date(field, "début")

    def validate_end(self, field: StringField) -> None:
        self.end_value = self._date(field, "fin")
        if self.start_value is not None and self.end_value < self.start_value:
            raise ValidationError("La date de fin doit être le jour du début ou après.")

    def validate_temps(self, field: RadioField) -> None:
        self._choice(field, "Indiquez si l'arrêt est à temps complet ou à temps partiel thérapeutique.")

    def validate_sorties(self, field: RadioField) -> None:
        self._choice(field, "Indiquez si les sorties sont interdites, autorisées ou libres.")

    def validate_category(self, field: RadioField) -> None:
        self._choice(field, "Indiquez la situation du patient.")

    @property
    def key(self) -> str | None:
        value = self.submission_key.data or ""
        return value if _SUBMISSION_KEY.match(value) else None

    def field_for(self, name: str) -> Field:
        """The input a service refusal is about (the service names the API's fields)."""
        return {"fin": self.end, "arret_initial": self.initial_reference}.get(name, self.start)
