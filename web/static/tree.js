// The class tree: a closed class fetches its subclasses from /tree.json when first expanded (keyboard: Tab to
// a class, Enter or Space toggles it, as for any <details>; the arrow keys move through the tree).
// Nodes are built with the DOM, never innerHTML.
(function () {
  "use strict";
  var SIGNS = { exact: "≡", close: "≈", broader: "⊂" };
  var NAMES = { exact: "exact match", close: "close match", broader: "broader term" };

  function text(tag, cls, value) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function label(node, into) {
    var a = text("a", "node " + node.kind, node.label);
    a.href = node.href;
    into.appendChild(a);
    node.aligned.forEach(function (al) {
      into.appendChild(document.createTextNode(" "));
      var link = text("a", "aligned " + al.relation, SIGNS[al.relation] + " " + al.curie);
      link.href = al.iri;
      link.title = NAMES[al.relation] + " in " + al.curie.split(":")[0] + (al.label ? ": " + al.label : "");
      into.appendChild(link);
    });
    if (node.children) { into.appendChild(document.createTextNode(" ")); into.appendChild(text("small", "count", String(node.children))); }
    if (node.instances) { into.appendChild(document.createTextNode(" ")); into.appendChild(text("small", "instances", node.instances + " inst.")); }
  }

  function item(node, url) {
    var li = document.createElement("li");
    li.setAttribute("role", "treeitem");
    if (!node.children) {
      li.className = "leaf";
      label(node, li);
      return li;
    }
    li.setAttribute("aria-expanded", "false");
    var details = document.createElement("details");
    details.dataset.iri = node.iri;
    var summary = document.createElement("summary");
    label(node, summary);
    var ul = document.createElement("ul");
    ul.setAttribute("role", "group");
    details.appendChild(summary);
    details.appendChild(ul);
    li.appendChild(details);
    watch(details, url);
    return li;
  }

  function watch(details, url) {
    details.addEventListener("toggle", function () {
      var li = details.parentNode;
      if (li) li.setAttribute("aria-expanded", details.open ? "true" : "false");
      if (!details.open || details.hasAttribute("data-loaded") || details.hasAttribute("data-loading")) return;
      details.setAttribute("data-loading", "");
      var ul = details.querySelector(":scope > ul");
      var wait = ul.appendChild(text("li", "loading", "loading…"));
      fetch(url + "?iri=" + encodeURIComponent(details.dataset.iri), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (data) {
          ul.removeChild(wait);
          data.children.forEach(function (child) { ul.appendChild(item(child, url)); });
          details.setAttribute("data-loaded", "");
        })
        .catch(function (e) { wait.className = "error"; wait.textContent = "could not load the subclasses (" + e.message + ")"; })
        .then(function () { details.removeAttribute("data-loading"); });
    });
  }

  // The row a tree item shows: its <summary> when it has children, else its link.
  function row(li) {
    var details = li.querySelector(":scope > details");
    return details ? details.querySelector(":scope > summary") : li.querySelector(":scope > a.node");
  }

  function rows(tree) {
    return Array.prototype.filter.call(tree.querySelectorAll("li[role=treeitem]"), function (li) {
      return row(li) && row(li).checkVisibility();
    });
  }

  // Arrow keys as in the WAI-ARIA tree pattern: Up/Down move between the visible classes, Right opens a class
  // (or moves into it), Left closes it (or moves to its parent), Home/End go to the first/last class.
  function keys(tree) {
    tree.addEventListener("keydown", function (event) {
      var li = event.target.closest && event.target.closest("li[role=treeitem]");
      if (!li || !tree.contains(li) || event.altKey || event.ctrlKey || event.metaKey) return;
      var all = rows(tree), at = all.indexOf(li), details = li.querySelector(":scope > details");
      var go = null;
      if (event.key === "ArrowDown") go = all[at + 1];
      else if (event.key === "ArrowUp") go = all[at - 1];
      else if (event.key === "Home") go = all[0];
      else if (event.key === "End") go = all[all.length - 1];
      else if (event.key === "ArrowRight" && details) {
        if (!details.open) details.open = true;
        else go = details.querySelector(":scope > ul > li[role=treeitem]");
      } else if (event.key === "ArrowLeft") {
        if (details && details.open) details.open = false;
        else go = li.parentNode.closest("li[role=treeitem]");
      } else return;
      event.preventDefault();
      if (go) row(go).focus();
    });
  }

  document.querySelectorAll("[data-tree]").forEach(function (tree) {
    var url = tree.dataset.tree;
    tree.querySelectorAll("details[data-iri]").forEach(function (d) { watch(d, url); });
    keys(tree);
  });
})();
