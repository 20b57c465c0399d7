/* Zoom and pan for the site's SVG maps (the world map at /map/ and a trip's route): the drawing is
   vector, so zooming only narrows the SVG's viewBox. Buttons (added here, so that a page without
   JavaScript shows none), dragging, the wheel with Ctrl, and the keyboard on the focused map
   (arrows move, + and - zoom, 0 resets). Labels come from the figure's data-label-* attributes. */
(function () {
  "use strict";

  function setup(figure) {
    var svg = figure.querySelector("svg.world");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    var base = svg.viewBox.baseVal;
    var home = { x: base.x, y: base.y, width: base.width, height: base.height };
    var view = Object.assign({}, home);
    var label = function (name, fallback) { return figure.getAttribute("data-label-" + name) || fallback; };

    // Points and labels keep their size on screen: their sizes are divided by the zoom.
    var sized = Array.prototype.map.call(svg.querySelectorAll("circle, text"), function (el) {
      var name = el.tagName.toLowerCase() === "circle" ? "r" : "font-size";
      return { el: el, name: name, size: parseFloat(el.getAttribute(name)) };
    }).filter(function (item) { return !isNaN(item.size); });

    function apply() {
      var scale = home.width / view.width;
      svg.setAttribute("viewBox", [view.x, view.y, view.width, view.height].map(function (n) { return n.toFixed(2); }).join(" "));
      svg.setAttribute("data-zoom", scale.toFixed(2));
      sized.forEach(function (item) { item.el.setAttribute(item.name, (item.size / scale).toFixed(3)); });
    }
    function zoom(factor, cx, cy) {
      var width = Math.min(home.width, Math.max(home.width / 40, view.width / factor));
      var height = width * home.height / home.width;
      cx = cx === undefined ? view.x + view.width / 2 : cx;
      cy = cy === undefined ? view.y + view.height / 2 : cy;
      view = { x: cx - (cx - view.x) * width / view.width, y: cy - (cy - view.y) * height / view.height, width: width, height: height };
      clamp();
      apply();
    }
    function pan(dx, dy) { view.x += dx; view.y += dy; clamp(); apply(); }
    function clamp() {
      view.x = Math.min(Math.max(view.x, home.x), home.x + home.width - view.width);
      view.y = Math.min(Math.max(view.y, home.y), home.y + home.height - view.height);
    }
    function reset() { view = Object.assign({}, home); apply(); }

    var bar = document.createElement("div");
    bar.className = "map-controls";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", label("toolbar", "Map"));
    [["zoom-in", "Zoom in", function () { zoom(1.6); }], ["zoom-out", "Zoom out", function () { zoom(1 / 1.6); }],
     ["reset", "Whole map", reset]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = label(b[0], b[1]);
      button.setAttribute("data-map", b[0]);
      button.addEventListener("click", b[2]);
      bar.appendChild(button);
    });
    figure.insertBefore(bar, svg);

    svg.setAttribute("tabindex", "0");
    svg.addEventListener("keydown", function (event) {
      var step = view.width / 8;
      var keys = { ArrowLeft: function () { pan(-step, 0); }, ArrowRight: function () { pan(step, 0); },
                   ArrowUp: function () { pan(0, -step); }, ArrowDown: function () { pan(0, step); },
                   "+": function () { zoom(1.6); }, "=": function () { zoom(1.6); }, "-": function () { zoom(1 / 1.6); },
                   "0": reset };
      if (keys[event.key]) { keys[event.key](); event.preventDefault(); }
    });
    function point(event) {
      var box = svg.getBoundingClientRect();
      return { x: view.x + (event.clientX - box.left) / box.width * view.width,
               y: view.y + (event.clientY - box.top) / box.height * view.height };
    }
    svg.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return;
      event.preventDefault();
      var at = point(event);
      zoom(event.deltaY < 0 ? 1.25 : 0.8, at.x, at.y);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (event) { drag = { x: event.clientX, y: event.clientY }; });
    window.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var box = svg.getBoundingClientRect();
      pan(-(event.clientX - drag.x) / box.width * view.width, -(event.clientY - drag.y) / box.height * view.height);
      drag = { x: event.clientX, y: event.clientY };
    });
  }

  function start() { document.querySelectorAll("figure.map").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
