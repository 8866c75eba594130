/* The corridor explorer's page script (corridormap.render.explorer writes its data).
 *
 * Data arrives through window.CORRIDORMAP_EXPLORER.push(payload): the data scripts loaded
 * before this one queue their payloads in an array, origin files loaded later call push.
 * Every string from the data is put into the page as text (textContent, createTextNode,
 * Leaflet tooltips given DOM elements): never as markup.
 */
(function () {
  "use strict";

  var REGISTRY = "CORRIDORMAP_EXPLORER";
  var SVG = "http://www.w3.org/2000/svg";
  var LABEL_MIN_HOURS = 12; // stops at least this long are labelled on the profile

  // maps keyed by ids from the data or the URL have no prototype ("constructor" is an id)
  function dict() { return Object.create(null); }
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  var D = {meta: null, links: null, steps: null, basemap: null, origins: dict()};
  var waiting = dict(); // origin id -> callbacks waiting for its data
  var PAYLOADS = {meta: 1, links: 1, steps: 1, basemap: 1};
  var app = {
    state: {from: null, to: null, scenario: null, clock: null, family: null},
    timings: {scriptMs: performance.now()}, // ms since navigation start
    drawCount: 0,
    lastDrawMs: null,
    lastPaintMs: null,
    map: null,
  };
  window.corridormapExplorer = app;

  // -- data ----------------------------------------------------------------------------------
  function accept(payload) {
    if (!payload || typeof payload !== "object") return;
    if (payload.type === "origin") {
      D.origins[payload.origin] = payload;
      var cbs = waiting[payload.origin] || [];
      delete waiting[payload.origin];
      cbs.forEach(function (cb) { cb(null); });
    } else if (has(PAYLOADS, payload.type)) {
      D[payload.type] = payload;
    }
  }
  var queued = window[REGISTRY];
  window[REGISTRY] = {push: accept};
  if (queued && queued.forEach) queued.forEach(accept);

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k === "className") node.setAttribute("class", v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
  }

  function append(node, children) {
    if (children === undefined || children === null) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
  }

  // integers packed by corridormap.render.explorer.payloads.pack_ints
  var PACK = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var PACK_INDEX = {};
  for (var pi = 0; pi < PACK.length; pi++) PACK_INDEX[PACK.charAt(pi)] = pi;

  function unpack(text) {
    var out = [], acc = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var v = PACK_INDEX[text.charAt(i)];
      if (v >= 32) {
        acc += (v - 32) * scale;
        scale *= 32;
        continue;
      }
      var z = acc + v * scale;
      out.push(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      acc = 0;
      scale = 1;
    }
    return out;
  }

  // an origin's packed lists, unpacked once when first needed
  function unpacked(data, table, i) {
    var cache = data._unpacked || (data._unpacked = {records: [], cells: [], dests: dict()});
    var hit = cache[table][i];
    if (hit === undefined) hit = cache[table][i] = unpack(data[table][i]);
    return hit;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // -- numbers: the integers of the data file are the printed digits -------------------------
  function groups(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function tenths(n) { // Python format(x, ",.1f") of the number whose tenths are n
    var sign = n < 0 ? "-" : "";
    var a = Math.abs(n);
    return sign + groups(Math.floor(a / 10)) + "." + (a % 10);
  }
  var FMT = {
    days: tenths,
    usd: function (n) { return (n < 0 ? "-" : "") + groups(Math.abs(n)); },
    pct: function (n) { return String(n) + "%"; },
  };
  function km(x) { return groups(Math.round(x)); }

  // -- places --------------------------------------------------------------------------------
  var places = []; // {id, name, aliases, country, kind, lat, lon, index}
  var placeById = dict();
  var originInfo = dict(); // origin id -> {file, dests: [place index]}

  function fold(text) {
    return String(text).trim().replace(/\s+/g, " ").toLowerCase();
  }

  function setupPlaces() {
    D.meta.places.forEach(function (p, i) {
      var place = {id: p[0], name: p[1], aliases: p[2], country: p[3], kind: p[4],
        lat: p[5], lon: p[6], index: i};
      places.push(place);
      placeById[place.id] = place;
    });
    D.meta.origins.forEach(function (o) {
      originInfo[o[0]] = {file: o[1], dests: o[2]};
    });
  }

  // typed text -> places, by id, then by name, then by alias (earlier kinds win)
  function nameIndex(list) {
    var index = {id: dict(), name: dict(), alias: dict()};
    function add(kind, key, place) {
      var k = fold(key);
      if (!k) return;
      var hits = index[kind][k] || (index[kind][k] = []);
      if (hits.indexOf(place) < 0) hits.push(place);
    }
    list.forEach(function (p) {
      add("id", p.id, p);
      add("name", p.name + " [" + p.id + "]", p); // as the notes and duplicate names show it
      add("name", p.name, p);
      p.aliases.forEach(function (a) { add("alias", a, p); });
    });
    return index;
  }

  function duplicateNames(list) {
    var seen = dict(), dup = dict();
    list.forEach(function (p) {
      var k = fold(p.name);
      if (seen[k]) dup[k] = true;
      seen[k] = true;
    });
    return dup;
  }

  function shownName(p, dup) {
    return dup[fold(p.name)] ? p.name + " [" + p.id + "]" : p.name;
  }

  function fillList(datalist, list) {
    clear(datalist);
    var dup = duplicateNames(list);
    var frag = document.createDocumentFragment();
    list.forEach(function (p) {
      var where = [p.country, p.kind.replace(/_/g, " ")].filter(Boolean).join(" · ");
      frag.appendChild(el("option", {value: shownName(p, dup), label: where}));
      p.aliases.forEach(function (a) {
        if (fold(a) !== fold(p.name)) frag.appendChild(el("option", {value: a, label: "→ " + p.name}));
      });
    });
    datalist.appendChild(frag);
  }

  // resolve typed text against a list: [place] or [] or several (ambiguous)
  function resolve(text, list) {
    var index = nameIndex(list);
    var k = fold(text);
    if (!k) return [];
    var exact = index.id[k] || index.name[k] || index.alias[k];
    if (exact) return exact;
    var hits = list.filter(function (p) {
      return [p.name].concat(p.aliases).some(function (n) { return fold(n).indexOf(k) === 0; });
    });
    return hits;
  }

  function originList() {
    return D.meta.origins.map(function (o) { return placeById[o[0]]; });
  }

  function destList(origin) {
    var info = originInfo[origin];
    return info ? info.dests.map(function (i) { return places[i]; }) : [];
  }

  // -- origin data -----------------------------------------------------------------------------
  function loadOrigin(origin, cb) {
    if (D.origins[origin]) { cb(null); return; }
    if (waiting[origin]) { waiting[origin].push(cb); return; }
    waiting[origin] = [cb];
    var file = originInfo[origin].file;
    var inline = $("cx-data-" + file.replace(/\.js$/, ""));
    if (inline) { // the self-contained page: parse the origin's JSON now
      accept(JSON.parse(inline.textContent));
      return;
    }
    var s = document.createElement("script");
    s.src = "data/" + file;
    s.onerror = function () {
      var cbs = waiting[origin] || [];
      delete waiting[origin];
      cbs.forEach(function (f) { f("could not load data/" + file); });
    };
    document.body.appendChild(s);
  }

  // a sequence stored as [base, n, ...rest]: the first n items of route base, then rest
  function expand(data, which, r) {
    var cache = data._cache || (data._cache = {links: {}, places: {}, steps: {}});
    if (cache[which][r]) return cache[which][r];
    var enc = unpack(data.routes[r][{links: 1, places: 2, steps: 3}[which]]);
    var rest = enc.slice(2);
    var seq = enc[0] < 0 ? rest : expand(data, which, enc[0]).slice(0, enc[1]).concat(rest);
    cache[which][r] = seq;
    return seq;
  }

  // a family's figures on clock k, decoded from its record (payloads._record and _block):
  // the first clock's block, then each other clock's block less the first
  function figures(rec, k) {
    var n = D.meta.block;
    var v = rec.slice(0, n);
    if (k > 0) for (var i = 0; i < n; i++) v[i] += rec[n * k + i];
    return {
      route: v[0],
      days: [v[1] + v[4], v[1] - v[2], v[1], v[1] + v[3]], // expected, P10, P50, P90
      usd: [v[5] + v[8], v[5] - v[6], v[5], v[5] + v[7]],
      wait: v[9], co2: v[10], borders: v[11], transshipments: v[12],
    };
  }

  // the chosen pair and scenario: [{family, fig}], best index, p per sea family, or null
  function cellOf(st) {
    var data = D.origins[st.from];
    if (!data || !has(data.dests, st.to)) return null;
    var ci = unpacked(data, "dests", st.to)[scenarioIndex(st.scenario)];
    if (ci === undefined || ci < 0) return null;
    // [record per family, best family per clock, percent per clock and sea family]
    var cell = unpacked(data, "cells", ci);
    var nf = D.meta.families.length, nc = D.meta.clocks.length, sea = seaFamilies();
    var k = clockIndex(st.clock);
    var rows = D.meta.families.map(function (f, i) {
      var r = cell[i];
      return {family: f, index: i, fig: r < 0 ? null : figures(unpacked(data, "records", r), k)};
    });
    var p = dict();
    sea.forEach(function (f, j) {
      var v = cell[nf + nc + k * sea.length + j];
      if (v >= 0) p[f.name] = v;
    });
    return {data: data, rows: rows, best: cell[nf + k], p: p};
  }

  function seaFamilies() {
    return D.meta.families.filter(function (f) { return !f.instc; });
  }
  function scenarioIndex(name) {
    for (var i = 0; i < D.meta.scenarios.length; i++) if (D.meta.scenarios[i].name === name) return i;
    return -1;
  }
  function clockIndex(name) {
    for (var i = 0; i < D.meta.clocks.length; i++) if (D.meta.clocks[i].name === name) return i;
    return -1;
  }
  function familyByName(name) {
    return D.meta.families.filter(function (f) { return f.name === name; })[0] || null;
  }

  // -- the URL -------------------------------------------------------------------------------
  var KEYS = ["from", "to", "scenario", "clock", "family"];

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var out = {};
    KEYS.forEach(function (k) { if (params.has(k)) out[k] = params.get(k); });
    return out;
  }

  function writeHash() {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (app.state[k]) params.set(k, app.state[k]); });
    var hash = "#" + params.toString();
    if (location.hash === hash) return;
    try {
      history.replaceState(null, "", hash);
    } catch (e) {
      try { location.hash = hash; } catch (e2) { /* a sandboxed frame: keep the view */ }
    }
  }

  // a state with every field valid: the requested values where they exist, else defaults
  function settle(want) {
    var st = {};
    st.from = originInfo[want.from] ? want.from : D.meta.origins[0][0];
    var dests = destList(st.from);
    var ok = dests.some(function (p) { return p.id === want.to; });
    st.to = ok ? want.to : (dests[0] ? dests[0].id : null);
    st.scenario = scenarioIndex(want.scenario) >= 0 ? want.scenario : D.meta.scenarios[0].name;
    st.clock = clockIndex(want.clock) >= 0 ? want.clock : D.meta.clocks[0].name;
    st.family = familyByName(want.family) ? want.family : null;
    return st;
  }

  // -- the controls --------------------------------------------------------------------------
  function setupControls() {
    var sel = $("cx-scenario");
    D.meta.scenarios.forEach(function (s) {
      sel.appendChild(el("option", {value: s.name, text: s.title}));
    });
    sel.addEventListener("change", function () { go({scenario: sel.value}); });
    var box = $("cx-clock");
    D.meta.clocks.forEach(function (c, i) {
      var id = "cx-clock-" + i;
      var input = el("input", {type: "radio", name: "cx-clock", id: id, value: c.name});
      input.addEventListener("change", function () { if (input.checked) go({clock: c.name}); });
      box.appendChild(el("span", {className: "cx-radio"}, [input, el("label", {for: id, text: c.label})]));
    });
    fillList($("cx-from-list"), originList());
    placeInput("from", $("cx-from"), originList);
    placeInput("to", $("cx-to"), function () { return destList(app.state.from); });
    $("cx-controls").addEventListener("submit", function (e) { e.preventDefault(); });
    $("cx-tbody").addEventListener("change", function (e) {
      var t = e.target;
      if (t && t.name === "cx-family" && t.checked) go({family: t.value});
    });
    window.addEventListener("hashchange", function () { go(readHash()); });
  }

  function placeInput(key, input, listOf) {
    var note = $("cx-" + key + "-note");
    function commit() {
      if (input.value === shown[key]) return; // the choice as shown: nothing to do
      var hits = resolve(input.value, listOf());
      if (hits.length === 1) {
        note.textContent = "";
        var change = {};
        change[key] = hits[0].id;
        go(change);
      } else if (!fold(input.value)) {
        showPlaces();
      } else if (hits.length > 1) {
        note.textContent = "“" + input.value + "” names " + hits.slice(0, 5).map(function (p) {
          return p.name + " [" + p.id + "]";
        }).join(", ") + ": pick one";
      } else {
        note.textContent = "No " + (key === "from" ? "origin" : "destination") +
          " “" + input.value + "” here";
      }
    }
    input.addEventListener("change", commit);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); commit(); }
      if (e.key === "Escape") { note.textContent = ""; showPlaces(); input.select(); }
    });
    input.addEventListener("input", function (e) {
      // a pick from the list (not typing) applies at once
      if (!e.inputType || e.inputType === "insertReplacementText") commit();
    });
  }

  var shown = {from: null, to: null}; // what the place fields show for the current choice

  function showPlaces() {
    var from = placeById[app.state.from], to = placeById[app.state.to];
    var dupF = duplicateNames(originList()), dupT = duplicateNames(destList(app.state.from));
    shown.from = $("cx-from").value = from ? shownName(from, dupF) : "";
    shown.to = $("cx-to").value = to ? shownName(to, dupT) : "";
    $("cx-from-note").textContent = "";
    $("cx-to-note").textContent = "";
  }

  function showControls() {
    showPlaces();
    $("cx-scenario").value = app.state.scenario;
    var k = clockIndex(app.state.clock);
    var radio = $("cx-clock-" + k);
    if (radio) radio.checked = true;
  }

  // -- the map -------------------------------------------------------------------------------
  var routeLayer = null;
  var linkCache = {};

  function setupMap() {
    if (typeof L === "undefined") {
      $("cx-map").appendChild(el("p", {className: "cx-noleaflet",
        text: "The map needs assets/leaflet.js beside this page; the table still works."}));
      return;
    }
    var map = L.map("cx-map", {attributionControl: false, zoomSnap: 0.25, worldCopyJump: false,
      minZoom: 1, maxZoom: 10});
    app.map = map;
    map.getContainer().style.background = "#d4e4f1";
    var canvas = L.canvas({padding: 0.3});
    var b = D.basemap;
    if (b) {
      L.polygon(b.mask, {renderer: canvas, interactive: false, stroke: true, color: "#b5b5b5",
        weight: 1, fillColor: "#e6e6e6", fillOpacity: 1}).addTo(map);
      L.geoJSON({type: "FeatureCollection", features: b.countries.map(function (c) {
        return {type: "Feature", properties: {}, geometry: {type: "MultiPolygon", coordinates: c}};
      })}, {renderer: canvas, interactive: false,
        style: {color: "#9e978c", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1}}).addTo(map);
      var labels = L.layerGroup();
      b.labels.forEach(function (c) {
        labels.addLayer(L.marker([c[0], c[1]], {interactive: false, keyboard: false,
          icon: L.divIcon({className: "cx-country", html: el("span", {text: c[2]}), iconSize: null})}));
      });
      var showLabels = function () {
        if (map.getZoom() >= 3) labels.addTo(map); else labels.remove();
      };
      map.on("zoomend", showLabels);
      map.whenReady(showLabels);
    }
    routeLayer = L.layerGroup().addTo(map); // the first view is set by the first draw
  }

  function linkLatLngs(i) {
    if (linkCache[i]) return linkCache[i];
    var d = unpack(D.links.links[i][3]), pts = [], x = 0, y = 0;
    for (var j = 0; j < d.length; j += 2) {
      x += d[j];
      y += d[j + 1];
      pts.push([y / 1e4, x / 1e4]);
    }
    linkCache[i] = pts;
    return pts;
  }

  function modeOf(i) {
    var m = D.meta.modes[i];
    return m ? {name: m[0], color: m[1], label: m[2]} : {name: "", color: "#7f7f7f", label: ""};
  }

  function linkTip(i, fam) {
    return function () {
      var link = D.links.links[i];
      return el("div", {className: "cx-tip"}, [
        el("strong", {text: link[2] || link[0]}),
        el("div", {text: modeOf(link[1]).label + " · " + fam.label}),
      ]);
    };
  }

  function drawMap(cell, fit) {
    if (!app.map) return;
    routeLayer.clearLayers();
    if (!cell) {
      if (!app.map._loaded) app.map.setView([35, 55], 3);
      return;
    }
    var bounds = L.latLngBounds([]);
    var rows = cell.rows.filter(function (r) { return r.fig; });
    var bestRow = null;
    rows.forEach(function (r) { if (r.index === cell.best) bestRow = r; });
    // the fastest last (on top), over a white casing
    var order = rows.filter(function (r) { return r !== bestRow; });
    if (bestRow) order.push(bestRow);
    order.forEach(function (r) {
      var links = expand(cell.data, "links", r.fig.route);
      var fastest = r === bestRow;
      var chosen = r.family.name === app.state.family;
      links.forEach(function (li) {
        var pts = linkLatLngs(li);
        bounds.extend(L.latLngBounds(pts));
        if (fastest) {
          routeLayer.addLayer(L.polyline(pts, {color: "#ffffff", weight: 9, opacity: 0.9,
            interactive: false}));
        }
        var line = L.polyline(pts, {color: r.family.color, weight: fastest ? 5 : (chosen ? 4 : 3),
          opacity: fastest || chosen ? 1 : 0.8, className: "cx-route cx-route-" + r.index,
          dashArray: fastest || chosen ? null : "6 4"});
        line.bindTooltip(linkTip(li, r.family), {sticky: true});
        line.on("click", function (e) { line.openTooltip(e.latlng); }); // a tap on a phone
        routeLayer.addLayer(line);
      });
    });
    [app.state.from, app.state.to].forEach(function (id, j) {
      var p = placeById[id];
      if (!p) return;
      bounds.extend([p.lat, p.lon]);
      var m = L.circleMarker([p.lat, p.lon], {radius: 7, color: "#ffffff", weight: 2,
        fillColor: j ? "#111111" : "#ffffff", fillOpacity: 1});
      m.setStyle({color: "#111111"});
      m.bindTooltip(el("span", {text: (j ? "To: " : "From: ") + p.name}),
        {permanent: true, direction: j ? "right" : "left", className: "cx-endpoint"});
      routeLayer.addLayer(m);
    });
    if (fit && bounds.isValid()) app.map.fitBounds(bounds, {padding: [20, 20], animate: false});
    else if (!app.map._loaded) app.map.setView([35, 55], 3);
  }

  function drawLegend(cell) {
    var box = $("cx-legend");
    clear(box);
    if (!cell) return;
    cell.rows.forEach(function (r) {
      if (!r.fig) return;
      var fastest = r.index === cell.best;
      box.appendChild(el("div", {className: "cx-legend-row"}, [
        el("span", {className: "cx-swatch" + (fastest ? "" : " cx-dashed"),
          style: "border-color:" + r.family.color}),
        el("span", {text: r.family.label + (fastest ? " ★ fastest" : "")}),
      ]));
    });
    box.appendChild(el("div", {className: "cx-small", text: "Point at or tap a line for its link and mode"}));
  }

  // -- the table ------------------------------------------------------------------------------
  function abbrTh(text, title) {
    return el("th", {scope: "col", rowspan: 2}, el("abbr", {title: title, text: text}));
  }
  function th(text, attrs) { return el("th", Object.assign({scope: "col", text: text}, attrs || {})); }

  function drawTable(cell) {
    var clock = D.meta.clocks[clockIndex(app.state.clock)];
    $("cx-caption").textContent = "Route families · clock: " + clock.label + " · days and " +
      "USD: expected, with P10/P50/P90 of " + groups(D.meta.draws) + " draws, seed " + D.meta.seed;
    var head = $("cx-thead");
    clear(head);
    head.appendChild(el("tr", null, [
      th("Profile", {rowspan: 2}), th("Family", {rowspan: 2}),
      th("Days", {colspan: 4, className: "cx-group"}),
      th("USD per TEU", {colspan: 4, className: "cx-group"}),
      abbrTh("CO2 kg", "CO2 per TEU, kg"), abbrTh("Borders", "Border crossings"),
      abbrTh("Trans\u00adship\u00adments", "Transshipments"),
      abbrTh("Wait, days", "Expected wait for the first departure, days (counted on the door-to-door clock)"),
      abbrTh("P(INSTC faster)", "Probability that the best INSTC branch is faster than this sea route"),
    ]));
    head.appendChild(el("tr", null, SPREAD.concat(SPREAD).map(function (t) { return th(t); })));
    var body = $("cx-tbody");
    clear(body);
    if (!cell) {
      body.appendChild(el("tr", null, el("td", {colspan: 15, text: "No results for this pair and scenario."})));
      return;
    }
    cell.rows.forEach(function (r) { body.appendChild(tableRow(cell, r)); });
  }

  function num(field, text) { return el("td", {className: "cx-num", "data-field": field, text: text}); }
  // the table's columns of a figure: its expected value first, as corridormap compare prints
  var SPREAD = ["expected", "P10", "P50", "P90"];
  var FIELDS = ["expected", "p10", "p50", "p90"];

  function tableRow(cell, r) {
    var f = r.family, fig = r.fig;
    var id = "cx-fam-" + r.index;
    var radio = el("input", {type: "radio", name: "cx-family", id: id, value: f.name,
      disabled: !fig, checked: fig && f.name === app.state.family});
    var name = el("label", {for: id}, [
      el("span", {className: "cx-swatch", style: "border-color:" + f.color}), f.label]);
    var nameCell = el("td", {className: "cx-name", "data-field": "family"}, [name]);
    if (r.index === cell.best) nameCell.appendChild(el("strong", {className: "cx-badge", text: "★ fastest"}));
    var tr = el("tr", {"data-family": f.name, className: fig ? "" : "cx-noroute"},
      [el("td", {className: "cx-pick"}, radio), nameCell]);
    if (!fig) {
      tr.appendChild(el("td", {colspan: 13, className: "cx-none", text: "no route under this scenario"}));
      return tr;
    }
    FIELDS.forEach(function (p, j) { tr.appendChild(num("days-" + p, FMT.days(fig.days[j]))); });
    FIELDS.forEach(function (p, j) { tr.appendChild(num("usd-" + p, FMT.usd(fig.usd[j]))); });
    tr.appendChild(num("co2", FMT.usd(fig.co2)));
    tr.appendChild(num("borders", String(fig.borders)));
    tr.appendChild(num("transshipments", String(fig.transshipments)));
    tr.appendChild(num("wait", FMT.days(fig.wait)));
    var p = f.instc ? "" : (f.name in cell.p ? FMT.pct(cell.p[f.name]) : "–");
    tr.appendChild(num("p-instc-faster", p));
    return tr;
  }

  // -- the finding ---------------------------------------------------------------------------
  function finding(cell) {
    var from = placeById[app.state.from].name, to = placeById[app.state.to].name;
    var lead = "From " + from + " to " + to;
    if (!cell) return lead + ": no results under this scenario.";
    var routed = cell.rows.filter(function (r) { return r.fig; });
    if (!routed.length) return lead + " no family has a route under this scenario.";
    var best = cell.rows[cell.best];
    var clock = D.meta.clocks[clockIndex(app.state.clock)].label.replace(/\s*\(.*\)\s*$/, "");
    var d = best.fig.days;
    var tail = " Fastest by expected days (" + clock.toLowerCase() + "): " + best.family.label +
      ", " + FMT.days(d[0]) + " days expected (P10–P90 " + FMT.days(d[1]) + "–" + FMT.days(d[3]) +
      ").";
    var instc = routed.filter(function (r) { return r.family.instc; });
    var sea = routed.filter(function (r) { return !r.family.instc && r.family.name in cell.p; });
    if (!instc.length) return lead + " no INSTC branch has a route." + tail;
    if (!sea.length) return lead + " only the INSTC branches are compared." + tail;
    sea.sort(function (a, b) { return a.fig.days[0] - b.fig.days[0]; }); // by expected days
    var ref = sea[0], pct = cell.p[ref.family.name];
    var text = pct >= 50 ?
      lead + " the best INSTC branch is faster than the " + ref.family.label + " route in " + pct + "% of draws." :
      lead + " the " + ref.family.label + " route is faster than the best INSTC branch in " + (100 - pct) + "% of draws.";
    return text + tail;
  }

  // -- the profile ---------------------------------------------------------------------------
  // the chosen family's steps: the wait for the first departure (its own step, "wait")
  // only on the clock that counts it
  function profileSteps(cell, row) {
    var ids = expand(cell.data, "steps", row.fig.route);
    var waitClock = app.state.clock === D.meta.waitClock;
    var out = [], x = 0, waits = 0;
    ids.forEach(function (i) {
      var s = D.steps.steps[i];
      var kind = D.meta.stepKinds[s[2]];
      if (kind === "wait" && s[0] === 0) {
        waits += 1;
        if (!waitClock) return;
      }
      out.push({km0: x, km1: x + s[0], h: s[1], kind: kind,
        mode: s[3] < 0 ? null : modeOf(s[3]), label: s[4]});
      x += s[0];
    });
    if (waitClock && !waits && row.fig.wait > 0) { // data without the step: from the record
      out.unshift({km0: 0, km1: 0, h: row.fig.wait * 2.4, kind: "wait", mode: null,
        label: "wait for the first departure " + FMT.days(row.fig.wait) + " d"});
    }
    return out;
  }

  function niceStep(span, n) {
    var raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  }

  function drawProfile(cell) {
    var box = $("cx-profile");
    clear(box);
    var note = $("cx-profile-note");
    note.textContent = "";
    var row = cell && cell.rows.filter(function (r) {
      return r.fig && r.family.name === app.state.family;
    })[0];
    if (!row) { $("cx-profile-title").textContent = "Time–distance profile"; return; }
    var steps = profileSteps(cell, row);
    var via = expand(cell.data, "places", row.fig.route).map(function (i) { return places[i].name; });
    $("cx-profile-title").textContent = "Time–distance profile: " + row.family.label;
    var W = Math.max(280, box.clientWidth || 600), H = 260;
    var m = {l: 46, r: 12, t: 12, b: 34};
    var totalKm = 0, totalH = 0;
    steps.forEach(function (s) { totalKm = Math.max(totalKm, s.km1); totalH += s.h; });
    var maxD = Math.max(totalH / 24, 0.1), maxKm = Math.max(totalKm, 1);
    var X = function (v) { return m.l + (W - m.l - m.r) * v / maxKm; };
    var Y = function (d) { return H - m.b - (H - m.t - m.b) * d / maxD; };
    var root = svg("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      className: "cx-profile-svg",
      "aria-label": "Time–distance profile of " + row.family.label + ": " + km(totalKm) + " km, " +
        (totalH / 24).toFixed(1) + " days expected"});
    axes(root, X, Y, maxKm, maxD, W, H, m);
    var h = 0, placed = [];
    steps.forEach(function (s) {
      var d0 = h / 24, d1 = (h + s.h) / 24;
      h += s.h;
      var move = s.kind === "move";
      var color = move ? (s.mode ? s.mode.color : "#7f7f7f") : D.meta.stopColor;
      var seg = svg("line", {x1: X(s.km0), y1: Y(d0), x2: X(s.km1), y2: Y(d1), stroke: color,
        "stroke-width": move ? 2.4 : 3, "stroke-linecap": "round",
        className: "cx-step cx-step-" + s.kind},
        svg("title", {text: s.label + " (" + km(s.km0) + "–" + km(s.km1) + " km, " +
          s.h.toFixed(1) + " h)"}));
      root.appendChild(seg);
      if (!move && s.h >= LABEL_MIN_HOURS) {
        stepLabel(root, s.label, X(s.km1), (Y(d0) + Y(d1)) / 2, W, m.l, placed);
      }
    });
    box.appendChild(root);
    box.appendChild(profileLegend(steps));
    note.textContent = "Expected times step by step (the table's P10–P90 come from the Monte " +
      "Carlo); stops of " + LABEL_MIN_HOURS + " h or more labelled, every step on hover. Via " +
      via.join(" – ") + ".";
  }

  // a stop's label beside it, right if it fits, else left, shortened to the room there; none
  // where it would cover an earlier label (every step keeps its full text on hover)
  var CHAR_PX = 6;

  function stepLabel(root, text, x, y, W, left, placed) {
    var roomRight = W - 4 - (x + 6), roomLeft = x - 6 - left;
    var right = text.length * CHAR_PX <= roomRight || roomRight >= roomLeft;
    var room = right ? roomRight : roomLeft;
    var chars = Math.floor(room / CHAR_PX);
    if (chars < 8) return;
    var shown = text.length > chars ? text.slice(0, chars - 1) + "…" : text;
    var w = shown.length * CHAR_PX;
    var x0 = right ? x + 6 : x - 6 - w;
    var box = {x0: x0, x1: x0 + w, y0: y - 7, y1: y + 7};
    var covers = placed.some(function (b) {
      return b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1;
    });
    if (covers) return;
    placed.push(box);
    root.appendChild(svg("text", {x: right ? x + 6 : x - 6, y: y + 4,
      "text-anchor": right ? "start" : "end", className: "cx-step-label", text: shown}));
  }

  function profileLegend(steps) {
    var seen = dict(), items = [];
    steps.forEach(function (s) {
      var key = s.kind === "move" ? "m:" + (s.mode ? s.mode.name : "") : "stop";
      if (seen[key]) return;
      seen[key] = true;
      items.push(s.kind === "move" ?
        {color: s.mode ? s.mode.color : "#7f7f7f", label: s.mode ? s.mode.label : "move"} :
        {color: D.meta.stopColor, label: "stop: border, transfer, wait", stop: true});
    });
    items.sort(function (a, b) { return (a.stop ? 1 : 0) - (b.stop ? 1 : 0); });
    return el("div", {className: "cx-profile-legend"}, items.map(function (it) {
      return el("span", {className: "cx-legend-row"}, [
        el("span", {className: "cx-swatch" + (it.stop ? " cx-stop" : ""),
          style: "border-color:" + it.color}), it.label]);
    }));
  }

  function axes(root, X, Y, maxKm, maxD, W, H, m) {
    var g = svg("g", {className: "cx-axes"});
    g.appendChild(svg("line", {x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b}));
    g.appendChild(svg("line", {x1: m.l, y1: m.t, x2: m.l, y2: H - m.b}));
    var sx = niceStep(maxKm, Math.max(2, Math.floor((W - m.l) / 90)));
    for (var v = 0; v <= maxKm + 1e-9; v += sx) {
      g.appendChild(svg("text", {x: X(v), y: H - m.b + 14, "text-anchor": "middle", text: km(v)}));
    }
    var sy = niceStep(maxD, 5);
    for (var d = 0; d <= maxD + 1e-9; d += sy) {
      g.appendChild(svg("line", {x1: m.l, y1: Y(d), x2: W - m.r, y2: Y(d), className: "cx-grid"}));
      g.appendChild(svg("text", {x: m.l - 5, y: Y(d) + 4, "text-anchor": "end", text: String(+d.toFixed(1))}));
    }
    g.appendChild(svg("text", {x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle", text: "km"}));
    g.appendChild(svg("text", {x: 12, y: (H - m.b + m.t) / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (H - m.b + m.t) / 2 + ")", text: "days"}));
    root.appendChild(g);
  }

  // -- the scenario --------------------------------------------------------------------------
  function drawScenario() {
    var s = D.meta.scenarios[scenarioIndex(app.state.scenario)];
    $("cx-scenario-title").textContent = "Scenario: " + s.title;
    $("cx-scenario-description").textContent = s.description;
    var list = $("cx-sources");
    clear(list);
    s.sources.forEach(function (src) { list.appendChild(el("li", {text: src})); });
  }

  // -- drawing -------------------------------------------------------------------------------
  function draw(pairChanged) {
    var cell = cellOf(app.state);
    if (cell && !(cell.rows.some(function (r) { return r.fig && r.family.name === app.state.family; }))) {
      app.state.family = cell.best >= 0 ? D.meta.families[cell.best].name : null;
    }
    showControls();
    drawScenario();
    $("cx-finding").textContent = finding(cell);
    drawTable(cell);
    drawLegend(cell);
    drawMap(cell, pairChanged);
    drawProfile(cell);
    writeHash();
  }

  var seq = 0;
  // apply a change of the choice; redraw unless nothing changes (force: the first view)
  function go(change, force) {
    var t0 = performance.now();
    var st = settle(Object.assign({}, app.state, change));
    var same = KEYS.every(function (k) { return st[k] === app.state[k]; });
    if (same && !force) {
      showControls(); // a field left with other text shows the choice again
      return;
    }
    var pairChanged = st.from !== app.state.from || st.to !== app.state.to;
    var mine = ++seq;
    $("cx-app").setAttribute("aria-busy", "true");
    loadOrigin(st.from, function (err) {
      if (mine !== seq) return; // a later choice wins
      $("cx-app").removeAttribute("aria-busy");
      if (err) {
        $("cx-finding").textContent = "Could not load the data: " + err;
        showControls();
        return;
      }
      if (st.from !== app.state.from) fillList($("cx-to-list"), destList(st.from));
      app.state = st;
      draw(pairChanged || force);
      app.drawCount += 1;
      app.lastDrawMs = performance.now() - t0;
      if (!window.corridormapReady) {
        app.timings.interactiveMs = performance.now();
        window.corridormapReady = true;
      }
      requestAnimationFrame(function () {
        setTimeout(function () { app.lastPaintMs = performance.now() - t0; }, 0);
      });
    });
  }

  function start() {
    if (!D.meta || !D.links || !D.steps) {
      $("cx-finding").textContent = "The explorer's data files did not load (data/meta.js, " +
        "data/links.js, data/steps.js beside this page).";
      window.corridormapReady = false;
      return;
    }
    setupPlaces();
    setupControls();
    setupMap();
    app.timings.mapMs = performance.now();
    $("cx-credit").textContent = D.meta.credit;
    $("cx-mapcredit").textContent = "Map: Leaflet · basemap: " + D.meta.basemapCredit +
      " · times and costs from " + groups(D.meta.draws) + " Monte Carlo draws, seed " + D.meta.seed + ".";
    go(settle(readHash()), true);
    var resized = null;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(function () { drawProfile(cellOf(app.state)); }, 100);
    });
  }

  start();
})();
