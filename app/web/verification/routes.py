"""``/verifier``: anyone given a document checks that it is genuine, with its code or its QR code.

The answer says whether the document is genuine, its kind, issue date and the initials of the
person it is about — nothing else, since whoever holds a code learns what the page shows. A
malformed code (refused by its check character) and an unknown one get the same answer, 404.
"""

from __future__ import annotations

from flask import Blueprint, request, url_for

from app.extensions import limiter
from app.htmx import redirect, render
from app.rules import verification_code
from app.security import no_store
from app.services import documents as documents_service

bp = Blueprint("verification", __name__, url_prefix="/verifier")

LIMIT = "30 per minute"
EMPTY = "Saisissez le code de vérification imprimé sur le document."


@bp.get("")
@limiter.limit(LIMIT)
def index():
    """The form to type a code; sent, it goes to the code's own address (``check``). 422 when the
    code is empty; fragment ``content``."""
    typed = request.args.get("code")
    if typed is None:
        return render("verification/index.html", typed="", errors={})
    code = verification_code.normalise(typed)
    if not code:
        return render("verification/index.html", status=422, typed=typed[:40], errors={"code": EMPTY})
    shown = verification_code.grouped(code) if verification_code.is_valid(code) else code
    return redirect(url_for("verification.check", code=shown))


@bp.get("/<code>")
@limiter.limit(LIMIT)
def check(code: str):
    """Whether the document with this code is genuine ("Document authentique": kind, issue date,
    initials), or "Ce code n'est pas valide" with 404; fragment ``content``. Never stored nor
    indexed: the answer may change, and a code is not for search engines."""
    verified = documents_service.verify(code)
    response = render(
        "verification/check.html", status=200 if verified else 404, verified=verified, typed=code[:40]
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)
