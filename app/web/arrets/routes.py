"""Mes arrêts de travail: each arrêt (with its prolongations) as a timeline from the avis to the
clôture, the estimated date of the next step, and the IJ documents. The coded medical reason of an
avis is the caisse's medical service's: it is never shown here."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from app.htmx import render
from app.security import no_store, roles_required
from app.services import account_home, ij_documents, sick_leave
from app.web.auth.forms import parse_french_date

bp = Blueprint("arrets", __name__, url_prefix="/compte/arrets")

STATUS_LABELS = {
    "en_attente": "En attente de l'attestation de salaire",
    "calcule": "Indemnités en cours de paiement",
    "non_eligible": "Pas d'indemnités",
    "cloture": "Clôturé",
}
TEMPS_LABELS = {"complet": "Temps complet", "partiel": "Temps partiel thérapeutique"}
SORTIES_LABELS = {"interdites": "Interdites", "autorisees": "Autorisées", "libres": "Libres"}


@bp.get("/")
@roles_required("assure")
def index():
    """The assuré's arrêts, newest first, prolongations grouped under their initial arrêt (same
    queries whatever their number); fragment ``content``."""
    today = sick_leave.paris_today()
    episodes = sick_leave.episodes_of(current_user.person)
    return no_store(
        render(
            "arrets/index.html",
            episodes=episodes,
            statuses=STATUS_LABELS,
            next_steps={episode.initial.id: sick_leave.next_step(episode, today) for episode in episodes},
            years=range(today.year, today.year - 3, -1),
            default_start=date(today.year, 1, 1),
            today=today,
        )
    )


@bp.get("/<int:arret_id>")
@roles_required("assure")
def detail(arret_id: int):
    """One arrêt as a timeline: avis, attestations per employer, droits, IJ computed, payments,
    clôture, and the next step; fragment ``content``. Raises 404 unless it is the assuré's."""
    episode = sick_leave.episode_of(current_user.person, arret_id)
    if episode is None:
        abort(404)
    for attestation in episode.initial.attestations:  # the home's "attestation reçue" alerts are read
        account_home.acknowledge(current_user, f"attestation-recue:{attestation.id}")
    return no_store(
        render(
            "arrets/detail.html",
            episode=episode,
            initial=episode.initial,
            statuses=STATUS_LABELS,
            temps=TEMPS_LABELS,
            sorties=SORTIES_LABELS,
            next_step=sick_leave.next_step(episode, sick_leave.paris_today()),
        )
    )


def _pdf(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


@bp.get("/releve.pdf")
@roles_required("assure")
def releve_pdf():
    """The relevé of the IJ paid between ``du`` and ``au`` (JJ/MM/AAAA or AAAA-MM-JJ), with its
    verification code. Raises 404 for missing or reversed dates, or a period over 3 years."""
    start = parse_french_date(request.args.get("du", ""))
    end = parse_french_date(request.args.get("au", ""))
    if start is None or end is None or end < start or (end - start).days > 3 * 366:
        abort(404)
    _document, pdf = ij_documents.releve(current_user, start, end)
    return _pdf(pdf, f"releve-ij-{start:%Y-%m-%d}-{end:%Y-%m-%d}.pdf")


@bp.get("/<int:arret_id>/attestation-de-paiement.pdf")
@roles_required("assure")
def attestation_paiement_pdf(arret_id: int):
    """The attestation de paiement des IJ of one arrêt. Raises 404 unless it is the assuré's."""
    episode = sick_leave.episode_of(current_user.person, arret_id)
    if episode is None:
        abort(404)
    _document, pdf = ij_documents.attestation_paiement(current_user, episode)
    return _pdf(pdf, f"attestation-paiement-ij-{episode.initial.reference}.pdf")


@bp.get("/attestation-fiscale/<int:year>.pdf")
@roles_required("assure")
def attestation_fiscale_pdf(year: int):
    """The attestation fiscale of the IJ received in ``year``. Raises 404 for a year to come or
    before 2000."""
    if not 2000 <= year <= sick_leave.paris_today().year:
        abort(404)
    _document, pdf = ij_documents.attestation_fiscale(current_user, year)
    return _pdf(pdf, f"attestation-fiscale-ij-{year}.pdf")
