"""Forms of the messagerie: writing to the caisse, answering, closing and rating; the back office's
answer, note, assignment and reply templates."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.rules import messagerie as rules
from app.rules import uploads as upload_rules
from app.rules.uploads import UploadRefused
from app.services.uploads import CheckedFile, read_upload

FILES_LABEL = "Pièces jointes (facultatif)"
FILES_HINT = "Jusqu'à 3 fichiers, 5 Mo au total : PDF, JPEG, PNG, DOCX, XLSX ou CSV."
FILES_ACCEPT = (
    ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.csv,application/pdf,image/jpeg,image/png,text/csv,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


def _body(label: str, required: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=required),
            Length(
                max=rules.BODY_MAX,
                message=f"Le message fait au plus {rules.BODY_MAX:_} caractères.".replace("_", " "),
            ),
        ],
    )


class NewThreadForm(FlaskForm):
    motif = RadioField("Objet de votre message", validate_choice=True)
    sujet = StringField(
        "Sujet",
        validators=[
            DataRequired(message="Donnez un sujet à votre message, en quelques mots."),
            Length(max=rules.SUBJECT_MAX, message=f"Le sujet fait au plus {rules.SUBJECT_MAX} caractères."),
        ],
    )
    message = _body("Votre message", "Écrivez votre message.")
    pieces = MultipleFileField(FILES_LABEL)


class ReplyForm(FlaskForm):
    message = _body("Votre réponse", "Écrivez votre réponse.")
    pieces = MultipleFileField(FILES_LABEL)


class RatingForm(FlaskForm):
    note = RadioField(
        "Cette réponse vous a-t-elle aidé(e) ?",
        choices=[SelectChoice(str(value), label) for value, label in rules.RATINGS.items()],
        validators=[DataRequired(message="Choisissez une appréciation.")],
        validate_choice=True,
    )
    commentaire = TextAreaField(
        "Commentaire (facultatif)",
        validators=[Optional(), Length(max=500, message="Le commentaire fait au plus 500 caractères.")],
    )


class CloseForm(FlaskForm):
    note = RadioField(
        "Cette réponse vous a-t-elle aidé(e) ? (facultatif)",
        id="cloture-note",
        choices=[SelectChoice(str(value), label) for value, label in rules.RATINGS.items()],
        validators=[Optional()],
        validate_choice=True,
    )
    commentaire = TextAreaField(
        "Commentaire (facultatif)",
        id="cloture-commentaire",
        validators=[Optional(), Length(max=500, message="Le commentaire fait au plus 500 caractères.")],
    )


class AgentReplyForm(FlaskForm):
    message = _body("Réponse à l'usager", "Écrivez la réponse.")
    pieces = MultipleFileField(FILES_LABEL)


class AgentNoteForm(FlaskForm):
    note = TextAreaField(
        "Note interne (jamais visible par l'usager)",
        validators=[
            DataRequired(message="Écrivez la note."),
            Length(max=2000, message="La note fait au plus 2 000 caractères."),
        ],
    )


class AssignForm(FlaskForm):
    agent = SelectField("Attribuer à", validate_choice=True)


class InboxFilterForm(FlaskForm):
    """The inbox's filters (GET, no CSRF); an empty value means "all"."""

    class Meta:
        csrf = False

    motif = SelectField("Objet", validators=[Optional()])
    statut = SelectField("État", validators=[Optional()])
    attribution = SelectField("Attribué à", validators=[Optional()])
    retard = SelectField(
        "Délai de réponse",
        choices=[SelectChoice("", "Tous"), SelectChoice("1", "Délai dépassé seulement")],
        validators=[Optional()],
    )


class TemplateForm(FlaskForm):
    titre = StringField(
        "Titre du modèle",
        validators=[
            DataRequired(message="Donnez un titre au modèle."),
            Length(max=120, message="Le titre fait au plus 120 caractères."),
        ],
    )
    motif = SelectField("Objet concerné (facultatif)", validate_choice=True)
    texte = _body("Texte du modèle", "Écrivez le texte du modèle.")


def read_attachments(
    form: FlaskForm, *, allowed: tuple[upload_rules.FileType, ...] = upload_rules.MESSAGE_TYPES
) -> list[CheckedFile]:
    """The checked files of ``form.pieces``: at most 3, 5 MB together, each checked by content to be
    one of ``allowed``. A refusal is added to the field's errors (the caller stores nothing then)."""
    field = form.pieces
    storages = [storage for storage in request.files.getlist(field.name) if storage and storage.filename]
    if len(storages) > rules.MAX_FILES:
        field.errors = [
            *field.errors,
            f"Vous avez choisi {len(storages)} fichiers : {rules.MAX_FILES} au plus peuvent être joints.",
        ]
        return []
    files: list[CheckedFile] = []
    problems: list[str] = []
    total = 0
    for number, storage in enumerate(storages, start=1):
        label = f"Pièce jointe {number}" if len(storages) > 1 else "Pièce jointe"
        try:
            checked = read_upload(
                storage,
                label,
                f"piece-{number}",
                allowed=allowed,
                max_bytes=rules.MAX_TOTAL_BYTES,
            )
        except UploadRefused as refused:
            problems.append(str(refused))
            continue
        if checked is not None:
            total += checked.size
            files.append(checked)
    if not problems and total > rules.MAX_TOTAL_BYTES:
        weight = f"{total / upload_rules.MB:.1f}".replace(".", ",")
        problems.append(
            f"Les pièces jointes pèsent {weight} Mo ensemble, le maximum est "
            f"{rules.MAX_TOTAL_BYTES // upload_rules.MB} Mo au total."
        )
    if problems:
        field.errors = [*field.errors, *problems]
        return []
    return files
