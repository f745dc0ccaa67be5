/* macaisse service worker, scope "/".
 *
 * The server prepends SW_VERSION, PRECACHE_URLS, OFFLINE_URL, LOGOUT_URLS and PERSONAL_URLS to this
 * file, so the worker's bytes change whenever a precached asset changes and the browser installs the
 * new version.
 *
 * Caches:
 * - static (versioned): the precached shell and versioned static files, cache first;
 * - pages / fragments (versioned, bounded): public pages and their htmx fragments, network first.
 *   They are kept apart on purpose: with "Vary: HX-Request" a fragment must never be served as a
 *   page, nor the reverse;
 * - kept pages / kept fragments: what the user chose to "Garder hors ligne", until they remove it;
 * - personal: only when the user turned on "Consulter hors ligne sur cet appareil", dropped on
 *   logout and when another account signs in.
 * Every other request (personal pages, every non-GET) goes to the network only.
 */
/* global SW_VERSION, PRECACHE_URLS, OFFLINE_URL, LOGOUT_URLS, PERSONAL_URLS */

const STATIC_CACHE = `macaisse-static-${SW_VERSION}`;
const PAGE_CACHE = `macaisse-pages-${SW_VERSION}`;
const FRAGMENT_CACHE = `macaisse-fragments-${SW_VERSION}`;
const KEPT_PAGES = "macaisse-kept-pages";
const KEPT_FRAGMENTS = "macaisse-kept-fragments";
const PERSONAL_CACHE = "macaisse-personal";
const OWN_CACHES = [STATIC_CACHE, PAGE_CACHE, FRAGMENT_CACHE, KEPT_PAGES, KEPT_FRAGMENTS, PERSONAL_CACHE];
// Recently seen public pages kept for offline use, per cache; the oldest go first.
const MAX_ENTRIES = 60;
// Where the personal cache records whose data it holds and when it was taken.
const PERSONAL_META = "/__macaisse__/personnel.json";

// Public pages of the widget: network first, cached copy when offline.
const PUBLIC_PREFIXES = ["/dmp", "/adresses", "/formulaires", "/annuaire", "/forum", "/hors-ligne", "/informations"];

function isPublicPage(url) {
  if (url.pathname === "/") return true;
  // A form pre-filled with the user's identity is personal, whatever its path.
  if (url.searchParams.has("preremplir")) return false;
  return PUBLIC_PREFIXES.some((prefix) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
}

function isStatic(url) {
  return url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest";
}

function isFragmentRequest(request) {
  return request.headers.get("HX-Request") === "true" && request.headers.get("HX-History-Restore-Request") !== "true";
}

function isPersonal(url) {
  return PERSONAL_URLS.includes(url.pathname);
}

function storable(response) {
  // The server's word: a page marked no-store or private is never kept by the worker.
  const control = response.headers.get("Cache-Control") || "";
  return response.ok && response.type === "basic" && !/no-store|private/.test(control);
}

async function trim(cache) {
  const keys = await cache.keys();
  for (const request of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) await cache.delete(request);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const staticCache = await caches.open(STATIC_CACHE);
      const pageCache = await caches.open(PAGE_CACHE);
      const fragmentCache = await caches.open(FRAGMENT_CACHE);
      for (const path of PRECACHE_URLS) {
        const url = new URL(path, self.location.origin);
        // No cookies: the shell is the same for everyone, and a response setting the session cookie
        // while the user signs in would overwrite the new session (a race seen in tests).
        const response = await fetch(url, { credentials: "omit", cache: "no-cache" });
        if (!response.ok) throw new Error(`precache failed: ${path}`);
        await (isStatic(url) ? staticCache : pageCache).put(url.href, response);
        if (!isStatic(url) && url.pathname !== OFFLINE_URL) {
          const fragment = await fetch(url, { credentials: "omit", cache: "no-cache", headers: { "HX-Request": "true" } });
          if (fragment.ok) await fragmentCache.put(url.href, fragment);
        }
      }
      const offlineFragment = await fetch(OFFLINE_URL, { credentials: "omit", headers: { "HX-Request": "true" } });
      if (offlineFragment.ok) await fragmentCache.put(new URL(OFFLINE_URL, self.location.origin).href, offlineFragment);
      if (self.registration.active === null) await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("macaisse-") && !OWN_CACHES.includes(name)).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

async function dropPersonal() {
  await caches.delete(PERSONAL_CACHE);
}

async function personalMeta() {
  const cache = await caches.open(PERSONAL_CACHE);
  const hit = await cache.match(PERSONAL_META);
  return hit ? hit.json() : null;
}

async function keepPersonal(account) {
  // Fetch the personal pages now, with the user's session, and keep them dated.
  await dropPersonal();
  const cache = await caches.open(PERSONAL_CACHE);
  for (const path of PERSONAL_URLS) {
    const response = await fetch(path, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) throw new Error(`personal fetch failed: ${path}`);
    await cache.put(new URL(path, self.location.origin).href, response);
  }
  const meta = { account, savedAt: new Date().toISOString() };
  await cache.put(PERSONAL_META, new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }));
  return meta;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "ACCOUNT") {
    // The page says who is signed in (an opaque id, empty when nobody): personal data of another
    // account, or kept from before a logout, must not stay.
    event.waitUntil(
      personalMeta().then((meta) => (meta && meta.account !== data.account ? dropPersonal() : undefined)),
    );
  } else if (data.type === "PERSONAL_KEEP") {
    event.waitUntil(
      keepPersonal(data.account).then(
        (meta) => event.source && event.source.postMessage({ type: "PERSONAL_KEPT", savedAt: meta.savedAt }),
        () => event.source && event.source.postMessage({ type: "PERSONAL_FAILED" }),
      ),
    );
  } else if (data.type === "PERSONAL_DROP") {
    event.waitUntil(dropPersonal());
  }
});

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function offlineResponse(fragment) {
  const cache = await caches.open(fragment ? FRAGMENT_CACHE : PAGE_CACHE);
  return cache.match(new URL(OFFLINE_URL, self.location.origin).href, { ignoreVary: true });
}

async function networkFirst(request) {
  const fragment = isFragmentRequest(request);
  const cache = await caches.open(fragment ? FRAGMENT_CACHE : PAGE_CACHE);
  try {
    const response = await fetch(request);
    if (storable(response)) {
      await cache.put(request.url, response.clone());
      await trim(cache);
    }
    return response;
  } catch (error) {
    const kept = await caches.open(fragment ? KEPT_FRAGMENTS : KEPT_PAGES);
    const hit = (await cache.match(request.url, { ignoreVary: true })) || (await kept.match(request.url, { ignoreVary: true }));
    if (hit) return hit;
    const fallback = await offlineResponse(fragment);
    if (fallback) return fallback;
    throw error;
  }
}

function dated(savedAt) {
  const when = new Date(savedAt);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(when.getDate())}/${pad(when.getMonth() + 1)} à ${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

async function personalFallback(request) {
  // Network only; the copy the user chose to keep when offline, marked with its date.
  try {
    return await fetch(request);
  } catch (error) {
    const fragment = isFragmentRequest(request);
    const url = new URL(request.url);
    if (!fragment && isPersonal(url)) {
      const cache = await caches.open(PERSONAL_CACHE);
      const hit = await cache.match(url.href, { ignoreVary: true });
      const meta = await personalMeta();
      if (hit && meta) {
        const type = hit.headers.get("Content-Type") || "";
        if (!type.startsWith("text/html")) return hit;
        const notice = `<p class="notice" role="status">Consultation hors ligne : données du ${dated(meta.savedAt)}.</p>`;
        const html = (await hit.text()).replace('<div id="page">', `<div id="page">${notice}`);
        return new Response(html, { headers: { "Content-Type": type, "Cache-Control": "no-store" } });
      }
    }
    const fallback = await offlineResponse(fragment);
    if (fallback) return fallback;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // Every change goes to the network, never replayed; a logout also drops the personal copy.
    if (request.method === "POST" && LOGOUT_URLS.includes(url.pathname)) event.waitUntil(dropPersonal());
    return;
  }
  if (isStatic(url)) {
    event.respondWith(cacheFirst(request));
  } else if (isPublicPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate" || isFragmentRequest(request) || isPersonal(url)) {
    event.respondWith(personalFallback(request));
  }
});

/* ---- Push notifications and updates ---- */
/* The server prepends PUSH_SETTINGS: the notification's icon and badge, the page opened for a
 * notification without a usable address, the VAPID public key's URL and the renewal URL.
 * A push carries JSON {title, body, url, tag} (app/services/notifications.py, push_payload), never
 * health data. Updates: a new version waits (see "install") until the page's "Mettre à jour" sends
 * SKIP_WAITING (the "message" listener).
 */
/* global PUSH_SETTINGS */

const GENERIC_PUSH = { title: "macaisse", body: "Vous avez une nouvelle notification", tag: "macaisse" };

function notificationTarget(url) {
  // Only a path of this site: a payload, even one of ours, never sends the user elsewhere.
  if (typeof url !== "string" || !url.startsWith("/") || url.startsWith("//") || url.includes("\\")) {
    return PUSH_SETTINGS.fallbackUrl;
  }
  let target;
  try {
    target = new URL(url, self.location.origin);
  } catch {
    return PUSH_SETTINGS.fallbackUrl;
  }
  if (target.origin !== self.location.origin) return PUSH_SETTINGS.fallbackUrl;
  return target.pathname + target.search + target.hash;
}

function pushContent(data) {
  let payload = null;
  try {
    payload = data ? data.json() : null;
  } catch {
    payload = null;
  }
  const text = (value, max) => (typeof value === "string" ? value.trim().slice(0, max) : "");
  if (!payload || typeof payload !== "object" || !text(payload.title, 120)) {
    return { ...GENERIC_PUSH, url: PUSH_SETTINGS.fallbackUrl };
  }
  return {
    title: text(payload.title, 120),
    body: text(payload.body, 300),
    tag: text(payload.tag, 60) || text(payload.kind, 40) || GENERIC_PUSH.tag,
    url: notificationTarget(payload.url),
  };
}

async function showPush(data) {
  const content = pushContent(data);
  // Same tag: the new notification replaces the one shown, and alerts again rather than silently.
  const shown = await self.registration.getNotifications({ tag: content.tag });
  await self.registration.showNotification(content.title, {
    body: content.body,
    icon: PUSH_SETTINGS.icon,
    badge: PUSH_SETTINGS.badge,
    tag: content.tag,
    renotify: shown.length > 0,
    lang: "fr",
    data: { url: content.url },
  });
}

self.addEventListener("push", (event) => {
  event.waitUntil(showPush(event.data));
});

// Focus a window of the app and take it to the notification's page, or open one. The page of a
// signed-out user redirects to the login page, which comes back to it after login (next=).
async function openNotificationTarget(url) {
  const target = new URL(notificationTarget(url), self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = windows.find((candidate) => candidate.focused) || windows[0];
  if (!client) return self.clients.openWindow(target);
  try {
    await client.focus();
  } catch {
    // Allowed only while a click is handled; the navigation below still happens.
  }
  try {
    return await client.navigate(target);
  } catch {
    // navigate() is refused for a page this worker does not control (a hard reload): the page
    // follows the message itself (app.js).
    client.postMessage({ type: "NAVIGATE", url: target });
    return client;
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  event.waitUntil(openNotificationTarget(data.url));
});

function base64urlBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

// The push service replaced our subscription (expired or reset): subscribe again with the same
// key and tell the server. The old endpoint and its auth secret prove to the server that this
// browser held the old subscription, so the renewal works after the session has ended too.
async function renewSubscription(oldSubscription, newSubscription) {
  let subscription = newSubscription;
  if (!subscription) {
    let key = oldSubscription && oldSubscription.options ? oldSubscription.options.applicationServerKey : null;
    if (!key) {
      const answer = await fetch(PUSH_SETTINGS.publicKeyUrl, { credentials: "omit" });
      key = base64urlBytes((await answer.json()).publicKey);
    }
    subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const response = await fetch(PUSH_SETTINGS.renewUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ old: oldSubscription ? oldSubscription.toJSON() : null, new: subscription.toJSON() }),
  });
  if (!response.ok) throw new Error(`subscription renewal refused: ${response.status}`);
  return subscription;
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(renewSubscription(event.oldSubscription || null, event.newSubscription || null));
});
