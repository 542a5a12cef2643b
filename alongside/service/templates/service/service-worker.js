{% autoescape off %}// Alongside's service worker (alongside/service/installable.py). Network first, always: it keeps only what it
// fetched when installed (the offline page with the crisis lines, the stylesheet, the icons) and shows the offline
// page when a page can't load. It never stores a page or an API response, so nothing private stays on the device.
"use strict";

var CACHE = "alongside-offline-{{ version }}";
var PRECACHED = {{ precached }};
var OFFLINE_URL = {{ offline_url }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // Fetched without cookies: the offline page is the same for everyone.
      return cache.addAll(PRECACHED.map(function (url) { return new Request(url, { credentials: "omit" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("alongside-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // A page: always from the network; when there is none, the offline page with the crisis lines.
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE_URL); });
    }));
    return;
  }
  if (PRECACHED.indexOf(url.pathname) !== -1) {
    // What the offline page needs: the network first, the kept copy when there is none.
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); });
    }));
  }
  // Everything else (API calls, htmx fragments, scripts, websockets) goes to the network untouched.
});
{% endautoescape %}
