// Safety concerns on every page of a coordinator: "A safety concern needs a coordinator now — Open it".
// The notifications socket (app.js) passes on its non-count frames as "alongside:live" events:
// safety_alert adds a banner, safety_handled removes it (someone acknowledged or closed the concern).
(function () {
  "use strict";

  function box() { return document.querySelector("[data-safety-alerts]"); }

  function add(frame) {
    var holder = box();
    var template = document.getElementById("safety-alert-template");
    if (!holder || !template || !frame.concern || !frame.url) { return; }
    if (holder.querySelector('[data-concern="' + String(frame.concern) + '"]')) { return; }
    var banner = template.content.firstElementChild.cloneNode(true);
    banner.setAttribute("data-concern", String(frame.concern));
    banner.querySelector("a").setAttribute("href", frame.url);
    holder.appendChild(banner);
  }

  function remove(frame) {
    var holder = box();
    if (!holder) { return; }
    holder.querySelectorAll('[data-concern="' + String(frame.concern) + '"]').forEach(function (banner) {
      banner.remove();
    });
  }

  document.addEventListener("alongside:live", function (event) {
    var frame = event.detail || {};
    if (frame.type === "safety_alert") { add(frame); }
    else if (frame.type === "safety_handled") { remove(frame); }
  });
})();
