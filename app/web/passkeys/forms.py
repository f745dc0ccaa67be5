"""Passkey forms: renaming one (adding one goes through the browser's WebAuthn prompt, in JSON)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.services.passkeys import NAME_MAX


class PasskeyNameForm(FlaskForm):
    """The name of one passkey; built with ``prefix=f"cle-{id}"`` so each row's field has its own id."""

    name = StringField(
        "Nom de la clé d'accès",
        validators=[
            DataRequired("Saisissez un nom pour cette clé d'accès."),
            Length(max=NAME_MAX, message=f"Le nom ne peut pas dépasser {NAME_MAX} caractères."),
        ],
    )
