// Offline use, chosen by the user: "Garder hors ligne" on public pages and forms, the list of what
// this device keeps (on the offline page), and "Consulter hors ligne sur cet appareil" for the
// personal pages. The service worker serves these copies when the network is down.

const KEPT_PAGES = "macaisse-kept-pages";
const KEPT_FRAGMENTS = "macaisse-kept-fragments";
const PERSONAL_CACHE = "macaisse-personal";
const PERSONAL_META = "/__macaisse__/personnel.json";
const PAGE_CACHE_PREFIX = "macaisse-pages-";
// A kept personal copy older than this is refreshed when the user comes back online.
const REFRESH_AFTER_MS = 15 * 60 * 1000;

const supported = "caches" in window && "serviceWorker" in navigator;

function account() {
  return document.body.dataset.account || "";
}

function say(region, text) {
  if (region) region.textContent = text;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} ko`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(".", ",")} Mo`;
}

function formatDate(iso) {
  const when = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(when.getDate())}/${pad(when.getMonth() + 1)} à ${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

async function worker() {
  const registration = await navigator.serviceWorker.ready;
  return registration.active;
}

// --- Garder hors ligne ------------------------------------------------------------------------

async function withLabel(response, title) {
  // The title and date travel with the copy, for the list of what is kept.
  const headers = new Headers(response.headers);
  headers.set("X-Macaisse-Title", encodeURIComponent(title));
  headers.set("X-Macaisse-Kept-At", new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, headers });
}

async function keep(url, title) {
  const absolute = new URL(url, window.location.origin).href;
  const page = await fetch(absolute, { credentials: "omit" });
  if (!page.ok) throw new Error(`keep failed: ${url}`);
  const isHtml = (page.headers.get("Content-Type") || "").startsWith("text/html");
  await (await caches.open(KEPT_PAGES)).put(absolute, await withLabel(page, title));
  if (isHtml) {
    // The htmx version too, so that the widget's in-page navigation works offline.
    const fragment = await fetch(absolute, { credentials: "omit", headers: { "HX-Request": "true" } });
    if (fragment.ok) await (await caches.open(KEPT_FRAGMENTS)).put(absolute, fragment);
  }
}

async function forget(url) {
  const absolute = new URL(url, window.location.origin).href;
  await (await caches.open(KEPT_PAGES)).delete(absolute);
  await (await caches.open(KEPT_FRAGMENTS)).delete(absolute);
}

async function isKept(url) {
  return Boolean(await (await caches.open(KEPT_PAGES)).match(new URL(url, window.location.origin).href));
}

async function setupKeepButton(container) {
  if (container.dataset.ready) return;
  container.dataset.ready = "1";
  const button = container.querySelector("button");
  const status = container.querySelector("[data-keep-status]");
  const { keepUrl: url, keepTitle: title } = container.dataset;
  const refresh = async () => {
    const kept = await isKept(url);
    button.textContent = kept ? "Retirer de cet appareil" : "Garder hors ligne";
    button.setAttribute("aria-pressed", kept ? "true" : "false");
    return kept;
  };
  button.addEventListener("click", async () => {
    try {
      if (await isKept(url)) {
        await forget(url);
        say(status, "Retiré de cet appareil.");
      } else {
        await keep(url, title);
        say(status, "Gardé sur cet appareil : consultable sans connexion.");
      }
    } catch {
      say(status, "Impossible de garder cette page : vérifiez votre connexion et réessayez.");
    }
    await refresh();
  });
  await refresh();
  container.hidden = false;
}

// --- Ce que garde cet appareil (page hors ligne) ------------------------------------------------

async function keptEntries() {
  const cache = await caches.open(KEPT_PAGES);
  const entries = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    const blob = await response.clone().blob();
    const fragment = await (await caches.open(KEPT_FRAGMENTS)).match(request);
    const size = blob.size + (fragment ? (await fragment.blob()).size : 0);
    entries.push({
      url: request.url,
      title: decodeURIComponent(response.headers.get("X-Macaisse-Title") || "") || new URL(request.url).pathname,
      keptAt: response.headers.get("X-Macaisse-Kept-At"),
      size,
    });
  }
  return entries;
}

async function seenEntries() {
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGE_CACHE_PREFIX));
  const entries = [];
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const match = /<title>([^<]*)<\/title>/.exec(await response.text());
      const title = match ? match[1].replace(/\s+–\s+macaisse$/, "").replace(/&#39;/g, "'").replace(/&amp;/g, "&") : "";
      entries.push({ url: request.url, title: title || new URL(request.url).pathname });
    }
  }
  return entries.slice(-30).reverse();
}

function link(url, text) {
  const a = document.createElement("a");
  a.href = new URL(url).pathname + new URL(url).search;
  a.textContent = text;
  return a;
}

async function renderLibrary(library) {
  const keptList = library.querySelector("[data-kept-list]");
  const empty = library.querySelector("[data-kept-empty]");
  const seenList = library.querySelector("[data-seen-list]");
  const kept = await keptEntries();
  keptList.replaceChildren();
  for (const entry of kept) {
    const item = document.createElement("li");
    item.append(link(entry.url, entry.title));
    const details = document.createElement("span");
    details.className = "muted";
    details.textContent = ` — ${formatSize(entry.size)}${entry.keptAt ? `, gardé le ${formatDate(entry.keptAt)}` : ""} `;
    item.append(details);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = "Retirer";
    remove.setAttribute("aria-label", `Retirer « ${entry.title} » de cet appareil`);
    remove.addEventListener("click", async () => {
      await forget(entry.url);
      await renderLibrary(library);
      library.querySelector("h2").focus();
    });
    item.append(remove);
    keptList.append(item);
  }
  empty.hidden = kept.length > 0;
  seenList.replaceChildren(...(await seenEntries()).map((entry) => {
    const item = document.createElement("li");
    item.append(link(entry.url, entry.title));
    return item;
  }));
  library.hidden = false;
}

// --- Consulter hors ligne sur cet appareil (données personnelles) -------------------------------

async function personalMeta() {
  const hit = await (await caches.open(PERSONAL_CACHE)).match(PERSONAL_META);
  return hit ? hit.json() : null;
}

function askWorker(message, answers) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), 20000);
    const listener = (event) => {
      if (!answers.includes(event.data && event.data.type)) return;
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener("message", listener);
      resolve(event.data);
    };
    navigator.serviceWorker.addEventListener("message", listener);
    worker().then((active) => active.postMessage(message), reject);
  });
}

async function setupPersonal(container) {
  if (container.dataset.ready) return;
  container.dataset.ready = "1";
  const checkbox = container.querySelector("input[type=checkbox]");
  const status = container.querySelector("[data-personal-status]");
  const show = (meta) => {
    checkbox.checked = Boolean(meta);
    say(status, meta ? `Données du ${formatDate(meta.savedAt)} gardées sur cet appareil.` : "Rien n'est gardé sur cet appareil.");
  };
  checkbox.addEventListener("change", async () => {
    if (checkbox.checked) {
      say(status, "Enregistrement sur cet appareil…");
      const answer = await askWorker({ type: "PERSONAL_KEEP", account: account() }, ["PERSONAL_KEPT", "PERSONAL_FAILED"]).catch(() => null);
      if (!answer || answer.type !== "PERSONAL_KEPT") {
        checkbox.checked = false;
        say(status, "Impossible d'enregistrer vos données sur cet appareil : vérifiez votre connexion et réessayez.");
        return;
      }
      show({ savedAt: answer.savedAt });
    } else {
      (await worker()).postMessage({ type: "PERSONAL_DROP" });
      await caches.delete(PERSONAL_CACHE);
      show(null);
    }
  });
  show(await personalMeta());
  container.hidden = false;
}

async function refreshPersonalCopy() {
  // Who is signed in: the worker drops another account's copy; ours is refreshed when stale. Pages
  // without an account (signed out, or the shell served offline) say nothing: the logout itself
  // drops the copy.
  if (!account() || !navigator.onLine) return;
  const active = await worker();
  if (!active) return;
  active.postMessage({ type: "ACCOUNT", account: account() });
  const meta = await personalMeta();
  if (meta && meta.account === account()) {
    if (Date.now() - new Date(meta.savedAt).getTime() > REFRESH_AFTER_MS) {
      active.postMessage({ type: "PERSONAL_KEEP", account: account() });
    }
  }
}

function showConnectivity(root) {
  // The offline page is also reachable online (footer link): its "you are offline" notice is not.
  for (const notice of root.querySelectorAll("[data-offline-only]")) notice.hidden = navigator.onLine;
}

function init(root) {
  showConnectivity(root);
  if (!supported) return;
  for (const container of root.querySelectorAll("[data-keep-offline]")) setupKeepButton(container);
  for (const library of root.querySelectorAll("[data-offline-library]")) renderLibrary(library);
  for (const container of root.querySelectorAll("[data-personal-offline]")) setupPersonal(container);
}

window.addEventListener("online", () => showConnectivity(document));
window.addEventListener("offline", () => showConnectivity(document));
{
  const start = () => {
    init(document);
    if (supported) refreshPersonalCopy().catch(() => {});
    document.body.addEventListener("htmx:load", (event) => init(event.detail.elt));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
