/* The timeline page's charts count every matching trip and meeting, which can take a few seconds
   at the full data size, so the page is served without them and this script fetches them from
   /glance/ (the section's data-glance-url) once the page has rendered. Without JavaScript the
   section holds a link to the same charts. */
(function () {
  "use strict";
  function load() {
    var section = document.getElementById("glance");
    var url = section && section.getAttribute("data-glance-url");
    if (!url || !window.fetch || !window.DOMParser) return;
    section.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var charts = new DOMParser().parseFromString(html, "text/html").getElementById("glance");
        if (charts) section.replaceChildren.apply(section, Array.prototype.slice.call(charts.childNodes));
      })
      .catch(function () { /* the link stays */ })
      .then(function () { section.removeAttribute("aria-busy"); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
