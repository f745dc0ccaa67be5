"""Login forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.rules.nir import parse_nir


class NirLoginForm(FlaskForm):
    nir = StringField(
        "Numéro de sécurité sociale",
        validators=[DataRequired("Saisissez votre numéro de sécurité sociale.")],
    )
    password = PasswordField(
        "Mot de passe",
        validators=[
            DataRequired("Saisissez votre mot de passe."),
            Length(max=128, message="Le mot de passe ne peut pas dépasser 128 caractères."),
        ],
    )

    def validate_nir(self, field: StringField) -> None:
        result = parse_nir(field.data or "")
        if not result.ok:
            raise ValidationError(result.error)
        self.nir_value = result.value


class StaffLoginForm(FlaskForm):
    login = StringField(
        "Identifiant",
        validators=[
            DataRequired("Saisissez votre identifiant."),
            Length(max=80, message="L'identifiant ne peut pas dépasser 80 caractères."),
        ],
    )
    password = PasswordField(
        "Mot de passe",
        validators=[
            DataRequired("Saisissez votre mot de passe."),
            Length(max=128, message="Le mot de passe ne peut pas dépasser 128 caractères."),
        ],
    )
