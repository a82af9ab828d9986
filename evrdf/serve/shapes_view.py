"""The /shapes page: each shape by name (sh:name, rdfs:label, else its IRI's local name), what it targets, and
each constraint with its property path, its kind, its severity and its message. SPARQL constraints are blank
nodes: they are shown under the shape that owns them, never by their blank-node ids."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from evrdf.natural import natural_key

TARGETS = {SH.targetClass: "instances of", SH.targetSubjectsOf: "subjects of", SH.targetObjectsOf: "objects of",
           SH.targetNode: "the node"}
PARAMETERS = (SH.datatype, SH.nodeKind, SH["class"], SH.minCount, SH.maxCount, SH.pattern, SH.minExclusive,
              SH.maxExclusive, SH.minInclusive, SH.maxInclusive, SH.lessThan, SH.lessThanOrEquals, SH.equals,
              SH.disjoint, SH["in"], SH.hasValue, SH.uniqueLang, SH.languageIn, SH.minLength, SH.maxLength,
              SH.node, SH.qualifiedValueShape)


@dataclass
class Constraint:
    name: str
    path: str
    checks: list[str]
    severity: str
    message: str


@dataclass
class ShapeView:
    anchor: str
    name: str
    iri: str
    targets: list[str]
    label: str = ""
    constraints: list[Constraint] = field(default_factory=list)


class _Names:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.prefixes = sorted(((str(ns), p) for p, ns in graph.namespaces() if p), key=lambda x: -len(x[0]))

    def curie(self, node: object) -> str:
        if isinstance(node, URIRef):
            text = str(node)
            for namespace, prefix in self.prefixes:
                if text.startswith(namespace) and text != namespace:
                    return f"{prefix}:{text[len(namespace):]}"
            return f"<{text}>"
        if isinstance(node, Literal):
            return f'"{node}"' if node.datatype is None or isinstance(node.value, str) else str(node)
        if isinstance(node, BNode) and (node, RDF.first, None) in self.graph:
            return "(" + " ".join(self.curie(n) for n in Collection(self.graph, node)) + ")"
        return "[…]"

    def path(self, node: object) -> str:
        """A SHACL property path written as a SPARQL property path."""
        g = self.graph
        if isinstance(node, URIRef):
            return self.curie(node)
        if not isinstance(node, BNode):
            return ""
        if (node, RDF.first, None) in g:
            return "/".join(self.path(n) for n in Collection(g, node))
        for predicate, form in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"),
                                (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
            inner = g.value(node, predicate)
            if inner is not None:
                return form.format(self.path(inner))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(n) for n in Collection(g, alternatives)) + ")"
        return "[…]"


def shape_views(graph: Graph) -> list[ShapeView]:
    """Node shapes (and property shapes no node shape owns) in natural order of their names, each with its
    constraints: its own property shapes, its SPARQL constraints and the parameters it states itself."""
    names = _Names(graph)
    owned = {ps for ps in graph.objects(None, SH.property)}
    roots = {s for s in graph.subjects(RDF.type, SH.NodeShape)}
    roots |= {s for s in graph.subjects(RDF.type, SH.PropertyShape) if s not in owned}
    roots |= {s for s in graph.subjects(SH.sparql, None)} - owned
    views = []
    for shape in roots:
        iri = str(shape) if isinstance(shape, URIRef) else ""
        local = _local(iri) if iri else "shape"
        name = str(graph.value(shape, SH.name) or graph.value(shape, RDFS.label) or local)
        targets = sorted(f"{title} {names.curie(o)}" for p, title in TARGETS.items() for o in graph.objects(shape, p))
        view = ShapeView(anchor=local, name=name, iri=iri, targets=targets,
                         label=local if name != local else "")
        own = _constraint(graph, names, shape, shape)
        if own is not None:
            view.constraints.append(own)
        for part in sorted(graph.objects(shape, SH.property), key=lambda n: natural_key(str(n))):
            constraint = _constraint(graph, names, part, shape)
            if constraint is not None:
                view.constraints.append(constraint)
        for holder in (shape, *graph.objects(shape, SH.property)):
            for sparql in graph.objects(holder, SH.sparql):
                view.constraints.append(Constraint(
                    name=str(graph.value(sparql, SH.name) or "SPARQL constraint"),
                    path=names.path(graph.value(holder, SH.path)) if holder != shape else "",
                    checks=["SPARQL SELECT"],
                    severity=_severity(graph, sparql, holder, shape),
                    message=str(graph.value(sparql, SH.message) or graph.value(holder, SH.message) or "")))
        views.append(view)
    return sorted(views, key=lambda v: (natural_key(v.name), v.iri))


def _constraint(graph: Graph, names: _Names, node: Node, shape: Node) -> Constraint | None:
    """The core constraint a shape or property shape states itself (None when it states none)."""
    checks = [f"{_local(str(p))} {names.curie(o)}" for p in PARAMETERS for o in graph.objects(node, p)]
    path = names.path(graph.value(node, SH.path))
    if not checks and not (path and graph.value(node, SH.message)):
        return None
    iri = str(node) if isinstance(node, URIRef) else ""
    name = str(graph.value(node, SH.name) or graph.value(node, RDFS.label) or (_local(iri) if iri else path))
    return Constraint(name=name, path=path, checks=checks, severity=_severity(graph, node, shape),
                      message=str(graph.value(node, SH.message) or ""))


def _severity(graph: Graph, *nodes: Node) -> str:
    for node in nodes:
        value = graph.value(node, SH.severity)
        if value is not None:
            return _local(str(value))
    return "Violation"


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
