"""Running one W3C SHACL Core test (sht:Validate) on evrdf's compiled engine and on pySHACL, and reading the
expected validation report, all in one comparable form.

A test file is its own manifest, data graph and shapes graph (``sht:dataGraph <>``), or names separate files. The
whole file is parsed once with rdflib, so the blank nodes the expected report names (``sh:value _:b61065``) are the
very nodes of the data. A result is compared on what SHACL 1.0 section 3.6 defines: focus node, path (complex
paths by their structure), value, severity, source constraint component and source shape; messages are free text.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from evrdf.validate.engines import term_text
from tests.w3c.manifests import MF, SHT, Entry, path_of

Problem = tuple[str, str, str, str, str, str]  # focus, path, value, severity, component, shape


@dataclass
class Expected:
    failure: bool  # sht:Failure: the shapes graph is ill-formed and validation must fail
    conforms: bool
    results: list[Problem]


_GRAPHS: dict[Path, rdflib.Graph] = {}


def graph_of(path: Path) -> rdflib.Graph:
    """A test file, literals exactly as written (evrdf's own shapes reader), parsed once: the expected report
    and the data share their blank nodes."""
    from evrdf.validate.shapes import read_exactly

    path = path.resolve()
    if path not in _GRAPHS:
        _GRAPHS[path] = read_exactly(path.read_text(encoding="utf-8"), path)
    return _GRAPHS[path]


def graphs(entry: Entry) -> tuple[rdflib.Graph, rdflib.Graph]:
    own = graph_of(entry.manifest)
    action = own.value(rdflib.URIRef(entry.iri), MF.action)
    return graph_of(path_of(own.value(action, SHT.dataGraph))), graph_of(path_of(own.value(action, SHT.shapesGraph)))


def path_text(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str:
    """A SHACL property path (SHACL 1.0, 2.3.1) as SPARQL path syntax, the same for both sides."""
    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        return "(" + " / ".join(path_text(graph, n) for n in Collection(graph, node)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, predicate)
        if inner is not None:
            return f"({path_text(graph, inner)}){suffix}"
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^({path_text(graph, inverse)})"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(path_text(graph, n) for n in Collection(graph, alternatives)) + ")"
    return f"_:{node}"


def shape_id(node: rdflib.term.Node) -> str:
    return str(node) if isinstance(node, rdflib.URIRef) else f"_:{node}"


def expected(entry: Entry) -> Expected:
    graph, node = graph_of(entry.manifest), rdflib.URIRef(entry.iri)
    report = graph.value(node, MF.result)
    if report == SHT.Failure:
        return Expected(True, False, [])
    conforms = bool(graph.value(report, SH.conforms).toPython())  # type: ignore[union-attr]
    results = []
    for result in graph.objects(report, SH.result):
        value = graph.value(result, SH.value)
        results.append((term_text(graph.value(result, SH.focusNode)), path_text(graph, graph.value(result, SH.resultPath)),
                        term_text(value) if value is not None else "", str(graph.value(result, SH.resultSeverity)),
                        str(graph.value(result, SH.sourceConstraintComponent)),
                        shape_id(graph.value(result, SH.sourceShape))))
    return Expected(False, conforms, sorted(results))


def _store(data: rdflib.Graph) -> ox.Store:
    """The data graph in Oxigraph, blank nodes keeping their rdflib ids (the report names them)."""
    def convert(t: rdflib.term.Node) -> object:
        if isinstance(t, rdflib.URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, rdflib.BNode):
            return ox.BlankNode(str(t))
        if t.language:  # type: ignore[union-attr]
            return ox.Literal(str(t), language=t.language)  # type: ignore[union-attr]
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)) if t.datatype else None)  # type: ignore
    store = ox.Store()
    graph = ox.NamedNode("urn:evrdf:test:data")
    store.extend(ox.Quad(convert(s), convert(p), convert(o), graph) for s, p, o in data)  # type: ignore[arg-type]
    return store


def run_evrdf(entry: Entry) -> list[Problem]:
    """evrdf's compiled engine (SHACL → SPARQL on Oxigraph); raises SourceError where it refuses a feature."""
    from evrdf.validate.engines import oxigraph_engine

    data, shapes = graphs(entry)
    results = oxigraph_engine(_store(data), shapes)
    return sorted((r.focus, _result_path(shapes, r.path), r.value or "", r.severity.iri, r.component, r.shape)
                  for r in results)


def _result_path(shapes: rdflib.Graph, path: str | None) -> str:
    """The engine writes result paths as SPARQL path text already (compile.path_text, the same form)."""
    return path or ""


NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("integer", "decimal", "float", "double")}


def canonical(problem: Problem) -> Problem:
    """Numeric literals by value: Oxigraph keeps numbers in canonical form ("4.0"^^xsd:decimal is read back as
    "4"^^xsd:decimal), the same literal value, another lexical form. Every other term is compared as it is."""
    return tuple(_number(part) for part in problem)  # type: ignore[return-value]


def _number(text: str) -> str:
    from decimal import Decimal, InvalidOperation

    if text.startswith('"') and "^^<" in text:
        lexical, datatype = text[1:].rsplit('"^^<', 1)
        if datatype[:-1] in NUMERIC:
            try:
                return f"{Decimal(lexical).normalize()}^^<{datatype}"
            except InvalidOperation:
                return text
    return text


def same_results(want: list[Problem], got: list[Problem]) -> bool:
    """As sets: evrdf's report holds each distinct result once (a focus node reached by two paths, or two
    duplicated language tags, is one result there; the suite's reports may list it twice)."""
    return {canonical(p) for p in want} == {canonical(p) for p in got}


def run_pyshacl(entry: Entry) -> tuple[bool, list[Problem]]:
    """pySHACL, the reference (inference off, as evrdf runs it)."""
    from pyshacl import validate

    data, shapes = graphs(entry)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", abort_on_first=False,
                                       allow_infos=True, allow_warnings=True, advanced=False)
    results = []
    for result in report.objects(None, SH.result):  # the report's own results (not nested sh:detail ones)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        results.append((term_text(report.value(result, SH.focusNode)), path_text(report, path) if path is not None else "",
                        term_text(value) if value is not None else "", str(report.value(result, SH.resultSeverity)),
                        str(report.value(result, SH.sourceConstraintComponent)),
                        shape_id(report.value(result, SH.sourceShape))))
    return not results, sorted(results)  # SHACL 3.6.1: conforms when there is no result of any severity
