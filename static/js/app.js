// Alongside: small progressive enhancements. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

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
    }
    function connect() {
      var ws = new WebSocket(scheme + window.location.host + path);
      ws.onopen = function () { delay = 1000; el.setAttribute("data-connected", "true"); };
      ws.onmessage = function (event) {
        try {
          var data = JSON.parse(event.data);
          if (data.type === "count") { render(data.unread); }
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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-badge]").forEach(liveBadge);
    // Buttons that ask before doing something that can't be undone.
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
