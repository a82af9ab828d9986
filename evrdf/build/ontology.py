"""The ontology graph: the hand-written core plus one class per row of the curated term tables."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from evrdf.build.alignment import materialise_alignment
from evrdf.build.vocab import DEFINITION, DEFINITION_SOURCE, OIO, OWL, RDF, RDFS, SKOS, XSD
from evrdf.errors import SourceError
from evrdf.identifiers import PREFIXES, expand
from evrdf.ingest.curated import Curated
from evrdf.ingest.records import Term
from evrdf.iris import Iris

CORE_FILE = "evrdf-core.ttl"
EXTERNAL_NAMES = {"GO": "GO", "CL": "CL", "MONDO": "MONDO", "DOID": "DOID", "NCIT": "NCIT", "CHEBI": "ChEBI",
                  "DRUGBANK": "DrugBank"}


def load_core(sources: Path, iris: Iris) -> Graph:
    """Parse the core Turtle; a syntax error is reported with its file and line."""
    path = sources / CORE_FILE
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourceError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not valid UTF-8 (offset {exc.start})") from None
    graph = Graph()
    try:
        graph.parse(data=iris.rebase(text), format="turtle", publicID=iris.base)
    except BadSyntax as exc:
        match = re.search(r"at line (\d+)", str(exc))
        reason = re.search(r"Bad syntax \((.*?)\)", str(exc))
        raise SourceError(path, f"Turtle syntax error: {reason.group(1) if reason else exc}",
                          line=int(match.group(1)) if match else None) from None
    except Exception as exc:  # rdflib raises several types for bad Turtle; all are input errors here
        raise SourceError(path, f"Turtle syntax error: {exc}") from None
    if (iris.ontology, RDF.type, OWL.Ontology) not in graph:
        raise SourceError(path, f"no owl:Ontology header with IRI <{iris.ontology}>")
    return graph


def core_term_names(core: Graph, iris: Iris) -> set[str]:
    """Local names of the classes the core declares (the parents a curated table may use)."""
    return {str(c)[len(iris.vocab):] for c in core.subjects(RDF.type, OWL.Class)
            if isinstance(c, URIRef) and str(c).startswith(iris.vocab)}


def stamp_version(ontology: Graph, iris: Iris, release: str) -> None:
    """The ontology's version is its release's: owl:versionInfo the release id, owl:versionIRI
    ``<base>releases/<id>/evrdf.owl`` (one id names a release's data and ontology; evrdf.release.ids)."""
    ontology.set((iris.ontology, OWL.versionInfo, Literal(release)))
    ontology.set((iris.ontology, OWL.versionIRI, iris.version_iri(release)))


def build_ontology(core: Graph, curated: Curated, iris: Iris) -> Graph:
    """Core + generated term classes (the version is stamped when the release id is known: stamp_version)."""
    graph = Graph()
    for prefix, ns in core.namespaces():
        graph.bind(prefix, ns)
    graph += core
    for term in curated.terms.values():
        _add_term(graph, term, curated, iris)
    for prefix in sorted({c.split(":")[0] for t in curated.terms.values()
                          for c in t.exact_match + t.close_match + t.broad_match}):
        if PREFIXES[prefix][0].startswith("http://purl.obolibrary.org/obo/"):
            graph.bind(prefix.lower() if prefix != "NCBITaxon" else "ncbitaxon", Namespace(PREFIXES[prefix][0]))
    materialise_alignment(graph, iris, curated.directory.parent)  # OBO IRIs answer queries too (alignment.py)
    return graph


def _add_term(graph: Graph, term: Term, curated: Curated, iris: Iris) -> None:
    node = iris.term(term.id)
    graph.add((node, RDF.type, OWL.Class))
    graph.add((node, RDFS.subClassOf, iris.term(term.parent)))
    graph.add((node, RDFS.label, Literal(term.label, lang="en")))
    graph.add((node, DEFINITION, Literal(_definition(term), lang="en")))
    if term.definition_source:
        graph.add((node, DEFINITION_SOURCE, Literal(term.definition_source)))
    for synonym in term.synonyms:
        graph.add((node, OIO.hasExactSynonym, Literal(synonym, lang="en")))
    for synonym in term.related_synonyms:
        graph.add((node, OIO.hasRelatedSynonym, Literal(synonym, lang="en")))
    for predicate, curies in ((SKOS.exactMatch, term.exact_match), (SKOS.closeMatch, term.close_match),
                              (SKOS.broadMatch, term.broad_match)):
        for curie in curies:
            graph.add((node, predicate, URIRef(expand(curie))))
            graph.add((node, OIO.hasDbXref, Literal(curie)))
    if term.note:
        graph.add((node, iris.term("curatorNote"), Literal(term.note, lang="en")))
    graph.add((node, iris.term("sourceRow"), Literal(term.row.location(curated.directory.parent))))
    if term.kind == "ev":
        _add_ev_facts(graph, node, term, curated, iris)


def _definition(term: Term) -> str:
    """Where the aligned ontology lacks the concept, the definition says so and names the nearest term."""
    definition = term.definition.rstrip()
    if not term.exact_match and term.broad_match:
        nearest = ", ".join(term.broad_match)
        names = sorted({EXTERNAL_NAMES.get(c.split(":")[0], c.split(":")[0]) for c in term.broad_match})
        note = f"{' and '.join(names)} has no term for this concept; nearest broader term: {nearest}."
        if note not in definition:
            definition = f"{definition} ({note})"
    return definition


def _add_ev_facts(graph: Graph, node: URIRef, term: Term, curated: Curated, iris: Iris) -> None:
    if term.diameter:
        low, high = term.diameter
        graph.add((node, iris.term("diameterMinNm"), Literal(_decimal(low), datatype=XSD.decimal)))
        graph.add((node, iris.term("diameterMaxNm"), Literal(_decimal(high), datatype=XSD.decimal)))
    if term.diameter_source_value:
        graph.add((node, iris.term("diameterSourceValue"), Literal(term.diameter_source_value)))
    if term.diameter_reference:
        graph.add((node, iris.term("diameterReference"), iris.reference(term.diameter_reference)))
    if term.diameter_note:
        graph.add((node, iris.term("curatorNote"), Literal(term.diameter_note, lang="en")))
    if term.biogenesis:
        graph.add((node, iris.term("biogenesisRoute"), iris.term(term.biogenesis)))
    for symbol in term.marker_genes:
        graph.add((node, iris.term("characteristicMarker"), iris.gene(curated.genes[symbol].hgnc_id)))
    for marker in term.other_markers:
        graph.add((node, iris.term("otherMarker"), Literal(marker, lang="en")))
    if term.marker_reference:
        graph.add((node, iris.term("markerReference"), iris.reference(term.marker_reference)))


def _decimal(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
