"""Search over labels, synonyms and identifiers, as a page (/search) and a JSON API (/api/search).

The index is built once per release, in memory, at first use: every name of every resource under the base,
normalised so that case and punctuation do not matter ("SDF-1" and the HGNC alias "SDF1" meet as "sdf1").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import asdict, dataclass, field

from flask import Blueprint, Response, jsonify, render_template, request

from evrdf.identifiers import CONVERTER
from evrdf.natural import natural_key
from evrdf.serve.resources import local_href
from evrdf.settings import Settings
from evrdf.store.base import Store

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
# property -> kind of name, in ranking order (a label beats an identifier beats a synonym)
FIELDS = {"label": [RDFS + "label", SKOS + "prefLabel"],
          "identifier": ["hgncId", "uniprotAccession", "entrezId", "ensemblId", "symbol", "pmid", "doi",
                         OIO + "hasDbXref"],
          "synonym": [SKOS + "altLabel", OIO + "hasExactSynonym", OIO + "hasRelatedSynonym"]}
RANK = {kind: i for i, kind in enumerate(FIELDS)}
RANK["iri"] = RANK["identifier"]  # an entry's own or aligned IRI or CURIE: matched exactly only


GREEK = {"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "h", "θ": "th", "ι": "i", "κ": "k",
         "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
         "υ": "u", "φ": "ph", "χ": "ch", "ψ": "ps", "ω": "o"}
GREEK_WORDS = {"alpha": "a", "beta": "b", "gamma": "g", "delta": "d", "epsilon": "e", "kappa": "k",
               "lambda": "l", "theta": "th", "omega": "o", "zeta": "z", "eta": "h", "iota": "i", "sigma": "s",
               "tau": "t"}
# British spellings -> American, compared after normalising (both the names and the query go through it)
SPELLINGS = [("tumour", "tumor"), ("leukaemia", "leukemia"), ("anaemia", "anemia"), ("haem", "hem"),
             ("oesophag", "esophag"), ("oestrogen", "estrogen"), ("signalling", "signaling"), ("colour", "color"),
             ("foetal", "fetal"), ("paediatric", "pediatric"), ("ischaem", "ischem")]
_WORDS = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, Greek letters and their names spelled as Latin letters,
    British spellings as American: the form names are compared in.

    >>> normalise("SDF-1"), normalise("SDF1"), normalise("HGNC:10672"), normalise("  Exosome ")
    ('sdf1', 'sdf1', 'hgnc10672', 'exosome')
    >>> normalise("SDF-1α"), normalise("SDF-1 alpha"), normalise("SDF-1a"), normalise("TGF-β")
    ('sdf1a', 'sdf1a', 'sdf1a', 'tgfb')
    >>> normalise("tumour-associated macrophage") == normalise("tumor associated macrophage")
    True
    """
    lowered = "".join(GREEK.get(c, c) for c in unicodedata.normalize("NFKD", text.lower()))
    words = [GREEK_WORDS.get(w, w) for w in _WORDS.findall(lowered)]
    joined = "".join(c for c in "".join(words) if c.isalnum())
    for british, american in SPELLINGS:
        joined = joined.replace(british, american)
    return joined


@dataclass
class Hit:
    iri: str
    label: str
    types: list[str]
    matched: str  # the name that matched
    match: str  # label / identifier / synonym
    synonyms: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class Entry:
    iri: str
    label: str
    types: list[str]
    synonyms: list[str]
    names: list[tuple[str, str, str]]  # (normalised, original, kind)


def _iri_names(iri: str) -> list[tuple[str, str, str]]:
    """An IRI as names that match only exactly (kind "iri"): the full IRI and its CURIE (bioregistry's prefix);
    as substrings they would match every IRI under the base."""
    names = [(normalise(iri), iri, "iri")]
    curie = CONVERTER.compress(iri)
    if curie:
        names.append((normalise(curie), curie, "iri"))
    return names


class SearchIndex:
    """All names of all resources of one release."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def build(cls, store: Store, base: str) -> "SearchIndex":
        vocab = base + "ontology/"
        kinds = {(p if p.startswith("http") else vocab + p): kind for kind, props in FIELDS.items() for p in props}
        values = " ".join(f"<{p}>" for p in kinds)
        entries: dict[str, Entry] = {}
        result = store.query(f"""SELECT ?s ?p ?name WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?name
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}") && isLiteral(?name)) }}""")
        for row in result:
            iri, prop, name = row["s"].value, row["p"].value, row["name"].value
            entry = entries.setdefault(iri, Entry(iri, "", [], [], []))
            kind = kinds[prop]
            entry.names.append((normalise(name), name, kind))
            if kind == "label" and (not entry.label or prop == RDFS + "label"):
                entry.label = name
            elif kind == "synonym" and name not in entry.synonyms:
                entry.synonyms.append(name)
        aligned = store.query(f"""SELECT ?s ?target WHERE {{ VALUES ?p {{ <{SKOS}exactMatch> <{SKOS}closeMatch> }}
            ?s ?p ?target FILTER(isIRI(?s) && isIRI(?target) && STRSTARTS(STR(?s), "{base}")) }}""")
        for row in aligned:  # an aligned class's IRI and CURIE find ours (GO:1903561 finds the EV class)
            ours = entries.get(row["s"].value)
            if ours is not None:
                ours.names += _iri_names(row["target"].value)
        for entry in entries.values():  # and a resource's own IRI
            entry.names += _iri_names(entry.iri)
        types = store.query(f"""SELECT ?s (GROUP_CONCAT(DISTINCT ?tl; separator="|") AS ?types) WHERE {{
            ?s a ?t . ?t <{RDFS}label> ?tl FILTER(STRSTARTS(STR(?s), "{base}")) }} GROUP BY ?s""")
        for row in types:
            if row["s"].value in entries and row["types"] is not None:
                entries[row["s"].value].types = sorted(row["types"].value.split("|"))
        parents = store.query(f"""SELECT ?s (GROUP_CONCAT(DISTINCT ?pl; separator="|") AS ?parents) WHERE {{
            ?s <{RDFS}subClassOf> ?p . ?p <{RDFS}label> ?pl FILTER(STRSTARTS(STR(?s), "{base}")) }} GROUP BY ?s""")
        for row in parents:
            child = entries.get(row["s"].value)
            if child is not None and not child.types and row["parents"] is not None:
                child.types = sorted(f"a kind of {p}" for p in row["parents"].value.split("|"))
        for entry in entries.values():
            entry.label = entry.label or entry.iri[len(base):]
        return cls(list(entries.values()))

    def search(self, query: str, limit: int | None = DEFAULT_LIMIT) -> list[Hit]:
        """Exact names first, then names starting with the query, then names containing it; within each, a
        label before an identifier before a synonym (so an exact synonym still beats any substring).
        ``limit=None``: every hit."""
        wanted = normalise(query)
        if not wanted:
            return []
        scored = []
        for entry in self.entries:
            best: tuple[int, int, int, str, str] | None = None
            for key, original, kind in entry.names:
                if kind == "iri" and key != wanted:
                    continue
                if key == wanted:
                    quality = 0
                elif key.startswith(wanted):
                    quality = 1
                elif wanted in key:
                    quality = 2
                else:
                    continue
                score = (quality, RANK[kind], len(key), original, kind)
                if best is None or score < best:
                    best = score
            if best is not None:
                scored.append((best[:3], natural_key(entry.label), entry, best[3], best[4]))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [Hit(e.iri, e.label, e.types, matched, kind, sorted(e.synonyms))
                for _, _, e, matched, kind in (scored if limit is None else scored[:limit])]


class Indexes:
    """One index per release id, built at first use; a new release gets a new index."""

    def __init__(self, store: Store, base: str):
        self.store, self.base = store, base
        self._lock = threading.Lock()
        self._current: tuple[str, SearchIndex] | None = None

    def get(self) -> SearchIndex:
        release = str(self.store.release().get("release", ""))
        with self._lock:
            if self._current is None or self._current[0] != release:
                self._current = (release, SearchIndex.build(self.store, self.base))
            return self._current[1]


@dataclass
class Found:
    """One search's answer: the hits shown (of ``type`` if asked), how many there are, and the type facets of
    every hit of the query (so a facet's count does not change when another facet is chosen)."""

    query: str
    type: str
    hits: list[Hit]
    total: int
    facets: list[tuple[str, int]]


def facets(hits: list[Hit]) -> list[tuple[str, int]]:
    """Each type among the hits with how many hits have it, the most common first."""
    counts: dict[str, int] = {}
    for hit in hits:
        for kind in hit.types:
            counts[kind] = counts.get(kind, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], natural_key(item[0])))


def search_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("search", __name__)
    indexes = Indexes(store, settings.base_iri)

    def run() -> Found | Response:
        query = request.args.get("q", "").strip()
        kind = request.args.get("type", "").strip()
        try:
            limit = int(request.args.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return _bad("parameter 'limit' must be a whole number")
        if not 1 <= limit <= MAX_LIMIT:
            return _bad(f"parameter 'limit' must be between 1 and {MAX_LIMIT}")
        every = indexes.get().search(query, None)
        chosen = [hit for hit in every if not kind or kind in hit.types]
        hits = chosen[:limit]
        for hit in hits:
            hit.url = local_href(hit.iri, settings.base_iri)
        return Found(query, kind, hits, len(chosen), facets(every))

    @bp.get("/api/search")
    def api() -> Response:
        found = run()
        if isinstance(found, Response):
            return found
        return jsonify({"query": found.query, "type": found.type or None, "total": found.total,
                        "facets": [{"type": t, "count": c} for t, c in found.facets],
                        "results": [asdict(hit) for hit in found.hits]})

    @bp.get("/search")
    def page() -> str | Response:
        found = run()
        if isinstance(found, Response):
            return found
        return render_template("search.html", query=found.query, search_query=found.query, found=found,
                               hits=found.hits)

    return bp


def _bad(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response

