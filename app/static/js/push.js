// Push notifications on this device ("Notifications sur cet appareil", on the notification
// preferences and "Mes appareils"). The browser's permission is asked only when the button is
// pressed: browsers require a user gesture, and a request on page load gets the site blocked.
// Then: subscribe with the server's VAPID public key, and post the subscription with the CSRF
// header the app uses for htmx. No retry loop: a refusal is the user's answer.

const MESSAGES = {
  unsupported:
    "Votre navigateur ne permet pas de recevoir des notifications. Essayez avec une version récente de Firefox, Chrome, Edge ou Safari.",
  ios:
    "Sur iPhone et iPad (iOS 16.4 ou plus récent), les notifications fonctionnent dans l'application installée : touchez Partager, puis « Sur l'écran d'accueil », puis ouvrez macaisse depuis l'écran d'accueil et revenez sur cette page.",
  denied:
    "Les notifications de macaisse sont bloquées dans votre navigateur. Pour les autoriser, ouvrez les réglages du site (le cadenas ou l'icône à gauche de l'adresse ; sur iPhone, Réglages, puis Notifications, puis macaisse), autorisez les notifications, puis rechargez cette page.",
  dismissed: "Vous n'avez pas autorisé les notifications. Vous pourrez les activer plus tard depuis cette page.",
  enabled: "Les notifications sont activées sur cet appareil.",
  disabled: "Les notifications sont désactivées sur cet appareil.",
  working: "Activation en cours…",
  network: "Connexion impossible : vérifiez votre accès à Internet, puis réessayez.",
  expired: "La page a expiré : rechargez-la, puis réessayez.",
  noWorker: "L'activation n'a pas pu aboutir : rechargez la page, puis réessayez.",
  subscribeFailed:
    "Votre navigateur n'a pas pu s'abonner aux notifications. Réessayez plus tard, ou avec un autre navigateur.",
  generic: "Une erreur est survenue. Rechargez la page, puis réessayez.",
};
const WORKER_TIMEOUT = 10000; // ms to wait for the service worker before giving up

class ShownError extends Error {}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function base64urlBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  if (!buffer) return false;
  const other = new Uint8Array(buffer);
  return other.length === bytes.length && other.every((value, index) => value === bytes[index]);
}

async function workerRegistration() {
  const timeout = new Promise((_, reject) => {
    window.setTimeout(() => reject(new ShownError(MESSAGES.noWorker)), WORKER_TIMEOUT);
  });
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

async function request(url, options) {
  try {
    return await fetch(url, { credentials: "same-origin", ...options });
  } catch {
    throw new ShownError(MESSAGES.network);
  }
}

async function errorOf(response) {
  try {
    const data = await response.json();
    if (data && typeof data.error === "string") return data.error;
  } catch {
    // Not our JSON (a proxy's page): the generic message below.
  }
  if (response.status === 400) return MESSAGES.expired; // the CSRF token of an old page
  return MESSAGES.generic;
}

async function publicKey(block) {
  const response = await request(block.dataset.keyUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new ShownError(MESSAGES.generic);
  const data = await response.json();
  return base64urlBytes(data.publicKey);
}

function announce(block, message) {
  const status = block.querySelector("[data-push-status]");
  status.textContent = "";
  // A fresh text node after clearing, so screen readers announce the same message twice in a row.
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
}

function show(block, state, message) {
  const enableButton = block.querySelector("[data-push-enable]");
  const disableButton = block.querySelector("[data-push-disable]");
  const focused = document.activeElement;
  enableButton.hidden = state !== "off";
  disableButton.hidden = state !== "on";
  block.dataset.state = state;
  announce(block, message);
  // The pressed button may have just been hidden: keep the keyboard focus in the block.
  if ((focused === enableButton || focused === disableButton) && focused.hidden) {
    const next = [enableButton, disableButton].find((button) => !button.hidden);
    if (next) next.focus();
    else {
      const status = block.querySelector("[data-push-status]");
      status.tabIndex = -1;
      status.focus();
    }
  }
}

async function enable(block) {
  const permission = await Notification.requestPermission();
  if (permission === "denied") return show(block, "blocked", MESSAGES.denied);
  if (permission !== "granted") return show(block, "off", MESSAGES.dismissed);
  announce(block, MESSAGES.working);
  const registration = await workerRegistration();
  const key = await publicKey(block);
  const existing = await registration.pushManager.getSubscription();
  // Subscribed with another key (the server's key changed): the browser refuses a second one.
  if (existing && !sameKey(existing.options?.applicationServerKey, key)) await existing.unsubscribe();
  let subscription;
  try {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  } catch {
    throw new ShownError(MESSAGES.subscribeFailed);
  }
  const response = await request(block.dataset.subscriptionsUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!response.ok) {
    // Not stored by the server: the browser must not keep a subscription nobody pushes to.
    const message = await errorOf(response);
    await subscription.unsubscribe().catch(() => {});
    throw new ShownError(message);
  }
  if ("reload" in block.dataset) window.location.reload(); // "Mes appareils" lists the new device
  else show(block, "on", MESSAGES.enabled);
}

async function disable(block) {
  const registration = await workerRegistration();
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    // Best effort on the server: once the browser unsubscribed, the push service refuses our
    // pushes and the server forgets the device anyway.
    await request(block.dataset.subscriptionsUrl, {
      method: "DELETE",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ endpoint: subscription.endpoint }),
    }).catch(() => {});
    await subscription.unsubscribe();
  }
  if ("reload" in block.dataset) window.location.reload();
  else show(block, "off", MESSAGES.disabled);
}

function run(block, action) {
  action(block).catch((error) => {
    const message = error instanceof ShownError ? error.message : MESSAGES.generic;
    show(block, block.dataset.state === "on" ? "on" : "off", message);
  });
}

async function initialState(block) {
  if (!supported()) {
    const ios = document.documentElement.classList.contains("ios");
    const installed = document.documentElement.classList.contains("standalone");
    return show(block, "unsupported", ios && !installed ? MESSAGES.ios : MESSAGES.unsupported);
  }
  if (Notification.permission === "denied") return show(block, "blocked", MESSAGES.denied);
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  if (subscription && Notification.permission === "granted") return show(block, "on", MESSAGES.enabled);
  return show(block, "off", "");
}

function init(root = document) {
  for (const block of root.querySelectorAll("[data-push-subscribe]")) {
    if (block.dataset.bound) continue;
    block.dataset.bound = "true";
    block.hidden = false;
    block.querySelector("[data-push-enable]").addEventListener("click", () => run(block, enable));
    block.querySelector("[data-push-disable]").addEventListener("click", () => run(block, disable));
    initialState(block).catch(() => show(block, "off", ""));
  }
}

document.addEventListener("htmx:load", (event) => init(event.detail?.elt ?? document));
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => init());
else init();
