// Trapdoor's service worker (a go-app ServiceWorkerTemplate). It precaches
// the whole site on install and answers from the cache first, so the app
// works offline after the first visit. Unlike go-app's default it:
// - keys the site's root by the registration scope ("/trapdoor/", with the
//   slash the browser navigates to) instead of "/trapdoor";
// - answers every navigation inside the scope with the cached page, ignoring
//   the query string (shareable state lives in the #fragment anyway);
// - keeps install and activate alive with event.waitUntil;
// - caches a test program when it is first fetched (the large glibc builds
//   are not precached), so a program run once also runs offline.
const cacheName = "trapdoor-{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};
const scope = self.registration.scope; // absolute, ends with "/"
const rootPath = new URL(scope).pathname;

function urlsToCache() {
  const root = rootPath.replace(/\/$/, "");
  const urls = resourcesToCache.map((r) => (r === root || r === "" ? rootPath : r));
  urls.push(rootPath);
  return [...new Set(urls)];
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    // "reload": never fill the new cache from a stale HTTP cache.
    await cache.addAll(urlsToCache().map((u) => new Request(u, { cache: "reload" })));
    await self.skipWaiting();
    console.log("trapdoor service worker {{.Version}} installed");
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keys = await caches.keys();
    await Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") {
    return;
  }
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(rootPath)) {
    return;
  }
  event.respondWith(answer(req, url));
});

async function answer(req, url) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(req, { ignoreSearch: req.mode === "navigate" });
  if (hit) {
    return hit;
  }
  if (url.pathname.startsWith(rootPath + "web/programs/")) {
    const resp = await fetch(req);
    if (resp.ok) {
      await cache.put(req, resp.clone());
    }
    return resp;
  }
  // A navigation to a route (no file extension) is the app itself.
  if (req.mode === "navigate" && !/\.[a-z0-9]+$/i.test(url.pathname)) {
    const page = await cache.match(rootPath);
    if (page) {
      return page;
    }
  }
  return fetch(req);
}
