"""Home page, offline page, web app manifest and service worker."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, url_for

from app.assets import static_url, vendor_asset
from app.htmx import render

bp = Blueprint("main", __name__)

DESCRIPTIONS = {
    "compte": "Vos paiements, attestations, démarches et messages.",
    "dmp": "Mon espace santé : votre dossier médical partagé, expliqué.",
    "adresses": "Trouver votre caisse, ses adresses et comment la joindre.",
    "formulaires": "Les formulaires de l'Assurance Maladie, à télécharger.",
    "annuaire": "Trouver un professionnel de santé et ses tarifs.",
    "forum": "Les questions des assurés et les réponses de la caisse.",
}

SW_PATH = Path(__file__).resolve().parents[3] / "service_worker" / "sw.js"


@bp.get("/")
def home():
    """Public home page; fragment ``content`` for htmx."""
    return render("main/home.html", descriptions=DESCRIPTIONS)


@bp.get("/hors-ligne")
def offline():
    """Offline page precached by the service worker; for htmx, the fragment ``notice`` that the
    worker swaps in place of any fragment it cannot get."""
    return render("main/offline.html", block="notice")


@bp.get("/manifest.webmanifest")
def manifest():
    """Web app manifest: standalone display, icons and one shortcut per widget button."""
    icons = [
        {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static_url("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    shortcuts = [
        ("Compte", "compte", url_for("compte.home")),
        ("DMP", "dmp", url_for("widget.dmp")),
        ("Adresses et contacts", "adresses", url_for("widget.adresses")),
        ("Formulaires", "formulaires", url_for("widget.formulaires")),
        ("Annuaire santé", "annuaire", url_for("widget.annuaire")),
        ("Forum", "forum", url_for("widget.forum")),
    ]
    data = {
        "id": "/",
        "name": "macaisse — mon assurance maladie",
        "short_name": "macaisse",
        "description": "Remboursements, attestations, démarches et messagerie de votre caisse.",
        "lang": "fr",
        "dir": "ltr",
        "start_url": url_for("main.home", source="pwa"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": "#0b5fa5",
        "background_color": "#ffffff",
        "categories": ["health", "medical", "finance"],
        "icons": icons,
        "shortcuts": [
            {
                "name": name,
                "short_name": name.split(" ")[0],
                "url": url,
                "icons": [
                    {
                        "src": static_url(f"icons/shortcut-{key}.png"),
                        "sizes": "96x96",
                        "type": "image/png",
                    }
                ],
            }
            for name, key, url in shortcuts
        ],
    }
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


def precache_urls() -> list[str]:
    """The shell the worker stores at install: offline page, CSS, JS, icons, htmx, widget pages."""
    htmx = vendor_asset("htmx.org", "htmx.min.js")
    return [
        url_for("main.offline"),
        url_for("main.home"),
        url_for("main.manifest"),
        static_url("css/app.css"),
        static_url("js/app.js"),
        static_url("js/offline.js"),
        static_url("icons/widget.svg"),
        static_url("icons/favicon-32.png"),
        static_url("icons/icon-192.png"),
        htmx["url"],
        url_for("widget.dmp"),
        url_for("widget.adresses"),
        url_for("widget.formulaires"),
        url_for("widget.annuaire"),
        url_for("widget.forum"),
    ]


def personal_offline_urls() -> list[str]:
    """What "Consulter hors ligne sur cet appareil" keeps: the last payments page."""
    return [url_for("paiements.index")]


@functools.cache
def _worker_source(mtime: float) -> str:
    return SW_PATH.read_text(encoding="utf-8")


@bp.get("/sw.js")
def service_worker():
    """The service worker, scope ``/``, with its precache list and a version derived from it."""
    urls = precache_urls()
    source = _worker_source(SW_PATH.stat().st_mtime)
    version = hashlib.sha256((source + "\n".join(urls)).encode()).hexdigest()[:12]
    header = (
        f"const SW_VERSION = {json.dumps(version)};\n"
        f"const PRECACHE_URLS = {json.dumps(urls)};\n"
        f"const OFFLINE_URL = {json.dumps(url_for('main.offline'))};\n"
        f"const LOGOUT_URLS = {json.dumps([url_for('auth.logout'), url_for('auth.logout_everywhere')])};\n"
        f"const PERSONAL_URLS = {json.dumps(personal_offline_urls())};\n"
    )
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
