"""The generated EV graph and the query shapes of issue 13 (plus a point lookup), shared by bench.py and profile.py.

The graph: an EV class tree (rdfs:subClassOf, 3 levels), genes with a label and an altLabel, cancers, and
findings (type, label, cargo gene, cancer, EV class, an integer score; an effect on every third, a PubMed id on
every second), entities first so a prefix of the triples (rdflib-endpoint's subset) still holds whole findings.
"""

from __future__ import annotations

from typing import Iterator

import pyoxigraph as ox

N = "https://example.org/ev/"
V = N + "vocab/"
GRAPH = N + "graph/generated"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PER_FINDING = 6 + 1 / 3 + 1 / 2  # triples


def triples(n: int) -> Iterator[ox.Triple]:
    """About ``n`` triples (exactly n when cut by the caller: the stream ends after the findings)."""
    a, label, alt, sub = (ox.NamedNode(i) for i in (RDF_TYPE, RDFS + "label", SKOS + "altLabel", RDFS + "subClassOf"))
    v = {name: ox.NamedNode(V + name) for name in ("Finding", "Gene", "Cancer", "cargo", "cancer", "evType", "score",
                                                   "effect", "pmid")}
    leaves = []
    root = ox.NamedNode(V + "EV")
    yield ox.Triple(root, label, ox.Literal("extracellular vesicle"))
    for i in range(6):
        child = ox.NamedNode(f"{V}EV{i}")
        yield ox.Triple(child, sub, root)
        yield ox.Triple(child, label, ox.Literal(f"EV class {i}"))
        for j in range(6):
            leaf = ox.NamedNode(f"{V}EV{i}_{j}")
            leaves.append(leaf)
            yield ox.Triple(leaf, sub, child)
            yield ox.Triple(leaf, label, ox.Literal(f"EV class {i}.{j}"))
    genes = max(50, n // 2000)
    for j in range(genes):
        g = ox.NamedNode(f"{N}gene/G{j}")
        yield ox.Triple(g, a, v["Gene"])
        yield ox.Triple(g, label, ox.Literal(f"CXCL{j}"))
        yield ox.Triple(g, alt, ox.Literal(f"SDF-{j} chemokine"))
    for k in range(40):
        c = ox.NamedNode(f"{N}cancer/C{k}")
        yield ox.Triple(c, a, v["Cancer"])
        yield ox.Triple(c, label, ox.Literal(f"cancer {k}"))
    effects = [ox.NamedNode(f"{V}effect{e}") for e in range(5)]
    for i in range(int(max(0, n - 85 - 3 * genes - 80) / PER_FINDING)):
        f = ox.NamedNode(f"{N}finding/F{i}")
        yield ox.Triple(f, a, v["Finding"])
        yield ox.Triple(f, label, ox.Literal(f"finding {i}"))
        yield ox.Triple(f, v["cargo"], ox.NamedNode(f"{N}gene/G{i % genes}"))
        yield ox.Triple(f, v["cancer"], ox.NamedNode(f"{N}cancer/C{i % 40}"))
        yield ox.Triple(f, v["evType"], leaves[i % len(leaves)])
        yield ox.Triple(f, v["score"], ox.Literal(str(i % 100), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")))
        if i % 3 == 0:
            yield ox.Triple(f, v["effect"], effects[i % 5])
        if i % 2 == 0:
            yield ox.Triple(f, v["pmid"], ox.Literal(str(10_000_000 + i)))


F42, G7, C7, C3 = f"<{N}finding/F42>", f"<{N}gene/G7>", f"<{N}cancer/C7>", f"<{N}cancer/C3>"
P = f"PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}> PREFIX v: <{V}>\n"
SHAPES = {
    "point": f"SELECT ?p ?o WHERE {{ {F42} ?p ?o }}",
    "construct": P + f"CONSTRUCT {{ {F42} ?p ?o . ?o rdfs:label ?l }} WHERE {{ {F42} ?p ?o OPTIONAL {{ ?o rdfs:label ?l }} }}",
    "contains": P + "SELECT ?x ?l WHERE { ?x rdfs:label|skos:altLabel ?l FILTER(CONTAINS(LCASE(STR(?l)), \"cxcl12\")) } "
                    "ORDER BY ?l LIMIT 20",
    "join": P + f"SELECT ?f ?gl ?el WHERE {{ ?f v:cancer {C7} ; v:cargo ?g ; v:evType ?e ; v:score ?s "
                "FILTER(?s >= 90) ?g rdfs:label ?gl . ?e rdfs:label ?el }",
    "group": P + "SELECT ?c (COUNT(?f) AS ?n) (COUNT(DISTINCT ?g) AS ?genes) WHERE { ?f v:cancer ?c ; v:cargo ?g } "
                 "GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
    "subclass": P + "SELECT (COUNT(?f) AS ?n) WHERE { ?e rdfs:subClassOf* v:EV1 . ?f v:evType ?e }",
    "optional": P + f"SELECT ?f ?l ?eff ?pmid WHERE {{ ?f v:cancer {C3} ; rdfs:label ?l "
                    "OPTIONAL { ?f v:effect ?eff } OPTIONAL { ?f v:pmid ?pmid } } ORDER BY ?l LIMIT 20 OFFSET 40",
    "ask": P + f"ASK {{ ?f v:cargo {G7} ; v:cancer {C7} }}",
    "describe": f"DESCRIBE {F42}",
}


def kind(shape: str) -> str:
    return "graph" if shape in ("construct", "describe") else "ask" if shape == "ask" else "select"


def is_answer(shape: str, body: bytes) -> bool:
    """A real answer of the shape's form (not an error page, not an empty graph)."""
    if kind(shape) == "ask":  # Virtuoso answers ASK in SPARQL JSON as one binding of __ASK_RETVAL
        return b'"boolean"' in body or b'"__ASK_RETVAL"' in body
    return {"select": b'"bindings"', "graph": b"F42"}[kind(shape)] in body
