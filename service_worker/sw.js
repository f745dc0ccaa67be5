/* macaisse service worker, scope "/".
 *
 * The server prepends SW_VERSION, PRECACHE_URLS and OFFLINE_URL to this file, so the worker's bytes
 * change whenever a precached asset changes and the browser installs the new version.
 *
 * Pages and htmx fragments live in separate caches: with "Vary: HX-Request" a fragment must never be
 * served as a page, nor the reverse. Personal pages are never cached here.
 */
/* global SW_VERSION, PRECACHE_URLS, OFFLINE_URL */

const STATIC_CACHE = `macaisse-static-${SW_VERSION}`;
const PAGE_CACHE = `macaisse-pages-${SW_VERSION}`;
const FRAGMENT_CACHE = `macaisse-fragments-${SW_VERSION}`;
const OWN_CACHES = [STATIC_CACHE, PAGE_CACHE, FRAGMENT_CACHE];

// Public pages of the widget: network first, cached copy when offline.
const PUBLIC_PREFIXES = ["/dmp", "/adresses", "/formulaires", "/annuaire", "/forum", "/hors-ligne"];

function isPublicPage(url) {
  if (url.pathname === "/") return true;
  return PUBLIC_PREFIXES.some((prefix) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
}

function isStatic(url) {
  return url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest";
}

function isFragmentRequest(request) {
  return request.headers.get("HX-Request") === "true" && request.headers.get("HX-History-Restore-Request") !== "true";
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

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, cacheName, fallbackUrl) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request.url, { ignoreVary: true });
    if (hit) return hit;
    const fallback = await cache.match(new URL(fallbackUrl, self.location.origin).href, { ignoreVary: true });
    if (fallback) return fallback;
    throw error;
  }
}

async function offlineFallback(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cacheName = isFragmentRequest(request) ? FRAGMENT_CACHE : PAGE_CACHE;
    const cache = await caches.open(cacheName);
    const fallback = await cache.match(new URL(OFFLINE_URL, self.location.origin).href, { ignoreVary: true });
    if (fallback) return fallback;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") return; // every change goes to the network, never replayed
  if (isStatic(url)) {
    event.respondWith(cacheFirst(request));
  } else if (isPublicPage(url)) {
    const fragment = isFragmentRequest(request);
    event.respondWith(networkFirst(request, fragment ? FRAGMENT_CACHE : PAGE_CACHE, OFFLINE_URL));
  } else if (request.mode === "navigate" || isFragmentRequest(request)) {
    event.respondWith(offlineFallback(request)); // personal: network only, offline page if down
  }
});
