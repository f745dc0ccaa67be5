// Passkeys (WebAuthn): add one on "Clés d'accès", sign in with one on the login page.
// The server speaks the WebAuthn JSON forms (base64url); recent browsers parse and produce them
// themselves, older ones get the conversion below. No inline script (strict CSP): bound from here.

const MESSAGES = {
  cancelled: "Opération annulée.",
  duplicate: "Cette clé d'accès est déjà enregistrée sur votre compte.",
  unsupported: "Cet appareil ne peut pas créer ou utiliser ce type de clé d'accès.",
  security: "Les clés d'accès ne peuvent pas être utilisées à cette adresse.",
  network: "Connexion impossible : vérifiez votre accès à Internet, puis réessayez.",
  tooMany: "Trop de tentatives : patientez une minute, puis réessayez.",
  expired: "La page a expiré : rechargez-la, puis réessayez.",
  generic: "Une erreur est survenue. Rechargez la page, puis réessayez.",
  nameMissing: "Saisissez un nom pour cette clé d'accès.",
};

function webauthnAvailable() {
  return (
    typeof window.PublicKeyCredential === "function" &&
    typeof navigator.credentials?.create === "function" &&
    typeof navigator.credentials?.get === "function"
  );
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

function toBuffer(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list) {
  return (list ?? []).map((item) => ({ ...item, id: toBuffer(item.id) }));
}

function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: toBuffer(json.challenge),
    user: { ...json.user, id: toBuffer(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return { ...json, challenge: toBuffer(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const answer = credential.response;
  const response = { clientDataJSON: toBase64url(answer.clientDataJSON) };
  if (answer.attestationObject) {
    response.attestationObject = toBase64url(answer.attestationObject);
    response.transports = typeof answer.getTransports === "function" ? answer.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(answer.authenticatorData);
    response.signature = toBase64url(answer.signature);
    response.userHandle = answer.userHandle ? toBase64url(answer.userHandle) : null;
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults:
      typeof credential.getClientExtensionResults === "function" ? credential.getClientExtensionResults() : {},
  };
}

class ShownError extends Error {}

async function postJSON(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ShownError(MESSAGES.network);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok && data) return data;
  if (data && typeof data.error === "string") throw new ShownError(data.error);
  if (response.status === 429) throw new ShownError(MESSAGES.tooMany);
  if (response.status === 400) throw new ShownError(MESSAGES.expired); // CSRF token of an old page
  throw new ShownError(MESSAGES.generic);
}

function messageFor(error) {
  if (error instanceof ShownError) return error.message;
  switch (error?.name) {
    case "NotAllowedError":
    case "AbortError":
      return MESSAGES.cancelled;
    case "InvalidStateError":
      return MESSAGES.duplicate;
    case "NotSupportedError":
      return MESSAGES.unsupported;
    case "SecurityError":
      return MESSAGES.security;
    default:
      return MESSAGES.generic;
  }
}

function showError(region, message) {
  if (!region) return;
  region.textContent = "";
  // A fresh text node after clearing, so screen readers announce the same message twice in a row.
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

async function signIn(button) {
  const region = button.closest("[data-passkey-block]")?.querySelector("[data-passkey-error]");
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  showError(region, "");
  try {
    const options = await postJSON(button.dataset.optionsUrl);
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    const result = await postJSON(button.dataset.verifyUrl, { credential: credentialJSON(credential) });
    window.location.assign(result.redirect);
  } catch (error) {
    showError(region, messageFor(error));
  } finally {
    button.removeAttribute("aria-busy");
  }
}

async function register(form) {
  const region = form.querySelector("[data-passkey-error]");
  const input = form.querySelector('input[name="name"]');
  if (form.getAttribute("aria-busy") === "true") return;
  const name = input.value.trim();
  if (!name) {
    input.setAttribute("aria-invalid", "true");
    showError(region, MESSAGES.nameMissing);
    input.focus();
    return;
  }
  input.removeAttribute("aria-invalid");
  form.setAttribute("aria-busy", "true");
  showError(region, "");
  try {
    const options = await postJSON(form.dataset.optionsUrl);
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    await postJSON(form.dataset.verifyUrl, { credential: credentialJSON(credential), name });
    window.location.assign(form.dataset.doneUrl);
  } catch (error) {
    showError(region, messageFor(error));
  } finally {
    form.removeAttribute("aria-busy");
  }
}

function init() {
  const available = webauthnAvailable();
  for (const button of document.querySelectorAll("[data-passkey-login]:not([data-passkey-bound])")) {
    button.setAttribute("data-passkey-bound", "");
    if (!available) continue;
    button.addEventListener("click", () => signIn(button));
    const block = button.closest("[data-passkey-block]");
    if (block) block.hidden = false;
  }
  for (const form of document.querySelectorAll("[data-passkey-register]:not([data-passkey-bound])")) {
    form.setAttribute("data-passkey-bound", "");
    if (!available) continue;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      register(form);
    });
    form.hidden = false;
    const note = form.parentElement?.querySelector("[data-passkey-unsupported]");
    if (note) note.hidden = true;
  }
}

// Binding is idempotent (data-passkey-bound), so each swap just looks at the whole document.
document.addEventListener("htmx:load", init);
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
