"""Every widget page as a page and as a fragment; headers that make them safe and cacheable."""

import pytest

from tests.conftest import HX

WIDGET_PAGES = [
    ("/", "Votre assurance maladie"),
    ("/dmp", "Mon espace santé"),
    ("/adresses", "Adresses et contacts"),
    ("/formulaires", "Formulaires"),
    ("/annuaire", "Annuaire santé"),
    ("/forum/", "Forum"),
    ("/hors-ligne", "Consultable hors ligne"),
    ("/connexion", "Se connecter"),
]


def status_of(client, url: str) -> int:
    """GET ``url`` and close the response (static files are streamed from open files)."""
    with client.get(url) as response:
        return response.status_code


@pytest.mark.parametrize(("url", "text"), WIDGET_PAGES)
def test_full_page(client, url, text):
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert '<html lang="fr">' in html
    assert text in html
    assert 'aria-label="Télécommande"' in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(("url", "text"), WIDGET_PAGES)
def test_fragment(client, url, text):
    response = client.get(url, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert "<body" not in html
    assert 'aria-label="Télécommande"' not in html
    assert text in html
    assert html.startswith("<title>")
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_and_boosted_requests_get_the_whole_page(client):
    for extra in ({"HX-History-Restore-Request": "true"}, {"HX-Boosted": "true"}):
        html = client.get("/dmp", headers={**HX, **extra}).get_data(as_text=True)
        assert html.startswith("<!doctype html>")


def test_widget_has_six_buttons_and_marks_the_active_one(client):
    html = client.get("/annuaire").get_data(as_text=True)
    for label in ("Compte", "DMP", "Adresses et contacts", "Formulaires", "Annuaire santé", "Forum"):
        assert f"<span>{label}</span>" in html
    assert html.count('aria-current="page"') == 1
    active = html.split('aria-current="page"')[0].rsplit("<a ", 1)[1]
    assert 'data-widget="annuaire"' in active


def test_compte_button_leads_to_login_when_anonymous(client):
    html = client.get("/").get_data(as_text=True)
    compte = html.split('data-widget="compte"')[0].rsplit("<a ", 1)[1]
    assert 'href="/connexion"' in compte


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # not outside production


def test_no_inline_script_or_style_in_pages(client):
    import re

    for url, _text in WIDGET_PAGES:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert " style=" not in html, url
        assert " onclick=" not in html, url
        assert " hx-on" not in html, url


def test_htmx_is_vendored_with_sri(client):
    html = client.get("/").get_data(as_text=True)
    assert 'src="/static/vendor/htmx.org/2.0.11/htmx.min.js"' in html
    assert 'integrity="sha384-' in html
    assert status_of(client, "/static/vendor/htmx.org/2.0.11/htmx.min.js") == 200


def test_htmx_config_is_strict(client):
    import html as html_lib
    import json
    import re

    page = client.get("/").get_data(as_text=True)
    raw = re.search(r'<meta name="htmx-config" content="([^"]+)"', page).group(1)
    config = json.loads(html_lib.unescape(raw))
    assert config["historyCacheSize"] == 0
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]


def test_versioned_static_files_are_immutable(client):
    import re

    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app.css\?v=[0-9a-f]+)"', html).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    data = response.get_json(force=True)
    for key in (
        "name",
        "short_name",
        "start_url",
        "scope",
        "display",
        "theme_color",
        "background_color",
        "icons",
        "shortcuts",
    ):
        assert data[key], key
    assert data["display"] == "standalone"
    assert data["scope"] == "/"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    assert [s["name"] for s in data["shortcuts"]] == [
        "Compte",
        "DMP",
        "Adresses et contacts",
        "Formulaires",
        "Annuaire santé",
        "Forum",
    ]
    for icon in data["icons"] + [i for s in data["shortcuts"] for i in s["icons"]]:
        assert status_of(client, icon["src"]) == 200, icon["src"]
    assert 'rel="manifest" href="/manifest.webmanifest"' in client.get("/").get_data(as_text=True)


def test_service_worker_is_served_at_the_root_and_precaches_real_urls(client):
    import json
    import re

    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    source = response.get_data(as_text=True)
    urls = json.loads(re.search(r"const PRECACHE_URLS = (\[.*?\]);", source).group(1))
    assert "/hors-ligne" in urls
    for url in urls:
        assert status_of(client, url) == 200, url
    assert 'addEventListener("fetch"' in source


def test_service_worker_knows_the_logout_and_personal_urls(client):
    import json
    import re

    source = client.get("/sw.js").get_data(as_text=True)
    logout = json.loads(re.search(r"const LOGOUT_URLS = (\[.*?\]);", source).group(1))
    personal = json.loads(re.search(r"const PERSONAL_URLS = (\[.*?\]);", source).group(1))
    assert logout == ["/deconnexion", "/securite/deconnexion-partout"]
    assert personal == ["/compte/documents/attestation-de-droits.pdf", "/compte/paiements/"]


def test_offline_fragment_is_a_notice_swappable_anywhere(client):
    response = client.get("/hors-ligne", headers=HX)
    html = response.get_data(as_text=True)
    assert "Vous êtes hors ligne — cette information n'est pas disponible sans connexion." in html
    assert "<h1" not in html
    assert "<html" not in html
    page = client.get("/hors-ligne").get_data(as_text=True)
    assert "data-offline-library" in page
    assert "data-offline-only" in page


def test_keep_offline_controls_on_forms_and_practitioner_pages(client, caisses):
    html = client.get("/formulaires", query_string={"q": "S3704"}).get_data(as_text=True)
    assert 'data-keep-offline data-keep-url="/formulaires/declaration-de-choix-du-medecin-traitant/v' in html


def test_account_tag_is_opaque_and_only_for_a_signed_in_user(client, users, login_as):
    import re

    anonymous = client.get("/dmp").get_data(as_text=True)
    assert 'data-account=""' in anonymous
    login_as("camille")
    tag = re.search(r'data-account="([0-9a-f]*)"', client.get("/dmp").get_data(as_text=True)).group(1)
    assert len(tag) == 24
    assert str(users["camille"].id) != tag
