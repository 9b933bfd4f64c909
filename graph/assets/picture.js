// Influence Graph pictures: what pyvis does not do, on the vis-network 9.1.2 page pyvis writes
// (globals `network`, `nodes`, `edges`). Inlined by graph/viz.py; no request leaves the page.
// window.influenceGraph tells tests and the static export what is drawn.
// Runs before pyvis's drawGraph(): vis.Network is wrapped so the label size for the opening view is in
// the options the network is built with (setOptions afterwards re-parses every node: seconds at 500).
(function () {
  "use strict";
  var Network = vis.Network;
  vis.Network = function (container, data, options) {
    var view = openingView(data.nodes.get(), container);
    if (view) {
      options.nodes.font.size = Math.max(13, view.minLabelPx / view.scale);
      options.edges.font.size = Math.max(11, view.minLabelPx / view.scale);
    }
    return new Network(container, data, options);
  };
})();

// The scale and centre that show `list` (nodes with x, y) whole in `container`, and the label size.
function openingView(list, container) {
  if (!list.length) { return null; }
  var xs = list.map(function (n) { return n.x; }), ys = list.map(function (n) { return n.y; });
  var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
  var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
  var margin = 120;
  var scale = Math.min(container.clientWidth / (maxX - minX + 2 * margin),
                       container.clientHeight / (maxY - minY + 2 * margin), 1.5);
  var config = JSON.parse(document.getElementById("ig-config").textContent);
  return {position: {x: (minX + maxX) / 2, y: (minY + maxY) / 2}, scale: scale, minLabelPx: config.minLabelPx};
}

// Runs after drawGraph().
function influenceGraphStart() {
  "use strict";
  var config = JSON.parse(document.getElementById("ig-config").textContent);
  var IG = {drawn: false, nodes: 0, edges: 0};
  window.influenceGraph = IG;
  var statusLine = document.getElementById("ig-status");
  function say(text) { statusLine.textContent = text; }

  if (config.empty !== null || typeof network === "undefined") {
    var box = document.getElementById("ig-empty");
    box.textContent = config.empty || "Nothing to draw.";
    box.hidden = false;
    document.getElementById("ig-tools").hidden = true;
    document.getElementById("mynetwork").style.display = "none";
    IG.empty = box.textContent;
    IG.drawn = true;
    IG.toSVG = function () { return svgDocument(null); };
    return;
  }

  var container = document.getElementById("mynetwork");
  var allNodes = nodes.get(), allEdges = edges.get();
  // A label is hidden by a font of size 0 (vis-network keeps a label it is given as ""), restored from these.
  var byId = {}, fullLabel = {}, edgeText = {}, neighbours = {}, nodeFont = {};
  allNodes.forEach(function (n) { byId[n.id] = n; fullLabel[n.id] = n.label; neighbours[n.id] = []; nodeFont[n.id] = n.font || {}; });
  var HIDDEN = {size: 0};
  var INSIDE = new Set(["box", "ellipse", "circle", "database", "text"]);  // shapes drawn around their label
  allEdges.forEach(function (e) {
    edgeText[e.id] = e.label;
    neighbours[e.from].push(e.to);
    neighbours[e.to].push(e.from);
  });
  var filters = {kind: new Set(), type: new Set(), confidence: new Set()};  // the unchecked values
  var revealed = null;   // in focus: the nodes shown
  var pinned = null;     // the node found or selected: always labelled
  var groupedBy = "";
  var nodeLabelShown = {}, edgeLabelShown = {};
  allNodes.forEach(function (n) { nodeLabelShown[n.id] = true; });
  allEdges.forEach(function (e) { edgeLabelShown[e.id] = true; });

  // --- visibility: filters and focus ----------------------------------------------------------------
  function nodeHidden(id) { return filters.kind.has(byId[id].kind) || (revealed !== null && !revealed.has(id)); }
  function edgeHidden(e) {
    return filters.type.has(e.kind) || filters.confidence.has(e.confidence) || nodeHidden(e.from) || nodeHidden(e.to);
  }
  function applyVisibility() {
    var clusters = groupedBy;
    if (clusters) { ungroup(); }
    nodes.update(allNodes.filter(function (n) { return !!n.hidden !== nodeHidden(n.id); })
      .map(function (n) { n.hidden = nodeHidden(n.id); return {id: n.id, hidden: n.hidden}; }));
    edges.update(allEdges.filter(function (e) { return !!e.hidden !== edgeHidden(e); })
      .map(function (e) { e.hidden = edgeHidden(e); return {id: e.id, hidden: e.hidden}; }));
    if (clusters) { group(clusters); }
    IG.shownNodes = allNodes.filter(function (n) { return !n.hidden; }).length;
    IG.shownEdges = allEdges.filter(function (e) { return !e.hidden; }).length;
    relabel();
  }

  // --- the view and the label size ------------------------------------------------------------------
  function fitTo(ids) {
    var view = openingView(ids.map(function (id) { return byId[id]; }), container);
    network.moveTo({position: view.position, scale: view.scale, animation: false});
    return view.scale;
  }

  // --- labels by importance, none overlapping -------------------------------------------------------
  function overlaps(a, b) {
    return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
  }
  function inside(a, view) {
    return a.left >= view.left && a.top >= view.top && a.left + a.width <= view.right && a.top + a.height <= view.bottom;
  }
  function relabel() {
    var nodeIndices = new Set(network.body.nodeIndices), edgeIndices = new Set(network.body.edgeIndices);  // not in a group
    var drawnNodes = allNodes.filter(function (n) { return !n.hidden && nodeIndices.has(n.id); });
    var drawnEdges = allEdges.filter(function (e) { return !e.hidden && edgeText[e.id] && edgeIndices.has(e.id); });
    // 1. every label drawn once, to measure it
    nodes.update(drawnNodes.filter(function (n) { return !nodeLabelShown[n.id]; })
      .map(function (n) { nodeLabelShown[n.id] = true; return {id: n.id, font: nodeFont[n.id]}; }));
    edges.update(drawnEdges.filter(function (e) { return !edgeLabelShown[e.id]; })
      .map(function (e) { edgeLabelShown[e.id] = true; return {id: e.id, font: {}}; }));
    network.redraw();
    var scale = network.getScale(), pad = 2 / scale;
    var topLeft = network.DOMtoCanvas({x: 0, y: 0});
    var bottomRight = network.DOMtoCanvas({x: container.clientWidth, y: container.clientHeight});
    var view = {left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y};
    var taken = [], bodies = {};
    drawnNodes.forEach(function (n) {
      var body = network.body.nodes[n.id], r = body.options.size || 10;
      bodies[n.id] = {left: body.x - r, top: body.y - r, width: 2 * r, height: 2 * r};
    });
    function box(size) {
      return {left: size.left - pad, top: size.top - pad, width: size.width + 2 * pad, height: size.height + 2 * pad};
    }
    // 2. node labels, most important first (the pinned node before all)
    var keepNodes = {};
    drawnNodes.slice().sort(function (a, b) {
      return (b.id === pinned) - (a.id === pinned) || b.importance - a.importance || (a.name < b.name ? -1 : 1);
    }).forEach(function (n) {
      var body = network.body.nodes[n.id], bound = body.shape.boundingBox;
      var label = box(INSIDE.has(body.options.shape) ? {left: bound.left, top: bound.top, width: bound.right - bound.left,
                                                        height: bound.bottom - bound.top} : body.labelModule.size);
      // (a name may cross other nodes' shapes: its white outline keeps it readable; never another label)
      var clear = n.id === pinned || (inside(label, view) && !taken.some(function (t) { return overlaps(label, t); }));
      if (clear) { keepNodes[n.id] = true; taken.push(label); }
    });
    // 3. tie labels, money and shares first, clear of names, nodes and each other
    var keepEdges = {};
    var nodeBoxes = drawnNodes.map(function (n) { return bodies[n.id]; });
    drawnEdges.slice().sort(function (a, b) { return b.importance - a.importance; }).forEach(function (e) {
      var label = box(network.body.edges[e.id].labelModule.size);
      if (inside(label, view) && !taken.some(function (t) { return overlaps(label, t); }) &&
          !nodeBoxes.some(function (t) { return overlaps(label, t); })) {
        keepEdges[e.id] = true;
        taken.push(label);
      }
    });
    // 4. the rest are shown on hover (and in the tooltip, which always names the node or tie)
    nodes.update(drawnNodes.filter(function (n) { return !keepNodes[n.id]; })
      .map(function (n) { nodeLabelShown[n.id] = false; return {id: n.id, font: HIDDEN}; }));
    edges.update(drawnEdges.filter(function (e) { return !keepEdges[e.id]; })
      .map(function (e) { edgeLabelShown[e.id] = false; return {id: e.id, font: HIDDEN}; }));
    network.redraw();
    IG.labelledNodes = Object.keys(keepNodes);
    IG.labelledEdges = Object.keys(keepEdges);
    var first = IG.labelledNodes[0];
    IG.labelPx = first === undefined ? null : network.body.nodes[first].labelModule.fontOptions.size * scale;
  }
  var relabelTimer = null;
  function relabelSoon() { clearTimeout(relabelTimer); relabelTimer = setTimeout(relabel, 200); }

  network.on("zoom", relabelSoon);
  network.on("dragEnd", relabelSoon);
  network.on("hoverNode", function (p) {
    if (byId[p.node] && !nodeLabelShown[p.node]) { nodes.update({id: p.node, font: nodeFont[p.node]}); }
  });
  network.on("blurNode", function (p) {
    if (byId[p.node] && !nodeLabelShown[p.node]) { nodes.update({id: p.node, font: HIDDEN}); }
  });
  network.on("hoverEdge", function (p) {
    if (edgeText[p.edge] && !edgeLabelShown[p.edge]) { edges.update({id: p.edge, font: {}}); }
  });
  network.on("blurEdge", function (p) {
    if (edgeText[p.edge] && !edgeLabelShown[p.edge]) { edges.update({id: p.edge, font: HIDDEN}); }
  });

  // --- grouping by type or country (vis-network clusters; click a group to open it) -----------------
  function ungroup() {
    Object.keys(network.body.nodes).forEach(function (id) {
      if (network.isCluster(id)) { network.openCluster(id); }
    });
  }
  function group(key) {
    ungroup();
    groupedBy = key;
    if (!key) { return; }
    var members = {};
    allNodes.forEach(function (n) {
      if (n.hidden) { return; }
      var value = n[key] || "(unknown " + (key === "kind" ? "type" : key) + ")";
      (members[value] = members[value] || []).push(n.id);
    });
    Object.keys(members).sort().forEach(function (value) {
      var ids = new Set(members[value]);
      if (ids.size < 2) { return; }
      network.cluster({
        joinCondition: function (options) { return ids.has(options.id); },
        clusterNodeProperties: {id: "group:" + value, label: value + " (" + ids.size + ")", shape: "hexagon",
                                color: "#dddddd", borderWidth: 2, size: 30, title: value + ": " + ids.size + " nodes"},
      });
    });
  }

  // --- search, focus, expand --------------------------------------------------------------------------
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    var hits = allNodes.filter(function (n) { return n.name.toLowerCase().indexOf(q) >= 0 || String(n.id).toLowerCase() === q; });
    if (!hits.length) { say("No node named \u201c" + text.trim() + "\u201d in this picture."); IG.found = null; return null; }
    hits.sort(function (a, b) {
      return (b.name.toLowerCase() === q) - (a.name.toLowerCase() === q) || b.importance - a.importance;
    });
    var id = hits[0].id;
    if (nodeHidden(id)) {
      filters.kind.delete(byId[id].kind);
      document.querySelectorAll('input[data-filter="kind"]').forEach(function (c) { if (c.value === byId[id].kind) { c.checked = true; } });
      if (revealed !== null) { revealed.add(id); }
      applyVisibility();
    }
    network.clustering.findNode(id).slice(0, -1).forEach(function (c) { network.openCluster(c); });
    pinned = id;
    network.selectNodes([id]);
    network.moveTo({position: network.getPosition(id), scale: Math.max(network.getScale(), IG.scale), animation: false});
    relabel();
    say("Found " + hits[0].name + (hits.length > 1 ? " (" + hits.length + " names match; the most connected is shown)" : ""));
    IG.found = id;
    return id;
  }
  function focus(id) {
    revealed = new Set([id].concat(neighbours[id]));
    pinned = id;
    applyVisibility();
    fitTo(Array.from(revealed));
    relabel();
    say("Focus on " + byId[id].name + ": click a node to add its neighbours; \u201cShow all\u201d to go back.");
  }
  function expand(id) {
    var added = neighbours[id].filter(function (m) { return !revealed.has(m); });
    added.forEach(function (m) { revealed.add(m); });
    applyVisibility();
    say(added.length ? "Added " + added.length + " neighbours of " + byId[id].name + "." :
        byId[id].name + " has no other neighbours in this picture.");
  }
  network.on("click", function (p) {
    if (p.nodes.length !== 1) { return; }
    var id = p.nodes[0];
    if (network.isCluster(id)) { network.openCluster(id); relabel(); return; }
    pinned = id;
    if (revealed !== null) { expand(id); } else { relabel(); }
  });

  // --- controls ---------------------------------------------------------------------------------------
  var names = document.getElementById("ig-names");
  allNodes.slice(0, 5000).forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.name;
    names.appendChild(option);
  });
  var search = document.getElementById("ig-search");
  document.getElementById("ig-find").addEventListener("click", function () { find(search.value); });
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { find(search.value); } });
  document.getElementById("ig-focus").addEventListener("click", function () {
    var id = network.getSelectedNodes().filter(function (s) { return byId[s]; })[0] || pinned;
    if (id === null || id === undefined) { say("Select a node first (click it, or find it by name)."); return; }
    focus(id);
  });
  document.getElementById("ig-all").addEventListener("click", function () {
    revealed = null;
    applyVisibility();
    fitTo(Object.keys(byId));
    relabel();
    say("");
  });
  document.getElementById("ig-groupby").addEventListener("change", function (event) { group(event.target.value); relabel(); });
  document.querySelectorAll("input[data-filter]").forEach(function (check) {
    check.addEventListener("change", function () {
      var values = filters[check.dataset.filter];
      if (check.checked) { values.delete(check.value); } else { values.add(check.value); }
      applyVisibility();
    });
  });

  // --- SVG: the drawn canvas replayed into a recording 2D context ---------------------------------------
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function recorder() {
    var out = [], path = [], stack = [];
    var state = {fillStyle: "#000", strokeStyle: "#000", lineWidth: 1, font: "10px sans-serif", textAlign: "start",
                 textBaseline: "alphabetic", globalAlpha: 1, lineCap: "butt", lineJoin: "miter", dash: [],
                 t: [1, 0, 0, 1, 0, 0], shadowColor: "", shadowBlur: 0, shadowOffsetX: 0, shadowOffsetY: 0,
                 miterLimit: 10, globalCompositeOperation: "source-over"};
    var measure = document.createElement("canvas").getContext("2d");
    function multiply(m) {
      var t = state.t;
      state.t = [t[0] * m[0] + t[2] * m[1], t[1] * m[0] + t[3] * m[1], t[0] * m[2] + t[2] * m[3],
                 t[1] * m[2] + t[3] * m[3], t[0] * m[4] + t[2] * m[5] + t[4], t[1] * m[4] + t[3] * m[5] + t[5]];
    }
    function n(v) { return Math.round(v * 100) / 100; }
    function transform() { return 'transform="matrix(' + state.t.map(n).join(" ") + ')"'; }
    function paint(kind) {
      var colour = kind === "fill" ? state.fillStyle : state.strokeStyle;
      if (typeof colour !== "string") { colour = "#888"; }
      var attrs = kind === "fill" ? 'fill="' + esc(colour) + '" stroke="none"' :
        'fill="none" stroke="' + esc(colour) + '" stroke-width="' + n(state.lineWidth) + '" stroke-linecap="' +
        state.lineCap + '" stroke-linejoin="' + state.lineJoin + '"' +
        (state.dash.length ? ' stroke-dasharray="' + state.dash.map(n).join(" ") + '"' : "");
      return attrs + (state.globalAlpha < 1 ? ' opacity="' + n(state.globalAlpha) + '"' : "");
    }
    var ctx = {
      canvas: container.querySelector("canvas"),
      save: function () { stack.push(Object.assign({}, state, {dash: state.dash.slice(), t: state.t.slice()})); },
      restore: function () { if (stack.length) { state = stack.pop(); } },
      setTransform: function (a, b, c, d, e, f) { state.t = typeof a === "object" ? [a.a, a.b, a.c, a.d, a.e, a.f] : [a, b, c, d, e, f]; },
      resetTransform: function () { state.t = [1, 0, 0, 1, 0, 0]; },
      transform: function (a, b, c, d, e, f) { multiply([a, b, c, d, e, f]); },
      translate: function (x, y) { multiply([1, 0, 0, 1, x, y]); },
      scale: function (x, y) { multiply([x, 0, 0, y, 0, 0]); },
      rotate: function (r) { multiply([Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]); },
      beginPath: function () { path = []; },
      closePath: function () { if (path.length) { path.push("Z"); } },
      moveTo: function (x, y) { path.push("M" + n(x) + " " + n(y)); },
      lineTo: function (x, y) { path.push((path.length ? "L" : "M") + n(x) + " " + n(y)); },
      bezierCurveTo: function (a, b, c, d, x, y) { path.push("C" + [a, b, c, d, x, y].map(n).join(" ")); },
      quadraticCurveTo: function (a, b, x, y) { path.push("Q" + [a, b, x, y].map(n).join(" ")); },
      rect: function (x, y, w, h) { path.push("M" + n(x) + " " + n(y) + "h" + n(w) + "v" + n(h) + "h" + n(-w) + "Z"); },
      arc: function (x, y, r, a0, a1, ccw) {
        var full = Math.abs(a1 - a0) >= 2 * Math.PI - 1e-6;
        var start = [x + r * Math.cos(a0), y + r * Math.sin(a0)];
        path.push((path.length ? "L" : "M") + n(start[0]) + " " + n(start[1]));
        if (full) {
          var half = [x - r * Math.cos(a0), y - r * Math.sin(a0)];
          path.push("A" + [r, r, 0, 1, ccw ? 0 : 1, half[0], half[1]].map(n).join(" "));
          path.push("A" + [r, r, 0, 1, ccw ? 0 : 1, start[0], start[1]].map(n).join(" "));
          return;
        }
        var sweep = ccw ? a0 - a1 : a1 - a0;
        sweep = ((sweep % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
        path.push("A" + [r, r, 0, sweep > Math.PI ? 1 : 0, ccw ? 0 : 1, x + r * Math.cos(a1), y + r * Math.sin(a1)].map(n).join(" "));
      },
      ellipse: function (x, y, rx, ry) {
        path.push("M" + n(x - rx) + " " + n(y) + "a" + [rx, ry, 0, 1, 0, 2 * rx, 0].map(n).join(" ") +
                  "a" + [rx, ry, 0, 1, 0, -2 * rx, 0].map(n).join(" "));
      },
      fill: function () { if (path.length) { out.push("<path " + transform() + ' d="' + path.join("") + '" ' + paint("fill") + "/>"); } },
      stroke: function () { if (path.length) { out.push("<path " + transform() + ' d="' + path.join("") + '" ' + paint("stroke") + "/>"); } },
      fillRect: function (x, y, w, h) { ctx.beginPath(); ctx.rect(x, y, w, h); ctx.fill(); ctx.beginPath(); },
      strokeRect: function (x, y, w, h) { ctx.beginPath(); ctx.rect(x, y, w, h); ctx.stroke(); ctx.beginPath(); },
      clearRect: function () {},
      clip: function () {},
      setLineDash: function (d) { state.dash = (d || []).slice(); },
      getLineDash: function () { return state.dash.slice(); },
      measureText: function (text) { measure.font = state.font; return measure.measureText(text); },
      fillText: function (text, x, y) { out.push(textElement(text, x, y, "fill")); },
      strokeText: function (text, x, y) { out.push(textElement(text, x, y, "stroke")); },
      drawImage: function () {},
      createLinearGradient: function () { return {addColorStop: function () {}}; },
      isPointInPath: function () { return false; },
    };
    function textElement(text, x, y, kind) {
      var anchor = {center: "middle", right: "end", end: "end"}[state.textAlign] || "start";
      var baseline = {middle: "central", top: "hanging", hanging: "hanging", bottom: "text-after-edge"}[state.textBaseline] || "auto";
      var paintText = kind === "fill" ? 'fill="' + esc(state.fillStyle) + '"' :
        'fill="none" stroke="' + esc(state.strokeStyle) + '" stroke-width="' + n(state.lineWidth) + '" stroke-linejoin="round"';
      return "<text " + transform() + ' x="' + n(x) + '" y="' + n(y) + '" text-anchor="' + anchor + '" dominant-baseline="' +
        baseline + '" style="font:' + esc(state.font) + '" ' + paintText + ">" + esc(text) + "</text>";
    }
    ["fillStyle", "strokeStyle", "lineWidth", "font", "textAlign", "textBaseline", "globalAlpha", "lineCap", "lineJoin",
     "shadowColor", "shadowBlur", "shadowOffsetX", "shadowOffsetY", "miterLimit", "globalCompositeOperation"].forEach(function (key) {
      Object.defineProperty(ctx, key, {get: function () { return state[key]; }, set: function (v) { state[key] = v; }});
    });
    return {ctx: ctx, svg: function () { return out.join("\n"); }};
  }
  function drawnSVG() {
    var rec = recorder(), canvas = container.querySelector("canvas"), original = canvas.getContext;
    canvas.getContext = function () { return rec.ctx; };
    try { network.redraw(); } finally { canvas.getContext = original; }
    network.redraw();
    var ratio = network.canvas.pixelRatio || 1;
    return '<g transform="scale(' + 1 / ratio + ')">' + rec.svg() + "</g>";
  }
  IG.toSVG = function () { return svgDocument(drawnSVG()); };

  IG.scale = fitTo(Object.keys(byId));
  relabel();
  IG.nodes = nodes.length;
  IG.edges = edges.length;
  IG.shownNodes = nodes.length;
  IG.shownEdges = edges.length;
  IG.find = find;
  IG.focus = focus;
  IG.drawn = true;
  IG.at = performance.now();

  // The header (title, caption, legend) as SVG text above the picture, measured with the page's fonts.
  function svgDocument(drawing) {
    var width = drawing ? container.clientWidth : 900, lines = [], y = 0;
    var measure = document.createElement("canvas").getContext("2d");
    function line(text, font, colour) {
      y += parseInt(font.match(/(\d+)px/)[1], 10) + 6;
      lines.push('<text x="14" y="' + y + '" style="font:' + font + '" fill="' + colour + '">' + esc(text) + "</text>");
    }
    line(document.querySelector(".ig-head h1").textContent, "bold 18px sans-serif", "#222");
    document.querySelector(".ig-caption").textContent.split("\n").forEach(function (t) { line(t, "12px sans-serif", "#555"); });
    y += 8;
    var x = 14;
    measure.font = "12px sans-serif";
    document.querySelectorAll(".ig-legend .ig-key").forEach(function (key) {
      var text = key.textContent, w = 30 + measure.measureText(text).width + 14;
      if (x + w > width - 14) { x = 14; y += 20; }
      var mark = key.querySelector(".ig-swatch, .ig-line"), style = getComputedStyle(mark);
      lines.push(mark.classList.contains("ig-swatch")
        ? '<rect x="' + x + '" y="' + (y + 2) + '" width="12" height="12" fill="' + style.backgroundColor + '"/>'
        : '<line x1="' + x + '" y1="' + (y + 8) + '" x2="' + (x + 22) + '" y2="' + (y + 8) + '" stroke="' + style.borderTopColor +
          '" stroke-width="' + parseFloat(style.borderTopWidth) + '"' + (style.borderTopStyle === "solid" ? "" : ' stroke-dasharray="4 3"') +
          ' opacity="' + style.opacity + '"/>');
      lines.push('<text x="' + (x + 28) + '" y="' + (y + 12) + '" style="font:12px sans-serif" fill="#222">' + esc(text) + "</text>");
      x += w;
    });
    y += 28;
    var height = drawing ? container.clientHeight : 80;
    var body = drawing ? '<g transform="translate(0,' + y + ')">' + drawing + "</g>" :
      '<text x="14" y="' + (y + 30) + '" style="font:16px sans-serif" fill="#333">' + esc(IG.empty) + "</text>";
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' + (y + height) + '" viewBox="0 0 ' +
      width + " " + (y + height) + '"><rect width="100%" height="100%" fill="#fff"/>' + lines.join("\n") + body + "</svg>";
  }
}
