"""Offline in real Chromium: the six widget buttons without network, the offline fragment in place of
an htmx answer, the banner, "Garder hors ligne", and the personal copy only by choice — gone after
logout."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_passkeys import sign_in_with_password

WIDGET = [
    ("DMP", "Le DMP et Mon espace santé"),
    ("Adresses et contacts", "Adresses et contacts"),
    ("Formulaires", "Formulaires"),
    ("Annuaire santé", "Annuaire santé"),
    ("Forum", "Forum"),
]
CACHE_URLS_JS = """async () => {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 10000));
    const read = (async () => {
        const found = {};
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            found[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
        }
        return found;
    })();
    return Promise.race([read, timeout]);
}"""


def wait_until_controlled(page: Page) -> None:
    """Wait for the service worker to control the page. A page whose navigation started while the
    worker was still installing is never claimed (claim() ran before it existed): reload it then."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)


def controlled(page: Page, live_server, path: str = "/") -> None:
    page.goto(live_server.url + path)
    wait_until_controlled(page)


def widget_button(page: Page, label: str):
    return page.get_by_role("navigation", name="Télécommande").get_by_role("link", name=label)


def test_the_six_buttons_offline(page: Page, context: BrowserContext, live_server):
    controlled(page, live_server)
    page.reload()  # the precache is filled at install: every widget page and its fragment
    context.set_offline(True)
    expect(page.locator("#offline-banner")).to_be_visible()
    for label, heading in WIDGET:
        widget_button(page, label).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Compte is personal: without the opt-in, the offline page.
    widget_button(page, "Compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultable hors ligne")
    expect(
        page.get_by_text("Vous êtes hors ligne — cette information n'est pas disponible sans connexion.")
    ).to_be_visible()
    assert_accessible(page)
    context.set_offline(False)
    expect(page.locator("#offline-banner")).to_be_hidden()
    page.reload()
    expect(page.get_by_text("Vous êtes hors ligne — cette information")).to_be_hidden()


def test_a_live_filter_offline_gets_the_offline_fragment_in_place(
    page: Page, context: BrowserContext, live_server
):
    controlled(page, live_server, "/formulaires")
    context.set_offline(True)
    page.get_by_label("Rechercher un formulaire").fill("une recherche jamais faite")
    results = page.locator("#formulaires-results")
    expect(results).to_contain_text(
        "Vous êtes hors ligne — cette information n'est pas disponible sans connexion."
    )
    # The layout holds: one page heading, the form still there.
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_label("Rechercher un formulaire")).to_be_visible()
    context.set_offline(False)
    page.get_by_label("Rechercher un formulaire").fill("vitale")
    expect(results).not_to_contain_text("Vous êtes hors ligne")


def test_an_uncached_page_offline_gets_the_offline_page(page: Page, context: BrowserContext, live_server):
    controlled(page, live_server)
    context.set_offline(True)
    page.goto(live_server.url + "/annuaire?q=jamais-vu-encore")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultable hors ligne")


def test_keep_a_form_offline_then_remove_it(page: Page, context: BrowserContext, live_server):
    controlled(page, live_server, "/formulaires?q=S3704")
    keep = page.locator("[data-keep-offline]").first
    expect(keep).to_be_visible()
    pdf_url = keep.get_attribute("data-keep-url")
    keep.get_by_role("button", name="Garder hors ligne").click()
    expect(keep.get_by_role("status")).to_contain_text("Gardé sur cet appareil")
    expect(keep.get_by_role("button", name="Retirer de cet appareil")).to_have_attribute(
        "aria-pressed", "true"
    )

    context.set_offline(True)
    fetched = page.evaluate(
        """async (url) => {
            const r = await fetch(url);
            return [r.status, r.headers.get("Content-Type")];
        }""",
        pdf_url,
    )
    assert fetched == [200, "application/pdf"]
    page.goto(live_server.url + "/hors-ligne")
    kept = page.locator("[data-kept-list] li")
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text("Déclaration de choix du médecin traitant (PDF)")
    expect(kept).to_contain_text(re.compile(r"\d+ ko"))
    assert_accessible(page)
    kept.get_by_role("button", name=re.compile("^Retirer")).click()
    expect(kept).to_have_count(0)
    expect(page.get_by_text("Vous n'avez rien gardé hors ligne.")).to_be_visible()
    context.set_offline(False)


def test_keep_a_practitioner_page_offline(page: Page, context: BrowserContext, live_server):
    controlled(page, live_server, "/annuaire/professionnels/810101010105")
    page.get_by_role("button", name="Garder hors ligne").click()
    expect(page.get_by_role("button", name="Retirer de cet appareil")).to_be_visible()
    # Drop the automatic copies: only the kept one may answer.
    page.evaluate(
        """async () => { for (const n of await caches.keys())
               if (n.startsWith("macaisse-pages-") || n.startsWith("macaisse-fragments-")) {
                   const c = await caches.open(n);
                   for (const r of await c.keys())
                       if (r.url.includes("/annuaire/professionnels/")) await c.delete(r);
               } }"""
    )
    context.set_offline(True)
    page.goto(live_server.url + "/annuaire/professionnels/810101010105")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Sophie DURAND")
    context.set_offline(False)


def test_personal_data_offline_only_by_choice_and_gone_after_logout(
    page: Page, context: BrowserContext, live_server
):
    sign_in_with_password(page, live_server)
    wait_until_controlled(page)
    page.goto(live_server.url + "/compte/paiements/")
    caches_now = page.evaluate(CACHE_URLS_JS)
    assert not any(path.startswith("/compte/") for paths in caches_now.values() for path in paths), caches_now

    page.goto(live_server.url + "/appareils")
    option = page.get_by_label("Consulter hors ligne sur cet appareil")
    expect(option).not_to_be_checked()
    assert_accessible(page)
    option.check()
    expect(page.locator("[data-personal-status]")).to_contain_text(
        re.compile(r"Données du \d\d/\d\d à \d\d:\d\d")
    )

    context.set_offline(True)
    page.goto(live_server.url + "/compte/paiements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes paiements")
    expect(page.get_by_role("status").filter(has_text="Consultation hors ligne : données du")).to_be_visible()
    attestation = page.evaluate(
        """async () => {
            const r = await fetch("/compte/documents/attestation-de-droits.pdf");
            const bytes = new Uint8Array(await r.arrayBuffer());
            return [r.status, r.headers.get("Content-Type"), String.fromCharCode(...bytes.slice(0, 5))];
        }"""
    )
    assert attestation == [200, "application/pdf", "%PDF-"]
    context.set_offline(False)

    page.goto(live_server.url + "/compte/")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/(connexion)?$"))
    caches_after = page.evaluate(CACHE_URLS_JS)
    assert not any(path.startswith("/compte/") for paths in caches_after.values() for path in paths), (
        caches_after
    )


def test_runtime_caches_are_bounded_and_skip_personal_answers(page: Page, live_server):
    controlled(page, live_server, "/formulaires?q=S3704")
    pdf_url = page.locator("[data-keep-offline]").first.get_attribute("data-keep-url")
    page.evaluate(
        """async (pdf) => {
            for (let i = 0; i < 70; i++) await fetch(`/annuaire?q=nom${i}`);
            await fetch(`${pdf}?preremplir=1`);
        }""",
        pdf_url,
    )
    cached = page.evaluate(CACHE_URLS_JS)
    pages = next(paths for name, paths in cached.items() if name.startswith("macaisse-pages-"))
    assert len(pages) == 60
    everything = [path for paths in cached.values() for path in paths]
    assert not any(path == pdf_url for path in everything)
