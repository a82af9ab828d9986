// Autocomplete for every search box with data-autocomplete (the JSON API); the form works without it.
(function () {
  "use strict";
  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    var list = document.createElement("ul");
    list.className = "suggest";
    list.hidden = true;
    input.parentNode.appendChild(list);
    var timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === last) { return; }
        last = q;
        if (!q) { list.hidden = true; return; }
        fetch(input.dataset.autocomplete + "?limit=8&q=" + encodeURIComponent(q))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            list.textContent = "";
            data.results.forEach(function (hit) {
              var li = document.createElement("li"), a = document.createElement("a"), small = document.createElement("small");
              a.href = hit.url;
              a.textContent = hit.label + " ";
              small.textContent = hit.matched !== hit.label ? "(" + hit.match + ": " + hit.matched + ")" : (hit.types[0] || "");
              a.appendChild(small);
              li.appendChild(a);
              list.appendChild(li);
            });
            list.hidden = data.results.length === 0;
          })
          .catch(function () { list.hidden = true; });
      }, 120);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { list.hidden = true; } });
  });
})();
