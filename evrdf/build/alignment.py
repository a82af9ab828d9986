"""The alignment, materialised: each evrdf class is the OWL equivalent of the OBO classes it exactly matches.

Other databases query with OBO IRIs (`obo:CL_0000235`, `obo:GO_1903561`), not with evrdf's. The curated tables
say `skos:exactMatch`, a SKOS mapping no OWL tool reads as identity; so the build states what an exact match
between classes means in OWL, `evo:Macrophage owl:equivalentClass obo:CL_0000235`, checked by HermiT with the rest
of the ontology (an alignment that made a vesicle a cell is an inconsistency). A query walks the hierarchy and the
equivalences together, `?finding evo:recipientCellType/(rdfs:subClassOf|owl:equivalentClass)* obo:CL_0000235`,
and finds exactly the findings the same query with `evo:Macrophage` finds (tumour-associated macrophages too),
on every backend, without a reasoner.

The equivalence is not also written as `evo:Macrophage rdfs:subClassOf obo:CL_0000235`: the class tree reads
every rdfs:subClassOf as a named parent, so it would re-root evrdf's hierarchy at unlabelled OBO terms. Only
exact matches into OBO class ontologies are materialised: close and broad matches name the *nearest* external
term where the external ontology lacks the concept, a curator's pointer rather than an axiom, so they stay SKOS
links. An OBO class may be the exact match of one evrdf class only (two would make them one class).

The OBO classes are not declared `a owl:Class` here: the OWL parsers (owlready2 for HermiT, the OWL API) take the
object of owl:equivalentClass for a class, and a declaration would make every OBO IRI one of evrdf's own terms
for the changelog and the class pages (a removed evrdf term would also "remove" CL's class).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from evrdf.build.vocab import OBO, OWL, RDF, SKOS
from evrdf.errors import SourceError
from evrdf.iris import Iris

CLASS_ONTOLOGIES = ("GO", "CL", "MONDO", "DOID", "NCIT", "CHEBI")  # OBO prefixes whose terms are classes
CORE_FILE = "evrdf-core.ttl"


def materialise_alignment(graph: Graph, iris: Iris, sources: Path) -> int:
    """Add an owl:equivalentClass for every exact OBO match of an evrdf class; returns how many."""
    owner: dict[URIRef, URIRef] = {}
    for cls, match in sorted(graph.subject_objects(SKOS.exactMatch)):
        if not (isinstance(cls, URIRef) and isinstance(match, URIRef) and str(cls).startswith(iris.vocab)
                and (cls, RDF.type, OWL.Class) in graph and _is_obo_class(match)):
            continue
        if match in owner and owner[match] != cls:
            raise _error(graph, cls, iris, sources, f"{_curie(match)} is already the exact match of "
                                                    f"{_where(graph, owner[match], iris)}: an OBO class can be "
                                                    "the exact match of one evrdf class only")
        owner[match] = cls
    for match, cls in owner.items():
        graph.add((cls, OWL.equivalentClass, match))
    return len(owner)


def _is_obo_class(iri: URIRef) -> bool:
    local = str(iri).removeprefix(str(OBO))
    return local != str(iri) and local.split("_")[0] in CLASS_ONTOLOGIES


def _curie(iri: URIRef) -> str:
    return str(iri).removeprefix(str(OBO)).replace("_", ":", 1)


def _row(graph: Graph, cls: URIRef, iris: Iris) -> str | None:
    """Where a curated class comes from (``curated/<table>.tsv:<line>``); None for a class of the core."""
    value = graph.value(cls, iris.term("sourceRow"))
    return str(value) if value is not None else None


def _where(graph: Graph, cls: URIRef, iris: Iris) -> str:
    return f"{str(cls).removeprefix(iris.vocab)} ({_row(graph, cls, iris) or CORE_FILE})"


def _error(graph: Graph, cls: URIRef, iris: Iris, sources: Path, message: str) -> SourceError:
    row = _row(graph, cls, iris)
    if row is None:
        return SourceError(sources / CORE_FILE, f"{str(cls).removeprefix(iris.vocab)}: {message}")
    file, _, line = row.rpartition(":")
    return SourceError(sources / file, message, line=int(line), field="exact_match")
