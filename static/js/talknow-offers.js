// Talk-now offers on every page of a supporter: "Someone would like to talk now — Accept".
// The notifications socket (app.js) passes on its non-count frames as "alongside:live" events:
// talknow_offer adds a banner, talknow_withdrawn removes it (taken by someone else, cancelled, lapsed).
// The banner's form is cloned from a <template> in the page, so it carries the page's CSRF token.
(function () {
  "use strict";

  function box() { return document.querySelector("[data-talknow-offers]"); }

  function add(frame) {
    var holder = box();
    var template = document.getElementById("talknow-offer-template");
    if (!holder || !template || !frame.offer || !frame.accept) { return; }
    if (holder.querySelector('[data-offer="' + String(frame.offer) + '"]')) { return; }
    var banner = template.content.firstElementChild.cloneNode(true);
    banner.setAttribute("data-offer", String(frame.offer));
    banner.setAttribute("data-request", String(frame.request));
    banner.querySelector("form").setAttribute("action", frame.accept);
    holder.appendChild(banner);
  }

  function remove(frame) {
    var holder = box();
    if (!holder) { return; }
    holder.querySelectorAll('[data-request="' + String(frame.request) + '"]').forEach(function (banner) {
      banner.remove();
    });
  }

  document.addEventListener("alongside:live", function (event) {
    var frame = event.detail || {};
    if (frame.type === "talknow_offer") { add(frame); }
    else if (frame.type === "talknow_withdrawn") { remove(frame); }
  });
})();
