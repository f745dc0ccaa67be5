"""Forms of the family démarches: adding a child, removing a beneficiary, the complémentaire santé,
the C2S request and the message about a divorce. Dates are typed JJ/MM/AAAA; amounts in euros
with a comma or a point. Checks against the register (the other parent) are the view's."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.rules.nir import birth_mismatch, parse_nir, sex_of
from app.services.demarche_kinds import ayants_droit as ayants_droit_kind
from app.services.demarche_kinds import c2s as c2s_kind
from app.services.demarche_kinds import complementaire as complementaire_kind
from app.services.demarche_kinds.divorce import MESSAGE_MAX
from app.web.auth.forms import parse_french_date
from app.web.demarches.common import UploadField
from app.web.pro.forms import parse_euros

DATE_HINT = "au format JJ/MM/AAAA, par exemple 08/03/2024"
MAX_OTHERS = 20
MAX_RESOURCE = Decimal("1000000")
REMOVAL_WINDOW = timedelta(days=365)


def _name(label: str, what: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=f"Saisissez {what}."),
            Length(max=120, message=f"{what[0].upper()}{what[1:]} fait au plus 120 caractères."),
        ],
    )


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


class AyantDroitForm(FlaskForm):
    """A child to add. Once valid: ``birth_value``, ``nir_value`` (None when not given) and
    ``other_nir_value`` (for a rattachement to both parents)."""

    prenom = _name("Prénom de l'enfant", "le prénom de l'enfant")
    nom = _name("Nom de famille de l'enfant", "le nom de famille de l'enfant")
    sexe = RadioField("Sexe de l'enfant", choices=_choices(ayants_droit_kind.SEXES), validate_choice=False)
    naissance = StringField("Date de naissance de l'enfant")
    nir = StringField("Numéro de sécurité sociale de l'enfant, s'il en a déjà un (facultatif)")
    acte = FileField("Acte de naissance de l'enfant")
    rattachement = RadioField(
        "Rattacher l'enfant",
        choices=_choices(
            {"seul": "À mon seul dossier", "deux": "À mon dossier et à celui de l'autre parent"}
        ),
        validate_choice=False,
    )
    autre_nir = StringField("Numéro de sécurité sociale de l'autre parent")
    autre_nom = StringField("Nom de famille de l'autre parent")

    UPLOADS = (UploadField("acte", "acte_naissance"),)

    birth_value: date | None = None
    nir_value: str | None = None
    other_nir_value: str | None = None

    def validate_sexe(self, field: RadioField) -> None:
        if field.data not in ayants_droit_kind.SEXES:
            raise ValidationError("Indiquez le sexe de l'enfant.")

    def validate_naissance(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Saisissez la date de naissance de l'enfant.")
        value = parse_french_date(field.data)
        if value is None:
            raise ValidationError(f"Saisissez la date de naissance {DATE_HINT}.")
        today = ayants_droit_kind.today()
        if value > today:
            raise ValidationError("La date de naissance ne peut pas être dans le futur.")
        if ayants_droit_kind.age_on(value, today) >= ayants_droit_kind.CHILD_MAX_AGE:
            raise ValidationError(
                "L'enfant a 18 ans ou plus : il ou elle doit demander son propre dossier d'assuré(e)."
            )
        self.birth_value = value

    def validate_rattachement(self, field: RadioField) -> None:
        if field.data not in ("seul", "deux"):
            raise ValidationError("Indiquez à qui rattacher l'enfant.")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self._check_nir()
        if self.rattachement.data == "deux":
            self._check_other_parent()
        return valid and not self.errors

    def _check_nir(self) -> None:
        if not (self.nir.data or "").strip():
            return
        result = parse_nir(self.nir.data)
        if not result.ok:
            _add_error(self.nir, result.error)
            return
        if self.sexe.data in ayants_droit_kind.SEXES and sex_of(result.value) != self.sexe.data:
            _add_error(self.nir, "Le premier chiffre du numéro ne correspond pas au sexe indiqué.")
            return
        if self.birth_value is not None:
            mismatch = birth_mismatch(result.value, self.birth_value)
            if mismatch:
                _add_error(self.nir, mismatch)
                return
        self.nir_value = result.value

    def _check_other_parent(self) -> None:
        if not (self.autre_nir.data or "").strip():
            _add_error(self.autre_nir, "Saisissez le numéro de sécurité sociale de l'autre parent.")
        else:
            result = parse_nir(self.autre_nir.data)
            if result.ok:
                self.other_nir_value = result.value
            else:
                _add_error(self.autre_nir, f"Autre parent : {result.error[0].lower()}{result.error[1:]}")
        if not (self.autre_nom.data or "").strip():
            _add_error(self.autre_nom, "Saisissez le nom de famille de l'autre parent.")


class RetraitForm(FlaskForm):
    """A member to remove; the view sets ``membre.choices``. Once valid: ``end_value``."""

    membre = RadioField("Bénéficiaire à retirer de votre dossier", choices=[], validate_choice=False)
    motif = RadioField("Motif", choices=_choices(ayants_droit_kind.REMOVAL_REASONS), validate_choice=False)
    date_fin = StringField("Date de fin des droits sur votre dossier")
    precision = TextAreaField(
        "Précision pour votre caisse (facultatif)",
        validators=[Optional(), Length(max=1000, message="La précision fait au plus 1 000 caractères.")],
    )

    end_value: date | None = None

    def validate_membre(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez le bénéficiaire à retirer.")

    def validate_motif(self, field: RadioField) -> None:
        if field.data not in ayants_droit_kind.REMOVAL_REASONS:
            raise ValidationError("Choisissez le motif du retrait.")

    def validate_date_fin(self, field: StringField) -> None:
        value = parse_french_date(field.data or "")
        if value is None:
            raise ValidationError(f"Saisissez la date de fin des droits {DATE_HINT}.")
        today = ayants_droit_kind.today()
        if not today - REMOVAL_WINDOW <= value <= today + REMOVAL_WINDOW:
            raise ValidationError("La date de fin des droits doit être à moins d'un an d'aujourd'hui.")
        self.end_value = value


class ComplementaireForm(FlaskForm):
    """The complémentaire of one beneficiary; the view sets ``beneficiaire.choices``. Once valid:
    ``number_value`` (the numéro AMC without spaces) when declaring."""

    beneficiaire = RadioField("Pour quel bénéficiaire ?", choices=[], validate_choice=False)
    action = RadioField(
        "Que souhaitez-vous faire ?",
        choices=_choices(complementaire_kind.ACTIONS),
        validate_choice=False,
        default="declarer",
    )
    organisme = StringField("Nom de l'organisme complémentaire (mutuelle, assureur)")
    numero = StringField("Numéro AMC de l'organisme")

    number_value: str | None = None

    def validate_beneficiaire(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez le bénéficiaire.")

    def validate_action(self, field: RadioField) -> None:
        if field.data not in complementaire_kind.ACTIONS:
            raise ValidationError("Indiquez si vous déclarez ou retirez une complémentaire.")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data == "declarer":
            name = (self.organisme.data or "").strip()
            if not name:
                _add_error(self.organisme, "Saisissez le nom de l'organisme complémentaire.")
            elif len(name) > 120:
                _add_error(self.organisme, "Le nom de l'organisme fait au plus 120 caractères.")
            if not (self.numero.data or "").strip():
                _add_error(self.numero, "Saisissez le numéro AMC, inscrit sur votre carte de tiers payant.")
            else:
                self.number_value = complementaire_kind.parse_amc_number(self.numero.data)
                if self.number_value is None:
                    _add_error(self.numero, "Le numéro AMC compte 8 à 10 chiffres.")
        return valid and not self.errors


class C2SForm(FlaskForm):
    """The household and its resources; one amount field per category (``ressources_<key>``), added
    below. Once valid: ``others_value`` and ``resources`` (category → Decimal)."""

    autres = StringField("Nombre d'autres personnes vivant avec vous", default="0")

    UPLOADS = (
        UploadField("justificatif_1", "ressources"),
        UploadField("justificatif_2", "ressources", required=False),
        UploadField("justificatif_3", "ressources", required=False),
    )

    others_value: int = 0
    resources: dict[str, Decimal]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resources = {}

    def resource_fields(self) -> list[Any]:
        return [self[f"ressources_{key}"] for key in c2s_kind.CATEGORIES]

    def validate_autres(self, field: StringField) -> None:
        text = (field.data or "").strip() or "0"
        if not text.isdigit() or int(text) > MAX_OTHERS:
            raise ValidationError(f"Indiquez le nombre d'autres personnes, de 0 à {MAX_OTHERS}.")
        self.others_value = int(text)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self.resources = {}
        for key, label in c2s_kind.CATEGORIES.items():
            field = self[f"ressources_{key}"]
            text = (field.data or "").strip()
            amount = parse_euros(text) if text else Decimal("0.00")
            if amount is None or amount >= MAX_RESOURCE:
                _add_error(field, f"{label} : saisissez un montant en euros, par exemple 1200 ou 1200,50.")
                continue
            self.resources[key] = amount
        return valid and not self.errors

    @property
    def total(self) -> Decimal:
        return sum(self.resources.values(), Decimal("0.00"))


# Fields are ordered by creation, and the error summary must follow the page: the amounts, then the
# files.
for _key, _label in c2s_kind.CATEGORIES.items():
    setattr(C2SForm, f"ressources_{_key}", StringField(_label))
C2SForm.justificatif_1 = FileField("Justificatif de ressources")
C2SForm.justificatif_2 = FileField("Deuxième justificatif (facultatif)")
C2SForm.justificatif_3 = FileField("Troisième justificatif (facultatif)")


class DivorceForm(FlaskForm):
    """The message about a divorce; the view sets ``conjoint.choices`` and pre-fills ``message``."""

    conjoint = RadioField("Votre ex-conjoint(e)", choices=[], validate_choice=False)
    message = TextAreaField(
        "Votre message à la caisse",
        validators=[
            DataRequired(message="Écrivez votre message à la caisse."),
            Length(max=MESSAGE_MAX, message="Le message fait au plus 2 000 caractères."),
        ],
    )

    def validate_conjoint(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Indiquez votre ex-conjoint(e).")
