"""Error pages in French, as a page or as an htmx fragment. A 500 never shows a traceback."""

from __future__ import annotations

import logging
import traceback

from flask import Flask, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.htmx import render

log = logging.getLogger(__name__)

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Requête incorrecte", "La demande envoyée n'a pas pu être comprise. Réessayez."),
    401: ("Connexion nécessaire", "Connectez-vous pour accéder à cette page."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page avec ce compte."),
    404: ("Page introuvable", "Cette page n'existe pas ou n'est plus disponible."),
    405: ("Action impossible", "Cette action n'est pas possible à cette adresse."),
    413: (
        "Fichier trop volumineux",
        "Ce que vous avez envoyé dépasse la taille autorisée. Réduisez la taille du fichier.",
    ),
    422: ("Demande incomplète", "Certaines informations sont manquantes ou incorrectes."),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de demandes en peu de temps. Patientez quelques minutes, puis réessayez.",
    ),
    500: (
        "Erreur technique",
        "Un problème technique nous empêche d'afficher cette page. Vos informations n'ont pas été "
        "perdues ; réessayez dans quelques instants.",
    ),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        from app.api.json import error_response

        return error_response(code, message or default_message)
    return render(
        "errors/error.html",
        status=code,
        code=code,
        error_title=title or default_title,
        message=message or default_message,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(
            400,
            "Formulaire expiré",
            "Pour votre sécurité, ce formulaire a expiré. Rechargez la page et envoyez-le à "
            "nouveau : ce que vous aviez saisi n'a pas été enregistré.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 500:
            return server_error(error)
        response = render_error(code if code in MESSAGES else 400)
        if code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        if code == 429:
            response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        original = getattr(error, "original_exception", None) or error
        # The traceback's frames, not the exception's message: a database error's message can
        # carry the parameters of the query (a NIR, an IBAN), which must never reach the logs.
        frames = "".join(traceback.format_tb(original.__traceback__))
        log.error("Erreur non gérée (%s) :\n%s", type(original).__name__, frames)
        return render_error(500)
