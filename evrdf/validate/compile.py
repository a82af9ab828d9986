"""SHACL shapes → SPARQL SELECT queries, one per constraint, that return the focus nodes (and value nodes)
violating it. Follows SHACL 1.0 (https://www.w3.org/TR/shacl/): targets (section 2.1.3), the Core constraint
components evrdf's shapes use (section 4) and SPARQL-based constraints (section 5, pre-binding of $this done by
joining the target pattern in front of the constraint's own pattern).

A shape that uses anything outside this subset is refused with a clear error rather than skipped, so the fast
engine never silently checks less than pySHACL.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from evrdf.errors import SourceError
from evrdf.validate.report import Severity

TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
CORE = {SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.pattern, SH["in"], SH.hasValue, SH["class"],
        SH.lessThanOrEquals, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
IGNORED = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.severity, SH.message, SH.path,
           SH.flags, SH.property, SH.sparql, SH.deactivated, SH.order, SH.group} | TARGETS
COMPONENTS = {SH.minCount: "MinCount", SH.maxCount: "MaxCount", SH.datatype: "Datatype", SH.nodeKind: "NodeKind",
              SH.pattern: "Pattern", SH["in"]: "In", SH.hasValue: "HasValue", SH["class"]: "Class",
              SH.lessThanOrEquals: "LessThanOrEquals", SH.minInclusive: "MinInclusive",
              SH.maxInclusive: "MaxInclusive", SH.minExclusive: "MinExclusive", SH.maxExclusive: "MaxExclusive"}
NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)", SH.BlankNode: "isBlank(?value)",
              SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
              SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
              SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))"}


@dataclass(frozen=True)
class Check:
    """One constraint as a query: each solution is a result, ?this its focus node, ?value its value node."""

    shape: str
    severity: Severity
    message: str
    component: str
    path: str | None
    query: str
    node_shape: bool  # a node-level SPARQL constraint: the value defaults to the focus node (as pySHACL does)


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every active constraint of every shape, in a stable order (compiled once per shapes graph object)."""
    cached = _COMPILED.get(shapes)
    if cached is None:
        cached = _COMPILED[shapes] = _compile(shapes)
    return list(cached)


_COMPILED: "weakref.WeakKeyDictionary[Graph, list[Check]]" = weakref.WeakKeyDictionary()


def _compile(shapes: Graph) -> list[Check]:
    parents: dict[URIRef | BNode, list[URIRef | BNode]] = {}
    for node_shape, prop in shapes.subject_objects(SH.property):
        parents.setdefault(prop, []).append(node_shape)  # type: ignore[arg-type]
    candidates = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    candidates |= set(parents) | {s for p in TARGETS for s in shapes.subjects(p, None)}
    candidates |= set(shapes.subjects(SH.sparql, None))
    checks: list[Check] = []
    for shape in sorted(candidates, key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        checks.extend(_compile_shape(shapes, shape, parents))  # type: ignore[arg-type]
    return checks


def _where(shapes: Graph, shape: URIRef | BNode) -> SourceError:
    return SourceError("shapes", f"shape {shape.n3()} cannot be compiled to SPARQL")


def _targets(shapes: Graph, shape: URIRef | BNode, parents: dict) -> list[str]:
    patterns: list[str] = []
    for cls in shapes.objects(shape, SH.targetClass):
        patterns.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} .")
    for node in shapes.objects(shape, SH.targetNode):
        patterns.append(f"VALUES ?this {{ {node.n3()} }}")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        patterns.append(f"?this {prop.n3()} ?target_o .")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        patterns.append(f"?target_s {prop.n3()} ?this .")
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        raise SourceError("shapes", f"{shape.n3()}: implicit class targets are not supported; use sh:targetClass")
    for parent in parents.get(shape, []):
        patterns.extend(_targets(shapes, parent, parents))
    return patterns


def _target_block(patterns: list[str]) -> str:
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join("{ " + p + " }" for p in patterns) + " } }"


def _compile_shape(shapes: Graph, shape: URIRef | BNode, parents: dict) -> list[Check]:
    for predicate in set(shapes.predicates(shape, None)):
        if not str(predicate).startswith(str(SH)):  # not a SHACL parameter: an annotation (SHACL 1.0, 2.1)
            continue
        if predicate not in IGNORED and predicate not in CORE:
            raise SourceError("shapes", f"{shape.n3()} uses {predicate.n3()}, which the SPARQL engine does not "
                                        "support (use pySHACL: --engine pyshacl)")
    patterns = _targets(shapes, shape, parents)
    if not patterns:
        return []
    targets = _target_block(patterns)
    severity = Severity.parse(str(shapes.value(shape, SH.severity) or SH.Violation))
    message = _message(shapes, shape)
    name = str(shape) if isinstance(shape, URIRef) else f"_:{shape}"
    path_node = shapes.value(shape, SH.path)
    checks: list[Check] = []
    if path_node is not None:
        path = _path(shapes, shape, path_node)
        flags = shapes.value(shape, SH.flags)
        for constraint in sorted(CORE, key=str):
            for parameter in shapes.objects(shape, constraint):
                query = _core_query(shapes, constraint, parameter, path, targets, flags)
                checks.append(Check(name, severity, message or f"{COMPONENTS[constraint]} constraint not met",
                                    f"{SH}{COMPONENTS[constraint]}ConstraintComponent", str(path_node), query,
                                    False))
    for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
        if path_node is not None:
            raise SourceError("shapes", f"{shape.n3()}: SPARQL constraints on property shapes are not supported")
        checks.append(_sparql_check(shapes, shape, constraint, name, severity, targets))  # type: ignore[arg-type]
    return checks


def _message(shapes: Graph, node: URIRef | BNode) -> str:
    messages = sorted(str(m) for m in shapes.objects(node, SH.message))
    return messages[0] if messages else ""


def _path(shapes: Graph, shape: URIRef | BNode, path: object) -> str:
    if isinstance(path, URIRef):
        return path.n3()
    inverse = shapes.value(path, SH.inversePath)  # type: ignore[arg-type]
    if isinstance(inverse, URIRef):
        return f"^{inverse.n3()}"
    raise SourceError("shapes", f"{shape.n3()}: only predicate and inverse paths are supported")


def _core_query(shapes: Graph, constraint: URIRef, parameter: object, path: str, targets: str,
                flags: object) -> str:
    """SHACL 1.0 section 4: each Core component as the pattern of its violations."""
    value = f"?this {path} ?value ."
    if constraint == SH.minCount:
        return (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {targets} "
                f"OPTIONAL {{ {value} }} }} GROUP BY ?this }} FILTER(?n < {int(parameter)}) }}")  # type: ignore
    if constraint == SH.maxCount:
        return (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {targets} "
                f"{value} }} GROUP BY ?this }} FILTER(?n > {int(parameter)}) }}")  # type: ignore
    if constraint == SH.hasValue:
        return f"SELECT ?this WHERE {{ {targets} FILTER NOT EXISTS {{ ?this {path} {parameter.n3()} }} }}"  # type: ignore
    if constraint == SH.datatype:
        test = f"(isLiteral(?value) && sameTerm(DATATYPE(?value), {parameter.n3()}))"  # type: ignore
    elif constraint == SH.nodeKind:
        test = NODE_KINDS[parameter]  # type: ignore[index]
    elif constraint == SH.pattern:
        flag_text = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        test = f"(!isBlank(?value) && REGEX(STR(?value), {Literal(str(parameter)).n3()}{flag_text}))"
    elif constraint == SH["in"]:
        members = " ".join(m.n3() for m in Collection(shapes, parameter))  # type: ignore[arg-type]
        return (f"SELECT ?this ?value WHERE {{ {targets} {value} FILTER NOT EXISTS {{ VALUES ?member {{ {members} }} "
                "FILTER(sameTerm(?value, ?member)) } }")
    elif constraint == SH["class"]:
        return (f"SELECT ?this ?value WHERE {{ {targets} {value} FILTER NOT EXISTS {{ ?value <{RDF.type}>/"
                f"<{RDFS.subClassOf}>* {parameter.n3()} }} }}")  # type: ignore[union-attr]
    elif constraint == SH.lessThanOrEquals:
        return (f"SELECT ?this ?value WHERE {{ {targets} {value} ?this {parameter.n3()} ?other . "  # type: ignore
                "FILTER(!COALESCE(?value <= ?other, false)) }")
    else:
        operator = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                    SH.maxExclusive: "<"}[constraint]
        test = f"COALESCE(?value {operator} {parameter.n3()}, false)"  # type: ignore[union-attr]
    return f"SELECT ?this ?value WHERE {{ {targets} {value} FILTER(!{test}) }}"


def _sparql_check(shapes: Graph, shape: URIRef | BNode, constraint: URIRef | BNode, name: str,
                  severity: Severity, targets: str) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise SourceError("shapes", f"{shape.n3()}: a SPARQL constraint needs sh:select")
    text = str(select)
    if not re.search(r"SELECT\s+(DISTINCT\s+)?[^{]*\$this", text, re.IGNORECASE):
        raise SourceError("shapes", f"{shape.n3()}: the SELECT of a SPARQL constraint must project $this")
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _prefixes(shapes, constraint))
    body = re.sub(r"\$this\b", "?this", text)
    where = re.search(r"WHERE\s*\{", body, re.IGNORECASE)
    if where is None:
        raise SourceError("shapes", f"{shape.n3()}: cannot find the WHERE clause of the SPARQL constraint")
    query = prefixes + body[: where.end()] + " " + targets + " " + body[where.end():]
    return Check(name, severity, _message(shapes, constraint) or _message(shapes, shape),
                 f"{SH}SPARQLConstraintComponent", None, query, True)


def _prefixes(shapes: Graph, constraint: URIRef | BNode) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            found.append((str(shapes.value(declaration, SH.prefix)), str(shapes.value(declaration, SH.namespace))))
    return sorted(set(found))
