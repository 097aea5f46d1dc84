// "Đọc cho tôi nghe" on the document reader: reads the title and the text aloud with the
// browser's Vietnamese voice. The button stays hidden unless such a voice exists (the
// list of voices arrives asynchronously: `voiceschanged`). The text is spoken one
// paragraph at a time, because some phones (Android) cut long utterances short.
(function () {
  "use strict";

  var button = document.getElementById("read-aloud");
  if (!button) return;
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance === "undefined") return;

  var MAX_CHUNK = 280;
  var label = button.querySelector(".read-aloud-label") || button;
  var voice = null;
  var queue = [];
  var current = null;
  var reading = false;

  function vietnameseVoice() {
    var voices = synth.getVoices() || [];
    var found = voices.filter(function (v) {
      return String(v.lang || "").toLowerCase().replace("_", "-").indexOf("vi") === 0;
    });
    var local = found.filter(function (v) { return v.localService; });
    return local[0] || found[0] || null;
  }

  function refreshVoice() {
    voice = vietnameseVoice();
    button.hidden = !voice;
    if (!voice && reading) stop();
  }

  // Split a paragraph that is too long at sentence ends (then at commas, then at spaces).
  function pieces(text) {
    text = text.replace(/\s+/g, " ").trim();
    if (!text) return [];
    if (text.length <= MAX_CHUNK) return [text];
    var out = [];
    var sentences = text.match(/[^.!?;:]+[.!?;:]*\s*/g) || [text];
    var chunk = "";
    sentences.forEach(function (sentence) {
      if ((chunk + sentence).length > MAX_CHUNK && chunk) {
        out.push(chunk.trim());
        chunk = "";
      }
      while (sentence.length > MAX_CHUNK) {
        var cut = sentence.lastIndexOf(" ", MAX_CHUNK);
        if (cut < MAX_CHUNK / 2) cut = MAX_CHUNK;
        out.push(sentence.slice(0, cut).trim());
        sentence = sentence.slice(cut);
      }
      chunk += sentence;
    });
    if (chunk.trim()) out.push(chunk.trim());
    return out;
  }

  function collect() {
    var root = document.querySelector(".reader") || document.getElementById("main");
    var items = [];
    var parts = root.querySelectorAll("header h1, .doc-summary, .doc-body h2, .doc-body p");
    parts.forEach(function (element) {
      pieces(element.textContent).forEach(function (text) {
        items.push({ text: text, element: element });
      });
    });
    return items;
  }

  function mark(element) {
    if (current && current !== element) current.classList.remove("is-spoken");
    current = element;
    if (element) element.classList.add("is-spoken");
  }

  function speakNext() {
    if (!reading) return;
    var item = queue.shift();
    if (!item) {
      stop();
      return;
    }
    mark(item.element);
    var utterance = new window.SpeechSynthesisUtterance(item.text);
    utterance.lang = voice.lang || "vi-VN";
    utterance.voice = voice;
    utterance.rate = 0.95;
    utterance.onend = speakNext;
    utterance.onerror = function (event) {
      // "interrupted"/"canceled" come from stop(); anything else skips the piece.
      if (event && (event.error === "interrupted" || event.error === "canceled")) return;
      speakNext();
    };
    synth.speak(utterance);
  }

  function setState(on) {
    reading = on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    label.textContent = button.getAttribute(on ? "data-stop" : "data-start");
    button.classList.toggle("is-reading", on);
  }

  function start() {
    if (!voice) return;
    synth.cancel();
    queue = collect();
    setState(true);
    speakNext();
  }

  function stop() {
    setState(false);
    queue = [];
    mark(null);
    synth.cancel();
  }

  button.addEventListener("click", function () {
    if (reading) stop();
    else start();
  });
  // Leaving the page (or going back in history) stops the voice.
  window.addEventListener("pagehide", function () {
    if (reading) stop();
  });

  refreshVoice();
  if (typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", refreshVoice);
  } else {
    synth.onvoiceschanged = refreshVoice;
  }
})();
