"""The Annuaire santé search: a GET form (no CSRF: it changes nothing), messages in French."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from app.rules import annuaire as rules

TYPES = (("professionnels", "Des professionnels de santé"), ("etablissements", "Des établissements"))


class AnnuaireSearchForm(FlaskForm):
    """Who (words), which profession, where, which secteur, carte Vitale, and whether to list
    practitioners or établissements. ``place`` holds the understood place once ``lieu`` validated."""

    class Meta:
        csrf = False

    q = StringField(
        "Nom, profession ou spécialité",
        validators=[Length(max=100, message="100 caractères au plus.")],
    )
    profession = SelectField(
        "Profession",
        choices=[SelectChoice("", "Toutes les professions")]
        + [SelectChoice(key, label) for key, label in rules.KINDS],
        validate_choice=False,
    )
    lieu = StringField("Où ?", validators=[Length(max=100, message="100 caractères au plus.")])
    secteur = SelectField(
        "Secteur de convention",
        choices=[SelectChoice("", "Tous les secteurs")]
        + [SelectChoice(key, label) for key, label in rules.SECTEUR_LABELS.items()],
        validate_choice=False,
    )
    carte_vitale = BooleanField("Accepte la carte Vitale", false_values=("", "non", "false"))
    type = RadioField(
        "Rechercher",
        choices=[SelectChoice(key, label) for key, label in TYPES],
        default="professionnels",
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.place: rules.Place | None = None

    def validate_profession(self, field: SelectField) -> None:
        if (field.data or "") not in ("", *rules.KIND_LABELS):
            raise ValidationError("Choisissez une profession dans la liste.")

    def validate_secteur(self, field: SelectField) -> None:
        if (field.data or "") not in ("", *rules.SECTEUR_LABELS):
            raise ValidationError("Choisissez un secteur dans la liste.")

    def validate_type(self, field: RadioField) -> None:
        if field.data not in dict(TYPES):
            field.data = "professionnels"
            raise ValidationError("Choisissez de chercher des professionnels ou des établissements.")

    def validate_lieu(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if text:
            try:
                self.place = rules.parse_place(text)
            except rules.PlaceError as error:
                raise ValidationError(str(error)) from error

    def query_args(self) -> dict[str, str]:
        """The non-empty filters, for the URL of the page and its pagination links."""
        args = {
            "q": (self.q.data or "").strip(),
            "profession": self.profession.data or "",
            "lieu": (self.lieu.data or "").strip(),
            "secteur": self.secteur.data or "",
            "carte_vitale": "oui" if self.carte_vitale.data else "",
            "type": self.type.data if self.type.data == "etablissements" else "",
        }
        return {key: value for key, value in args.items() if value}
