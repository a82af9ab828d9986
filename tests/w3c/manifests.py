"""Reading the W3C test manifests (the DAWG/SPARQL and SHACL test-manifest vocabulary) into plain entries.

A manifest is Turtle: ``<> mf:entries ( :t1 :t2 ... )`` or ``mf:include``s of other manifests; each entry has a type
(mf:QueryEvaluationTest, mf:PositiveSyntaxTest11, sht:Validate, ...), a name, an approval and an action. File
IRIs are resolved against the manifest's own location, so the files are the vendored ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

HERE = Path(__file__).resolve().parent
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")


@dataclass
class Entry:
    id: str  # where it is: the manifest's folder under tests/w3c and the entry's local name
    iri: str
    kind: str  # the local name of its rdf:type
    name: str
    manifest: Path
    approval: str = ""  # local name of dawgt:approval (Approved, NotClassified, Withdrawn, ...)
    query: Path | None = None
    data: list[Path] = field(default_factory=list)
    graph_data: list[Path] = field(default_factory=list)
    result: Path | None = None
    lax: bool = False  # mf:resultCardinality mf:LaxCardinality (REDUCED: any count between DISTINCT and all)
    requires: list[str] = field(default_factory=list)
    node: rdflib.term.Node | None = None  # for suites with richer actions (SHACL)
    graph: rdflib.Graph | None = None


def path_of(iri: rdflib.term.Node) -> Path:
    parsed = urlparse(str(iri))
    if parsed.scheme != "file":
        raise ValueError(f"not a vendored file: {iri}")
    return Path(unquote(parsed.path))


def local(iri: object) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def read(manifest: Path) -> list[Entry]:
    """Every entry of ``manifest`` and of the manifests it includes, in manifest order."""
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    root = rdflib.URIRef(manifest.resolve().as_uri())
    entries: list[Entry] = []
    for included in graph.objects(root, MF.include):
        members = list(Collection(graph, included)) if (included, RDF.first, None) in graph else [included]
        for member in members:
            entries.extend(read(path_of(member)))
    for listed in graph.objects(root, MF.entries):
        for node in Collection(graph, listed):
            entries.append(_entry(graph, node, manifest))
    return entries


def _entry(graph: rdflib.Graph, node: rdflib.term.Node, manifest: Path) -> Entry:
    where = manifest.resolve().parent.relative_to(HERE).as_posix()
    kind = local(graph.value(node, RDF.type))
    entry = Entry(f"{where}#{local(node)}", str(node), kind, str(graph.value(node, MF.name) or local(node)),
                  manifest, local(graph.value(node, DAWGT.approval) or ""), node=node, graph=graph)
    action = graph.value(node, MF.action)
    if action is not None and kind.endswith(("SyntaxTest", "SyntaxTest11")):
        entry.query = path_of(action)
    elif action is not None and (action, QT.query, None) in graph:
        entry.query = path_of(graph.value(action, QT.query))
        entry.data = sorted(path_of(d) for d in graph.objects(action, QT.data))
        entry.graph_data = sorted(path_of(d) for d in graph.objects(action, QT.graphData))
    result = graph.value(node, MF.result)
    if result is not None and isinstance(result, rdflib.URIRef):
        entry.result = path_of(result)
    entry.lax = graph.value(node, MF.resultCardinality) == MF.LaxCardinality
    entry.requires = sorted(local(r) for r in graph.objects(node, MF.requires))
    if not entry.name and (node, RDFS.label, None) in graph:
        entry.name = str(graph.value(node, RDFS.label))
    return entry
