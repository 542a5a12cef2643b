// Alerts on this device (Web Push): the opt-in panel on "Alerts on your devices" and the nudge on a home page.
// The browser asks for permission, subscribes through the service worker's PushManager with the service's public
// key, and the subscription is posted as JSON (CSRF token in a header). Nothing here is secret: the push service
// address and keys only let the service send this browser encrypted alerts.
(function () {
  "use strict";

  var NUDGE_DISMISSED = "alongside.push.nudge-dismissed";

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function bytesOf(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "====".slice(0, (4 - (base64.length % 4)) % 4);
    var text = window.atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes;
  }

  function sameBytes(a, b) {
    if (!a || !b || a.byteLength !== b.byteLength) { return false; }
    var x = new Uint8Array(a), y = new Uint8Array(b);
    for (var i = 0; i < x.length; i++) { if (x[i] !== y[i]) { return false; } }
    return true;
  }

  // The SHA-256 of the endpoint in hex: how the page finds this browser's row among the person's devices.
  function digestOf(text) {
    if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) { return Promise.resolve(""); }
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }

  function registration() {
    var url = document.documentElement.getAttribute("data-service-worker");
    return navigator.serviceWorker.register(url, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  function currentSubscription() {
    return registration().then(function (reg) { return reg.pushManager.getSubscription(); });
  }

  // --- the panel on "Alerts on your devices" -----------------------------------------------------------------------
  function Panel(root) {
    this.root = root;
    this.key = root.getAttribute("data-public-key");
    this.addUrl = root.getAttribute("data-add-url");
    this.csrf = root.getAttribute("data-csrf");
    this.button = root.querySelector("[data-push-subscribe]");
    this.actions = root.querySelector("[data-push-actions]");
    this.error = root.querySelector("[data-push-error]");
    this.subscription = null;
  }

  Panel.prototype.show = function (state) {
    this.root.setAttribute("data-state", state);
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-push-state]"), function (el) {
      el.hidden = el.getAttribute("data-push-state") !== state;
    });
    this.actions.hidden = state !== "off";
  };

  Panel.prototype.fail = function (text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  };

  Panel.prototype.start = function () {
    var panel = this;
    if (!panel.button) { return; } // push is off on this service: the page says so
    panel.show("checking");
    if (!supported()) { panel.show("unsupported"); return; }
    if (Notification.permission === "denied") { panel.show("blocked"); return; }
    panel.button.addEventListener("click", function () { panel.subscribe(); });
    currentSubscription().then(function (subscription) {
      panel.subscription = subscription;
      if (!subscription) { panel.show("off"); return; }
      return digestOf(subscription.endpoint).then(function (digest) {
        var row = digest && document.querySelector('[data-device="' + digest + '"]');
        if (row) {
          row.querySelector("[data-this-device]").hidden = false;
          panel.watchStop(row);
          panel.show(Notification.permission === "granted" ? "on" : "off");
        } else {
          panel.show("off"); // subscribed once, but the service no longer has it (stopped elsewhere, or dropped)
        }
      });
    }).catch(function () { panel.show("unsupported"); });
  };

  // Stopping this very device also ends the browser's subscription, so it is not left receiving nothing.
  Panel.prototype.watchStop = function (row) {
    var panel = this;
    var form = row.querySelector("[data-push-stop]");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (!panel.subscription) { return; }
      event.preventDefault();
      var done = function () { form.submit(); };
      panel.subscription.unsubscribe().then(done, done);
    });
  };

  Panel.prototype.subscribe = function () {
    var panel = this;
    panel.fail("");
    panel.button.disabled = true;
    var key = bytesOf(panel.key);
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        panel.show(permission === "denied" ? "blocked" : "off");
        panel.fail(permission === "denied" ? "" : "Alerts stay off: the browser was not given permission to show them.");
        return null;
      }
      return registration().then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          // A subscription made with another key (the service's keys changed) can't be used: start again.
          if (existing && !sameBytes(existing.options && existing.options.applicationServerKey, key.buffer)) {
            return existing.unsubscribe().then(function () { return null; });
          }
          return existing;
        }).then(function (existing) {
          return existing || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        });
      }).then(function (subscription) {
        return fetch(panel.addUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": panel.csrf },
          body: JSON.stringify(subscription.toJSON())
        });
      }).then(function (response) {
        if (response.ok) { window.location.reload(); return null; }
        return response.json().then(function (data) {
          var errors = (data && data.errors) || {};
          var all = [];
          Object.keys(errors).forEach(function (field) { all = all.concat(errors[field]); });
          panel.fail(all.join(" ") || "The service could not save this device. Please try again.");
        }, function () { panel.fail("The service could not save this device. Please try again."); });
      });
    }).catch(function () {
      panel.fail("This browser could not subscribe to alerts just now. Please try again later.");
    }).then(function () { panel.button.disabled = false; });
  };

  // --- the nudge on a home page ------------------------------------------------------------------------------------
  // data-decided says why it is shown or not (for people reading the page's source, and for the tests).
  function nudge(root) {
    var decide = function (why, show) { root.setAttribute("data-decided", why); root.hidden = !show; };
    if (!supported()) { decide("unsupported", false); return; }
    if (Notification.permission === "denied") { decide("blocked", false); return; }
    try {
      if (window.localStorage.getItem(NUDGE_DISMISSED)) { decide("dismissed", false); return; }
    } catch (e) { /* private mode: ask */ }
    var dismiss = root.querySelector("[data-push-nudge-dismiss]");
    if (dismiss) {
      dismiss.addEventListener("click", function () {
        try { window.localStorage.setItem(NUDGE_DISMISSED, "1"); } catch (e) { /* private mode */ }
        decide("dismissed", false);
      });
    }
    currentSubscription().then(function (subscription) {
      var on = Boolean(subscription) && Notification.permission === "granted";
      decide(on ? "subscribed" : "asking", !on);
    }).catch(function () { decide("no-worker", false); });
  }

  function start() {
    var panel = document.querySelector("[data-push-panel]");
    if (panel && !panel.getAttribute("data-started")) {
      panel.setAttribute("data-started", "1");
      new Panel(panel).start();
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-push-nudge]"), function (root) {
      if (root.getAttribute("data-started")) { return; }
      root.setAttribute("data-started", "1");
      nudge(root);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
