"""Forms of sign-in, account creation, password and e-mail steps. Messages in French."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_wtf import FlaskForm
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.rules import territory
from app.rules.nir import birth_mismatch, parse_nir


class NirField(StringField):
    """A NIR typed with or without spaces; ``nir_value`` holds the 15 characters once valid."""


def _validate_nir(form: FlaskForm, field: StringField) -> None:
    result = parse_nir(field.data or "")
    if not result.ok:
        raise ValidationError(result.error)
    form.nir_value = result.value


def parse_french_date(text: str) -> date | None:
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _validate_birth_date(form: FlaskForm, field: StringField) -> None:
    value = parse_french_date(field.data)
    if value is None:
        raise ValidationError("Saisissez la date de naissance au format JJ/MM/AAAA, par exemple 12/06/1995.")
    if value > date.today() or value.year < 1900:
        raise ValidationError("La date de naissance doit être une date passée réelle.")
    form.birth_value = value


def email_field() -> StringField:
    return StringField(
        "Adresse e-mail",
        validators=[
            DataRequired("Saisissez votre adresse e-mail."),
            Email(
                "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.", check_deliverability=False
            ),
            Length(max=254, message="L'adresse e-mail est trop longue."),
        ],
    )


PASSWORD_REQUIRED = DataRequired("Saisissez votre mot de passe.")
PASSWORD_MAX = Length(max=128, message="Le mot de passe doit comporter au plus 128 caractères.")


class NirLoginForm(FlaskForm):
    nir = NirField(
        "Numéro de sécurité sociale",
        validators=[DataRequired("Saisissez votre numéro de sécurité sociale."), _validate_nir],
    )
    password = PasswordField("Mot de passe", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])


class StaffLoginForm(FlaskForm):
    login = StringField(
        "Identifiant",
        validators=[
            DataRequired("Saisissez votre identifiant."),
            Length(max=80, message="L'identifiant ne peut pas dépasser 80 caractères."),
        ],
    )
    password = PasswordField("Mot de passe", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])


class RppsLoginForm(FlaskForm):
    rpps = StringField(
        "Numéro RPPS",
        validators=[DataRequired("Saisissez votre numéro RPPS (11 chiffres).")],
    )
    password = PasswordField("Mot de passe", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])

    def validate_rpps(self, field: StringField) -> None:
        from stdnum import luhn

        number = re.sub(r"\s", "", field.data or "")
        if not re.fullmatch(r"\d{11}", number):
            raise ValidationError("Le numéro RPPS comporte 11 chiffres.")
        if not luhn.is_valid(number):
            raise ValidationError("Ce numéro RPPS n'est pas valide : vérifiez-le sur votre carte CPS.")
        self.rpps_value = number


class LoginCodeForm(FlaskForm):
    code = StringField(
        "Code reçu par e-mail",
        validators=[DataRequired("Saisissez le code à 6 chiffres reçu par e-mail.")],
    )
    remember = BooleanField("Se souvenir de cet appareil pendant 90 jours")

    def validate_code(self, field: StringField) -> None:
        if not re.fullmatch(r"\d{6}", re.sub(r"\s", "", field.data or "")):
            raise ValidationError("Le code comporte 6 chiffres.")


class RegistrationForm(FlaskForm):
    nir = NirField(
        "Numéro de sécurité sociale",
        validators=[DataRequired("Saisissez votre numéro de sécurité sociale."), _validate_nir],
    )
    last_name = StringField(
        "Nom de naissance",
        validators=[
            DataRequired("Saisissez votre nom."),
            Length(max=120, message="Le nom doit comporter au plus 120 caractères."),
        ],
    )
    first_name = StringField(
        "Prénom",
        validators=[
            DataRequired("Saisissez votre prénom."),
            Length(max=120, message="Le prénom doit comporter au plus 120 caractères."),
        ],
    )
    birth_date = StringField(
        "Date de naissance",
        validators=[DataRequired("Saisissez votre date de naissance."), _validate_birth_date],
    )
    postal_code = StringField(
        "Code postal", validators=[DataRequired("Saisissez le code postal de votre domicile.")]
    )
    commune = StringField("Commune")
    email = email_field()
    iban = StringField("IBAN du compte de remboursement (facultatif)", validators=[Optional()])

    def validate_postal_code(self, field: StringField) -> None:
        resolution = territory.resolve_postal_code(field.data or "")
        if resolution.error:
            raise ValidationError(resolution.error)
        self.resolution = resolution

    def validate_iban(self, field: StringField) -> None:
        if not field.data:
            return
        try:
            stdnum_iban.validate(field.data)
        except StdnumError as error:
            raise ValidationError(
                "Cet IBAN n'est pas valide : vérifiez-le sur votre relevé d'identité bancaire "
                "(27 caractères commençant par FR pour un compte en France)."
            ) from error

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and getattr(self, "nir_value", None) and getattr(self, "birth_value", None):
            problem = birth_mismatch(self.nir_value, self.birth_value)
            if problem:
                self.birth_date.errors.append(problem)
                ok = False
        return ok


class ForgotForm(FlaskForm):
    nir = NirField(
        "Numéro de sécurité sociale",
        validators=[DataRequired("Saisissez votre numéro de sécurité sociale."), _validate_nir],
    )
    birth_date = StringField(
        "Date de naissance",
        validators=[DataRequired("Saisissez votre date de naissance."), _validate_birth_date],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField("Nouveau mot de passe", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])
    confirm = PasswordField(
        "Confirmez le nouveau mot de passe", validators=[DataRequired("Saisissez à nouveau le mot de passe.")]
    )

    def validate_confirm(self, field: PasswordField) -> None:
        if field.data != self.password.data:
            raise ValidationError("Les deux mots de passe ne sont pas identiques.")


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Mot de passe actuel", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])


class CguForm(FlaskForm):
    accept = BooleanField(
        "J'ai lu et j'accepte les conditions générales d'utilisation",
        validators=[DataRequired("Cochez la case pour accepter les conditions générales d'utilisation.")],
    )


class EmailForm(FlaskForm):
    email = email_field()


class EmailCodeForm(FlaskForm):
    code = StringField(
        "Code reçu par e-mail", validators=[DataRequired("Saisissez le code à 6 chiffres reçu par e-mail.")]
    )


class ReauthForm(FlaskForm):
    password = PasswordField("Mot de passe", validators=[PASSWORD_REQUIRED, PASSWORD_MAX])
