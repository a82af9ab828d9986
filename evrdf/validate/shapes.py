"""The shapes: every Turtle file in shapes/ (or --shapes DIR), rebased to the configured base IRI."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from evrdf.errors import SourceError
from evrdf.iris import Iris


def default_shapes_dir() -> Path:
    """The checkout's shapes/ folder, else the copy packaged in the wheel."""
    here = Path(__file__).resolve().parents[1]
    checkout = here.parent / "shapes"
    return checkout if checkout.is_dir() else here / "_data" / "shapes"


def shape_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise SourceError(directory, "shapes directory not found")
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise SourceError(directory, "no shapes (*.ttl) in this directory")
    return files


def load_shapes(directory: Path | None = None, base_iri: str | None = None) -> Graph:
    """All shape files merged into one graph; a Turtle error names its file (and line when rdflib gives it).

    Parsed once per (files, modification times, base IRI) and shared: the service validates and serves the
    same shapes on every request. Callers must not change the graph they get.
    """
    files = shape_files(directory or default_shapes_dir())
    return _load(tuple((path, path.stat().st_mtime_ns) for path in files), base_iri)


@lru_cache(maxsize=8)
def _load(files: tuple[tuple[Path, int], ...], base_iri: str | None) -> Graph:
    iris = Iris(base_iri) if base_iri else Iris()
    graph = Graph()
    graph.bind("sh", "http://www.w3.org/ns/shacl#")
    graph.bind("evs", iris.base + "shapes/")
    graph.bind("evo", iris.vocab)
    for path, _ in files:
        read_exactly(iris.rebase(path.read_text(encoding="utf-8")), path, graph)
    return graph


def read_exactly(text: str, path: Path, graph: Graph | None = None) -> Graph:
    """Turtle into an rdflib graph with every literal exactly as written: parsed by Oxigraph, not rdflib, whose
    literal normalisation would turn ``sh:uniqueLang "1"^^xsd:boolean`` (which SHACL ignores: only true
    activates it) into true. Blank nodes are the document's own; the file's prefixes are kept."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    graph = graph if graph is not None else Graph()

    def term(node: object) -> Node:
        if isinstance(node, ox.NamedNode):
            return URIRef(node.value)
        if isinstance(node, ox.BlankNode):
            return BNode(node.value)
        assert isinstance(node, ox.Literal)
        if node.language:
            return Literal(node.value, lang=node.language, normalize=False)
        datatype = None if node.datatype.value == str(XSD.string) else URIRef(node.datatype.value)
        return Literal(node.value, datatype=datatype, normalize=False)

    parser = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(), rename_blank_nodes=True)
    try:
        for quad in parser:
            graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    except SyntaxError as exc:
        raise SourceError(path, f"Turtle syntax error in shapes: {exc.msg}", line=exc.lineno) from None
    for prefix, namespace in parser.prefixes.items():
        if prefix not in dict(graph.namespaces()):
            graph.bind(prefix, namespace)
    return graph
