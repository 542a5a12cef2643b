// The hot debrief's five-minute timer: start, pause, reset. Without JavaScript the prompts stand on their own.
(function () {
  "use strict";
  var box = document.querySelector("[data-debrief-timer]");
  if (!box) return;
  var total = parseInt(box.getAttribute("data-seconds"), 10) || 300;
  var clock = box.querySelector("[data-debrief-clock]");
  var status = box.querySelector("[data-debrief-status]");
  var left = total;
  var endsAt = null;
  var tick = null;

  function show() {
    var m = Math.floor(left / 60);
    var s = left % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
  }
  function stop() {
    if (tick) window.clearInterval(tick);
    tick = null;
    endsAt = null;
  }
  function step() {
    left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    show();
    if (left === 0) {
      stop();
      status.textContent = "Five minutes are up.";
    }
  }
  box.querySelector("[data-debrief-start]").addEventListener("click", function () {
    if (tick || left === 0) return;
    endsAt = Date.now() + left * 1000;
    tick = window.setInterval(step, 250);
    status.textContent = "Timer started.";
  });
  box.querySelector("[data-debrief-pause]").addEventListener("click", function () {
    if (!tick) return;
    step();
    stop();
    status.textContent = "Timer paused.";
  });
  box.querySelector("[data-debrief-reset]").addEventListener("click", function () {
    stop();
    left = total;
    show();
    status.textContent = "Timer reset.";
  });
  box.hidden = false;
  show();
})();
