// Pre-selects the browser's own time zone in a select marked data-detect-zone, when the list has it.
// The server marks the select only for a person who has not chosen a zone yet; without JS the
// service's zone stays selected.
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  function detect(select) {
    var zone = browserZone();
    if (!zone) { return; }
    // Some browsers report a legacy alias (Asia/Calcutta, Australia/ACT); the list holds the zone it stands for.
    try {
      var aliases = JSON.parse(select.getAttribute("data-zone-aliases") || "{}");
      if (Object.prototype.hasOwnProperty.call(aliases, zone)) { zone = aliases[zone]; }
    } catch (e) { /* no aliases: look for the zone as it is */ }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        select.setAttribute("data-detected-zone", zone);
        return;
      }
    }
  }

  function start() {
    document.querySelectorAll("select[data-detect-zone]").forEach(detect);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
