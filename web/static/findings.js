// The findings table (section[data-findings]): rows, facets and counts come from /findings/data.json with the
// reader's filters as query parameters; the export links carry the same parameters, so an export is exactly
// the rows shown. On the findings index the filters also live in the page's own URL (shareable).
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function links(values) {
    var span = el("span");
    (values || []).forEach(function (v, i) {
      if (i) { span.appendChild(document.createTextNode(", ")); }
      span.appendChild(el("a", { href: v.href }, v.label));
    });
    return span;
  }

  function Table(section) {
    this.section = section;
    this.state = { facets: {}, q: "", sort: "id", order: "asc" };
    this.sync = section.hasAttribute("data-sync-url");
    this.opened = {};  // facets the reader opened or closed, kept across reloads of the rows
    if (this.sync) { this.read(new URLSearchParams(window.location.search)); }
    var self = this, timer = null;
    this.input = section.querySelector(".ft-q");
    this.input.value = this.state.q;
    this.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.state.q = self.input.value.trim(); self.load(); }, 200);
    });
    section.querySelector(".ft-reset").addEventListener("click", function () {
      self.state = { facets: {}, q: "", sort: "id", order: "asc" };
      self.input.value = "";
      self.load();
    });
    this.load();
  }

  Table.prototype.read = function (params) {
    var self = this;
    ["ev", "cancer", "molecule", "cell", "effect", "direction"].forEach(function (key) {
      var values = params.getAll(key);
      if (values.length) { self.state.facets[key] = values; }
    });
    this.state.q = params.get("q") || "";
    this.state.sort = params.get("sort") || "id";
    this.state.order = params.get("order") || "asc";
  };

  Table.prototype.params = function () {
    var params = new URLSearchParams(), s = this.state;
    if (this.section.dataset.about) { params.append("about", this.section.dataset.about); }
    Object.keys(s.facets).forEach(function (key) {
      s.facets[key].forEach(function (v) { params.append(key, v); });
    });
    if (s.q) { params.set("q", s.q); }
    if (s.sort !== "id" || s.order !== "asc") { params.set("sort", s.sort); params.set("order", s.order); }
    return params;
  };

  Table.prototype.load = function () {
    var self = this, params = this.params();
    this.section.classList.add("loading");
    fetch(this.section.dataset.findings + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { return r.text().then(function (t) { throw new Error(t || ("HTTP " + r.status)); }); }
        return r.json();
      })
      .then(function (data) { self.render(data); })
      .catch(function (error) {
        self.section.querySelector(".ft-count").textContent = "The findings could not be loaded: " + error.message;
      })
      .then(function () { self.section.classList.remove("loading"); });
    if (this.sync) {
      var query = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    }
  };

  Table.prototype.render = function (data) {
    var self = this, section = this.section;
    section.dataset.rows = String(data.count);
    section.dataset.total = String(data.total);
    section.querySelector(".ft-count").textContent = data.count + " of " + data.total + " findings";
    section.querySelectorAll(".ft-export").forEach(function (a) { a.href = data.exports[a.dataset.format]; });
    // facets: each value a checkbox with its count
    var aside = section.querySelector(".ft-facets");
    aside.textContent = "";
    data.facets.forEach(function (facet) {
      if (!facet.values.length) { return; }
      // a facet folds away on a narrow screen unless one of its values is ticked
      var box = el("details", { "data-facet": facet.key }), picked = facet.values.some(function (v) { return v.selected; });
      box.open = picked || (facet.key in self.opened ? self.opened[facet.key]
        : !window.matchMedia("(max-width: 700px)").matches);
      box.addEventListener("toggle", function () { self.opened[facet.key] = box.open; });
      box.appendChild(el("summary", {}, facet.title));
      facet.values.forEach(function (value) {
        var label = el("label"), input = el("input", { type: "checkbox", value: value.iri });
        input.checked = value.selected;
        input.addEventListener("change", function () {
          var list = (self.state.facets[facet.key] || []).filter(function (v) { return v !== value.iri; });
          if (input.checked) { list.push(value.iri); }
          if (list.length) { self.state.facets[facet.key] = list; } else { delete self.state.facets[facet.key]; }
          self.load();
        });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + value.label + " "));
        label.appendChild(el("small", { "class": "count" }, "(" + value.count + ")"));
        box.appendChild(label);
      });
      aside.appendChild(box);
    });
    // header: click to sort (again to reverse)
    var thead = section.querySelector("thead"), tr = el("tr");
    thead.textContent = "";
    [{ key: "id", title: "Finding" }].concat(data.columns).forEach(function (column) {
      var th = el("th", { scope: "col", "data-sort": column.key }), button = el("button", { type: "button" }, column.title);
      if (self.state.sort === column.key) {
        th.setAttribute("aria-sort", self.state.order === "asc" ? "ascending" : "descending");
        button.textContent += self.state.order === "asc" ? " ▲" : " ▼";
      }
      button.addEventListener("click", function () {
        if (self.state.sort === column.key) { self.state.order = self.state.order === "asc" ? "desc" : "asc"; }
        else { self.state.sort = column.key; self.state.order = "asc"; }
        self.load();
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    var tbody = section.querySelector("tbody");
    tbody.textContent = "";
    data.rows.forEach(function (row) {
      var line = el("tr", { "data-iri": row.iri }), first = el("td");
      first.appendChild(el("a", { href: row.href }, row.id));
      first.appendChild(el("p", { "class": "statement" }, row.statement));
      line.appendChild(first);
      data.columns.forEach(function (column) {
        var td = el("td");
        td.appendChild(links(row.values[column.key]));
        line.appendChild(td);
      });
      tbody.appendChild(line);
    });
    section.dataset.ready = "true";
  };

  function start() { document.querySelectorAll("section[data-findings]").forEach(function (s) { s.table = new Table(s); }); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
