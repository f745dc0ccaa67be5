"""Forms shared by every démarche: sending the documents asked for, and the back office's actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.models.demarches import FILE_LABELS
from app.web.demarches.common import UploadField

FILE_LABEL_NAMES = {
    "photo": "Photo d'identité",
    "piece_identite": "Pièce d'identité",
    "acte_naissance": "Acte de naissance",
    "justificatif": "Justificatif",
    "feuille_soins": "Feuille de soins",
    "ordonnance": "Ordonnance",
    "ressources": "Justificatif de ressources",
}
assert set(FILE_LABEL_NAMES) == set(FILE_LABELS)


class DocumentsForm(FlaskForm):
    """The assuré answers "document demandé": one or two files and a word."""

    fichier = FileField("Document (PDF, JPEG ou PNG, 5 Mo au plus)")
    fichier_2 = FileField("Second document, si besoin (facultatif)")
    message = TextAreaField(
        "Message pour votre caisse (facultatif)",
        validators=[Optional(), Length(max=1000, message="Le message fait au plus 1 000 caractères.")],
    )

    UPLOADS = (
        UploadField("fichier", "justificatif"),
        UploadField("fichier_2", "justificatif", required=False),
    )


class ReasonForm(FlaskForm):
    """A refusal needs its reason, sent to the assuré."""

    motif = TextAreaField(
        "Motif du refus (envoyé à l'assuré)",
        validators=[
            DataRequired(message="Indiquez le motif du refus : il est envoyé à l'assuré."),
            Length(max=2000, message="Le motif fait au plus 2 000 caractères."),
        ],
    )


class AskDocumentForm(FlaskForm):
    message = TextAreaField(
        "Documents demandés (message envoyé à l'assuré)",
        id="demande-message",
        validators=[
            DataRequired(message="Indiquez quels documents l'assuré doit envoyer."),
            Length(max=2000, message="Le message fait au plus 2 000 caractères."),
        ],
    )


class AcceptForm(FlaskForm):
    message = TextAreaField(
        "Précision jointe à la décision (facultatif)",
        id="acceptation-message",
        validators=[Optional(), Length(max=2000, message="La précision fait au plus 2 000 caractères.")],
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        "Note interne (invisible pour l'assuré)",
        validators=[
            DataRequired(message="Écrivez la note."),
            Length(max=2000, message="La note fait au plus 2 000 caractères."),
        ],
    )


class QueueFilterForm(FlaskForm):
    """The queue's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    type = SelectField("Type de démarche", validators=[Optional()])
    statut = SelectField("Statut", validators=[Optional()])
    retard = SelectField(
        "Délai",
        choices=[SelectChoice("", "Toutes"), SelectChoice("1", "En retard seulement")],
        validators=[Optional()],
    )
    page = StringField(validators=[Optional()])
