// macaisse front end: small progressive enhancements on top of server-rendered HTML and htmx.
// No inline scripts (strict CSP): everything is initialised from here.

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const url = document.body.dataset.swUrl;
  if (!url) return;
  const container = navigator.serviceWorker;
  const banner = document.getElementById("update-banner");
  let registration = null;
  let updateRequested = false;

  // A new version waits until the user asks for it: "Nouvelle version disponible — Mettre à jour".
  // Not on the first install (no controller yet): there is nothing to update then.
  const offerUpdate = () => {
    if (!banner || !container.controller || !registration || !registration.waiting) return;
    banner.querySelector("[data-update-body]").hidden = false;
  };
  banner?.querySelector("[data-update-apply]")?.addEventListener("click", () => {
    const waiting = registration && registration.waiting;
    if (!waiting) return;
    updateRequested = true;
    waiting.postMessage({ type: "SKIP_WAITING" });
  });
  // The new worker took over: reload once, in the page that asked (other tabs keep what is typed).
  let reloading = false;
  container.addEventListener("controllerchange", () => {
    if (banner) banner.querySelector("[data-update-body]").hidden = true;
    if (!updateRequested || reloading) return;
    reloading = true;
    window.location.reload();
  });
  // A notification tapped while this page is not controlled by the worker (after a hard reload):
  // the worker cannot navigate it, so it asks. Only a page of this site.
  container.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type !== "NAVIGATE" || typeof data.url !== "string") return;
    const target = new URL(data.url, window.location.origin);
    if (target.origin === window.location.origin) window.location.assign(target.href);
  });

  container
    .register(url, { scope: "/" })
    .then((registered) => {
      registration = registered;
      const track = (worker) => {
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed") offerUpdate();
        });
      };
      offerUpdate(); // already waiting (found by an earlier page)
      track(registered.installing); // being installed while this page loaded
      registered.addEventListener("updatefound", () => track(registered.installing));
    })
    .catch(() => {
      // The site works without its worker; nothing to tell the user.
    });
}

function updateWidget() {
  const links = document.querySelectorAll(".telecommande a[data-widget]");
  const path = window.location.pathname;
  for (const link of links) {
    const target = new URL(link.href, window.location.origin).pathname;
    const active = target === path || (target !== "/" && path.startsWith(`${target}/`));
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function focusAfterSwap(root) {
  // After a form error, the error summary takes focus; after a navigation, the page heading.
  const summary = root.querySelector("[data-autofocus]");
  const heading = root.querySelector("h1");
  const target = summary || heading;
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: false });
  }
}

function updateOnlineBanner() {
  const banner = document.getElementById("offline-banner");
  if (banner) banner.hidden = navigator.onLine;
}

function init() {
  registerServiceWorker();
  updateOnlineBanner();
  window.addEventListener("online", updateOnlineBanner);
  window.addEventListener("offline", updateOnlineBanner);
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (target && target.id === "page") {
      updateWidget();
      focusAfterSwap(target);
    } else if (target) {
      const summaryInTarget = target.querySelector("[data-autofocus]");
      if (summaryInTarget) summaryInTarget.focus();
    }
  });
  document.body.addEventListener("htmx:sendError", updateOnlineBanner);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
