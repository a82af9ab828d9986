"""VoID for the published dataset (https://www.w3.org/TR/void/), served at /.well-known/void: triple counts,
class and property partitions, one subset per named graph, the licence, and linksets to GO, CL and UniProt.

Counting scans the whole store, so the statistics are computed once per release and kept, keyed by the release
id (a release never changes; the next publish gets its own).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

VOID = Namespace("http://rdfs.org/ns/void#")
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# target dataset -> (label, IRI prefix of its resources, its SPARQL endpoint or None)
LINK_TARGETS = {
    "http://purl.obolibrary.org/obo/go.owl": ("Gene Ontology", "http://purl.obolibrary.org/obo/GO_", None),
    "http://purl.obolibrary.org/obo/cl.owl": ("Cell Ontology", "http://purl.obolibrary.org/obo/CL_", None),
    "http://purl.uniprot.org/uniprot/": ("UniProt", "http://purl.uniprot.org/uniprot/",
                                         "https://sparql.uniprot.org/sparql"),
}


@dataclass(frozen=True)
class Statistics:
    release: str | None
    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]  # class -> instances
    properties: dict[str, int]  # property -> triples
    links: dict[tuple[str, str], int]  # (target dataset, predicate) -> triples


def _rows(store: Any, sparql: str) -> list[tuple[str, int]]:
    result = store.query(sparql)
    return [(s[0].value, int(s[1].value)) for s in result]


def compute(store: Any) -> Statistics:
    graphs = dict(_rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
    classes = dict(_rows(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
                                "GROUP BY ?c"))
    properties = dict(_rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"))
    branches = " ".join(f'IF(STRSTARTS(STR(?o), "{prefix}"), "{target}",'
                        for target, (_, prefix, _) in LINK_TARGETS.items())
    sparql = (f"SELECT ?t ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?o)) "
              f"BIND({branches} ''{')' * len(LINK_TARGETS)} AS ?t) FILTER(?t != '') }} GROUP BY ?t ?p")
    links = {(s[0].value, s[1].value): int(s[2].value) for s in store.query(sparql)}
    release = store.release().get("release")
    return Statistics(release, sum(graphs.values()), graphs, classes, properties, links)


class StatisticsCache:
    """Statistics of the published release, recomputed only when a new release is published."""

    def __init__(self, store: Any):
        self.store = store
        self._value: Statistics | None = None
        self._lock = threading.Lock()

    def get(self) -> Statistics:
        current = self.store.release().get("release")
        with self._lock:
            if self._value is None or self._value.release != current:
                self._value = compute(self.store)
            return self._value


class SeriesCache:
    """Every release as DCAT (one dcat:distribution per release file, prov:wasRevisionOf the previous, the
    retention rule), read from the release directories once per published release."""

    def __init__(self, root: Any, base: str):
        self.root, self.base = root, base
        self._value: tuple[str | None, Graph] | None = None
        self._lock = threading.Lock()

    def get(self, release: str | None) -> Graph:
        with self._lock:
            if self._value is None or self._value[0] != release:
                import pyoxigraph as ox

                from evrdf.iris import Iris
                from evrdf.release.publish import history

                data = ox.serialize((q.triple for q in history(self.root, Iris(self.base))),
                                    format=ox.RdfFormat.N_TRIPLES)
                self._value = (release, Graph().parse(data=data, format="nt"))
            return self._value[1]


def void_graph(stats: Statistics, base_iri: str, endpoint: str, info: dict[str, Any],
               downloads: dict[str, tuple[str, str]] | None = None) -> Graph:
    """``downloads`` maps a download URL to (media type, title): the dumps users can fetch whole."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.bind("dcat", DCAT)
    dataset = URIRef(base_iri + "dataset")
    for url, (media_type, title) in sorted((downloads or {}).items()):
        distribution = URIRef(url)
        if media_type == "application/n-quads":  # only the N-Quads dump holds the whole dataset
            g.add((dataset, VOID.dataDump, distribution))
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, distribution))
        g.add((distribution, DCAT.mediaType, Literal(media_type)))
        g.add((distribution, DCTERMS.title, Literal(title, lang="en")))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("evrdf: extracellular vesicles and chemokines in cancer", lang="en")))
    g.add((dataset, DCTERMS.license, DATA_LICENSE))
    g.add((dataset, DCTERMS.hasVersion, Literal(str(info.get("release", "")))))
    if info.get("built"):
        g.add((dataset, DCTERMS.modified, Literal(info["built"], datatype=XSD.dateTime)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((dataset, VOID.uriSpace, Literal(base_iri)))
    g.add((dataset, VOID.vocabulary, URIRef(base_iri + "ontology/")))
    g.add((dataset, VOID.triples, Literal(stats.triples)))
    g.add((dataset, VOID.classes, Literal(len(stats.classes))))
    g.add((dataset, VOID.properties, Literal(len(stats.properties))))
    for iri, count in sorted(stats.graphs.items()):
        subset = URIRef(iri)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(count)))
    for cls, count in sorted(stats.classes.items()):
        node = BNode()
        g.add((dataset, VOID.classPartition, node))
        g.add((node, VOID["class"], URIRef(cls)))
        g.add((node, VOID.entities, Literal(count)))
    for prop, count in sorted(stats.properties.items()):
        node = BNode()
        g.add((dataset, VOID.propertyPartition, node))
        g.add((node, VOID.property, URIRef(prop)))
        g.add((node, VOID.triples, Literal(count)))
    for target, (label, prefix, sparql) in LINK_TARGETS.items():
        target_node = URIRef(target)
        g.add((target_node, RDF.type, VOID.Dataset))
        g.add((target_node, DCTERMS.title, Literal(label)))
        g.add((target_node, VOID.uriSpace, Literal(prefix)))
        if sparql:
            g.add((target_node, VOID.sparqlEndpoint, URIRef(sparql)))
    for (target, predicate), count in sorted(stats.links.items()):
        linkset = BNode()
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, URIRef(target)))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.triples, Literal(count)))
    return g
