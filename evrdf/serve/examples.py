"""The example queries (the competency questions) as RDF, the way the SIB endpoints publish theirs:
each a ``sh:SPARQLExecutable`` with its label, comment, query text and target endpoint
(https://github.com/sib-swiss/sparql-examples). Served at /.well-known/sparql-examples."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

from evrdf.query import examples
from evrdf.sparql_text import scan

SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")  # SIB: DESCRIBE has no SHACL term
FORM_PROPERTY = {"SELECT": (SH.SPARQLSelectExecutable, SH.select), "ASK": (SH.SPARQLAskExecutable, SH.ask),
                 "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
                 "DESCRIBE": (SH.SPARQLExecutable, SPEX.describe)}


def examples_graph(base_iri: str, endpoint: str) -> Graph:
    g = Graph()
    g.bind("sh", SH)
    g.bind("schema", SCHEMA)
    for example in examples(base_iri):
        node = URIRef(f"{base_iri}sparql-examples/{example.name}")
        form = scan(example.sparql).form or "SELECT"
        kind, prop = FORM_PROPERTY[form]
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(example.title, lang="en")))
        g.add((node, RDFS.comment, Literal(example.description, lang="en")))
        g.add((node, prop, Literal(example.sparql)))
        g.add((node, SCHEMA.target, URIRef(endpoint)))
    return g
