"""Querying the published store: rendering results for the CLI, statistics, the example queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import pyoxigraph as ox

from evrdf.errors import EvrdfError
from evrdf.formats import RDF_FORMATS, RESULT_FORMATS, normalise
from evrdf.results import serialized
from evrdf.storage import Store

PREFIXES = {
    "evo": "https://w3id.org/evrdf/ontology/",
    "obo": "http://purl.obolibrary.org/obo/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "hgnc": "https://identifiers.org/hgnc:",
    "uniprot": "http://purl.uniprot.org/uniprot/",
}


class QueryError(EvrdfError):
    """The query is malformed or asks for a format its result type cannot have."""


def run(store: Store, sparql: str) -> Any:
    """Answer as the endpoint does: the prefixes it predeclares, relative IRIs against the release's base, and
    the same nesting limits (deeper would crash the parser: SIGSEGV)."""
    from evrdf.prefixes import predeclared
    from evrdf.query_policy import Refused, check
    from evrdf.syntax import explain

    try:
        check(sparql, network=False)
    except Refused as exc:
        raise QueryError(exc.message) from None
    base = str(store.release().get("base_iri") or "https://w3id.org/evrdf/")
    prefixes = predeclared(base)
    try:
        return store.query(sparql, base_iri=base, prefixes=prefixes)
    except SyntaxError as exc:
        raise QueryError(explain(sparql, str(exc), prefixes)) from None


def render(store: Store, sparql: str, fmt: str = "table") -> bytes:
    """Results as bytes in ``fmt``: an aligned text table, a SPARQL results format, or an RDF format."""
    result = run(store, sparql)
    name = normalise(fmt)
    if isinstance(result, ox.QueryTriples):
        if name == "table":
            name = "ttl"
        if name not in RDF_FORMATS:
            raise QueryError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt!r} "
                             f"(use one of {', '.join(RDF_FORMATS)})")
        return serialized(result.serialize(format=RDF_FORMATS[name]))
    if name == "table":
        return table(result).encode("utf-8")
    if name not in RESULT_FORMATS:
        raise QueryError(f"a SELECT/ASK result cannot be written as {fmt!r} "
                         f"(use table or one of {', '.join(RESULT_FORMATS)})")
    return serialized(result.serialize(format=RESULT_FORMATS[name]))


def table(result: Any) -> str:
    if isinstance(result, ox.QueryBoolean):
        return f"{'true' if bool(result) else 'false'}\n"
    columns = [v.value for v in result.variables]
    rows = [[_cell(solution[c]) for c in columns] for solution in result]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


STAT_QUERIES = [
    ("named graphs", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("triples", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("ontology classes", "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> "
                         "FILTER(isIRI(?c)) }"),
    ("findings", "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a <https://w3id.org/evrdf/ontology/Finding> }"),
    ("references", "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a <https://w3id.org/evrdf/ontology/Reference> }"),
    ("chemokines", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a <https://w3id.org/evrdf/ontology/Chemokine> }"),
    ("chemokine receptors", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a "
                            "<https://w3id.org/evrdf/ontology/ChemokineReceptor> }"),
    ("ligand-receptor pairs", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a "
                              "<https://w3id.org/evrdf/ontology/LigandReceptorPair> }"),
]


def statistics(store: Store) -> list[tuple[str, int]]:
    base = store.release().get("base_iri", "https://w3id.org/evrdf/")
    out = []
    for label, sparql in STAT_QUERIES:
        sparql = sparql.replace("https://w3id.org/evrdf/", base)
        out.append((label, int(next(iter(store.query(sparql)))["n"].value)))
    return out


@dataclass(frozen=True)
class Example:
    """A named example query (a competency question), read from evrdf/queries/*.rq."""

    name: str
    title: str
    description: str
    sparql: str


_HEADER = re.compile(r"^#\s*(title|description):\s*(.*)$", re.MULTILINE)


@lru_cache(maxsize=4)
def examples(base_iri: str = "https://w3id.org/evrdf/") -> tuple[Example, ...]:
    """The shipped example queries (package data, so read once per base IRI)."""
    found = []
    for entry in sorted(resources.files("evrdf.queries").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        header = dict(_HEADER.findall(text))
        if "title" not in header or "description" not in header:
            raise EvrdfError(f"{entry.name}: an example query needs '# title:' and '# description:' lines")
        found.append(Example(entry.name.removesuffix(".rq"), header["title"], header["description"],
                             text.replace("https://w3id.org/evrdf/", base_iri)))
    return tuple(found)
