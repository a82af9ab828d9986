"""Deprecation, not deletion: every term evrdf ever published stays in the ontology, marked deprecated.

A term (a class or property under the vocabulary) that was in the previous release's ontology and is no longer
in the core or the term tables is published as deprecated, following OBO conventions: ``owl:deprecated true``,
the label prefixed "obsolete ", the definition prefixed "OBSOLETE. ", its logical axioms (parents) dropped,
``obo:IAO_0100001`` (term replaced by) where a replacement is known, and the reason as an ``rdfs:comment``.
Replacements and reasons are curated in ``curated/deprecated.tsv``; a term deprecated in an earlier release is
carried forward as it was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from evrdf.build.vocab import DEFINITION, OBO, OWL, RDF, RDFS
from evrdf.identifiers import expand
from evrdf.ingest.deprecated import DeprecatedTerm
from evrdf.iris import Iris

REPLACED_BY = OBO.IAO_0100001
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
OBSOLETE_LABEL = "obsolete "
OBSOLETE_DEFINITION = "OBSOLETE. "


@dataclass(frozen=True)
class Deprecation:
    iri: str
    label: str
    replaced_by: tuple[str, ...]
    curated: bool  # listed in deprecated.tsv (else carried forward or found missing)


def previous_ontology(release_files: Path | None) -> Graph | None:
    """The ontology a release published (its evrdf.ttl), or None for the first release."""
    path = None if release_files is None else release_files / "evrdf.ttl"
    return Graph().parse(path, format="turtle") if path is not None and path.is_file() else None


def add_deprecated(ontology: Graph, previous: Graph | None, curated: dict[str, DeprecatedTerm],
                   iris: Iris, release: str) -> list[Deprecation]:
    """Add every deprecated term to ``ontology`` (which holds the current terms); returns what it added."""
    done: list[Deprecation] = []
    published = _terms(previous)
    for term in curated.values():
        node = iris.term(term.id)
        types = published.get(node) or (OWL.Class,)
        old_definition = _first(previous, node, DEFINITION) if previous is not None else None
        replacements = [iris.term(r) if ":" not in r else URIRef(expand(r)) for r in term.replaced_by]
        _deprecate(ontology, node, types, term.label, _strip(old_definition), replacements, term.reason)
        done.append(Deprecation(str(node), term.label, tuple(map(str, replacements)), True))
    if previous is None:
        return done
    present = set(ontology.subjects())
    for node, types in sorted(published.items()):
        if node in present:
            continue
        if (node, OWL.deprecated, Literal(True)) in previous:  # deprecated before: carried as published
            for triple in previous.triples((node, None, None)):
                ontology.add(triple)
            label = str(previous.value(node, RDFS.label) or "").removeprefix(OBSOLETE_LABEL)
            done.append(Deprecation(str(node), label, tuple(str(o) for o in previous.objects(node, REPLACED_BY)),
                                    False))
            continue
        label = str(previous.value(node, RDFS.label) or node.rsplit("/", 1)[-1])
        _deprecate(ontology, node, types, label, _strip(_first(previous, node, DEFINITION)), [],
                   f"Removed from the curated tables in release {release}; no replacement is recorded in "
                   "curated/deprecated.tsv.")
        done.append(Deprecation(str(node), label, (), False))
    return done


def _deprecate(g: Graph, node: URIRef, types: tuple[URIRef, ...], label: str, definition: str | None,
               replaced_by: list[URIRef], reason: str) -> None:
    for rdf_type in types:
        g.add((node, RDF.type, rdf_type))
    g.add((node, RDFS.label, Literal(OBSOLETE_LABEL + label.removeprefix(OBSOLETE_LABEL), lang="en")))
    g.add((node, OWL.deprecated, Literal(True)))
    g.add((node, DEFINITION, Literal(OBSOLETE_DEFINITION + (definition or f"The term {label}."), lang="en")))
    g.add((node, RDFS.comment, Literal(reason, lang="en")))
    for replacement in replaced_by:
        g.add((node, REPLACED_BY, replacement))


def _terms(graph: Graph | None) -> dict[URIRef, tuple[URIRef, ...]]:
    """Classes and properties under the vocabulary, with their OWL types."""
    found: dict[URIRef, tuple[URIRef, ...]] = {}
    if graph is None:
        return found
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    vocab = f"{ontology}/" if ontology is not None else ""
    for rdf_type in TERM_TYPES:
        for node in graph.subjects(RDF.type, rdf_type):
            if isinstance(node, URIRef) and vocab and str(node).startswith(vocab):
                found[node] = found.get(node, ()) + (rdf_type,)
    return found


def _first(graph: Graph | None, node: URIRef, predicate: URIRef) -> str | None:
    value = graph.value(node, predicate) if graph is not None else None
    return str(value) if value is not None else None


def _strip(definition: str | None) -> str | None:
    return definition.removeprefix(OBSOLETE_DEFINITION) if definition else None
