"""What the démarche views share: the catalogue of démarches offered on "Mes démarches", and the
reading of uploaded files (all checked before anything is stored)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, request
from flask_wtf import FlaskForm

from app.models import DemarcheFile, MessageAttachment, Person
from app.models.register import LIENS
from app.rules import uploads as upload_rules
from app.rules.uploads import UploadRefused
from app.security import no_store
from app.services.uploads import CheckedFile, ImageRule, read_upload


@dataclass(frozen=True)
class Offer:
    endpoint: str
    title: str
    text: str
    group: str


# Groups in the order "Mes démarches" shows them.
GROUPS = {
    "cartes": "Cartes et voyages",
    "famille": "Famille et couverture",
    "situation": "Changements de situation",
    "soins": "Soins et médecin traitant",
}
CATALOGUE: list[Offer] = []


def offer(endpoint: str, title: str, text: str, group: str) -> None:
    """List a démarche form on "Mes démarches" (called once by each view module at import)."""
    if group not in GROUPS:
        raise KeyError(group)
    if all(existing.endpoint != endpoint for existing in CATALOGUE):
        CATALOGUE.append(Offer(endpoint, title, text, group))


def member_label(member: Person) -> str:
    """A member of the file as a choice of a form: "Léo MARTIN, né(e) le 08/03/2019 (Enfant)"."""
    lien = LIENS.get(member.lien, member.lien)
    return f"{member.full_name}, né(e) le {member.birth_date:%d/%m/%Y} ({lien})"


def file_response(stored: DemarcheFile | MessageAttachment) -> Response:
    """A file sent with a démarche or a message, as an attachment (never shown inline, never sniffed)."""
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


@dataclass(frozen=True)
class UploadField:
    """One file input of a form: ``name`` is the form's ``FileField`` (its label names the file in
    messages), ``file_label`` the ``DemarcheFile`` label it is stored under."""

    name: str
    file_label: str
    required: bool = True
    image_rule: ImageRule | None = None
    images_only: bool = False


def read_files(form: FlaskForm, fields: list[UploadField]) -> list[tuple[str, CheckedFile]]:
    """The checked files of the submitted ``form``. A refused file gets its French message on its
    field (so the error summary lists it): callers store nothing while ``form.errors`` is not
    empty. Files are read even when other fields failed, so every problem is said at once."""
    files: list[tuple[str, CheckedFile]] = []
    for field in fields:
        form_field = form[field.name]
        try:
            checked = read_upload(
                request.files.get(form_field.name),
                form_field.label.text,
                field.file_label.replace("_", "-"),
                allowed=upload_rules.IMAGE_TYPES if field.images_only else upload_rules.DOCUMENT_TYPES,
                image_rule=field.image_rule,
                required=field.required,
            )
        except UploadRefused as refused:
            form_field.errors = [*form_field.errors, str(refused)]
            continue
        if checked is not None:
            files.append((field.file_label, checked))
    return files
