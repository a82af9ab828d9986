// Draws the network (div[data-network]) and the finding diagrams (div[data-diagram]) with the vendored
// Cytoscape.js, from this endpoint's own JSON views. Each drawn graph is kept on its element (el.cy) and its node
// count written to data-nodes, so a reader (or a test) can see what was drawn.
(function () {
  "use strict";
  var FAMILY_COLOURS = { "CC": "#2f6f9f", "CXC": "#c0392b", "C": "#8e44ad", "CX3C": "#d68910",
    "atypical": "#5d6d7e", "other": "#7f8c8d", "EV": "#1e8449" };
  var EDGE_COLOURS = { "both": "#34495e", "finding": "#1e8449" };  // EV links: dashed, the EV types' green
  var RESOURCE_COLOURS = ["#e67e22", "#00a3cc", "#b03a82", "#a6761d"];  // one per pair resource
  var ROLE_COLOURS = { releasing: "#d68910", ev: "#1e8449", molecule: "#2f6f9f", recipient: "#8e44ad",
    effect: "#5d6d7e" };

  function familyColour(family) { return FAMILY_COLOURS[family] || "#7f8c8d"; }

  function failed(el, message) {
    el.classList.add("failed");
    el.textContent = message;
    el.dataset.nodes = "0";
  }

  function open(cy) {
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href) { window.location.href = href; }
    });
  }

  function drawNetwork(el) {
    fetch(el.dataset.network, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var resourceColour = {};
        data.resources.forEach(function (name, i) { resourceColour[name] = RESOURCE_COLOURS[i % RESOURCE_COLOURS.length]; });
        data.edges.forEach(function (e) {
          e.data.colour = EDGE_COLOURS[e.data.via] || resourceColour[e.data.via] || "#7f8c8d";
        });
        data.nodes.forEach(function (n) { n.data.colour = familyColour(n.data.family); });
        var cy = cytoscape({
          container: el,
          elements: { nodes: data.nodes, edges: data.edges },
          layout: { name: data.nodes.length > 40 ? "cose" : "concentric", animate: false, randomize: false,
            concentric: function (node) { return node.data("focus") ? 10 : node.data("kind") === "ev" ? 1 : 5; },
            levelWidth: function () { return 4; }, nodeRepulsion: function () { return 9000; } },
          wheelSensitivity: 0.2,
          style: [
            { selector: "node", style: { "label": "data(label)", "background-color": "data(colour)",
              "font-size": 10, "text-valign": "center", "color": "#fff", "text-outline-width": 1.5,
              "text-outline-color": "data(colour)", "width": 44, "height": 28 } },
            { selector: "node[kind = 'ligand']", style: { "shape": "ellipse" } },
            { selector: "node[kind = 'receptor']", style: { "shape": "round-rectangle", "width": 54 } },
            { selector: "node[kind = 'ev']", style: { "shape": "hexagon", "width": 70, "height": 34,
              "text-wrap": "wrap", "text-max-width": 64, "font-size": 9 } },
            { selector: "node[?focus]", style: { "border-width": 4, "border-color": "#f1c40f" } },
            { selector: "edge", style: { "width": 1.6, "line-color": "data(colour)", "curve-style": "bezier",
              "target-arrow-shape": "triangle", "target-arrow-color": "data(colour)", "opacity": 0.8 } },
            { selector: "edge[kind = 'ev']", style: { "line-style": "dashed", "target-arrow-shape": "vee" } }
          ]
        });
        open(cy);
        el.cy = cy;
        el.dataset.nodes = String(cy.nodes().length);
        el.dataset.edges = String(cy.edges().length);
        legend(el, data);
      })
      .catch(function (error) { failed(el, "The network could not be drawn: " + error.message); });
  }

  function legend(el, data) {
    var box = el.parentNode.querySelector("[data-legend-for=network]");
    if (!box) { return; }
    box.textContent = "";
    data.families.concat(["EV"]).forEach(function (family) {
      var span = document.createElement("span");
      span.className = "swatch";
      span.style.background = familyColour(family);
      span.textContent = family === "EV" ? "EV type" : family;
      box.appendChild(span);
    });
    data.resources.forEach(function (name, i) {
      var span = document.createElement("span");
      span.className = "swatch line";
      span.style.borderColor = RESOURCE_COLOURS[i % RESOURCE_COLOURS.length];
      span.textContent = name;
      box.appendChild(span);
    });
    [["listed by both", EDGE_COLOURS.both, "solid"], ["EV link (a finding)", EDGE_COLOURS.finding, "dashed"]]
      .forEach(function (item) {
        var span = document.createElement("span");
        span.className = "swatch line";
        span.style.borderColor = item[1];
        span.style.borderBottomStyle = item[2];
        span.textContent = item[0];
        box.appendChild(span);
      });
  }

  function drawDiagram(el) {
    fetch(el.dataset.diagram, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        data.nodes.forEach(function (n) { n.data.colour = ROLE_COLOURS[n.data.role] || "#7f8c8d"; });
        var height = Math.max(220, Math.min(900, 60 * Math.max.apply(null, [1].concat(data.columns.map(function (c) {
          return data.nodes.filter(function (n) { return n.data.role === c.role; }).length;
        })))));
        el.style.height = height + "px";
        var cy = cytoscape({
          container: el,
          elements: { nodes: data.nodes, edges: data.edges },
          layout: { name: "preset", fit: true, padding: 24 },
          userZoomingEnabled: true, wheelSensitivity: 0.2,
          style: [
            { selector: "node", style: { "label": "data(label)", "shape": "round-rectangle",
              "background-color": "data(colour)", "color": "#fff", "font-size": 11, "text-valign": "center",
              "text-wrap": "wrap", "text-max-width": 150, "width": 170, "height": 38 } },
            { selector: "node[role = 'ev']", style: { "shape": "hexagon" } },
            { selector: "node[role = 'molecule']", style: { "shape": "ellipse" } },
            { selector: "edge", style: { "width": 1.8, "line-color": "#9fb3c8", "curve-style": "bezier",
              "target-arrow-shape": "triangle", "target-arrow-color": "#9fb3c8" } },
            { selector: "edge[direction = 'increases']", style: { "line-color": "#1e8449", "target-arrow-color": "#1e8449" } },
            { selector: "edge[direction = 'decreases']", style: { "line-color": "#c0392b", "target-arrow-color": "#c0392b" } }
          ]
        });
        open(cy);
        el.cy = cy;
        el.dataset.nodes = String(cy.nodes().length);
        el.dataset.edges = String(cy.edges().length);
      })
      .catch(function (error) { failed(el, "The diagram could not be drawn: " + error.message); });
  }

  function start() {
    if (typeof cytoscape !== "function") {
      document.querySelectorAll("[data-network], [data-diagram]").forEach(function (el) {
        failed(el, "Cytoscape.js did not load.");
      });
      return;
    }
    document.querySelectorAll("[data-network]").forEach(drawNetwork);
    document.querySelectorAll("[data-diagram]").forEach(drawDiagram);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
