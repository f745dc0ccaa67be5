"""The installable app as the server serves it: manifest fields, screenshots and icons of the
declared sizes, the worker's push settings and version, and the install and update markup."""

from __future__ import annotations

import json
import re
import struct

import pytest

from app.web.main.routes import SCREENSHOTS
from app.web.shell import WIDGET
from tests.conftest import HX


def png_size(data: bytes) -> str:
    """``WxH`` from a PNG's IHDR chunk (the first one, right after the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return f"{width}x{height}"


def fetched(client, url: str) -> tuple[int, str, bytes]:
    with client.get(url) as response:
        return response.status_code, response.mimetype, response.get_data()


def worker_constant(source: str, name: str):
    return json.loads(re.search(rf"^const {name} = (.*);$", source, re.MULTILINE).group(1))


def test_manifest_has_every_installability_field(client):
    data = client.get("/manifest.webmanifest").get_json(force=True)
    assert data["id"] == "/"
    assert data["scope"] == "/"
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["lang"] == "fr"
    assert data["theme_color"] == "#0b5fa5"
    assert data["background_color"] == "#ffffff"
    assert data["description"]
    assert data["short_name"] == "macaisse"


def test_manifest_shortcuts_are_the_widget_buttons(client):
    data = client.get("/manifest.webmanifest").get_json(force=True)
    assert [(s["name"], s["url"]) for s in data["shortcuts"]] == [
        ("Compte", "/compte/"),
        ("DMP", "/dmp"),
        ("Adresses et contacts", "/adresses"),
        ("Formulaires", "/formulaires"),
        ("Annuaire santé", "/annuaire"),
        ("Forum", "/forum/"),
    ]
    assert [s["name"] for s in data["shortcuts"]] == [button.label for button in WIDGET]


def test_manifest_screenshots_narrow_and_wide_of_their_declared_size(client):
    data = client.get("/manifest.webmanifest").get_json(force=True)
    screenshots = data["screenshots"]
    assert len(screenshots) == len(SCREENSHOTS)
    assert {shot["form_factor"] for shot in screenshots} == {"narrow", "wide"}
    for shot in screenshots:
        assert shot["label"]
        assert shot["type"] == "image/png"
        status, mimetype, body = fetched(client, shot["src"])
        assert (status, mimetype) == (200, "image/png"), shot["src"]
        assert png_size(body) == shot["sizes"], shot["src"]
        width, height = map(int, shot["sizes"].split("x"))
        # Chromium's rules for the richer install dialog: 320 to 3840 pixels, ratio at most 2.3.
        assert min(width, height) >= 320
        assert max(width, height) <= 3840
        assert max(width, height) / min(width, height) <= 2.3
        assert (height > width) == (shot["form_factor"] == "narrow")


def test_manifest_icons_are_of_their_declared_size(client):
    data = client.get("/manifest.webmanifest").get_json(force=True)
    icons = data["icons"] + [icon for shortcut in data["shortcuts"] for icon in shortcut["icons"]]
    for icon in icons:
        status, mimetype, body = fetched(client, icon["src"])
        assert (status, mimetype) == (200, "image/png"), icon["src"]
        assert png_size(body) == icon["sizes"], icon["src"]


def test_start_url_is_precached_so_the_app_opens_offline(client):
    source = client.get("/sw.js").get_data(as_text=True)
    start_url = client.get("/manifest.webmanifest").get_json(force=True)["start_url"]
    assert start_url in worker_constant(source, "PRECACHE_URLS")


def test_worker_push_settings_point_at_real_urls(client):
    source = client.get("/sw.js").get_data(as_text=True)
    settings = worker_constant(source, "PUSH_SETTINGS")
    assert settings["fallbackUrl"] == "/notifications"
    assert settings["publicKeyUrl"] == "/push/cle-publique"
    assert settings["renewUrl"] == "/push/subscriptions/renouvellement"
    assert fetched(client, settings["icon"])[0] == 200
    status, _, badge = fetched(client, settings["badge"])
    assert status == 200
    assert png_size(badge) == "72x72"
    for handler in ("push", "notificationclick", "pushsubscriptionchange"):
        assert f'addEventListener("{handler}"' in source
    assert "async function openNotificationTarget(url)" in source


def test_worker_version_changes_with_the_salt(app, client):
    before = client.get("/sw.js").get_data(as_text=True)
    assert client.get("/sw.js").get_data(as_text=True) == before  # stable while nothing changes
    app.config["SW_VERSION_SALT"] = "deploy-2"
    after = client.get("/sw.js").get_data(as_text=True)
    assert worker_constant(after, "SW_VERSION") != worker_constant(before, "SW_VERSION")


def test_home_has_the_install_block_hidden_until_the_browser_offers(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<div class="install" data-install hidden>', html)
    assert re.search(r"<button[^>]*data-install-button hidden>Installer l'application</button>", html)
    assert "touchez Partager, puis « Sur l'écran d'accueil »." in html
    assert re.search(r'<script type="module" src="/static/js/install.js\?v=[0-9a-f]+"></script>', html)


def test_every_page_has_the_update_banner_and_a_back_button_for_the_installed_app(client):
    html = client.get("/dmp").get_data(as_text=True)
    assert '<div class="update-banner" id="update-banner" aria-live="polite">' in html
    assert re.search(r"<div[^>]*data-update-body hidden>\s*<p>Nouvelle version disponible</p>", html)
    assert ">Mettre à jour</button>" in html
    assert re.search(r"<button[^>]*data-back hidden>Retour</button>", html)
    assert "update-banner" not in client.get("/dmp", headers=HX).get_data(as_text=True)


@pytest.mark.parametrize("url", ["/notifications/preferences", "/appareils"])
def test_push_block_on_the_preferences_and_devices_pages(client, users, login_as, url):
    login_as("camille")
    html = client.get(url).get_data(as_text=True)
    assert re.search(r"<div data-push-subscribe hidden\s", html)
    assert 'data-key-url="/push/cle-publique"' in html
    assert 'data-subscriptions-url="/push/subscriptions"' in html
    assert "jamais de détail médical" in html
    assert "<noscript><p>Pour recevoir les notifications sur cet appareil, activez JavaScript" in html
    assert ">Activer les notifications sur cet appareil</button>" in html
    assert re.search(r'<script type="module" src="/static/js/push.js\?v=[0-9a-f]+"></script>', html)
    assert ("data-reload" in html) == (url == "/appareils")


@pytest.mark.parametrize("path", ["js/push.js", "js/install.js", "icons/badge-72.png"])
def test_new_static_files_are_served(client, path):
    assert fetched(client, f"/static/{path}")[0] == 200
