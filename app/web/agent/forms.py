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
        "Adresse de l'accueil",
        validators=[Optional(), Length(max=500, message="500 caractères au plus.")],
    )
    accueil_hours = TextAreaField(
        "Horaires d'ouverture de l'accueil",
        validators=[
            Optional(),
            Length(max=300, message="Les horaires doivent comporter 300 caractères au plus."),
        ],
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


class CaisseMotifForm(FlaskForm):
    """A caisse's own details for one motif; every field left empty keeps the general contact."""

    postal_address = TextAreaField(
        "Adresse postale dédiée à ce motif",
        validators=[
            Optional(),
            Length(max=500, message="L'adresse postale doit comporter 500 caractères au plus."),
        ],
    )
    phone_note = TextAreaField(
        "Précision sur le téléphone",
        validators=[
            Optional(),
            Length(max=300, message="La précision sur le téléphone doit comporter 300 caractères au plus."),
        ],
    )
    accueil_note = TextAreaField(
        "Précision sur l'accueil",
        validators=[
            Optional(),
            Length(max=300, message="La précision sur l'accueil doit comporter 300 caractères au plus."),
        ],
    )
    note = TextAreaField(
        "Information complémentaire",
        validators=[
            Optional(),
            Length(max=500, message="L'information complémentaire doit comporter 500 caractères au plus."),
        ],
    )
