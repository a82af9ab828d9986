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

from dataclasses import dataclass
from typing import Any

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
    evc = vocabulary(iris)
    g = rdf_graph(iris)
    node = iris.release(d.id)
    for cls in (DCAT.Dataset, PROV.Entity, evc.Release):
        g.add((node, RDF.type, cls))
    g.add((node, DCTERMS.title, Literal(f"evrdf release {d.id}", lang="en")))
    g.add((node, DCTERMS.identifier, Literal(d.id)))
    g.add((node, DCAT.version, Literal(d.id)))
    g.add((node, DCTERMS.license, DATA_LICENSE))
    g.add((node, DCAT.inSeries, URIRef(iris.base + "releases")))
    g.add((node, DCTERMS.isVersionOf, iris.dataset))
    g.add((node, PROV.wasGeneratedBy, URIRef(f"{node}{d.kind}")))
    if d.built:
        g.add((node, DCTERMS.issued, Literal(d.built, datatype=XSD.dateTime)))
    if d.triples is not None:
        g.add((node, VOID.triples, Literal(d.triples)))
    g.add((node, evc.ontologyVersionIRI, URIRef(f"{node}evrdf.owl")))
    if d.gate_conforms is not None:
        g.add((node, evc.gateConforms, Literal(d.gate_conforms)))
    if d.previous:
        g.add((node, PROV.wasRevisionOf, iris.release(d.previous)))
        g.add((node, DCAT.previousVersion, iris.release(d.previous)))
    for name, size in sorted(d.files.items()):
        if name not in MEDIA_TYPES:
            continue
        media, title = MEDIA_TYPES[name]
        distribution = URIRef(f"{node}{name}")
        g.add((node, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, distribution))
        g.add((distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        g.add((distribution, DCTERMS.title, Literal(title, lang="en")))
        if size is not None:
            g.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    if changelog is not None:
        add_changelog(g, node, changelog, iris)
    return g


def add_changelog(g: Graph, node: URIRef, log: Changelog, iris: Iris) -> None:
    evc = vocabulary(iris)
    changes = URIRef(str(node) + "#changes")
    g.add((node, evc.changelog, changes))
    g.add((changes, RDF.type, evc.Changelog))
    g.add((changes, DCTERMS.description, Literal(log.headline(), lang="en")))
    if log.previous:
        g.add((changes, evc.since, iris.release(log.previous)))
    for key, count in log.summary().items():
        what, kind = key.split("_", 1)
        g.add((changes, evc[what + kind.capitalize()], Literal(count)))
    for number, graph in enumerate(log.graphs, start=1):
        item = URIRef(f"{node}#graph-{number}")
        g.add((changes, evc.graphChange, item))
        g.add((item, RDF.type, evc.GraphChange))
        g.add((item, evc.graph, URIRef(graph.graph)))
        for name, value in (("triplesAdded", graph.added), ("triplesRemoved", graph.removed),
                            ("triplesBefore", graph.before), ("triplesAfter", graph.after)):
            g.add((item, evc[name], Literal(value)))
    for prefix, cls, items in (("term", evc.TermChange, log.terms), ("finding", evc.FindingChange, log.findings)):
        for number, change in enumerate(items, start=1):
            item = URIRef(f"{node}#{prefix}-{number}")
            g.add((changes, evc.change, item))
            g.add((item, RDF.type, cls))
            g.add((item, evc.kind, evc[KINDS[change.kind]]))
            g.add((item, evc.subject, URIRef(change.iri)))
            if change.label:  # not rdfs:label: the change is not the term (search would find it as the term)
                g.add((item, evc.subjectLabel, Literal(change.label)))
            for value in getattr(change, "old", []):
                g.add((item, evc.oldValue, _value(value)))
            for value in getattr(change, "new", []):
                g.add((item, evc.newValue, _value(value)))
            for value in getattr(change, "replaced_by", []):
                g.add((item, evc.replacedBy, URIRef(value)))
            for value in change.properties:
                g.add((item, evc.changedProperty, URIRef(value)))


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


def rdf_graph(iris: Iris) -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("prov", PROV), ("void", VOID),
                       ("evc", vocabulary(iris)), ("evo", Namespace(iris.vocab))):
        g.bind(prefix, ns)
    return g


def _value(value: Any) -> Any:
    return URIRef(value) if isinstance(value, str) and "://" in value and " " not in value else Literal(value)
