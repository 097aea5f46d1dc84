/* Service worker of Sổ tay đảng viên điện tử, served at /sw.js by sotay.core.pwa, which
   puts `self.SOTAY` (cache version, shell files, offline page) in front of this file.

   What it keeps, and nothing else:
   - the app shell (CSS, JS, icons, the offline page), in a cache named by version;
   - the reader pages of bookmarked documents (and their attachments of at most
     SOTAY.fileMaxBytes), only when a page asks for it (static/js/app.js).
   Pages are fetched from the network first; without a network a bookmarked reader page
   comes from the device, any other page gets the offline page. Member records, lists,
   htmx fragments and the API are never cached. Sign-out clears all of it
   (Clear-Site-Data). */
"use strict";

var CFG = self.SOTAY;
var SHELL_CACHE = "sotay-shell-" + CFG.version;
var SHELL_PREFIX = "sotay-shell-";
// Not versioned: a deploy must not throw away what members kept to read offline.
var BOOKMARKS_CACHE = "sotay-bookmarks-v1";
var READER = /^\/van-ban\/(\d+)\/$/;
var FILE = /^\/van-ban\/(\d+)\/tep\/(\d+)\/$/;
// Hashed static names (ManifestStaticFilesStorage): "app.0123456789ab.css".
var HASHED = /\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;

function shellUrls() {
  return Object.keys(CFG.shell).map(function (name) { return CFG.shell[name]; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then(function (cache) { return cache.addAll(shellUrls().concat(CFG.pages)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf(SHELL_PREFIX) === 0 && name !== SHELL_CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // A form sent without a network gets the offline page, not the browser's error.
    event.respondWith(navigate(request, url));
  } else if (request.method === "GET" && url.pathname.indexOf(CFG.staticUrl) === 0) {
    event.respondWith(staticFile(request, url));
  }
  // Anything else (htmx fragments, the API, photos): the network only.
});

function navigate(request, url) {
  return fetch(request).catch(function (error) {
    var copy = request.method === "GET" ? keptCopy(url.pathname) : Promise.resolve(null);
    return copy.then(function (kept) {
      if (kept) return kept;
      return caches.open(SHELL_CACHE).then(function (cache) {
        return cache.match(CFG.offline);
      }).then(function (page) {
        if (page) return page;
        throw error;
      });
    });
  });
}

function keptCopy(path) {
  if (!READER.test(path) && !FILE.test(path)) return Promise.resolve(null);
  return caches.open(BOOKMARKS_CACHE).then(function (cache) { return cache.match(path); });
}

function staticFile(request, url) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(url.pathname).then(function (hit) {
      if (hit) return hit;
      return fetch(request).catch(function (error) {
        // A page kept before a deploy names the previous hashed files: offline, the
        // current version of the same file is better than none.
        var name = url.pathname.slice(CFG.staticUrl.length).replace(HASHED, "$1");
        var current = CFG.shell[name];
        if (!current) throw error;
        return cache.match(current).then(function (older) {
          if (older) return older;
          throw error;
        });
      });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var work = null;
  if (data.type === "keep") work = keep(data.doc, true);
  else if (data.type === "drop") work = drop(data.url);
  else if (data.type === "sync") work = sync(data.docs || []);
  else if (data.type === "clear") work = caches.delete(BOOKMARKS_CACHE);
  if (work) {
    event.waitUntil(work.catch(function () { /* offline or refused: keep what is there */ }));
  }
});

function readerPath(value) {
  try {
    var url = new URL(value, self.location.origin);
    if (url.origin === self.location.origin && READER.test(url.pathname)) return url.pathname;
  } catch (error) { /* not a URL */ }
  return null;
}

function isHtml(response) {
  return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

/* Fetch the document's reader page (fresh, as the signed-in user) and keep it, marked as
   a saved copy so that the page shows the offline banner when it is served from here. */
function keep(doc, refresh) {
  var path = readerPath(doc && doc.url);
  if (!path) return Promise.resolve();
  return caches.open(BOOKMARKS_CACHE).then(function (cache) {
    return cache.match(path).then(function (hit) {
      if (hit && !refresh) return null;
      return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        // Gone or no longer visible to this user: forget the saved copy too.
        if (response.status === 404) return drop(path).then(function () { return false; });
        if (!response.ok || response.redirected || !isHtml(response)) return false;
        return response.text().then(function (html) {
          var marked = html.replace(/<body\b/i, '<body data-sotay-copy="1"');
          return cache.put(path, new Response(marked, {
            headers: {
              "Content-Type": "text/html; charset=utf-8",
              "X-Sotay-Title": encodeURIComponent(String(doc.title || "").slice(0, 300)),
              "X-Sotay-Saved-At": new Date().toISOString()
            }
          })).then(function () { return true; });
        });
      }).then(function (kept) {
        if (kept) return keepFiles(cache, path, doc.files || []);
        return null;
      });
    });
  });
}

function keepFiles(cache, readerUrl, files) {
  var chain = Promise.resolve();
  files.forEach(function (file) {
    var url;
    try { url = new URL(file.url, self.location.origin); } catch (error) { return; }
    if (url.origin !== self.location.origin || !FILE.test(url.pathname)) return;
    if (url.pathname.indexOf(readerUrl) !== 0) return;  // only this document's files
    if (!(file.size > 0 && file.size <= CFG.fileMaxBytes)) return;
    chain = chain.then(function () {
      return cache.match(url.pathname).then(function (hit) {
        if (hit) return null;
        return fetch(url.pathname, { credentials: "same-origin" }).then(function (response) {
          var length = Number(response.headers.get("Content-Length") || 0);
          if (!response.ok || response.redirected || length > CFG.fileMaxBytes) return null;
          return cache.put(url.pathname, response);
        });
      }).catch(function () { /* the page is kept even if a file is not */ });
    });
  });
  return chain;
}

/* Forget a document: its reader page and every file under it. */
function drop(value) {
  var path = readerPath(value);
  if (!path) return Promise.resolve();
  return caches.open(BOOKMARKS_CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return new URL(request.url).pathname.indexOf(path) === 0;
      }).map(function (request) { return cache.delete(request); }));
    });
  });
}

/* The bookmarks page lists all of the user's bookmarks: keep the missing ones, forget
   the ones no longer bookmarked (or no longer visible to this user). */
function sync(docs) {
  var wanted = {};
  docs.forEach(function (doc) {
    var path = readerPath(doc && doc.url);
    if (path) wanted[path] = true;
  });
  return caches.open(BOOKMARKS_CACHE).then(function (cache) {
    return cache.keys();
  }).then(function (requests) {
    var stale = {};
    requests.forEach(function (request) {
      var match = new URL(request.url).pathname.match(/^\/van-ban\/\d+\//);
      if (match && !wanted[match[0]]) stale[match[0]] = true;
    });
    return Promise.all(Object.keys(stale).map(drop));
  }).then(function () {
    var chain = Promise.resolve();
    docs.forEach(function (doc) {
      chain = chain.then(function () { return keep(doc, false); }).catch(function () {});
    });
    return chain;
  });
}
