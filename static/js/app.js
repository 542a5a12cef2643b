// Alongside: small progressive enhancements. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // --- one way to show time (the same words as the `when` filter in alongside/lib/time.py) --------------------
  // "Friday 4 December, 1:21 am" in the person's own zone (the server puts it on <html data-time-zone>), the year only
  // when it is not this year; on hover "Friday 4 December 2026, 1:21 am (Melbourne time)".
  var ZONE = document.documentElement.getAttribute("data-time-zone") || undefined;
  var formats = {};

  function partsOf(date, withWeekday) {
    var key = withWeekday ? "full" : "short";
    if (!formats[key]) {
      var options = { timeZone: ZONE, year: "numeric", month: "long", day: "numeric", hour: "numeric",
        minute: "2-digit", hourCycle: "h12" };
      if (withWeekday) { options.weekday = "long"; }
      try { formats[key] = new Intl.DateTimeFormat("en-AU", options); } catch (e) {
        delete options.timeZone; // an unknown zone: the browser's own is the best we can do
        formats[key] = new Intl.DateTimeFormat("en-AU", options);
      }
    }
    var out = {};
    formats[key].formatToParts(date).forEach(function (part) { out[part.type] = part.value; });
    return out;
  }

  function clockOf(p) { return p.hour + ":" + p.minute + " " + String(p.dayPeriod || "").toLowerCase(); }

  function toDate(value) {
    var date = value instanceof Date ? value : new Date(value);
    return isNaN(date.getTime()) ? null : date;
  }

  function when(value) {
    var date = toDate(value);
    if (!date) { return ""; }
    var p = partsOf(date, true);
    var thisYear = partsOf(new Date(), true).year;
    return p.weekday + " " + p.day + " " + p.month + (p.year === thisYear ? "" : " " + p.year) + ", " + clockOf(p);
  }

  function full(value) {
    var date = toDate(value);
    if (!date) { return ""; }
    var p = partsOf(date, true);
    var zone = formats.full.resolvedOptions().timeZone || "";
    var place = zone.split("/").pop().replace(/_/g, " ");
    return p.weekday + " " + p.day + " " + p.month + " " + p.year + ", " + clockOf(p) + " (" + place + " time)";
  }

  // Fill a <time> element (made if not given) with the time in words, the instant and the full date on hover.
  function timeElement(value, element) {
    var date = toDate(value);
    var el = element || document.createElement("time");
    if (!date) { return el; }
    el.setAttribute("datetime", date.toISOString());
    el.setAttribute("title", full(date));
    el.textContent = when(date);
    return el;
  }

  window.Alongside = window.Alongside || {};
  window.Alongside.time = { zone: ZONE, when: when, full: full, element: timeElement };

  // Live notifications badge: a websocket pushes the unread count; reconnects with backoff.
  function liveBadge(el) {
    var path = el.getAttribute("data-ws");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var delay = 1000;
    function render(count) {
      el.textContent = "";
      if (count > 0) {
        el.appendChild(document.createTextNode(String(count)));
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " unread";
        el.appendChild(hidden);
      }
      el.setAttribute("data-count", String(count));
      // The phone's menu button shows the same count (the menu itself is folded away there).
      document.querySelectorAll("[data-menu-count]").forEach(function (mirror) {
        mirror.textContent = count > 0 ? String(count) : "";
      });
    }
    function connect() {
      var ws = new WebSocket(scheme + window.location.host + path);
      ws.onopen = function () { delay = 1000; el.setAttribute("data-connected", "true"); };
      ws.onmessage = function (event) {
        try {
          var data = JSON.parse(event.data);
          if (data.type === "count") { render(data.unread); }
          // Anything else on this socket (talk-now offers) is for other modules: js/talknow-offers.js.
          else { document.dispatchEvent(new CustomEvent("alongside:live", { detail: data })); }
        } catch (e) { /* ignore a malformed frame */ }
      };
      ws.onclose = function (event) {
        el.setAttribute("data-connected", "false");
        // Close codes: alongside/lib/sockets.py (CloseCode). Signed out or refused: nothing to listen for.
        // Anything else (1013 "try again", a restart, the network) reconnects with backoff.
        if (event.code === 4401 || event.code === 4403) { return; }
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  }

  // The phone menu: without JS the button is a link to #site-nav, which CSS opens with :target; here it becomes
  // a toggle button with aria-expanded, closed again by Escape.
  function menuButton(button) {
    var nav = button.closest("nav");
    if (!nav) { return; }
    function set(open) {
      nav.setAttribute("data-open", open ? "true" : "false");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.setAttribute("role", "button");
    set(false);
    button.addEventListener("click", function (event) {
      event.preventDefault();
      set(nav.getAttribute("data-open") !== "true");
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); set(nav.getAttribute("data-open") !== "true"); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.getAttribute("data-open") === "true") { set(false); button.focus(); }
    });
  }

  // The installable app's worker (alongside/service/installable.py): the offline page with the crisis lines.
  function registerWorker() {
    var url = document.documentElement.getAttribute("data-service-worker");
    if (!url || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () { /* the site works without it */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    registerWorker();
    document.querySelectorAll("[data-menu-button]").forEach(menuButton);
    document.querySelectorAll("[data-live-badge]").forEach(liveBadge);
    // Buttons that ask before doing something that can't be undone.
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
