// Installing macaisse as an app, and living in it once installed.
//
// - "Installer l'application" appears only when the browser offers it (beforeinstallprompt), and
//   asks the browser's own dialog on click; it goes once the app is installed.
// - iOS offers no such event: Safari's Share menu does it, so we say so ("Sur l'écran d'accueil").
// - Installed (display-mode standalone), there is no browser back button nor address bar: <html>
//   gets the class "standalone" (and "ios" on iPhone and iPad) so CSS can adapt, the header shows
//   "Retour", and documents open in a window of their own rather than replacing the app's page.

let deferredPrompt = null;
let movedInApp = false; // an htmx navigation of this page added a history entry

function isStandalone() {
  return window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
}

function isIos() {
  // iPadOS says "Macintosh" but has a touch screen.
  return /iPad|iPhone|iPod/.test(navigator.userAgent) || (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1);
}

function cameFromTheApp() {
  try {
    return document.referrer !== "" && new URL(document.referrer).origin === window.location.origin;
  } catch {
    return false;
  }
}

function markDocument() {
  const root = document.documentElement;
  root.classList.toggle("standalone", isStandalone());
  root.classList.toggle("ios", isIos());
}

function update(root = document) {
  const standalone = isStandalone();
  for (const block of root.querySelectorAll("[data-install]")) {
    const button = block.querySelector("[data-install-button]");
    const iosHint = block.querySelector("[data-install-ios]");
    if (button) button.hidden = standalone || deferredPrompt === null;
    if (iosHint) iosHint.hidden = standalone || deferredPrompt !== null || !isIos();
    block.hidden = (!button || button.hidden) && (!iosHint || iosHint.hidden);
  }
  const back = document.querySelector("[data-back]");
  // Only where there is a page of the app to go back to: not on the page the app opened with.
  if (back) back.hidden = !standalone || window.history.length < 2 || !(movedInApp || cameFromTheApp());
  if (standalone) {
    for (const link of root.querySelectorAll('a[href$=".pdf"], a[href*=".pdf?"], a[type="application/pdf"]')) {
      link.target = "_blank";
      link.rel = "noopener";
    }
  }
}

async function install(button) {
  const prompt = deferredPrompt;
  if (!prompt) return;
  deferredPrompt = null; // the browser's prompt can be shown only once
  button.hidden = true;
  try {
    await prompt.prompt();
    await prompt.userChoice;
  } catch {
    // The dialog could not open; the browser's own menu still offers to install.
  }
  update();
}

function init(root = document) {
  markDocument();
  for (const button of root.querySelectorAll("[data-install-button]")) {
    if (button.dataset.bound) continue;
    button.dataset.bound = "true";
    button.addEventListener("click", () => install(button));
  }
  const back = document.querySelector("[data-back]");
  if (back && !back.dataset.bound) {
    back.dataset.bound = "true";
    back.addEventListener("click", () => window.history.back());
  }
  update(root);
}

window.addEventListener("beforeinstallprompt", (event) => {
  // Keep the browser's offer for our button instead of its own banner.
  event.preventDefault();
  deferredPrompt = event;
  update();
});

window.addEventListener("appinstalled", () => {
  deferredPrompt = null;
  update();
});

window.matchMedia("(display-mode: standalone)").addEventListener("change", () => {
  markDocument();
  update();
});

document.addEventListener("htmx:load", (event) => init(event.detail?.elt ?? document));
document.addEventListener("htmx:pushedIntoHistory", () => {
  movedInApp = true;
  update();
});
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => init());
else init();
