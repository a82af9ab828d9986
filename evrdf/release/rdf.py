"""Releases and changelogs as RDF, for the metadata graph (so SPARQL can ask what changed since release X).

Each release ``<base>releases/<id>/`` is a ``dcat:Dataset`` in the series ``<base>releases``, a version of
``<base>dataset`` (``dcat:hasVersion``), ``prov:wasRevisionOf`` the previous release, with one
``dcat:distribution`` per release file and an ``evc:changelog`` (vocabulary ``<base>changes/``, declared in
VOCABULARY below): per-graph triple counts and one ``evc:TermChange`` / ``evc:FindingChange`` per change, whose
``evc:kind`` is ``evc:Added``, ``evc:Relabelled``, ... For example, everything that changed after release A up
to release B::

    SELECT ?release ?kind ?subject WHERE {
      <B> prov:wasRevisionOf* ?release . ?release prov:wasRevisionOf+ <A> .
      ?release evc:changelog/evc:change ?change . ?change evc:kind ?kind ; evc:subject ?subject }
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef

from evrdf.build.vocab import DCTERMS, PROV, RDF, RDFS, VOID, XSD
from evrdf.iris import Iris
from evrdf.release.changes import Changelog
from evrdf.release.index import ReleaseRecord

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's closed namespace lacks its version terms)
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
MEDIA_TYPES = {  # release file -> (IANA media type, title)
    "evrdf.owl": ("application/rdf+xml", "the ontology (OWL, RDF/XML)"),
    "evrdf.ttl": ("text/turtle", "the ontology (Turtle)"),
    "evrdf.jsonld": ("application/ld+json", "the ontology (JSON-LD)"),
    "evrdf.sssom.tsv": ("text/tab-separated-values", "mappings to GO, CL, MONDO, ChEBI... (SSSOM)"),
    "evrdf.nq": ("application/n-quads", "the whole dataset, every named graph (N-Quads dump)"),
    "changes.json": ("application/json", "the changelog against the previous release (JSON)"),
    "release.ttl": ("text/turtle", "this release and its changelog (RDF)"),
    "updates.nq": ("application/n-quads", "the graphs written by SPARQL Update (N-Quads)"),
    "updates.jsonl": ("application/jsonl", "the journal of SPARQL Updates (JSON lines)"),
}
KINDS = {"added": "Added", "removed": "Removed", "relabelled": "Relabelled", "reparented": "Reparented",
         "deprecated": "Deprecated", "undeprecated": "Undeprecated", "changed": "Changed", "withdrawn": "Withdrawn"}
VOCABULARY = {  # local name -> (label, comment)
    "Release": ("release", "One published release of evrdf: its data and ontology, named by one release id."),
    "Changelog": ("changelog", "What changed in a release against the release it revises."),
    "GraphChange": ("graph change", "Triples added to and removed from one named graph."),
    "TermChange": ("term change", "A term (ontology class or property, or gene) added, removed, relabelled, "
                                  "re-parented, deprecated or otherwise changed."),
    "FindingChange": ("finding change", "A curated finding added, changed or withdrawn."),
    "ChangeKind": ("change kind", "What kind of change a term or finding change is."),
    "changelog": ("changelog", "The changelog of a release."),
    "since": ("since", "The release a changelog compares against (the previous release)."),
    "graphChange": ("graph change", "A per-graph count of added and removed triples."),
    "change": ("change", "A term or finding change of the changelog."),
    "graph": ("graph", "The named graph a graph change counts."),
    "subject": ("subject", "The term or finding that changed."),
    "subjectLabel": ("subject label", "The label of the term or finding as the change left it."),
    "kind": ("kind", "The kind of change (evc:Added, evc:Relabelled, ...)."),
    "oldValue": ("old value", "The label or parent before the change."),
    "newValue": ("new value", "The label or parent after the change."),
    "replacedBy": ("replaced by", "The term that replaces a deprecated term (as obo:IAO_0100001 says)."),
    "changedProperty": ("changed property", "A property whose values changed."),
    "triplesAdded": ("triples added", "Number of triples added."),
    "triplesRemoved": ("triples removed", "Number of triples removed."),
    "triplesBefore": ("triples before", "Size of the graph in the previous release."),
    "triplesAfter": ("triples after", "Size of the graph in this release."),
    "ontologyVersionIRI": ("ontology version IRI", "The owl:versionIRI of the release's ontology."),
    "gateConforms": ("passed the SHACL gate", "Whether the release passed the SHACL gate when it was published."),
    "retentionPolicy": ("retention policy", "What is kept of every release, and for how long."),
    **{name: (name.lower(), f"A change kind: {name.lower()}.") for name in KINDS.values()},
}


def vocabulary(iris: Iris) -> Namespace:
    return Namespace(iris.base + "changes/")


@dataclass(frozen=True)
class Description:
    """What the RDF says about one release (from its release.json, or from the publisher writing it)."""

    id: str
    kind: str  # "build" or "update"
    built: str
    previous: str | None
    triples: int | None
    files: dict[str, int | None]  # release file -> size in bytes (None: not known when described)
    gate_conforms: bool | None = None

    @classmethod
    def of(cls, record: ReleaseRecord, previous: str | None) -> "Description":
        info = record.info
        sizes = dict(info.get("file_sizes") or {})
        names = set(record.file_names()) | ({"evrdf.nq"} if record.file("evrdf.nq") else set())
        gate = info.get("gate") or {}
        return cls(record.id, record.kind, record.built, record.previous or previous,
                   int(info["triples"]) if info.get("triples") is not None else None,
                   {name: sizes.get(name) for name in sorted(names - {"evrdf.nq.gz"})},
                   bool(gate["conforms"]) if "conforms" in gate else None)


def release_graph(d: Description, iris: Iris, changelog: Changelog | None) -> Graph:
    """A release's own description (what its release.ttl holds): itself, its files, its changelog."""
    g = rdf_graph(iris)
    g.parse(data=release_ntriples(d, iris, changelog), format="nt")
    return g


def release_ntriples(d: Description, iris: Iris, changelog: Changelog | None) -> bytes:
    """The triples of release_graph as N-Triples, written as text: a first build's changelog lists every finding
    as added (394,144 triples at 78,288 findings), too many for an rdflib graph's memory and serializer."""
    evc = vocabulary(iris)
    out = _Lines()
    node = iris.release(d.id)
    for cls in (DCAT.Dataset, PROV.Entity, evc.Release):
        out.add(node, RDF.type, cls)
    out.add(node, DCTERMS.title, Literal(f"evrdf release {d.id}", lang="en"))
    out.add(node, DCTERMS.identifier, Literal(d.id))
    out.add(node, DCAT.version, Literal(d.id))
    out.add(node, DCTERMS.license, DATA_LICENSE)
    out.add(node, DCAT.inSeries, URIRef(iris.base + "releases"))
    out.add(node, DCTERMS.isVersionOf, iris.dataset)
    out.add(node, PROV.wasGeneratedBy, URIRef(f"{node}{d.kind}"))
    if d.built:
        out.add(node, DCTERMS.issued, Literal(d.built, datatype=XSD.dateTime))
    if d.triples is not None:
        out.add(node, VOID.triples, Literal(d.triples))
    out.add(node, evc.ontologyVersionIRI, URIRef(f"{node}evrdf.owl"))
    if d.gate_conforms is not None:
        out.add(node, evc.gateConforms, Literal(d.gate_conforms))
    if d.previous:
        out.add(node, PROV.wasRevisionOf, iris.release(d.previous))
        out.add(node, DCAT.previousVersion, iris.release(d.previous))
    for name, size in sorted(d.files.items()):
        if name not in MEDIA_TYPES:
            continue
        media, title = MEDIA_TYPES[name]
        distribution = URIRef(f"{node}{name}")
        out.add(node, DCAT.distribution, distribution)
        out.add(distribution, RDF.type, DCAT.Distribution)
        out.add(distribution, DCAT.downloadURL, distribution)
        out.add(distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}"))
        out.add(distribution, DCTERMS.title, Literal(title, lang="en"))
        if size is not None:
            out.add(distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger))
    if changelog is not None:
        _changelog(out, node, changelog, iris)
    return out.bytes()


def add_changelog(g: Graph, node: URIRef, log: Changelog, iris: Iris) -> None:
    out = _Lines()
    _changelog(out, node, log, iris)
    g.parse(data=out.bytes(), format="nt")


def _changelog(out: "_Lines", node: URIRef, log: Changelog, iris: Iris) -> None:
    evc = vocabulary(iris)
    changes = URIRef(str(node) + "#changes")
    out.add(node, evc.changelog, changes)
    out.add(changes, RDF.type, evc.Changelog)
    out.add(changes, DCTERMS.description, Literal(log.headline(), lang="en"))
    if log.previous:
        out.add(changes, evc.since, iris.release(log.previous))
    for key, count in log.summary().items():
        what, kind = key.split("_", 1)
        out.add(changes, evc[what + kind.capitalize()], Literal(count))
    for number, graph in enumerate(log.graphs, start=1):
        item = URIRef(f"{node}#graph-{number}")
        out.add(changes, evc.graphChange, item)
        out.add(item, RDF.type, evc.GraphChange)
        out.add(item, evc.graph, URIRef(graph.graph))
        for name, value in (("triplesAdded", graph.added), ("triplesRemoved", graph.removed),
                            ("triplesBefore", graph.before), ("triplesAfter", graph.after)):
            out.add(item, evc[name], Literal(value))
    # the changes are the bulk (every finding of a first build): their recurring terms are written once
    change, kind, subject, label = (out.term(evc[name]) for name in ("change", "kind", "subject", "subjectLabel"))
    old, new, replaced, changed = (out.term(evc[name]) for name in
                                   ("oldValue", "newValue", "replacedBy", "changedProperty"))
    a, changes_text, kinds = out.term(RDF.type), out.term(changes), {k: out.term(evc[v]) for k, v in KINDS.items()}
    write = out.write
    for prefix, cls, items in (("term", evc.TermChange, log.terms), ("finding", evc.FindingChange, log.findings)):
        cls_text = out.term(cls)
        for number, item in enumerate(items, start=1):
            it = out.term(URIRef(f"{node}#{prefix}-{number}"))
            write(changes_text, change, it)
            write(it, a, cls_text)
            write(it, kind, kinds[item.kind])
            write(it, subject, out.term(URIRef(item.iri)))
            if item.label:  # not rdfs:label: the change is not the term (search would find it as the term)
                write(it, label, str(ox.Literal(item.label)))
            for value in getattr(item, "old", []):
                write(it, old, out.term(_value(value)))
            for value in getattr(item, "new", []):
                write(it, new, out.term(_value(value)))
            for value in getattr(item, "replaced_by", []):
                write(it, replaced, out.term(URIRef(value)))
            for value in item.properties:
                write(it, changed, out.term(URIRef(value)))


class _Lines:
    """N-Triples lines, each term written by Oxigraph (so IRIs are checked and literals escaped as it parses
    them back): rdflib terms in, the same RDF terms out."""

    def __init__(self) -> None:
        self.out = io.BytesIO()

    @staticmethod
    def term(term: Any) -> str:
        if isinstance(term, URIRef):
            return str(ox.NamedNode(str(term)))
        if isinstance(term, Literal):
            if term.language:
                return str(ox.Literal(str(term), language=term.language))
            return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None))
        raise TypeError(f"not an IRI or a literal: {term!r}")

    def add(self, s: Any, p: Any, o: Any) -> None:
        self.write(self.term(s), self.term(p), self.term(o))

    def write(self, s: str, p: str, o: str) -> None:
        self.out.write(f"{s} {p} {o} .\n".encode("utf-8"))

    def bytes(self) -> bytes:
        return self.out.getvalue()


def series_graph(iris: Iris, release_ids: list[str], current: str | None, policy: str) -> Graph:
    """The series of every release (oldest first in ``release_ids``), the dataset's versions, the vocabulary."""
    evc = vocabulary(iris)
    g = rdf_graph(iris)
    series = URIRef(iris.base + "releases")
    g.add((series, RDF.type, DCAT.DatasetSeries))
    g.add((series, DCTERMS.title, Literal("evrdf releases", lang="en")))
    g.add((series, evc.retentionPolicy, Literal(policy, lang="en")))
    g.add((iris.dataset, evc.retentionPolicy, Literal(policy, lang="en")))
    if release_ids:
        g.add((series, DCAT.first, iris.release(release_ids[0])))
        g.add((series, DCAT.last, iris.release(release_ids[-1])))
    for release_id in release_ids:
        g.add((iris.dataset, DCAT.hasVersion, iris.release(release_id)))
    if current:
        g.add((iris.dataset, DCAT.hasCurrentVersion, iris.release(current)))
    for name, (label, comment) in VOCABULARY.items():
        term = evc[name]
        g.add((term, RDFS.label, Literal(label, lang="en")))
        g.add((term, RDFS.comment, Literal(comment, lang="en")))
        g.add((term, RDFS.isDefinedBy, URIRef(str(evc))))
        if name in KINDS.values():
            g.add((term, RDF.type, evc.ChangeKind))
    return g


def prefixes(iris: Iris) -> dict[str, str]:
    """The prefixes release.ttl and the changelog's Turtle use."""
    return {"dcat": str(DCAT), "dcterms": str(DCTERMS), "prov": str(PROV), "void": str(VOID),
            "evc": str(vocabulary(iris)), "evo": iris.vocab}


def rdf_graph(iris: Iris) -> Graph:
    g = Graph()
    for prefix, ns in prefixes(iris).items():
        g.bind(prefix, Namespace(ns))
    return g


def _value(value: Any) -> Any:
    return URIRef(value) if isinstance(value, str) and "://" in value and " " not in value else Literal(value)
