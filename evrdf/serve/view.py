"""A resource's triples → a small view object (label, definition, links, findings) that templates render.

Templates never see rdflib: everything here is a plain string, list or dataclass. The triples are the
resource's description (resource_graph.py), so the page shows exactly what the RDF says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from evrdf.identifiers import CONVERTER
from evrdf.natural import natural_key
from evrdf.serve.xrefs import curie_href, species_name

OBO = "http://purl.obolibrary.org/obo/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
DEFINITIONS = (URIRef(OBO + "IAO_0000115"), SKOS.definition, DCTERMS.description, RDFS.comment)
SYNONYMS = {SKOS.altLabel: "synonym", URIRef(OIO + "hasExactSynonym"): "exact synonym",
            URIRef(OIO + "hasRelatedSynonym"): "related synonym", URIRef(OIO + "hasBroadSynonym"): "broad synonym",
            URIRef(OIO + "hasNarrowSynonym"): "narrow synonym"}
ALIGNMENTS = {SKOS.exactMatch: "exact match", SKOS.closeMatch: "close match", SKOS.broadMatch: "broad match",
              SKOS.narrowMatch: "narrow match", RDFS.seeAlso: "see also"}
# local names of evrdf properties shown in their own sections rather than among the links
IDENTIFIER_NAMES = {"hgncId": "HGNC", "uniprotAccession": "UniProt", "entrezId": "NCBI Gene",
                    "ensemblId": "Ensembl", "symbol": "symbol", "pmid": "PubMed", "doi": "DOI", "pmcid": "PMC"}
ENTRY_NAMES = {"hgncEntry": "HGNC entry", "uniprotEntry": "UniProt entry", "ncbiGeneEntry": "NCBI Gene entry",
               "primaryReference": "primary reference"}
# the parts of a finding, in the order its sentence reads them
FINDING_PARTS = [("evType", "EV type"), ("releasedBy", "released by"), ("inDisease", "disease"),
                 ("inCellLine", "cell line"), ("listsMolecule", "table lists"), ("carriesCargo", "cargo"),
                 ("inducesExpressionOf", "induces"), ("reducesExpressionOf", "reduces"),
                 ("higherLevelOf", "higher level of"), ("lowerLevelOf", "lower level of"),
                 ("releaseStimulatedBy", "release stimulated by"), ("actsThroughReceptor", "through receptor"),
                 ("involvesMolecule", "involves"), ("producedByCellType", "molecules produced by"),
                 ("recipientCellType", "recipient cells"), ("affectsProcess", "affects"),
                 ("effectDirection", "direction"), ("blockedBy", "blocked by"), ("inSpecies", "species"),
                 ("inModelOrganism", "model organism"), ("detailedBy", "detailed by"), ("evidence", "evidence")]
SITES = {"GO": "Gene Ontology", "CL": "Cell Ontology", "UNIPROT": "UniProt", "HGNC": "HGNC", "PMID": "PubMed",
         "DOI": "DOI", "MONDO": "MONDO", "DOID": "Disease Ontology", "NCIT": "NCI Thesaurus", "CHEBI": "ChEBI",
         "NCBIGENE": "NCBI Gene", "DRUGBANK": "DrugBank", "ECO": "ECO", "RO": "RO", "NCBITaxon": "NCBI Taxonomy",
         "PMCID": "PubMed Central", "MESH": "MeSH", "ENSEMBL": "Ensembl", "BFO": "BFO"}


@dataclass(frozen=True)
class Link:
    """An IRI as a reader sees it: its label and where clicking goes (this server for our own IRIs)."""

    iri: str
    href: str
    label: str
    local: bool


@dataclass(frozen=True)
class Value:
    """The object of a statement: a link, or a literal's text (with its language tag, if any)."""

    text: str
    link: Link | None = None
    lang: str = ""


@dataclass
class Statement:
    """One predicate and its values (outgoing) or its subjects (incoming)."""

    predicate: Link
    values: list[Value]


@dataclass
class FindingView:
    link: Link
    sentence: str
    parts: list[tuple[str, list[Value]]]
    citations: list[Link]


@dataclass
class ResourceView:
    iri: str
    label: str
    definition: str = ""
    synonyms: list[tuple[str, str]] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    parents: list[Link] = field(default_factory=list)
    children: list[Link] = field(default_factory=list)
    instances: list[Link] = field(default_factory=list)
    alignments: list[tuple[str, str, Link]] = field(default_factory=list)  # (relation, site, link)
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)
    deprecated: bool = False  # owl:deprecated true: kept so its IRI resolves, no longer to be used
    replaced_by: list[Link] = field(default_factory=list)  # obo:IAO_0100001 (term replaced by)
    history: list[tuple[str, str, str]] = field(default_factory=list)  # (release id, href, what happened)


class Namer:
    """Labels and hrefs for IRIs, from the description's own label triples."""

    def __init__(self, graph: Graph, base: str, href: Callable[[str], str]):
        self.graph, self.base, self._href = graph, base, href

    def label(self, node: Node) -> str:
        for predicate in LABELS:
            values = list(self.graph.objects(node, predicate))
            if values:
                english = [v for v in values if isinstance(v, Literal) and v.language in (None, "en")]
                return str(sorted(english or values, key=str)[0])
        return species_name(str(node)) or short_name(str(node), self.base)

    def link(self, node: Node) -> Link:
        iri = str(node)
        local = iri.startswith(self.base)
        return Link(iri, self._href(iri) if local else iri, self.label(node), local)

    def value(self, node: Node) -> Value:
        if isinstance(node, Literal):
            href = None if node.language else curie_href(str(node))  # PMID:15251452 → its resolver
            return Value(str(node), Link(href, href, str(node), False) if href else None, node.language or "")
        if isinstance(node, URIRef):
            link = self.link(node)
            return Value(link.label, link)
        return Value(self.blank(node) if isinstance(node, BNode) else str(node))

    def blank(self, node: BNode, depth: int = 0) -> str:
        """A blank node (an OWL restriction, a checksum) in one line of Manchester-like text."""
        if depth > 4:
            return "…"
        items = _rdf_list(self.graph, node)
        if items is not None:
            return ", ".join(self._text(i, depth + 1) for i in items)
        parts = []
        for p, o in sorted(self.graph.predicate_objects(node)):
            if p == RDF.type and o in (OWL.Restriction, OWL.Class):
                continue
            parts.append(f"{self.label(p) if isinstance(p, URIRef) else p} {self._text(o, depth + 1)}")
        return "[" + "; ".join(parts) + "]"

    def _text(self, node: object, depth: int) -> str:
        if isinstance(node, BNode):
            return self.blank(node, depth)
        if isinstance(node, URIRef):
            return self.label(node)
        return str(node)


def short_name(iri: str, base: str) -> str:
    """A readable name for an IRI with no label: a CURIE, else the part after the last / or #.

    >>> short_name("http://purl.obolibrary.org/obo/GO_0070062", "https://w3id.org/evrdf/")
    'GO:0070062'
    >>> short_name("http://www.w3.org/2000/01/rdf-schema#subClassOf", "https://w3id.org/evrdf/")
    'sub class of'
    """
    curie = CONVERTER.compress(iri)
    if curie:
        return curie
    local = re.split(r"[/#]", iri.rstrip("/"))[-1] or iri
    if iri.startswith(base):
        return local
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


def _rdf_list(graph: Graph, node: BNode) -> list[object] | None:
    if (node, RDF.first, None) not in graph:
        return None
    items: list[object] = []
    cell: Node | None = node
    while cell and cell != RDF.nil and len(items) < 100:
        items.append(graph.value(cell, RDF.first))
        cell = graph.value(cell, RDF.rest)
    return items


def resource_view(graph: Graph, iri: str, base: str, href: Callable[[str], str]) -> ResourceView:
    """Sort a resource's description into the sections of its page."""
    names = Namer(graph, base, href)
    node, vocab = URIRef(iri), base + "ontology/"
    view = ResourceView(iri=iri, label=names.label(node))
    definition = next((graph.value(node, p) for p in DEFINITIONS if graph.value(node, p) is not None), None)
    view.definition = str(definition or graph.value(node, URIRef(vocab + "statement"))
                          or graph.value(node, URIRef(vocab + "fullName")) or "")
    shown = {RDF.type, *LABELS, *DEFINITIONS[:3], *SYNONYMS, *ALIGNMENTS, RDFS.subClassOf,
             URIRef(OIO + "hasDbXref")}
    view.synonyms = sorted({(str(o), kind) for p, kind in SYNONYMS.items() for o in graph.objects(node, p)},
                           key=lambda item: (natural_key(item[0]), item[1]))
    for name, title in IDENTIFIER_NAMES.items():
        view.identifiers += [(title, str(o)) for o in graph.objects(node, URIRef(vocab + name))]
        shown.add(URIRef(vocab + name))
    view.identifiers += [("cross-reference", str(o)) for o in graph.objects(node, URIRef(OIO + "hasDbXref"))]
    view.types = _links(names, graph.objects(node, RDF.type))
    view.parents = _links(names, (o for o in graph.objects(node, RDFS.subClassOf) if isinstance(o, URIRef)))
    view.children = _links(names, graph.subjects(RDFS.subClassOf, node))
    view.instances = _links(names, graph.subjects(RDF.type, node))
    for predicate, relation in ALIGNMENTS.items():
        view.alignments += [(relation, _site(str(o)), names.link(o)) for o in graph.objects(node, predicate)
                            if isinstance(o, URIRef)]
    for name, relation in ENTRY_NAMES.items():
        shown.add(URIRef(vocab + name))
        view.alignments += [(relation, _site(str(o)), names.link(o))
                            for o in graph.objects(node, URIRef(vocab + name)) if isinstance(o, URIRef)]
    view.outgoing = _statements(names, ((p, o) for p, o in graph.predicate_objects(node) if p not in shown))
    view.incoming = _statements(names, ((p, s) for s, p in graph.subject_predicates(node)
                                        if p not in (RDF.type, RDFS.subClassOf)), values=names.link)
    finding_type = URIRef(vocab + "Finding")
    mentioning = {s for s, p in graph.subject_predicates(node) if p != RDF.type} | (
        {node} if (node, RDF.type, finding_type) in graph else set())
    view.findings = [_finding(names, graph, f, vocab) for f in sorted(mentioning, key=_by_text)
                     if isinstance(f, URIRef) and (f, RDF.type, finding_type) in graph]
    view.deprecated = (node, OWL.deprecated, Literal(True)) in graph
    view.replaced_by = _links(names, graph.objects(node, URIRef(OBO + "IAO_0100001")))
    return view


def _by_text(node: object) -> tuple[object, ...]:
    """Finding IRIs in natural order (F2 before F10)."""
    return natural_key(str(node))


def _links(names: Namer, nodes: Iterable[object]) -> list[Link]:
    return sorted((names.link(n) for n in set(nodes) if isinstance(n, URIRef)),
                  key=lambda link: (natural_key(link.label), link.href))


def _statements(names: Namer, pairs: Iterable[tuple[Node, Node]],
                values: Callable[[URIRef], Link] | None = None) -> list[Statement]:
    grouped: dict[Node, list[Value]] = {}
    for predicate, other in pairs:
        if values is not None and isinstance(other, URIRef):
            link = values(other)
            grouped.setdefault(predicate, []).append(Value(link.label, link))
        else:
            grouped.setdefault(predicate, []).append(names.value(other))
    return [Statement(names.link(p), sorted(v, key=lambda x: natural_key(x.text)))
            for p, v in sorted(grouped.items(), key=lambda item: natural_key(names.label(item[0])))]


def _finding(names: Namer, graph: Graph, finding: URIRef, vocab: str) -> FindingView:
    """A finding as a sentence (its curated statement), its structured parts and its citations."""
    sentence = graph.value(finding, URIRef(vocab + "statement")) or names.label(finding)
    parts = []
    for name, title in FINDING_PARTS:
        values = sorted((names.value(o) for o in graph.objects(finding, URIRef(vocab + name))),
                        key=lambda v: natural_key(v.text))
        if values:
            parts.append((title, values))
    citations = []
    for reference in graph.objects(finding, URIRef(vocab + "citedIn")):
        citations.append(names.link(reference))
        citations += [names.link(o) for o in graph.objects(reference, RDFS.seeAlso) if isinstance(o, URIRef)]
    citations += [names.link(o) for o in graph.objects(finding, URIRef(vocab + "primaryReference"))
                  if isinstance(o, URIRef)]
    return FindingView(names.link(finding), str(sentence), parts, citations)


def _site(iri: str) -> str:
    curie = CONVERTER.compress(iri)
    return SITES.get(curie.split(":")[0], "") if curie else ""
