"""The family démarches of "Mes démarches": add a child (with the birth certificate), remove a
beneficiary, declare a complémentaire santé, request the C2S (outcome shown before filing) and
write to the caisse about a divorce (pre-filled message, offered by an alert when a conjoint's
rights are about to end). Each form files a démarche processed in the back office; nothing is
stored while a field or a file is refused (422, what was typed kept)."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.htmx import redirect, render
from app.models import Person
from app.security import no_store, roles_required
from app.services import demarches as service
from app.services.demarche_kinds import ayants_droit as ayants_droit_kind
from app.services.demarche_kinds import c2s as c2s_kind
from app.services.demarche_kinds import divorce as divorce_kind
from app.services.documents import file_members
from app.services.transactions import commit
from app.web.demarches.blueprint import bp
from app.web.demarches.common import member_label, offer, read_files
from app.web.demarches.famille_forms import (
    AyantDroitForm,
    C2SForm,
    ComplementaireForm,
    DivorceForm,
    RetraitForm,
)

offer(
    "demarches.ayant_droit_new",
    "Ajouter un enfant à mon dossier",
    "Rattacher votre enfant à votre dossier, ou à ceux des deux parents, avec son acte de naissance.",
    "famille",
)
offer(
    "demarches.ayant_droit_retrait",
    "Retirer un bénéficiaire de mon dossier",
    "Un enfant devenu assuré, un proche parti du foyer : ses droits sur votre dossier prennent fin.",
    "famille",
)
offer(
    "demarches.complementaire_new",
    "Déclarer ma complémentaire santé",
    "Le nom et le numéro AMC de la mutuelle de chaque bénéficiaire, inscrits sur l'attestation de droits.",
    "famille",
)
offer(
    "demarches.c2s_new",
    "Demander la Complémentaire santé solidaire (C2S)",
    "Votre foyer et vos ressources : le résultat attendu s'affiche avant l'envoi de la demande.",
    "famille",
)
offer(
    "demarches.divorce_new",
    "Divorce ou séparation",
    "Savoir comment votre ex-conjoint(e) peut garder ses droits à l'assurance maladie.",
    "famille",
)


def _page(template: str, form, status: int = 200, **context):
    return no_store(render(template, status=status, form=form, **context))


def _filed(demarche, text: str):
    commit()
    flash(text, "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


@bp.route("/demarches/ayant-droit/ajout", methods=["GET", "POST"])
@roles_required("assure")
def ayant_droit_new():
    """Add a child: the form, then the démarche filed with the birth certificate (PRG); 422 with
    French messages and what was typed (nothing stored) when a field or the file is refused."""
    person = current_user.person
    form = AyantDroitForm()
    if request.method == "GET":
        form.nom.data = person.last_name
        form.rattachement.data = "seul"
        return _page("demarches/ayant_droit_new.html", form)
    valid = form.validate_on_submit()
    files = read_files(form, list(AyantDroitForm.UPLOADS))
    other = None
    if form.other_nir_value:
        other = ayants_droit_kind.other_parent(form.other_nir_value, form.autre_nom.data, person)
        if other is None:
            form.autre_nir.errors = [
                *form.autre_nir.errors,
                "Aucun assuré ne correspond à ce numéro et à ce nom : vérifiez-les sur sa carte Vitale.",
            ]
    if form.nir_value and any(member.nir == form.nir_value for member in file_members(person)):
        form.nir.errors = [*form.nir.errors, "Cet enfant figure déjà sur votre dossier."]
    if not valid or form.errors:
        return _page("demarches/ayant_droit_new.html", form, status=422)
    payload = {
        "first_name": form.prenom.data.strip(),
        "last_name": form.nom.data.strip(),
        "sex": form.sexe.data,
        "birth_date": form.birth_value.isoformat(),
        "nir": form.nir_value,
        "other_parent_id": other.id if other else None,
        "other_parent_name": form.autre_nom.data.strip() if other else "",
        "other_parent_nir": form.other_nir_value if other else None,
    }
    demarche = service.file_demarche(current_user, "ayant_droit_ajout", payload=payload, files=files)
    return _filed(demarche, f"Votre demande d'ajout de {payload['first_name']} est envoyée à votre caisse.")


@bp.route("/demarches/ayant-droit/retrait", methods=["GET", "POST"])
@roles_required("assure")
def ayant_droit_retrait():
    """Remove a beneficiary from the file: member, reason, end date; the démarche filed (PRG), 422
    with French messages otherwise."""
    person = current_user.person
    members = file_members(person)[1:]
    form = RetraitForm()
    form.membre.choices = [SelectChoice(str(member.id), member_label(member)) for member in members]
    if request.method == "GET":
        return _page("demarches/ayant_droit_retrait.html", form, members=members)
    valid = form.validate_on_submit()
    member = next((m for m in members if str(m.id) == form.membre.data), None)
    if member is not None and form.end_value is not None and form.end_value < member.rights_start:
        form.date_fin.errors = [
            *form.date_fin.errors,
            f"Ses droits ont commencé le {member.rights_start:%d/%m/%Y} : la fin ne peut pas être avant.",
        ]
    if member is not None and any(
        d.beneficiary_id == member.id for d in service.open_demarches_of(person, "ayant_droit_retrait")
    ):
        form.membre.errors = [
            *form.membre.errors,
            "Une demande de retrait de ce bénéficiaire est déjà en cours.",
        ]
    if not valid or form.errors or member is None:
        return _page("demarches/ayant_droit_retrait.html", form, status=422, members=members)
    demarche = service.file_demarche(
        current_user,
        "ayant_droit_retrait",
        beneficiary=member,
        payload={"reason": form.motif.data, "end_date": form.end_value.isoformat()},
        message=(form.precision.data or "").strip(),
    )
    return _filed(demarche, f"Votre demande de retrait de {member.first_name} est envoyée à votre caisse.")


@bp.route("/demarches/complementaire", methods=["GET", "POST"])
@roles_required("assure")
def complementaire_new():
    """Declare or remove the complémentaire santé of one beneficiary (PRG; 422 with French messages)."""
    person = current_user.person
    members = file_members(person)
    form = ComplementaireForm()
    form.beneficiaire.choices = [SelectChoice(str(member.id), member_label(member)) for member in members]
    if request.method == "GET":
        form.beneficiaire.data = str(person.id)
        return _page("demarches/complementaire_new.html", form, members=members)
    if not form.validate_on_submit():
        return _page("demarches/complementaire_new.html", form, status=422, members=members)
    member = next(m for m in members if str(m.id) == form.beneficiaire.data)
    declaring = form.action.data == "declarer"
    payload = {
        "action": form.action.data,
        "organisme": form.organisme.data.strip() if declaring else "",
        "numero": form.number_value if declaring else "",
    }
    demarche = service.file_demarche(current_user, "complementaire", beneficiary=member, payload=payload)
    return _filed(demarche, "Votre demande sur la complémentaire santé est envoyée à votre caisse.")


def _c2s_outcome(form: C2SForm, members: list[Person]) -> c2s_kind.Estimate | None:
    """The expected outcome once the household and resources are valid, else None."""
    if form.autres.errors or any(field.errors for field in form.resource_fields()):
        return None
    if len(form.resources) != len(c2s_kind.CATEGORIES):
        return None
    return c2s_kind.estimate(c2s_kind.today(), members, form.others_value, form.total)


@bp.route("/demarches/c2s", methods=["GET", "POST"])
@roles_required("assure")
def c2s_new():
    """Request the C2S: household and resources; "Voir le résultat" shows the outcome expected with
    the rules of the simulator (nothing stored), "Envoyer ma demande" files it with the
    justificatifs (PRG). 422 with French messages and what was typed otherwise."""
    person = current_user.person
    members = file_members(person)
    pending = service.open_demarches_of(person, "c2s")
    form = C2SForm()
    context = {
        "members": members,
        "pending": pending[0] if pending else None,
        "categories": c2s_kind.CATEGORIES,
    }
    if request.method == "GET":
        return _page("demarches/c2s_new.html", form, outcome=None, **context)
    filing = request.form.get("action") == "deposer"
    valid = form.validate_on_submit()
    outcome = _c2s_outcome(form, members)
    # The files are asked once the outcome is shown: read them only then.
    files = read_files(form, list(C2SForm.UPLOADS)) if filing and outcome is not None else []
    if not valid or form.errors:
        return _page("demarches/c2s_new.html", form, status=422, outcome=outcome, **context)
    if not filing or pending:
        return _page("demarches/c2s_new.html", form, outcome=outcome, **context)
    payload = {
        "depose_le": outcome.on.isoformat(),
        "membres": [member.id for member in members],
        "autres": form.others_value,
        "ressources": {key: str(amount) for key, amount in form.resources.items()},
        "estimation": outcome.text,
    }
    demarche = service.file_demarche(current_user, "c2s", payload=payload, files=files)
    return _filed(demarche, "Votre demande de C2S est envoyée à votre caisse.")


@bp.route("/demarches/divorce", methods=["GET", "POST"])
@roles_required("assure")
def divorce_new():
    """Write to the caisse about a divorce or separation: a message pre-filled with the ex-spouse's
    name and end of rights, editable; filed as a démarche (PRG), 422 when empty or too long."""
    person = current_user.person
    conjoints = divorce_kind.conjoints_of(person)
    form = DivorceForm()
    form.conjoint.choices = [SelectChoice(str(c.id), member_label(c)) for c in conjoints] + [
        SelectChoice("aucun", "Mon ex-conjoint(e) n'est pas rattaché(e) à mon dossier")
    ]
    if request.method == "GET":
        alerts = divorce_kind.alerts_for(person)
        chosen = alerts[0].conjoint if alerts else (conjoints[0] if conjoints else None)
        form.conjoint.data = str(chosen.id) if chosen else "aucun"
        form.message.data = divorce_kind.prefilled_message(person, chosen)
        return _page("demarches/divorce_new.html", form, alerts=alerts)
    if not form.validate_on_submit():
        return _page("demarches/divorce_new.html", form, status=422, alerts=[])
    conjoint = next((c for c in conjoints if str(c.id) == form.conjoint.data), None)
    message = form.message.data.strip()
    demarche = service.file_demarche(
        current_user,
        "divorce",
        beneficiary=conjoint,
        payload={
            "message": message,
            "fin_droits": conjoint.rights_end.isoformat() if conjoint and conjoint.rights_end else None,
        },
    )
    return _filed(
        demarche, "Votre message est envoyé à votre caisse : elle vous dira quels documents envoyer."
    )
