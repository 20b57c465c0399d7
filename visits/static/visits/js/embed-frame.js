/* Inside /embed/: tell the host page our height, and reload when the timeline changes.
   Polls the JSON API (the URL is in data-poll-url) and reloads when the most recently
   updated entry differs; works without it too (the page is complete as served). */
(function () {
  "use strict";
  var body = document.body;
  function postHeight() {
    if (window.parent === window) return;
    window.parent.postMessage({ type: "visit-timeline:height", height: document.documentElement.scrollHeight }, "*");
  }
  window.addEventListener("load", postHeight);
  window.addEventListener("resize", postHeight);
  document.addEventListener("toggle", postHeight, true);

  var url = body.getAttribute("data-poll-url");
  var seconds = parseInt(body.getAttribute("data-refresh-seconds") || "0", 10);
  if (!url || !seconds || !window.fetch) return;
  var last = null;
  function newest() {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.results) return null;
        var first = data.results[0];
        return first ? first.type + ":" + first.id + ":" + first.updated_at : "";
      })
      .catch(function () { return null; });
  }
  function poll() {
    if (document.hidden) return;
    newest().then(function (key) {
      if (key === null) return;
      if (last !== null && key !== last) window.location.reload();
      last = key;
    });
  }
  poll();
  window.setInterval(poll, seconds * 1000);
})();
