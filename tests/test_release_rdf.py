"""A release's own description (release.ttl, and this release's part of the metadata graph) is written as
N-Triples text and serialized to Turtle by Oxigraph: it must hold exactly the triples the rdflib graph of the
same description holds, with labels that need escaping, IRIs as values and typed counts."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from evrdf.iris import Iris
from evrdf.pipeline.build import build
from evrdf.release.changes import Changelog, FindingChange, TermChange
from evrdf.release.diff import GraphDiff
from evrdf.release.index import ReleaseIndex
from evrdf.release.rdf import Description, prefixes, release_ntriples
from evrdf.settings import Settings
from tests.conftest import SOURCES

BASE = "https://w3id.org/evrdf/"
EVC = rdflib.Namespace(BASE + "changes/")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def _log() -> Changelog:
    return Changelog("2026-12-04.2", "2026-12-04.1",
                     [GraphDiff(BASE + "graph/bian2019", 10, 12, added=3, removed=1)],
                     [TermChange(BASE + "ontology/Exosome", "relabelled", 'exosome "small" EV',
                                 old=["exosome\nold"], new=['exosome "small" EV']),
                      TermChange(BASE + "ontology/Macrophage", "reparented", "macrophage — TAM",
                                 old=["http://purl.obolibrary.org/obo/CL_0000235"], new=["not an IRI: a b"]),
                      TermChange(BASE + "ontology/Old", "deprecated", "",
                                 replaced_by=[BASE + "ontology/New"])],
                     [FindingChange(BASE + "finding/f-1", "added", "finding \\ one"),
                      FindingChange(BASE + "finding/f-2", "changed", "", [BASE + "ontology/effect"])])


def _expected(d: Description, log: Changelog) -> rdflib.Graph:
    """The description built triple by triple with rdflib, as the description's rdflib graph was."""
    iris = Iris(BASE)
    g = rdflib.Graph()
    node = iris.release(d.id)
    for cls in (DCAT.Dataset, rdflib.PROV.Entity, EVC.Release):
        g.add((node, RDF.type, cls))
    g.add((node, DCTERMS.title, Literal(f"evrdf release {d.id}", lang="en")))
    g.add((node, DCTERMS.identifier, Literal(d.id)))
    g.add((node, DCAT.version, Literal(d.id)))
    g.add((node, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((node, DCAT.inSeries, URIRef(BASE + "releases")))
    g.add((node, DCTERMS.isVersionOf, iris.dataset))
    g.add((node, rdflib.PROV.wasGeneratedBy, URIRef(f"{node}build")))
    g.add((node, DCTERMS.issued, Literal(d.built, datatype=XSD.dateTime)))
    g.add((node, rdflib.VOID.triples, Literal(d.triples)))
    g.add((node, EVC.ontologyVersionIRI, URIRef(f"{node}evrdf.owl")))
    g.add((node, EVC.gateConforms, Literal(True)))
    g.add((node, rdflib.PROV.wasRevisionOf, iris.release("2026-12-04.1")))
    g.add((node, DCAT.previousVersion, iris.release("2026-12-04.1")))
    dist = URIRef(f"{node}evrdf.ttl")
    g.add((node, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.downloadURL, dist))
    g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/turtle")))
    g.add((dist, DCTERMS.title, Literal("the ontology (Turtle)", lang="en")))
    g.add((dist, DCAT.byteSize, Literal(1234, datatype=XSD.nonNegativeInteger)))
    changes = URIRef(f"{node}#changes")
    g.add((node, EVC.changelog, changes))
    g.add((changes, RDF.type, EVC.Changelog))
    g.add((changes, DCTERMS.description, Literal(log.headline(), lang="en")))
    g.add((changes, EVC.since, iris.release("2026-12-04.1")))
    for key, count in log.summary().items():
        what, kind = key.split("_", 1)
        g.add((changes, EVC[what + kind.capitalize()], Literal(count)))
    item = URIRef(f"{node}#graph-1")
    g.add((changes, EVC.graphChange, item))
    g.add((item, RDF.type, EVC.GraphChange))
    g.add((item, EVC.graph, URIRef(BASE + "graph/bian2019")))
    for name, value in (("triplesAdded", 3), ("triplesRemoved", 1), ("triplesBefore", 10), ("triplesAfter", 12)):
        g.add((item, EVC[name], Literal(value)))
    rows: list[tuple[str, URIRef, str, str, list[tuple[URIRef, rdflib.term.Node]]]] = [
        ("term-1", EVC.TermChange, "Relabelled", "ontology/Exosome",
         [(EVC.subjectLabel, Literal('exosome "small" EV')), (EVC.oldValue, Literal("exosome\nold")),
          (EVC.newValue, Literal('exosome "small" EV'))]),
        ("term-2", EVC.TermChange, "Reparented", "ontology/Macrophage",
         [(EVC.subjectLabel, Literal("macrophage — TAM")),
          (EVC.oldValue, URIRef("http://purl.obolibrary.org/obo/CL_0000235")),
          (EVC.newValue, Literal("not an IRI: a b"))]),
        ("term-3", EVC.TermChange, "Deprecated", "ontology/Old", [(EVC.replacedBy, URIRef(BASE + "ontology/New"))]),
        ("finding-1", EVC.FindingChange, "Added", "finding/f-1", [(EVC.subjectLabel, Literal("finding \\ one"))]),
        ("finding-2", EVC.FindingChange, "Changed", "finding/f-2",
         [(EVC.changedProperty, URIRef(BASE + "ontology/effect"))]),
    ]
    for local, cls, kind, subject, extra in rows:
        item = URIRef(f"{node}#{local}")
        g.add((changes, EVC.change, item))
        g.add((item, RDF.type, cls))
        g.add((item, EVC.kind, EVC[kind]))
        g.add((item, EVC.subject, URIRef(BASE + subject)))
        for p, o in extra:
            g.add((item, p, o))
    return g


def _same(got: rdflib.Graph, expected: rdflib.Graph) -> None:
    _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
    assert not list(only_got) and not list(only_expected), (sorted(only_got), sorted(only_expected))


def test_the_written_triples_are_the_rdflib_graphs_triples() -> None:
    d = Description("2026-12-04.2", "build", "2026-12-04T03:47:19+00:00", "2026-12-04.1", 1000,
                    {"evrdf.ttl": 1234, "not-a-release-file.txt": 5}, True)
    log = _log()
    got = rdflib.Graph().parse(data=release_ntriples(d, Iris(BASE), log), format="nt")
    _same(got, _expected(d, log))


def test_the_turtle_oxigraph_writes_parses_to_the_same_triples() -> None:
    d = Description("2026-12-04.2", "build", "2026-12-04T03:47:19+00:00", "2026-12-04.1", 1000,
                    {"evrdf.ttl": 1234}, True)
    log = _log()
    turtle = ox.serialize(ox.parse(release_ntriples(d, Iris(BASE), log), format=ox.RdfFormat.N_TRIPLES),
                          format=ox.RdfFormat.TURTLE, prefixes=prefixes(Iris(BASE)))
    assert turtle is not None and turtle.startswith(b"@prefix ")
    _same(rdflib.Graph().parse(data=turtle, format="turtle"), _expected(d, log))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("release-rdf") / "store"
    build(Settings(store=store, sources=SOURCES), reason=False)
    return store


def test_a_builds_release_ttl_is_its_part_of_the_metadata_graph(built: Path) -> None:
    """release.ttl (read by rdflib) holds what the metadata graph says about the release's changelog, and the
    metadata graph says everything release.ttl says about the release (but the file sizes, which the graph
    descriptions give as xsd:integer)."""
    record = ReleaseIndex(built).current()
    assert record is not None
    path = record.file("release.ttl")
    assert path is not None
    own = rdflib.Graph().parse(path, format="turtle")
    node = str(Iris(BASE).release(record.id))
    assert len(set(own.subjects(RDF.type, EVC.FindingChange))) > 0  # a first build: every finding added
    dump = ox.Store()
    dump.bulk_load(path=str(record.file("evrdf.nq")), format=ox.RdfFormat.N_QUADS)
    metadata = ox.NamedNode(BASE + "graph/metadata")
    described = rdflib.Graph().parse(data=b"".join(
        f"{q.subject} {q.predicate} {q.object} .\n".encode() for q in dump.quads_for_pattern(None, None, None, metadata)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(node)), format="nt")
    changelog = rdflib.Graph()
    for triple in described:
        if str(triple[0]).startswith(node + "#"):
            changelog.add(triple)
    assert len(changelog) > len(own) / 2
    _same(changelog, own.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), '{node}#') }}")
          .graph)
    assert {t for t in own if t[1] != DCAT.byteSize} <= set(described)

