// The SPARQL editor's completions and result links, from this endpoint only (loaded before the editor starts).
// - class and property completion: the endpoint's own vocabulary (/api/vocabulary), matched on the IRI typed
//   so far or, for a bare word, on labels and local names; choosing an evrdf term adds its PREFIX line;
// - prefix completion: the prefixes the endpoint predeclares (not a list fetched from elsewhere);
// - result IRIs under the base link to this host's pages, whatever host the canonical base names.
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  if (!root || !window.Yasgui) { return; }
  var Yasqe = window.Yasgui.Yasqe, Yasr = window.Yasgui.Yasr;
  var base = root.dataset.base, here = root.dataset.root || "";
  var loading = null;

  function vocabulary() {
    if (!loading) {
      loading = fetch(root.dataset.vocabulary, { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("vocabulary: HTTP " + r.status); } return r.json(); })
        .catch(function () { loading = null; return { prefixes: {}, classes: [], properties: [] }; });
    }
    return loading;
  }

  function localName(iri) { return iri.replace(/^.*[\/#:_]/, ""); }

  function compact(iri, prefixes) {  // the longest namespace wins
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (!best || ns.length > prefixes[best].length)) { best = p; }
    });
    return best ? { prefix: best, namespace: prefixes[best], curie: best + ":" + iri.slice(prefixes[best].length) } : null;
  }

  var labels = {};  // completion text -> label, for the hint list

  function completer(kind) {
    return function (yasqe, token) {
      return vocabulary().then(function (v) {
        var typed = (token && token.autocompletionString) || "", raw = (token && token.string) || "";
        var colon = raw.indexOf(":");
        if (colon > 0 && raw.indexOf("<") < 0 && typed === raw.trim()) {  // a prefix the query has not declared
          var ns = v.prefixes[raw.slice(0, colon)];
          if (ns) { typed = ns + raw.slice(colon + 1); }
        }
        var bare = raw.indexOf(":") < 0 && raw.indexOf("<") < 0, word = typed.toLowerCase();
        var found = v[kind].filter(function (t) {
          if (t.iri.indexOf(typed) === 0) { return true; }
          return bare && word.length > 0 && (t.label.toLowerCase().indexOf(word) >= 0 ||
                                              localName(t.iri).toLowerCase().indexOf(word) >= 0);
        }).slice(0, 100);
        found.forEach(function (t) { labels[t.iri] = t.label; });
        return found.map(function (t) { return t.iri; });
      });
    };
  }

  function suggestion(yasqe, token, iri) {  // what the hint writes: a CURIE where a prefix is known
    var declared = yasqe.getPrefixesFromQuery();
    var inQuery = compact(iri, declared);
    if (inQuery) { labels[inQuery.curie] = labels[iri]; return inQuery.curie; }
    var ours = loadedPrefixes && compact(iri, loadedPrefixes);
    if (ours) { labels[ours.curie] = labels[iri]; pending[ours.curie] = ours; return ours.curie; }
    labels["<" + iri + ">"] = labels[iri];
    return "<" + iri + ">";
  }

  var loadedPrefixes = null, pending = {};
  vocabulary().then(function (v) { loadedPrefixes = v.prefixes; });

  function hints(yasqe, list) {
    return list.map(function (hint) {
      var label = labels[hint.text];
      if (label) { hint.displayText = hint.text + "  \u2014 " + label; }
      var needs = pending[hint.text];
      if (needs) {
        hint.hint = function (cm, data, completion) {  // write the CURIE, then declare its prefix
          cm.replaceRange(completion.text, completion.from || data.from, completion.to || data.to, "complete");
          var add = {}; add[needs.prefix] = needs.namespace;
          yasqe.addPrefixes(add);
        };
      }
      return hint;
    });
  }

  ["class", "property"].forEach(function (name) {
    var kind = name === "class" ? "classes" : "properties";
    Yasqe.Autocompleters[name] = Object.assign({}, Yasqe.Autocompleters[name], {
      get: completer(kind), postProcessSuggestion: suggestion, postprocessHints: hints });
  });
  Yasqe.Autocompleters.prefixes = Object.assign({}, Yasqe.Autocompleters.prefixes, {
    persistenceId: "evrdf-prefixes",
    get: function () {
      return vocabulary().then(function (v) {
        return Object.keys(v.prefixes).sort().map(function (p) { return p + ": <" + v.prefixes[p] + ">"; });
      });
    },
  });

  // Result IRIs under the base open this host's page for them.
  var table = Yasr.plugins.table;
  if (table && base && table.prototype.getUriLinkFromBinding) {
    var link = table.prototype.getUriLinkFromBinding;
    table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
      var html = link.call(this, binding, prefixes);
      if (binding && typeof binding.value === "string" && binding.value.indexOf(base) === 0) {
        var local = here + "/" + binding.value.slice(base.length);
        html = html.replace(/href=(['"])[^'"]*\1/, function (m, q) { return "href=" + q + local.replace(/'/g, "%27").replace(/"/g, "%22") + q; });
      }
      return html;
    };
  }
})();
