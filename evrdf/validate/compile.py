"""SHACL shapes → SPARQL SELECT queries, one per constraint, that return the focus nodes (and value nodes) violating
it. Follows SHACL 1.0 (https://www.w3.org/TR/shacl/): targets (section 2.1.3, implicit class targets included),
property paths (2.3.1: predicate, sequence, alternative, inverse, zero-or-more, one-or-more, zero-or-one), every
SHACL Core constraint component (section 4) and SPARQL-based constraints on node shapes (section 5: $this is
pre-bound by joining the target pattern in front of the constraint's own pattern).

How: a shape's focus nodes are its targets, plus the value nodes of every shape that reaches it by sh:property.
Each constraint is a SPARQL pattern whose solutions are its violations for a focus variable. The shape-based
components (sh:node, sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape) need "does this node conform to
that shape?": ``NOT EXISTS { every violation pattern of that shape, for that node }``, compiled the same way one
level down. Recursive shapes (whose validation SHACL leaves undefined, section 3.4.4) are refused, as is any
sh: parameter the compiler does not implement, with a message naming it: the fast engine never silently checks
less than pySHACL (the reference, `--engine pyshacl`). Which sh: parameters are constraints, and property paths as
SPARQL text, are in validate/shacl_core.py.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from evrdf.errors import SourceError
from evrdf.validate.report import Severity
from evrdf.validate.shacl_core import (
    CASTABLE,
    COMPANIONS,
    COMPONENTS,
    INTEGER_RANGES,
    NODE_KINDS,
    RANGE_OPERATORS,
    TARGETS,
    n3,
    path_text,
)

PAIRWISE_LIMIT = 8  # counts inside a nested shape are checked with n distinct variables: up to this n
TYPE, SUBCLASS = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"
TARGET_BLOCK = "\x00targets\x00"  # where a grouped count puts the target block (inside its subquery)


@dataclass(frozen=True)
class Check:
    """One constraint as a query: each solution is a result, ?this its focus node, ?value its value node (and
    ?path its path, for sh:closed, where the path is the offending predicate)."""

    shape: str
    severity: Severity
    message: str
    component: str
    path: str | None  # the result path as text: <iri>, or SPARQL path syntax for a complex path
    query: str
    node_shape: bool  # a node-level SPARQL constraint: the value defaults to the focus node (as pySHACL does)


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every active constraint of every shape, in a stable order (compiled once per shapes graph object)."""
    cached = _COMPILED.get(shapes)
    if cached is None:
        cached = _COMPILED[shapes] = _Compiler(shapes).checks()
    return list(cached)


_COMPILED: "weakref.WeakKeyDictionary[Graph, list[Check]]" = weakref.WeakKeyDictionary()


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.counter = 0
        self.parents: dict[Node, list[Node]] = {}
        for owner, prop in shapes.subject_objects(SH.property):
            self.parents.setdefault(prop, []).append(owner)

    def fresh(self, name: str = "v") -> str:
        self.counter += 1
        return f"?{name}_{self.counter}"

    # -- which shapes, which focus nodes -------------------------------------------------------------------------
    def shapes(self) -> list[Node]:
        g = self.g
        found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        found |= set(self.parents) | {s for p in TARGETS for s in g.subjects(p, None)}
        found |= set(g.subjects(SH.sparql, None)) | set(g.subjects(SH.path, None))
        return sorted(found, key=str)

    def active(self, shape: Node) -> bool:
        return self.g.value(shape, SH.deactivated) != Literal(True)

    def focus(self, shape: Node, var: str, seen: tuple[Node, ...] = ()) -> list[str]:
        """Patterns, each binding ``var`` to focus nodes of ``shape``: its targets and the value nodes of every
        shape it is an sh:property of."""
        g, out = self.g, []
        for cls in g.objects(shape, SH.targetClass):
            out.append(f"{var} {TYPE}/{SUBCLASS}* {cls.n3()} .")
        if (shape, RDF.type, SH.NodeShape) in g or (shape, RDF.type, SH.PropertyShape) in g:
            if isinstance(shape, URIRef) and ((shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g):
                out.append(f"{var} {TYPE}/{SUBCLASS}* {shape.n3()} .")  # implicit class target (2.1.3.3)
        for node in g.objects(shape, SH.targetNode):
            out.append(f"VALUES {var} {{ {node.n3()} }}")
        for prop in g.objects(shape, SH.targetSubjectsOf):
            out.append(f"{var} {prop.n3()} {self.fresh('o')} .")
        for prop in g.objects(shape, SH.targetObjectsOf):
            out.append(f"{self.fresh('s')} {prop.n3()} {var} .")
        for parent in self.parents.get(shape, []):
            if parent in seen or not self.active(parent):
                continue
            outer = self.fresh("f")
            for pattern in self.focus(parent, outer, seen + (shape,)):
                out.append(f"{{ {pattern} }} {self.values(parent, outer, var)}")
        return out

    def values(self, shape: Node, focus: str, var: str) -> str:
        """The pattern binding ``var`` to the value nodes of ``shape`` for ``focus`` (section 2.3.2)."""
        path = self.g.value(shape, SH.path)
        if path is None:
            return f"BIND({focus} AS {var})"
        return f"{focus} {path_text(self.g, path)} {var} ."

    # -- the checks ----------------------------------------------------------------------------------------------
    def checks(self) -> list[Check]:
        out: list[Check] = []
        for shape in self.shapes():
            if not self.active(shape):
                continue
            self.refuse_unknown(shape)
            targets = self.focus(shape, "?this")
            if not targets:
                continue
            block = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join("{ " + p + " }" for p in targets) + " } }"
            out.extend(self.shape_checks(shape, block))
        return out

    def refuse_unknown(self, shape: Node) -> None:
        for predicate in set(self.g.predicates(shape, None)):
            if not str(predicate).startswith(str(SH)):
                continue  # not a SHACL parameter: an annotation (SHACL 1.0, section 2.1)
            if predicate not in COMPONENTS and predicate not in COMPANIONS:
                raise SourceError("shapes", f"{n3(shape)} uses {n3(predicate)}, which the SPARQL engine does not "
                                            "support (use pySHACL: --engine pyshacl)")

    def shape_checks(self, shape: Node, block: str) -> list[Check]:
        g = self.g
        given = g.value(shape, SH.severity) or SH.Violation
        if given not in (SH.Violation, SH.Warning, SH.Info):
            raise SourceError("shapes", f"{n3(shape)}: custom severity {n3(given)}: evrdf's reports know "
                                        "sh:Violation, sh:Warning and sh:Info only")
        severity = Severity.parse(str(given))
        message = _message(g, shape)
        name = str(shape) if isinstance(shape, URIRef) else f"_:{shape}"
        path_node = g.value(shape, SH.path)
        path = path_text(g, path_node) if path_node is not None else None
        out = []
        for parameter in sorted(COMPONENTS, key=str):
            for argument in sorted(g.objects(shape, parameter), key=str):
                for pattern, kind in self.violations(shape, parameter, argument, "?this", "?value", top=True,
                                                     seen=(shape,)):
                    projection = {"focus": "?this", "focus-min": "?this", "focus-max": "?this", "value": "?this ?value",
                                  "path": "?this ?value ?path"}[kind]
                    where = pattern.replace(TARGET_BLOCK, block) if TARGET_BLOCK in pattern else f"{block} {pattern}"
                    query = f"SELECT DISTINCT {projection} WHERE {{ {where} }}"
                    component = COMPONENTS[parameter]
                    if parameter == SH.qualifiedValueShape:  # two components, one per bound (4.7.3)
                        component = "QualifiedMinCount" if kind == "focus-min" else "QualifiedMaxCount"
                    out.append(Check(name, severity, message or f"{component} constraint not met",
                                     f"{SH}{component}ConstraintComponent", path, query, False))
        for constraint in sorted(g.objects(shape, SH.sparql), key=str):
            if path_node is not None:
                raise SourceError("shapes", f"{n3(shape)}: SPARQL constraints on property shapes are not supported")
            out.append(self.sparql_check(shape, constraint, name, severity, block))
        return out

    # -- one constraint: its violations for a focus variable ----------------------------------------------------
    def violations(self, shape: Node, parameter: Node, argument: Node, f: str, v: str, top: bool,
                   seen: tuple[Node, ...]) -> list[tuple[str, str]]:
        """(pattern, kind) pairs: each solution of a pattern is one violation for focus ``f``; kind says what it
        binds besides ``f``: 'focus' (nothing), 'value' (``v``) or 'path' (``v`` and ?path)."""
        g = self.g
        path_node = g.value(shape, SH.path)
        path = path_text(g, path_node) if path_node is not None else None
        values = self.values(shape, f, v)

        def per_value(test: str) -> list[tuple[str, str]]:
            return [(f"{values} FILTER({test})", "value")]

        if parameter == SH["class"]:
            return [(f"{values} FILTER NOT EXISTS {{ {v} {TYPE}/{SUBCLASS}* {argument.n3()} }}", "value")]
        if parameter == SH.datatype:
            wellformed = ""
            if argument in CASTABLE:
                wellformed = f" && isLiteral(<{argument}>(STR({v})))"
            elif argument in INTEGER_RANGES:
                low, high = INTEGER_RANGES[argument]
                number = f"<{XSD.integer}>(STR({v}))"
                wellformed = f" && isLiteral({number})" + (f" && {number} >= {low}" if low is not None else "") + \
                             (f" && {number} <= {high}" if high is not None else "")
            datatype = f"isLiteral({v}) && sameTerm(DATATYPE({v}), {argument.n3()})"
            return per_value(f"!COALESCE({datatype}{wellformed}, false)")
        if parameter == SH.nodeKind:
            if argument not in NODE_KINDS:
                raise SourceError("shapes", f"{n3(shape)}: unknown sh:nodeKind {n3(argument)}")
            return per_value("!" + NODE_KINDS[argument].format(v=v))
        if parameter in RANGE_OPERATORS:
            return per_value(f"!COALESCE({v} {RANGE_OPERATORS[parameter]} {argument.n3()}, false)")
        if parameter in (SH.minLength, SH.maxLength):
            operator = ">=" if parameter == SH.minLength else "<="
            return per_value(f"isBlank({v}) || !COALESCE(STRLEN(STR({v})) {operator} {int(str(argument))}, false)")
        if parameter == SH.pattern:
            flags = g.value(shape, SH.flags)
            flag_text = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            regex = f"REGEX(STR({v}), {Literal(str(argument)).n3()}{flag_text})"
            return per_value(f"isBlank({v}) || !COALESCE({regex}, false)")
        if parameter == SH.languageIn:
            tags = [str(t) for t in Collection(g, argument)]
            matches = " || ".join(f"LANGMATCHES(LANG({v}), {Literal(t).n3()})" for t in tags) or "false"
            return per_value(f"!isLiteral({v}) || !({matches})")
        if parameter == SH["in"]:
            members = " || ".join(f"sameTerm({v}, {m.n3()})" for m in Collection(g, argument)) or "false"
            return per_value(f"!({members})")
        if parameter == SH.hasValue:
            if path is None:
                return [(f"FILTER(!sameTerm({f}, {argument.n3()}))", "focus")]
            return [(f"FILTER NOT EXISTS {{ {f} {path} {argument.n3()} }}", "focus")]
        if parameter == SH.uniqueLang:
            if argument != Literal(True) or path is None:
                return []
            a, b = self.fresh("a"), self.fresh("b")
            return [(f"FILTER EXISTS {{ {f} {path} {a} . {f} {path} {b} . FILTER(!sameTerm({a}, {b}) && "
                     f"LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}", "focus")]
        if parameter in (SH.minCount, SH.maxCount, SH.qualifiedValueShape):
            return self.counts(shape, parameter, argument, f, v, top, seen)
        if parameter == SH.equals:
            w = self.fresh("w")
            return [(f"{values} FILTER NOT EXISTS {{ {f} {argument.n3()} {v} }}", "value"),
                    (f"{f} {argument.n3()} {v} . FILTER NOT EXISTS {{ {self.values(shape, f, w)} "
                     f"FILTER(sameTerm({w}, {v})) }}", "value")]
        if parameter == SH.disjoint:
            return [(f"{values} {f} {argument.n3()} {v} .", "value")]
        if parameter in (SH.lessThan, SH.lessThanOrEquals):
            if path is None:
                raise SourceError("shapes", f"{n3(shape)}: {n3(parameter)} needs a property shape (sh:path)")
            w, operator = self.fresh("w"), "<" if parameter == SH.lessThan else "<="
            return [(f"{values} {f} {argument.n3()} {w} . FILTER(!COALESCE({v} {operator} {w}, false))", "value")]
        if parameter == SH.closed:
            if argument != Literal(True):
                return []
            allowed = {str(p) for prop in g.objects(shape, SH.property)
                       for p in g.objects(prop, SH.path) if isinstance(p, URIRef)}
            for ignored in g.objects(shape, SH.ignoredProperties):
                allowed |= {str(p) for p in Collection(g, ignored)}
            node, predicate = self.fresh("n"), "?path" if top else self.fresh("p")
            known = " && ".join(f"!sameTerm({predicate}, <{p}>)" for p in sorted(allowed)) or "true"
            return [(f"{self.values(shape, f, node)} {node} {predicate} {v} . FILTER({known})",
                     "path" if top else "focus")]
        if parameter in (SH["not"], SH.node):
            inner = self.conforms(argument, v, seen)
            test = f"!({inner})" if parameter == SH.node else inner
            return per_value(test)
        if parameter in (SH["and"], SH["or"], SH.xone):
            tests = [self.conforms(m, v, seen) for m in Collection(g, argument)]
            if parameter == SH["and"]:
                return per_value(" || ".join(f"!({t})" for t in tests) or "false")
            if parameter == SH["or"]:
                return per_value(" && ".join(f"!({t})" for t in tests) or "true")
            return per_value("(" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") != 1" if tests else "true")
        raise SourceError("shapes", f"{n3(shape)} uses {n3(parameter)}, which the SPARQL engine does not support")

    def counts(self, shape: Node, parameter: Node, argument: Node, f: str, v: str, top: bool,
               seen: tuple[Node, ...]) -> list[tuple[str, str]]:
        """sh:minCount / sh:maxCount / sh:qualifiedValueShape: how many value nodes (that conform)."""
        g = self.g
        qualified = parameter == SH.qualifiedValueShape
        if qualified:
            low = g.value(shape, SH.qualifiedMinCount)
            high = g.value(shape, SH.qualifiedMaxCount)
        else:
            low = argument if parameter == SH.minCount else None
            high = argument if parameter == SH.maxCount else None
        out = []
        for bound, is_min in ((low, True), (high, False)):
            if bound is None:
                continue
            n = int(str(bound))  # a Literal is a str of its lexical form (as int(literal) reads it)
            if is_min and n == 0:
                continue
            if top:  # one grouped count per focus node (the target block goes inside, see shape_checks)
                count, value = self.fresh("count"), self.fresh("v")
                condition = self.qualification(shape, argument, value, seen) if qualified else ""
                out.append((f"{{ SELECT ?this (COUNT(DISTINCT {value}) AS {count}) WHERE {{ {TARGET_BLOCK} OPTIONAL {{ "
                            f"{self.values(shape, '?this', value)} {condition} }} }} GROUP BY ?this }} "
                            f"FILTER({count} {'<' if is_min else '>'} {n})", "focus-min" if is_min else "focus-max"))
            else:
                need = n if is_min else n + 1
                if need > PAIRWISE_LIMIT:
                    raise SourceError("shapes", f"{n3(shape)}: counts above {PAIRWISE_LIMIT} inside a nested shape "
                                                "(sh:node, sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape) "
                                                "are not supported by the SPARQL engine")
                names = [self.fresh("c") for _ in range(need)]
                pattern = " ".join(f"{self.values(shape, f, name)} "
                                   + (self.qualification(shape, argument, name, seen) if qualified else "")
                                   for name in names)
                distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:])
                exists = f"EXISTS {{ {pattern} {'FILTER(' + distinct + ')' if distinct else ''} }}"
                out.append((f"FILTER({'!' if is_min else ''}{exists})", "focus-min" if is_min else "focus-max"))
        return out

    def qualification(self, shape: Node, qualified: Node, var: str, seen: tuple[Node, ...]) -> str:
        """A value node counts for sh:qualifiedValueShape when it conforms to it and, with
        sh:qualifiedValueShapesDisjoint, to none of its siblings' qualified shapes (section 4.7.3)."""
        g = self.g
        tests = [self.conforms(qualified, var, seen)]
        if g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            for parent in self.parents.get(shape, []):
                for sibling in g.objects(parent, SH.property):
                    for other in g.objects(sibling, SH.qualifiedValueShape):
                        if sibling != shape:
                            tests.append(f"!({self.conforms(other, var, seen)})")
        return f"FILTER({' && '.join(tests)})"

    def conforms(self, shape: Node, var: str, seen: tuple[Node, ...]) -> str:
        """A SPARQL expression, true when the node in ``var`` conforms to ``shape`` (section 3.4)."""
        if shape in seen:
            raise SourceError("shapes", f"{n3(shape)} is recursive; SHACL 1.0 leaves the validation of recursive "
                                        "shapes undefined (section 3.4.4), so the SPARQL engine refuses them")
        if not self.active(shape):
            return "true"
        self.refuse_unknown(shape)
        seen = seen + (shape,)
        patterns = []
        for parameter in sorted(COMPONENTS, key=str):
            for argument in sorted(self.g.objects(shape, parameter), key=str):
                found = self.violations(shape, parameter, argument, var, self.fresh("v"), False, seen)
                patterns += [p for p, _ in found]
        for prop in sorted(self.g.objects(shape, SH.property), key=str):
            if not self.active(prop):
                continue
            node = self.fresh("n")
            patterns.append(f"{self.values(shape, var, node)} FILTER(!({self.conforms(prop, node, seen)}))")
        if self.g.value(shape, SH.sparql) is not None:
            raise SourceError("shapes", f"{n3(shape)}: SPARQL constraints inside sh:node / sh:not / sh:and / "
                                        "sh:or / sh:xone / sh:qualifiedValueShape are not supported")
        if not patterns:
            return "true"
        return "NOT EXISTS { " + " UNION ".join("{ " + p + " }" for p in patterns) + " }"

    # -- SPARQL-based constraints (section 5) --------------------------------------------------------------------
    def sparql_check(self, shape: Node, constraint: Node, name: str, severity: Severity, targets: str) -> Check:
        g = self.g
        select = g.value(constraint, SH.select)
        if select is None:
            raise SourceError("shapes", f"{n3(shape)}: a SPARQL constraint needs sh:select")
        text = str(select)
        if not re.search(r"SELECT\s+(DISTINCT\s+)?[^{]*\$this", text, re.IGNORECASE):
            raise SourceError("shapes", f"{n3(shape)}: the SELECT of a SPARQL constraint must project $this")
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _prefixes(g, constraint))
        body = re.sub(r"\$this\b", "?this", text)
        where = re.search(r"WHERE\s*\{", body, re.IGNORECASE)
        if where is None:
            raise SourceError("shapes", f"{n3(shape)}: cannot find the WHERE clause of the SPARQL constraint")
        query = prefixes + body[: where.end()] + " " + targets + " " + body[where.end():]
        return Check(name, severity, _message(g, constraint) or _message(g, shape),
                     f"{SH}SPARQLConstraintComponent", None, query, True)


def _message(shapes: Graph, node: Node) -> str:
    messages = sorted(str(m) for m in shapes.objects(node, SH.message))
    return messages[0] if messages else ""


def _prefixes(shapes: Graph, constraint: Node) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            found.append((str(shapes.value(declaration, SH.prefix)), str(shapes.value(declaration, SH.namespace))))
    return sorted(set(found))
