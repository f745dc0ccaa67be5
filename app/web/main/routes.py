"""Home page, offline page, web app manifest and service worker."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, url_for

from app.assets import static_url, vendor_asset
from app.htmx import render
from app.web.shell import WIDGET

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


@dataclass(frozen=True)
class Screenshot:
    """A screenshot of the app shown by the browser's install dialog; ``python -m
    app.devtools.screenshots`` takes it, with a ``width`` × ``height`` CSS-pixel viewport at
    ``scale`` device pixels per CSS pixel."""

    file: str  # under app/static/
    endpoint: str
    query: tuple[tuple[str, str], ...]
    width: int
    height: int
    scale: float
    form_factor: str  # "narrow" (phones) or "wide" (computers)
    label: str

    @property
    def sizes(self) -> str:
        return f"{round(self.width * self.scale)}x{round(self.height * self.scale)}"


SCREENSHOTS = (
    Screenshot(
        "screenshots/accueil-telephone.png",
        "main.home",
        (),
        360,
        640,
        1.5,
        "narrow",
        "L'accueil de macaisse sur un téléphone, avec la télécommande en bas de l'écran",
    ),
    Screenshot(
        "screenshots/adresses-telephone.png",
        "widget.adresses",
        (("code_postal", "44000"),),
        360,
        640,
        1.5,
        "narrow",
        "Adresses et contacts : la caisse d'un code postal et comment la joindre",
    ),
    Screenshot(
        "screenshots/formulaires-ordinateur.png",
        "widget.formulaires",
        (),
        1280,
        800,
        1,
        "wide",
        "Les formulaires de l'Assurance Maladie, à chercher et à télécharger, sur un ordinateur",
    ),
)


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
    """Web app manifest: standalone display, icons, one shortcut per widget button, screenshots."""
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
    # The widget's buttons; "Compte" to the account home, which sends to the login page if needed.
    shortcuts = [(button.label, button.key, url_for(button.endpoint)) for button in WIDGET]
    data = {
        "id": "/",
        "name": "macaisse — mon assurance maladie",
        "short_name": "macaisse",
        "description": "Remboursements, attestations, démarches et messagerie de votre caisse.",
        "lang": "fr",
        "dir": "ltr",
        "start_url": url_for("main.home"),  # precached, so the app opens offline too
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
        "screenshots": [
            {
                "src": static_url(shot.file),
                "sizes": shot.sizes,
                "type": "image/png",
                "form_factor": shot.form_factor,
                "label": shot.label,
            }
            for shot in SCREENSHOTS
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
        static_url("js/install.js"),
        static_url("icons/widget.svg"),
        static_url("icons/favicon-32.png"),
        static_url("icons/icon-192.png"),
        htmx["url"],
        url_for("widget.dmp"),
        url_for("widget.adresses"),
        url_for("widget.formulaires"),
        url_for("widget.annuaire"),
        url_for("forum.index"),
    ]


def personal_offline_urls() -> list[str]:
    """What "Consulter hors ligne sur cet appareil" keeps: the attestation de droits and the last
    payments page."""
    return [url_for("compte.attestation_current"), url_for("paiements.index")]


def push_settings() -> dict[str, str]:
    """What the worker's push handlers need: the notification's icon and badge (a white mark on
    transparent: Android shows only its shape), the page of a notification without a usable
    address, and where to renew a subscription the push service replaced."""
    return {
        "icon": static_url("icons/icon-192.png"),
        "badge": static_url("icons/badge-72.png"),
        "fallbackUrl": url_for("notifications.index"),
        "publicKeyUrl": url_for("notifications.public_key"),
        "renewUrl": url_for("notifications.subscription_renew"),
    }


@functools.cache
def _worker_source(mtime: float) -> str:
    return SW_PATH.read_text(encoding="utf-8")


@bp.get("/sw.js")
def service_worker():
    """The service worker, scope ``/``, with its precache list and a version derived from it."""
    urls = precache_urls()
    source = _worker_source(SW_PATH.stat().st_mtime)
    salt = current_app.config.get("SW_VERSION_SALT", "")
    version = hashlib.sha256((source + "\n".join(urls) + salt).encode()).hexdigest()[:12]
    header = (
        f"const SW_VERSION = {json.dumps(version)};\n"
        f"const PRECACHE_URLS = {json.dumps(urls)};\n"
        f"const OFFLINE_URL = {json.dumps(url_for('main.offline'))};\n"
        f"const LOGOUT_URLS = {json.dumps([url_for('auth.logout'), url_for('auth.logout_everywhere')])};\n"
        f"const PERSONAL_URLS = {json.dumps(personal_offline_urls())};\n"
        f"const PUSH_SETTINGS = {json.dumps(push_settings())};\n"
    )
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
