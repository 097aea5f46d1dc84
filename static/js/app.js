// The installable app, on every page: registers the service worker (static/js/sw.js,
// served at /sw.js), shows the offline banner, tells the worker which bookmarked
// documents to keep on the device, and lists them on the offline page.
(function () {
  "use strict";

  var BOOKMARKS_PREFIX = "sotay-bookmarks";
  var READER = /^\/van-ban\/\d+\/$/;
  var body = document.body;
  // A page served from the device's cache (see sw.js) or the offline page itself.
  var savedCopy = body.hasAttribute("data-sotay-copy");
  var offlinePage = document.querySelector("[data-offline-page]") !== null;
  var hasWorker = "serviceWorker" in navigator && window.isSecureContext;

  // --- Offline banner ------------------------------------------------------------------
  var banner = document.getElementById("offline-banner");

  // In a saved copy the forms (bookmark, publish…) would only fail: they wait for a
  // reload from the network.
  if (savedCopy) {
    document.querySelectorAll('form[method="post"] button').forEach(function (button) {
      button.disabled = true;
    });
  }

  function updateBanner() {
    if (!banner) return;
    var off = savedCopy || offlinePage || !navigator.onLine;
    // The live region stays in the page; filling it is what screen readers announce.
    var text = off ? banner.getAttribute("data-text") : "";
    if (banner.textContent !== text) banner.textContent = text;
    document.documentElement.classList.toggle("is-offline", off);
  }
  window.addEventListener("online", updateBanner);
  window.addEventListener("offline", updateBanner);
  updateBanner();

  // --- Service worker ------------------------------------------------------------------
  function tell(message) {
    if (!hasWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  if (hasWorker) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // No worker (private mode, old browser): the site works online as before.
    });
  }

  function fileList(root) {
    var files = [];
    root.querySelectorAll("a[data-offline-file]").forEach(function (link) {
      files.push({ url: link.getAttribute("href"), size: Number(link.getAttribute("data-size")) });
    });
    return files;
  }

  if (!savedCopy && !offlinePage && navigator.onLine) {
    var session = document.querySelector('meta[name="sotay-session"]');
    if (session && session.getAttribute("content") === "off") {
      // Signed out (or the session ended): what the last user kept goes.
      tell({ type: "clear" });
    }
    // The reader: keep it when bookmarked (refreshing the copy), forget it otherwise.
    var reader = document.querySelector("[data-offline-reader]");
    if (reader) {
      var url = reader.getAttribute("data-offline-reader");
      if (reader.getAttribute("data-offline-keep") === "1") {
        tell({
          type: "keep",
          doc: { url: url, title: reader.getAttribute("data-title") || "", files: fileList(reader) }
        });
      } else {
        tell({ type: "drop", url: url });
      }
    }
    // The bookmarks page lists every bookmark: the device keeps exactly those.
    var list = document.querySelector("[data-offline-list]");
    if (list) {
      var docs = [];
      list.querySelectorAll("[data-offline-item]").forEach(function (item) {
        docs.push({ url: item.getAttribute("data-offline-item"), title: item.getAttribute("data-title") });
      });
      tell({ type: "sync", docs: docs });
    }
  }

  // --- Offline page: the documents kept on this device ---------------------------------
  var retry = document.getElementById("offline-retry");
  if (retry) retry.addEventListener("click", function () { window.location.reload(); });

  var kept = document.getElementById("offline-docs");
  if (kept) {
    var empty = document.getElementById("offline-docs-empty");
    keptDocuments().then(function (docs) {
      docs.forEach(function (doc) {
        var item = document.createElement("li");
        item.className = "card doc-item";
        var link = document.createElement("a");
        link.href = doc.url;
        var title = document.createElement("span");
        title.className = "doc-title";
        title.textContent = doc.title || doc.url;
        link.appendChild(title);
        item.appendChild(link);
        kept.appendChild(item);
      });
      if (empty) empty.hidden = docs.length > 0;
    });
  }

  function keptDocuments() {
    if (!("caches" in window)) return Promise.resolve([]);
    return caches.keys().then(function (names) {
      var name = names.filter(function (n) { return n.indexOf(BOOKMARKS_PREFIX) === 0; })[0];
      if (!name) return [];
      return caches.open(name).then(function (cache) {
        return cache.keys().then(function (requests) {
          var readers = requests.filter(function (r) { return READER.test(new URL(r.url).pathname); });
          return Promise.all(readers.map(function (request) {
            return cache.match(request).then(function (response) {
              var title = response ? response.headers.get("X-Sotay-Title") : "";
              return {
                url: new URL(request.url).pathname,
                title: title ? decodeURIComponent(title) : "",
                savedAt: response ? response.headers.get("X-Sotay-Saved-At") || "" : ""
              };
            });
          }));
        });
      });
    }).then(function (docs) {
      return docs.sort(function (a, b) { return a.savedAt < b.savedAt ? 1 : -1; });
    }).catch(function () { return []; });
  }
})();
