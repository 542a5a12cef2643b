// The console's dashboard stays current without a reload: the notifications socket (app.js) passes on
// "console_changed" frames as "alongside:live" events; the figures are fetched again (at most once a second), and
// once a minute anyway, since waits grow by themselves.
(function () {
  "use strict";
  var box = document.querySelector("[data-dashboard]");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var timer = null;
  var busy = false;

  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) {
          box.innerHTML = html;
          box.setAttribute("data-refreshed", String(Date.now()));
        }
      })
      .catch(function () { /* offline for a moment: the next event or minute tries again */ })
      .then(function () { busy = false; });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 1000);
  }

  document.addEventListener("alongside:live", function (event) {
    var frame = event.detail || {};
    if (frame.type === "console_changed") { soon(); }
  });
  setInterval(refresh, 60000);
})();
