"""Passkeys in real Chromium with a CDP virtual authenticator: add one after a password login,
sign out, sign in again with it alone (discoverable credential), and axe on the passkeys page."""

from __future__ import annotations

import re

from playwright.sync_api import CDPSession, Page, expect

from tests.e2e.conftest import assert_accessible, newest_login_code

NIR = "2 95 06 75 056 123 49"
PASSWORD = "Macaisse-Demo-2026"


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A platform authenticator (CTAP2, resident keys, user verification) that answers by itself."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def sign_in_with_password(page: Page, live_server) -> None:
    """The demo assurée's password login, then the e-mail code (a new browser) and the CGU when asked."""
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Numéro de sécurité sociale").fill(NIR)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/(connexion/code|cgu|compte/)$"))
    if page.url.endswith("/connexion/code"):
        page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
        page.get_by_role("button", name="Valider", exact=True).click()
        expect(page).to_have_url(re.compile(r"/(cgu|compte/)$"))
    if page.url.endswith("/cgu"):
        page.get_by_label("J'ai lu et j'accepte les conditions générales d'utilisation").check()
        page.get_by_role("button", name="Accepter et continuer").click()
    expect(page).to_have_url(live_server.url + "/compte/")


def test_add_a_passkey_then_sign_in_with_it(page: Page, live_server):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: m.type == "error" and "Content Security Policy" in m.text and csp_errors.append(m.text),
    )
    cdp, authenticator_id = virtual_authenticator(page)
    sign_in_with_password(page, live_server)

    page.goto(live_server.url + "/securite/cles-d-acces")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clés d'accès")
    page.get_by_label("Nom de la nouvelle clé d'accès", exact=True).fill("Mon téléphone")
    page.get_by_role("button", name="Ajouter une clé d'accès", exact=True).click()
    expect(page.get_by_role("heading", level=3, name="Mon téléphone")).to_be_visible()
    expect(page.get_by_text("La clé d'accès « Mon téléphone » est ajoutée à votre compte.")).to_be_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1
    assert credentials[0]["isResidentCredential"] is True
    assert credentials[0]["rpId"] == "localhost"
    assert_accessible(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté(e).")).to_be_visible()
    page.goto(live_server.url + "/connexion")
    page.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    expect(page).to_have_url(live_server.url + "/compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille Martin")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credentials[0]["signCount"] >= 2
    assert csp_errors == []


def test_a_cancelled_passkey_prompt_is_said_in_french(page: Page, live_server):
    """Without any passkey on the device, the browser's prompt fails: the alert says so in French."""
    virtual_authenticator(page)
    page.goto(live_server.url + "/connexion")
    supported = page.evaluate(
        """() => Promise.race([
            PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(),
            new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 10000)),
        ])"""
    )
    assert supported is True
    page.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    expect(page.get_by_role("alert").filter(has_text="Opération annulée.")).to_be_visible(timeout=20_000)
