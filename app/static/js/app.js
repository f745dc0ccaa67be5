// macaisse front end: small progressive enhancements on top of server-rendered HTML and htmx.
// No inline scripts (strict CSP): everything is initialised from here.

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const url = document.body.dataset.swUrl;
  if (!url) return;
  navigator.serviceWorker.register(url, { scope: "/" }).catch(() => {
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
