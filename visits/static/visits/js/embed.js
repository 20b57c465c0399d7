/* The script snippet: <script src=".../static/visits/js/embed.js" data-visit-timeline="country=GE"
   data-theme="light" data-accent="1a5fb4" async></script>. It puts an iframe of /embed/ with
   those filters where the script tag is, and sizes it to its content. */
(function () {
  "use strict";
  var scripts = document.querySelectorAll("script[data-visit-timeline]");
  Array.prototype.forEach.call(scripts, function (script) {
    if (script.getAttribute("data-visit-timeline-done")) return;
    script.setAttribute("data-visit-timeline-done", "1");
    var origin = new URL(script.src, document.baseURI).origin;
    var params = new URLSearchParams(script.getAttribute("data-visit-timeline") || "");
    ["theme", "accent", "lang"].forEach(function (name) {
      var value = script.getAttribute("data-" + name);
      if (value) params.set(name, value);
    });
    var frame = document.createElement("iframe");
    frame.src = origin + "/embed/?" + params.toString();
    frame.title = script.getAttribute("data-title") || "Diplomatic visits timeline";
    frame.loading = "lazy";
    frame.width = "100%";
    frame.height = script.getAttribute("data-height") || "640";
    frame.style.border = "0";
    frame.style.maxWidth = "100%";
    script.parentNode.insertBefore(frame, script);
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === "visit-timeline:height" && data.height > 0) {
        frame.height = String(Math.min(Math.ceil(data.height), 4000));
      }
    });
  });
})();
