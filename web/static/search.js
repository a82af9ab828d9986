// Autocomplete for every search box with data-autocomplete (the JSON API); the form works without it.
// The WAI-ARIA combobox pattern: the input is a combobox owning a listbox of options; Down and Up move the
// active option (aria-activedescendant), Enter opens it, Escape closes the list (a second Escape clears the box).
(function () {
  "use strict";
  var count = 0;
  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    var id = "suggest-" + (++count), list = document.createElement("ul");
    list.className = "suggest";
    list.id = id;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");
    var timer = null, last = "", active = -1;

    function options() { return list.querySelectorAll("[role=option]"); }
    function show(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { activate(-1); }
    }
    function activate(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === last) { return; }
        last = q;
        if (!q) { show(false); return; }
        fetch(input.dataset.autocomplete + "?limit=8&q=" + encodeURIComponent(q))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            if (input.value.trim() !== q) { return; }  // an answer to an older query
            list.textContent = "";
            data.results.forEach(function (hit, i) {
              var li = document.createElement("li"), a = document.createElement("a"), small = document.createElement("small");
              li.id = id + "-" + i;
              li.setAttribute("role", "option");
              li.setAttribute("aria-selected", "false");
              a.href = hit.url;
              a.tabIndex = -1;  // the input keeps the focus; the options are reached with the arrow keys
              a.textContent = hit.label + " ";
              small.textContent = hit.matched !== hit.label ? "(" + hit.match + ": " + hit.matched + ")" : (hit.types[0] || "");
              a.appendChild(small);
              li.appendChild(a);
              list.appendChild(li);
            });
            activate(-1);
            show(data.results.length > 0);
          })
          .catch(function () { show(false); });
      }, 120);
    });

    input.addEventListener("keydown", function (e) {
      var n = options().length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!n) { return; }
        e.preventDefault();
        if (list.hidden) { show(true); }
        var step = e.key === "ArrowDown" ? 1 : -1;
        activate(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();  // open the chosen suggestion instead of submitting the search
        window.location.assign(options()[active].querySelector("a").href);
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); show(false); }
        else { input.value = ""; last = ""; }
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== input) { show(false); } }, 150);  // let a click land
    });
  });
})();
