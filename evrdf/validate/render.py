"""Reports as text (for people), JSON, Turtle/JSON-LD (sh:ValidationReport) and JUnit XML (for CI systems).
Results are already in a deterministic order, and RDF result nodes are named by content, so two reports diff
cleanly."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from itertools import groupby

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node
from rdflib.util import from_n3

from evrdf.validate.report import Report, Result

FORMATS = ("text", "json", "ttl", "jsonld", "junit")
MEDIA_TYPES = {"text": "text/plain", "json": "application/json", "ttl": "text/turtle",
               "jsonld": "application/ld+json", "junit": "application/xml"}


def render(report: Report, fmt: str, base_iri: str = "https://w3id.org/evrdf/") -> str:
    if fmt == "text":
        return text(report)
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("ttl", "jsonld"):
        graph = report_graph(report, base_iri)
        return graph.serialize(format="turtle" if fmt == "ttl" else "json-ld", auto_compact=True)
    if fmt == "junit":
        return junit(report)
    raise ValueError(f"unknown report format {fmt!r} (use {', '.join(FORMATS)})")


def _short(term: str | None) -> str:
    if term is None:
        return ""
    return term[1:-1] if term.startswith("<") and term.endswith(">") else term


def text(report: Report) -> str:
    """Grouped by severity, then shape; each result with focus node, path, value, message and source row."""
    status = "conforms" if report.conforms else "DOES NOT CONFORM"
    counts = ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in report.counts.items())
    lines = [f"validation {status} (fail on {report.fail_on.value.lower()}): {counts}",
             f"  data: {report.data or '-'} ({report.triples} triples); engine {report.engine}; "
             f"{report.seconds:.2f} s"]
    for (severity, shape), group in groupby(report.results, key=lambda r: (r.severity, r.shape)):
        items = list(group)
        lines.append("")
        lines.append(f"{severity.value.upper()} {shape} ({len(items)})")
        for result in items:
            where = f"{result.source_row}: " if result.source_row else ""
            lines.append(f"  {where}{_short(result.focus)}")
            if result.path:
                lines.append(f"    path:    {_short(result.path)}")
            if result.value and result.value != result.focus:
                lines.append(f"    value:   {_short(result.value)}")
            lines.append(f"    message: {result.message}")
    return "\n".join(lines) + "\n"


def result_iri(result: Result, base_iri: str) -> URIRef:
    return URIRef(f"{base_iri}validation/result/{result.identity}")


def add_results(graph: Graph, node: URIRef, report: Report, base_iri: str) -> None:
    """sh:ValidationReport triples (SHACL 1.0, section 3.6) for ``report`` on ``node``."""
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    source_row = URIRef(base_iri + "ontology/sourceRow")
    for result in report.results:
        item = result_iri(result, base_iri)
        graph.add((node, SH.result, item))
        graph.add((item, RDF.type, SH.ValidationResult))
        graph.add((item, SH.resultSeverity, URIRef(result.severity.iri)))
        graph.add((item, SH.sourceShape, URIRef(result.shape)))
        graph.add((item, SH.focusNode, _term(result.focus)))
        graph.add((item, SH.resultMessage, Literal(result.message)))
        if result.component:
            graph.add((item, SH.sourceConstraintComponent, URIRef(result.component)))
        if result.path:
            graph.add((item, SH.resultPath, path_node(graph, result.path)))
        if result.value:
            graph.add((item, SH.value, _term(result.value)))
        if result.source_row:
            graph.add((item, source_row, Literal(result.source_row)))



def _term(text: str) -> Node:
    """An N3 term (``<iri>``, ``_:b``, a literal) as rdflib reads it; from_n3 may also hand back a plain str."""
    node = from_n3(text)
    if not isinstance(node, Node):
        raise ValueError(f"not an RDF term in N3: {text!r}")
    return node


def report_graph(report: Report, base_iri: str) -> Graph:
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("evo", base_iri + "ontology/")
    graph.bind("evs", base_iri + "shapes/")
    graph.bind("xsd", XSD)
    add_results(graph, URIRef(base_iri + "validation/report"), report, base_iri)
    return graph


def junit(report: Report) -> str:
    """One test case per shape; each result of a failing severity is a <failure>, the rest go to system-out."""
    suite = ET.Element("testsuite", name="evrdf SHACL validation", time=f"{report.seconds:.3f}")
    failures = 0
    cases = 0
    for shape, group in groupby(sorted(report.results, key=lambda r: (r.shape, r.key)), key=lambda r: r.shape):
        items = list(group)
        case = ET.SubElement(suite, "testcase", classname="evrdf.shapes", name=shape)
        cases += 1
        failing = [r for r in items if r.severity.rank <= report.fail_on.rank]
        detail = "\n".join(f"{r.severity.value}: {r.source_row + ': ' if r.source_row else ''}{_short(r.focus)}"
                           f"{' ' + _short(r.path) if r.path else ''}"
                           f"{' = ' + _short(r.value) if r.value and r.value != r.focus else ''}: {r.message}"
                           for r in items)
        if failing:
            failures += 1
            failure = ET.SubElement(case, "failure", type=failing[0].severity.value,
                                    message=f"{len(failing)} result(s): {failing[0].message}")
            failure.text = detail
        else:
            ET.SubElement(case, "system-out").text = detail
    if not report.results:
        ET.SubElement(suite, "testcase", classname="evrdf.shapes", name="all shapes")
        cases = 1
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def path_node(graph: Graph, text: str) -> Node:
    """A result path written as shacl_core.path_text writes it (``<iri>``, ``^(p)``, ``(a / b)``, ``(a | b)``,
    ``(p)*``, ``(p)+``, ``(p)?``) as the SHACL path structure (SHACL 1.0, 2.3.1), added to ``graph``.

    >>> g = Graph(); node = path_node(g, "^(<http://e/p>)")
    >>> str(g.value(node, SH.inversePath))
    'http://e/p'
    """
    from rdflib import BNode
    from rdflib.collection import Collection

    text = text.strip()
    if text.startswith("<") and text.endswith(">") and text.count("<") == 1:
        return _term(text)
    if text.startswith("^(") and text.endswith(")"):
        node = BNode()
        graph.add((node, SH.inversePath, path_node(graph, text[2:-1])))
        return node
    if text.endswith((")*", ")+", ")?")) and _closing(text, 0) == len(text) - 2:
        node = BNode()
        predicate = {"*": SH.zeroOrMorePath, "+": SH.oneOrMorePath, "?": SH.zeroOrOnePath}[text[-1]]
        graph.add((node, predicate, path_node(graph, text[1:-2])))
        return node
    if text.startswith("(") and _closing(text, 0) == len(text) - 1:
        inner = text[1:-1]
        for separator, alternative in ((" | ", True), (" / ", False)):
            parts = _split(inner, separator)
            if len(parts) > 1:
                members = [path_node(graph, part) for part in parts]
                head = BNode()
                Collection(graph, head, members)
                if not alternative:
                    return head
                node = BNode()
                graph.add((node, SH.alternativePath, head))
                return node
        return path_node(graph, inner)
    return _term(text)


def _closing(text: str, start: int) -> int:
    depth, i = 0, start
    while i < len(text):
        if text[i] == "<":  # an IRI may hold parentheses
            i = text.index(">", i) + 1
            continue
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _split(text: str, separator: str) -> list[str]:
    parts, depth, current, i = [], 0, "", 0
    while i < len(text):
        if text[i] == "<":
            end = text.index(">", i) + 1
            current, i = current + text[i:end], end
            continue
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
        if depth == 0 and text.startswith(separator, i):
            parts.append(current)
            current, i = "", i + len(separator)
            continue
        current += text[i]
        i += 1
    return parts + [current]

