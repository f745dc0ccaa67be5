"""Back-office forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp


class CaisseContactForm(FlaskForm):
    postal_address = TextAreaField(
        "Adresse postale (courrier)",
        validators=[Optional(), Length(max=500, message="500 caractères au plus.")],
    )
    accueil_address = TextAreaField(
        "Adresse et horaires de l'accueil",
        validators=[Optional(), Length(max=500, message="500 caractères au plus.")],
    )
    phone = StringField(
        "Téléphone",
        validators=[
            Optional(),
            Length(max=40, message="40 caractères au plus."),
            Regexp(
                r"^[0-9 +().-]*$",
                message="Le téléphone ne peut contenir que des chiffres, des espaces et + ( ) . -",
            ),
        ],
    )
