/* The visual timeline: the entries of the current filters on a zoomable, pannable time axis
   (vis-timeline, vendored under static/visits/vendor/). One lane per official or per country;
   a trip is a bar over its dates with its stops as segments beneath, a meeting a point (or a bar
   when it lasts days); planned items are dashed, cancelled ones struck through, and dates known
   only to the month or year are drawn over that whole month or year, faded. Clicking an item (or
   Enter on the focused axis after moving to it) opens its card with its sources. The entries come
   from the JSON API with the page's filters (data-api), newest first, at most data-most of them.
   All text is set with textContent: entries hold other people's words. */
(function () {
  "use strict";

  var section = document.querySelector(".visual-timeline");
  if (!section || !window.fetch) return;
  var axis = section.querySelector(".vt-axis");
  var card = section.querySelector(".vt-card");
  var status = section.querySelector(".vt-status");
  var label = function (name) { return section.getAttribute("data-label-" + name) || name; };
  var most = parseInt(section.getAttribute("data-most") || "1500", 10);

  // --- Dates: "2024", "2024-03" or "2024-03-18" to [first day, day after the last) ----------
  function first(text) {
    var p = text.split("-").map(Number);
    return new Date(p[0], (p[1] || 1) - 1, p[2] || 1);
  }
  function after(text) {
    var p = text.split("-").map(Number);
    if (p.length === 1) return new Date(p[0] + 1, 0, 1);
    if (p.length === 2) return new Date(p[0], p[1], 1);
    return new Date(p[0], p[1] - 1, p[2] + 1);
  }
  function span(fact) {
    if (!fact.start) return null;
    return { start: first(fact.start), end: after(fact.end || fact.start) };
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined && text !== null) made.textContent = text;
    return made;
  }
  function classes(kind, fact) {
    var names = ["vt-" + kind, "vt-" + (fact.status || "completed")];
    if (fact.precision && fact.precision !== "day") names.push("vt-imprecise");
    return names.join(" ");
  }
  function countryName(country) { return country ? country.name : ""; }
  function people(meeting) {
    return (meeting.participants || []).map(function (p) { return p.person ? p.person.name : ""; }).filter(Boolean);
  }

  // --- Entries to items and lanes -------------------------------------------------------------
  var entries = [];
  var byItem = {};

  function laneOf(entry, mode, tripsById) {
    if (mode === "country") {
      if (entry.type === "meeting") return entry.country ? [entry.country.code, entry.country.name] : ["", label("nowhere")];
      return null; // a trip is drawn through its stops, each in its country's lane
    }
    if (entry.type === "trip") return entry.traveller ? [entry.traveller.slug, entry.traveller.name] : null;
    var trip = entry.trip && tripsById[entry.trip];
    if (trip && trip.traveller) return [trip.traveller.slug, trip.traveller.name];
    var visitor = (entry.participants || []).filter(function (p) { return !p.is_host && p.person; })[0] ||
      (entry.participants || [])[0];
    return visitor && visitor.person ? [visitor.person.slug, visitor.person.name] : ["", label("nobody")];
  }

  function build(mode) {
    var items = [], lanes = {}, undated = 0, tripsById = {};
    byItem = {};
    entries.forEach(function (e) { if (e.type === "trip") tripsById[e.id] = e; });
    function add(item, lane, entry) {
      if (!lane) return;
      lanes[lane[0]] = lane[1];
      item.group = lane[0];
      items.push(item);
      byItem[item.id] = entry;
    }
    entries.forEach(function (entry) {
      var when = span(entry);
      if (!when) { undated += 1; return; }
      if (entry.type === "meeting") {
        var oneDay = entry.precision === "day" && (!entry.end || entry.end === entry.start);
        add({
          id: "m" + entry.id, start: when.start, end: oneDay ? undefined : when.end, type: oneDay ? "point" : "range",
          content: element("span", null, entry.title), className: classes("meeting", entry), title: entry.title,
        }, laneOf(entry, mode, tripsById), entry);
        return;
      }
      var countries = (entry.stops || []).map(function (s) { return countryName(s.country); }).filter(Boolean);
      var name = (entry.traveller ? entry.traveller.name + ": " : "") + countries.join(", ");
      if (mode === "person") {
        add({ id: "t" + entry.id, start: when.start, end: when.end, type: "range", content: element("span", null, name),
              className: classes("trip", entry), title: name }, laneOf(entry, mode, tripsById), entry);
      }
      (entry.stops || []).forEach(function (stop) {
        var at = span(stop) || (mode === "country" ? when : null);
        if (!at || !stop.country) return;
        var text = mode === "country" ? (entry.traveller ? entry.traveller.name : "") : countryName(stop.country);
        var lane = mode === "country" ? [stop.country.code, stop.country.name] : laneOf(entry, mode, tripsById);
        var fact = { status: stop.status || entry.status, precision: stop.precision || entry.precision };
        add({ id: "s" + stop.id, start: at.start, end: at.end, type: "range", content: element("span", null, text),
              className: classes("stop", fact), title: text + " · " + countryName(stop.country) }, lane, entry);
      });
    });
    var groups = Object.keys(lanes).sort(function (a, b) { return lanes[a].localeCompare(lanes[b], undefined, { numeric: true }); })
      .map(function (key) { return { id: key, content: element("span", null, lanes[key]) }; });
    return { items: items, groups: groups, undated: undated };
  }

  // --- The card of one entry ------------------------------------------------------------------
  function showCard(entry) {
    card.replaceChildren();
    var heading = element("h3", null, entry.title);
    card.appendChild(heading);
    var dates = entry.start ? entry.start + (entry.end && entry.end !== entry.start ? " – " + entry.end : "") : "";
    card.appendChild(element("p", "vt-card-meta", [label("status-" + entry.status), dates].filter(Boolean).join(" · ")));
    if (entry.type === "trip") {
      var stops = element("ol", "vt-card-stops");
      (entry.stops || []).forEach(function (s) {
        var cities = (s.cities || []).join(", ");
        stops.appendChild(element("li", null, countryName(s.country) + (cities ? " (" + cities + ")" : "") +
          (s.start ? " · " + s.start : "")));
      });
      card.appendChild(stops);
      var link = element("a", null, label("open-trip"));
      link.href = "/trips/" + entry.id + "/";
      card.appendChild(element("p")).appendChild(link);
    } else {
      var place = [entry.city, countryName(entry.country)].filter(Boolean).join(", ");
      if (place) card.appendChild(element("p", null, place));
      var met = people(entry);
      if (met.length) card.appendChild(element("p", null, label("met") + ": " + met.join(", ")));
      if (entry.trip) {
        var tripLink = element("a", null, label("open-trip"));
        tripLink.href = "/trips/" + entry.trip + "/";
        card.appendChild(element("p")).appendChild(tripLink);
      }
    }
    var evidence = (entry.evidence || []).slice();
    (entry.stops || []).forEach(function (s) { evidence = evidence.concat(s.evidence || []); });
    (entry.participants || []).forEach(function (p) { evidence = evidence.concat(p.evidence || []); });
    if (evidence.length) {
      card.appendChild(element("h4", null, label("sources")));
      var list = element("ul", "vt-card-sources");
      var seen = {};
      evidence.forEach(function (ev) {
        var key = ev.report.id + ":" + ev.quote;
        if (seen[key]) return;
        seen[key] = true;
        var item = element("li");
        item.appendChild(element("blockquote", null, ev.quote));
        var source = ev.report.url ? element("a", null, ev.report.title || ev.report.url) : element("span", null, ev.report.title);
        if (ev.report.url && /^https?:\/\//i.test(ev.report.url)) { source.href = ev.report.url; source.rel = "noopener noreferrer"; }
        item.appendChild(source);
        if (ev.report.publisher) item.appendChild(document.createTextNode(" · " + ev.report.publisher));
        list.appendChild(item);
      });
      card.appendChild(list);
    }
    card.hidden = false;
    card.focus();
  }

  // --- Drawing --------------------------------------------------------------------------------
  var timeline = null, built = null;

  function draw(mode) {
    built = build(mode);
    var options = {
      stack: true, zoomKey: "ctrlKey", maxHeight: 640, orientation: "top", margin: { item: 4 },
      locale: (section.getAttribute("data-language") || "en").slice(0, 2), showCurrentTime: false,
      groupOrder: function (a, b) { return 0; }, zoomMin: 1000 * 60 * 60 * 24 * 3,
    };
    if (!timeline) {
      timeline = new window.vis.Timeline(axis, built.items, built.groups, options);
      timeline.on("select", function (props) {
        var entry = props.items.length ? byItem[props.items[0]] : null;
        if (entry) showCard(entry);
      });
    } else {
      timeline.setData({ groups: built.groups, items: built.items });
      timeline.fit({ animation: false });
    }
    var text = built.items.length ? entries.length - built.undated + " " + label("shown") : "";
    if (built.undated) text += " · " + built.undated + " " + label("undated");
    if (truncated) text += " · " + label("more");
    status.textContent = text;
    section.classList.toggle("vt-empty", !built.items.length);
    if (!section.hasAttribute("data-drawn-ms")) section.setAttribute("data-drawn-ms", String(Math.round(performance.now())));
  }

  function move(fraction) {
    var range = timeline.getWindow(), width = range.end - range.start;
    timeline.setWindow(new Date(range.start.valueOf() + width * fraction), new Date(range.end.valueOf() + width * fraction));
  }
  var actions = {
    "zoom-in": function () { timeline.zoomIn(0.5); },
    "zoom-out": function () { timeline.zoomOut(0.5); },
    earlier: function () { move(-0.3); },
    later: function () { move(0.3); },
    fit: function () { timeline.fit(); },
  };
  section.querySelectorAll("[data-vt]").forEach(function (button) {
    button.addEventListener("click", function () { if (timeline) actions[button.getAttribute("data-vt")](); });
  });
  section.querySelectorAll("input[name=vt-lanes]").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked && timeline) draw(radio.value); });
  });
  axis.addEventListener("keydown", function (event) {
    if (!timeline) return;
    var keys = { ArrowLeft: actions.earlier, ArrowRight: actions.later, "+": actions["zoom-in"], "=": actions["zoom-in"],
                 "-": actions["zoom-out"], Home: actions.fit };
    if (keys[event.key]) { keys[event.key](); event.preventDefault(); }
  });

  // --- Loading: pages of the API, newest first, until data-most entries --------------------------
  var truncated = false;
  function load(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (page) {
        if (!page) return;
        entries = entries.concat(page.results || []);
        if (page.next && entries.length < most) return load(page.next);
        truncated = Boolean(page.next);
      });
  }
  function start() {
    if (!window.vis) return;
    load(section.getAttribute("data-api")).then(function () {
      section.classList.add("vt-ready");
      draw("person");
    }).catch(function () { status.textContent = ""; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
