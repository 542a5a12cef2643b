// Talk now: the member's waiting page and the conversation page follow the request over ws/talk-now/<pk>/.
// Each "status" frame says where it stands: waiting (the counts on shift and the expected wait, re-read at
// every heartbeat), connected (into the conversation), ended (the close, or the supporter's contact record).
(function () {
  "use strict";

  var HEARTBEAT_MS = 25000;

  function start(el) {
    var path = el.getAttribute("data-ws");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var delay = 1000;
    var beat = null;
    var leaving = false;

    function text(selector, value) {
      var node = el.querySelector(selector);
      if (node && typeof value === "string" && node.textContent !== value) { node.textContent = value; }
    }

    function go(url, message) {
      if (leaving || !url) { return; }
      leaving = true;
      if (message) { text("[data-talknow-headline]", message); }
      // A moment for the words to be read out before the page changes.
      window.setTimeout(function () { window.location.assign(url); }, message ? 800 : 0);
    }

    function render(frame) {
      var before = el.getAttribute("data-state");
      el.setAttribute("data-state", frame.state);
      if (frame.state === "waiting") {
        el.setAttribute("data-stage", frame.stage);
        text("[data-talknow-shift]", frame.shift);
        text("[data-talknow-wait]", frame.wait);
        var stageText = {
          primary: "If nobody accepts within a few minutes, we ask the backup supporters too.",
          backups: "We have asked the backup supporters too.",
          coordinators: "We have told the coordinators, who are trying to find someone. You can keep waiting here."
        }[frame.stage];
        text("[data-talknow-stage-text]", stageText);
        if (frame.stage === "coordinators") {
          text("[data-talknow-headline]", "Nobody on shift has been able to take your request yet.");
          var honest = el.querySelector("[data-talknow-honest]");
          if (honest) { honest.hidden = false; }
        }
        return;
      }
      if (frame.state === "connected") {
        if (before === "waiting") { go(frame.url, "A supporter is joining you…"); }
        return;
      }
      if (frame.state === "ended") { go(frame.url, ""); return; }
      // Cancelled (perhaps in another tab) or lapsed: the page says what happened.
      if (before !== frame.state) { go(window.location.pathname, ""); }
    }

    function connect() {
      var ws = new WebSocket(scheme + window.location.host + path);
      ws.onopen = function () {
        delay = 1000;
        beat = window.setInterval(function () { ws.send('{"type": "ping"}'); }, HEARTBEAT_MS);
      };
      ws.onmessage = function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame.type === "status") { render(frame); }
      };
      ws.onclose = function (event) {
        if (beat) { window.clearInterval(beat); beat = null; }
        if (leaving || event.code === 4401 || event.code === 4403 || event.code === 4404) { return; }
        window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-talknow]").forEach(start);
  });
})();
