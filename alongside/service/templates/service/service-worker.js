{% autoescape off %}// Alongside's service worker (alongside/service/installable.py). Network first, always: it keeps only what it
// fetched when installed (the offline page with the crisis lines, the stylesheet, the icons) and shows the offline
// page when a page can't load. It never stores a page or an API response, so nothing private stays on the device.
// It also shows the service's push alerts (alongside/notifications/push.py): a title, a line, a tag and where
// tapping it leads on this site; never a name or what anything is about.
"use strict";

var CACHE = "alongside-offline-{{ version }}";
var PRECACHED = {{ precached }};
var OFFLINE_URL = {{ offline_url }};
var ICON = {{ icon }};

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

// --- push alerts -----------------------------------------------------------------------------------------------------

// Only a path on this site: an alert can never lead anywhere else.
function sitePath(url) {
  if (typeof url !== "string" || url.charAt(0) !== "/" || url.charAt(1) === "/" || url.indexOf("\\") !== -1) {
    return "/";
  }
  return url;
}

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = typeof data.title === "string" && data.title ? data.title : "Something needs you";
  var options = {
    body: typeof data.body === "string" ? data.body : "",
    tag: typeof data.tag === "string" && data.tag ? data.tag : "alongside",
    icon: ICON,
    renotify: true,
    data: { url: sitePath(data.url) }
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var path = sitePath(event.notification.data && event.notification.data.url);
  var target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      var ours = windows.filter(function (client) { return new URL(client.url).origin === self.location.origin; });
      var exact = ours.filter(function (client) { return client.url === target; })[0];
      if (exact && "focus" in exact) { return exact.focus(); }
      var open = ours[0];
      if (open && "navigate" in open && "focus" in open) {
        // An open tab of the site: brought forward and taken to the alert's page.
        return open.focus().then(function (client) { return (client || open).navigate(target); }).catch(function () {
          return self.clients.openWindow(target);
        });
      }
      return self.clients.openWindow(target);
    })
  );
});
{% endautoescape %}
