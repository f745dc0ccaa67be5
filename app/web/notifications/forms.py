"""The notification preferences form: a channel per kind, and "notifications discrètes"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from app.models.notification import CHANNELS
from app.services.notifications import PREFERENCE_KINDS

CHANNEL_LABELS = {
    "push": "Notification sur mes appareils",
    "email": "E-mail (sans le contenu)",
    "none": "Aucune : seulement dans mon espace",
}
# "les remboursements", "les attestations de salaire"… for error messages.
KIND_NOUNS = {
    "remboursement": "les remboursements",
    "attestation_salaire": "les attestations de salaire",
    "indemnites_journalieres": "les indemnités journalières",
    "message": "les messages",
    "document": "les documents",
    "demarche": "les démarches et décisions",
    "forum": "les réponses du forum",
}


def _channel_field(kind: str) -> RadioField:
    message = f"Choisissez comment être prévenu(e) pour {KIND_NOUNS[kind]}."
    return RadioField(
        PREFERENCE_KINDS[kind],
        choices=[SelectChoice(channel, CHANNEL_LABELS[channel]) for channel in CHANNELS],
        validate_choice=False,  # AnyOf below says it in French
        validators=[InputRequired(message), AnyOf(CHANNELS, message=message)],
    )


class PreferencesForm(FlaskForm):
    """One radio group per kind of ``PREFERENCE_KINDS`` (field named after the kind) and a checkbox."""

    remboursement = _channel_field("remboursement")
    attestation_salaire = _channel_field("attestation_salaire")
    indemnites_journalieres = _channel_field("indemnites_journalieres")
    message = _channel_field("message")
    document = _channel_field("document")
    demarche = _channel_field("demarche")
    forum = _channel_field("forum")
    discreet = BooleanField("Notifications discrètes")

    def channels(self) -> dict[str, str]:
        """The chosen channel of each kind."""
        return {kind: self[kind].data for kind in PREFERENCE_KINDS}
