/* The quiz countdown. Only a display: the server closes the attempt at its deadline
   whatever this shows. */
(function () {
  "use strict";
  var box = document.getElementById("learn-timer");
  if (!box) return;
  var left = parseInt(box.dataset.seconds, 10) || 0;
  var strong = box.querySelector("strong");
  var end = Date.now() + left * 1000;
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    var m = Math.floor(s / 60), r = s % 60;
    strong.textContent = m + ":" + (r < 10 ? "0" : "") + r;
    box.classList.toggle("learn-timer-low", s < 60);
    if (s === 0) { window.location.reload(); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
