// The page's service worker: after one visit the page opens, and every figure trains, offline.
//
// The build (`cargo xtask post-build`) writes into the published copy of this file the build's
// version, a hash of every file below, and the lists of files; here they are empty, so a copy
// that was not built caches nothing.
// - install: caches the whole build under the version's name, all or nothing.
// - fetch: files whose names carry a content hash come from the cache first (their content
//   never changes under a name); the document and the few files without a hash come from the
//   network first, and from the cache when the network fails.
// - activate: deletes the caches of every other version, so a new build replaces the old one
//   whole once no tab shows the old page.
"use strict";

const VERSION = "unbuilt";
const HASHED = [];
const UNHASHED = [];

const PREFIX = "spiega-";
const CACHE = PREFIX + VERSION;

/** The absolute address of a file named relative to this script. */
function address(file) {
  return new URL(file, self.location.href).href;
}

self.addEventListener("install", (event) => {
  // Hashed files may come from the browser's HTTP cache (a name never changes its content);
  // the others are revalidated with the server.
  const requests = HASHED.map((f) => new Request(address(f), { cache: "default" })).concat(
    UNHASHED.map((f) => new Request(address(f), { cache: "no-cache" })),
  );
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** The network's answer, or this version's cached copy of `fallback` when the network fails. */
function networkFirst(request, fallback) {
  return fetch(request).catch(() =>
    caches
      .open(CACHE)
      .then((cache) => cache.match(fallback))
      .then((cached) => cached || Promise.reject(new Error("offline, and not cached: " + request.url))),
  );
}

/** This version's cached copy, or the network's answer when the file is not cached. */
function cacheFirst(request) {
  return caches
    .open(CACHE)
    .then((cache) => cache.match(request))
    .then((cached) => cached || fetch(request));
}

const hashed = new Set(HASHED.map(address));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // Any address of the page (a shared link's query or another name for it) opens the page.
    event.respondWith(networkFirst(request, address("./")));
  } else if (hashed.has(request.url)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, request));
  }
});
