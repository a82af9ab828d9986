"""SHACL Core as the SPARQL compiler (validate/compile.py) reads it: which sh: parameters are constraint
components and which only come with one (SHACL 1.0, section 4), the node kinds and datatypes SPARQL can test,
and property paths (section 2.3.1) written in SPARQL property path syntax."""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from evrdf.errors import SourceError

TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
COMPONENTS = {  # constraint parameter -> component local name (SHACL 1.0, section 4)
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH.minCount: "MinCount",
    SH.maxCount: "MaxCount", SH.minExclusive: "MinExclusive", SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive", SH.maxInclusive: "MaxInclusive", SH.minLength: "MinLength",
    SH.maxLength: "MaxLength", SH.pattern: "Pattern", SH.languageIn: "LanguageIn", SH.uniqueLang: "UniqueLang",
    SH.equals: "Equals", SH.disjoint: "Disjoint", SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals", SH["not"]: "Not", SH["and"]: "And", SH["or"]: "Or", SH.xone: "Xone",
    SH.node: "Node", SH.qualifiedValueShape: "QualifiedValueShape", SH.closed: "Closed", SH.hasValue: "HasValue",
    SH["in"]: "In",
}
# sh: predicates that are not constraints of their own: targets, the path, the parameters that come with another
# (flags with pattern, ignoredProperties with closed, the qualified counts), and non-validating properties
COMPANIONS = TARGETS | {SH.path, SH.property, SH.sparql, SH.severity, SH.message, SH.deactivated, SH.name,
                        SH.description, SH.order, SH.group, SH.defaultValue, SH.flags, SH.ignoredProperties,
                        SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
                        SH.declare, SH.prefixes}
NODE_KINDS: dict[Node, str] = {SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
              SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
              SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))"}
# datatypes whose lexical forms SPARQL (Oxigraph) can check by casting: an ill-formed literal fails sh:datatype
# (4.1.2); the integer types derived from xsd:integer by range are checked as integers within that range
CASTABLE = {XSD[t] for t in ("string", "boolean", "integer", "decimal", "float", "double", "dateTime", "date",
                             "time", "duration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay",
                             "dayTimeDuration", "yearMonthDuration")}
INTEGER_RANGES: dict[Node, tuple[int | None, int | None]] = {XSD[t]: bounds for t, bounds in {
    "long": (-(2 ** 63), 2 ** 63 - 1), "int": (-(2 ** 31), 2 ** 31 - 1), "short": (-32768, 32767),
    "byte": (-128, 127), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "unsignedLong": (0, 2 ** 64 - 1),
    "unsignedInt": (0, 2 ** 32 - 1), "unsignedShort": (0, 65535), "unsignedByte": (0, 255)}.items()}
RANGE_OPERATORS: dict[Node, str] = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=",
                                 SH.maxExclusive: "<"}


def path_text(graph: Graph, node: Node) -> str:
    """A SHACL property path (section 2.3.1) in SPARQL property path syntax.

    >>> g = Graph(); p = URIRef("http://e/p"); b = BNode(); _ = g.add((b, SH.inversePath, p))
    >>> path_text(g, p), path_text(g, b)
    ('<http://e/p>', '^(<http://e/p>)')
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        if (node, RDF.first, None) in graph:
            members = list(Collection(graph, node))
            if len(members) < 2:
                raise SourceError("shapes", f"a sequence path needs at least two members: _:{node}")
            return "(" + " / ".join(path_text(graph, m) for m in members) + ")"
        for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = graph.value(node, predicate)
            if inner is not None:
                return f"({path_text(graph, inner)}){suffix}"
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return f"^({path_text(graph, inverse)})"
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + " | ".join(path_text(graph, m) for m in Collection(graph, alternatives)) + ")"
    raise SourceError("shapes", f"{n3(node)} is not a SHACL property path")


def n3(node: Node) -> str:
    return node.n3() if hasattr(node, "n3") else repr(node)
