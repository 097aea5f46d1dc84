/* Audio/video lessons: resume from the saved position and post the position every
   10 seconds, on pause and at the end (which marks the lesson finished). */
(function () {
  "use strict";
  var player = document.getElementById("learn-player");
  if (!player) return;
  var url = player.dataset.positionUrl;
  var resume = parseFloat(player.dataset.resume || "0");
  var token = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value ||
    (JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]);
  var lastSent = -1;

  function send(finished) {
    if (!url) return;
    var position = Math.floor(player.currentTime * 10) / 10;
    if (!finished && Math.abs(position - lastSent) < 1) return;
    lastSent = position;
    var body = new URLSearchParams({ position: String(position), finished: finished ? "1" : "0" });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token } })
      .catch(function () {});
  }

  player.addEventListener("loadedmetadata", function () {
    if (resume > 0.5 && resume < (player.duration || Infinity) - 0.5) {
      player.currentTime = resume;
      var note = document.getElementById("learn-resume-note");
      if (note) note.hidden = false;
    }
  });
  // A pause event also fires at the end, just before "ended": leave that one to "ended".
  player.addEventListener("pause", function () { if (!player.ended) send(false); });
  player.addEventListener("ended", function () { send(true); });
  setInterval(function () { if (!player.paused) send(false); }, 10000);
})();
