"""What the service says about one resource, asked of the store in SPARQL (never by loading the whole graph).

A resource's description (its "concise bounded description" extended the way linked-data browsers need it) is:
its own triples (with the blank nodes they reach), the labels of everything it links to, its incoming links
with the labels of their subjects, and the findings that mention it with their references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from evrdf.store.base import Store

DCTERMS = "http://purl.org/dc/terms/"
_UNSAFE = re.compile(r'[\s<>"{}|\\^`]')  # characters that may not appear inside a SPARQL IRI reference

DESCRIPTION = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?s ?p ?o } WHERE {
  { VALUES ?s { <R> } ?s ?p ?o }
  UNION { <R> ?x ?b . FILTER(isBlank(?b)) ?b (!<urn:evrdf:none>)* ?s . FILTER(isBlank(?s)) ?s ?p ?o }
  UNION { <R> ?x ?s . FILTER(isIRI(?s)) VALUES ?p { rdfs:label skos:prefLabel } ?s ?p ?o }
  UNION { <R> ?s ?x . VALUES ?p { rdfs:label } ?s ?p ?o }
  UNION { VALUES ?o { <R> } ?s ?p ?o FILTER(!STRSTARTS(STR(?p), "<CHANGES>")) }
  UNION { ?s ?x <R> . FILTER(!STRSTARTS(STR(?x), "<CHANGES>")) VALUES ?p { rdfs:label } ?s ?p ?o }
  UNION { ?y ?s <R> . VALUES ?p { rdfs:label } ?s ?p ?o }
  UNION { ?s a <Vfinding> ; ?x <R> . FILTER(?x != rdf:type) ?s ?p ?o }
  UNION { ?f a <Vfinding> ; ?x <R> ; ?y ?s . FILTER(?x != rdf:type && isIRI(?s))
          VALUES ?p { rdfs:label } ?s ?p ?o }
  UNION { ?f a <Vfinding> ; ?x <R> ; <VcitedIn> ?s . FILTER(?x != rdf:type) ?s ?p ?o }
  UNION { <R> <VcitedIn> ?s . ?s ?p ?o }
}"""


@dataclass(frozen=True)
class SourceGraph:
    """A named graph that holds triples about a resource (its provenance), with its title."""

    iri: str
    title: str


def iri_for_path(base: str, path: str) -> str | None:
    """The IRI under ``base`` that a (decoded) request path names, percent-encoded as minted; None if unsafe.

    >>> iri_for_path("https://w3id.org/evrdf/", "gene/HGNC_10672")
    'https://w3id.org/evrdf/gene/HGNC_10672'
    >>> iri_for_path("https://w3id.org/evrdf/", "finding/a b"), iri_for_path("https://w3id.org/evrdf/", "x>y")
    ('https://w3id.org/evrdf/finding/a%20b', 'https://w3id.org/evrdf/x%3Ey')
    """
    iri = base + quote(path, safe="/-_.~!$&'()*+,;=:@%")
    return None if _UNSAFE.search(iri) else iri


def exists(store: Store, iri: str, base: str | None = None) -> bool:
    """True when the IRI is the subject or the object of any published triple (not counting the release
    changelogs under ``base``, which also name what was withdrawn)."""
    changes = f'FILTER(!STRSTARTS(STR(?p), "{base}changes/"))' if base else ""
    return bool(store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> {changes} }} }}"))


def resource_triples(store: Store, iri: str, vocab: str) -> Any:
    """The resource's description as CONSTRUCT results (Oxigraph triples), to serialize or to read. The release
    changelogs that mention it are not part of it (its page lists them as its release history)."""
    changes = vocab.removesuffix("ontology/") + "changes/"
    sparql = (DESCRIPTION.replace("<R>", f"<{iri}>").replace("<Vfinding>", f"<{vocab}Finding>")
              .replace("<VcitedIn>", f"<{vocab}citedIn>").replace("<CHANGES>", changes))
    return store.query(sparql)


def source_graphs(store: Store, iri: str) -> list[SourceGraph]:
    """The named graphs that hold triples about the resource, with their titles."""
    # Two small queries: the graphs holding the resource, then their titles (both backends bind GRAPH ?g to the
    # published graph name, so the second query finds the titles by those names).
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    graphs = sorted({row["g"].value for row in rows})
    if not graphs:
        return []
    values = " ".join(f"<{g}>" for g in graphs)
    titles = {row["g"].value: row["t"].value for row in store.query(
        f"SELECT ?g (SAMPLE(?title) AS ?t) WHERE {{ VALUES ?g {{ {values} }} ?g <{DCTERMS}title> ?title }} "
        "GROUP BY ?g")}
    return [SourceGraph(g, titles.get(g, g)) for g in graphs]
