"""The published JSON-LD @context's terms: every property and class of the evrdf vocabulary by its local name,
so documents read ``"carriesCargo": "…"`` rather than ``"evo:carriesCargo"``. Object properties are typed
``@id`` (their values are IRIs), datatype and annotation properties with an XSD rdfs:range take it as
``@type``; everything else is a plain term. Read from the release's own ontology graph, so the context always
matches the served release."""

from __future__ import annotations

from typing import Any

from evrdf.store.base import Store

OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
KINDS = {OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "data", OWL + "AnnotationProperty": "plain",
         OWL + "Class": "plain"}


def vocabulary_terms(store: Store, base: str, taken: set[str]) -> dict[str, Any]:
    """Term definitions for the vocabulary under ``base``ontology/; names in ``taken`` (the prefixes) are left
    out, as is a name two kinds would define differently."""
    vocab = base + "ontology/"
    kinds = " ".join(f"<{k}>" for k in KINDS)
    rows = store.query(f"""SELECT ?term ?kind ?range WHERE {{ GRAPH <{base}graph/ontology> {{
        ?term a ?kind . VALUES ?kind {{ {kinds} }} FILTER(STRSTARTS(STR(?term), "{vocab}"))
        OPTIONAL {{ ?term <http://www.w3.org/2000/01/rdf-schema#range> ?range }} }} }}""")
    found: dict[str, set[str]] = {}
    for row in rows:
        iri, kind = row["term"].value, KINDS[row["kind"].value]
        name = iri[len(vocab):]
        if not name or not name.replace("_", "").replace("-", "").isalnum() or name in taken or name.startswith("@"):
            continue
        found.setdefault(name, set())
        if kind == "object":
            found[name].add("@id")
        elif row["range"] is not None and row["range"].value.startswith(XSD):  # datatype or annotation
            found[name].add("xsd:" + row["range"].value[len(XSD):])
        else:
            found[name].add("")
    terms: dict[str, Any] = {}
    for name in sorted(found):
        types = found[name] - {""}
        if len(types) > 1:
            continue  # declared two ways: leave it to the CURIE
        terms[name] = {"@id": f"evo:{name}", "@type": next(iter(types))} if types else f"evo:{name}"
    return terms
