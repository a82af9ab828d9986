"""The class hierarchy browser (/tree, /tree.json and the tree on class pages), computed by SPARQL over the store.

A class's parents are its named rdfs:subClassOf superclasses and, for a class defined as an intersection
(CXC chemokine ≡ chemokine ⊓ inFamily value CXC), the named operands of that intersection: that is where a
reader looks for it. An individual's parents are its most specific named classes, so a chemokine's page shows
where it sits too. Alignments to GO, CL, MONDO (and the other OBO ontologies) are skos:exactMatch, closeMatch
and broadMatch links to OBO PURLs; the tree shows them on each node, and a class's aligned parents are its own
broadMatch targets plus the exact and close matches of its named parents.

Only fixed-length paths are used (no `subClassOf+` with both ends open), so every backend answers them; the
page fetches a node's children from /tree.json when it is expanded.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from flask import Blueprint, Response, abort, jsonify, render_template, request

from evrdf.identifiers import CONVERTER, OBO
from evrdf.serve.resources import local_href
from evrdf.settings import Settings
from evrdf.store.base import Store

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MATCHES = {SKOS + "exactMatch": "exact", SKOS + "closeMatch": "close", SKOS + "broadMatch": "broader"}
IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
MAX_DEPTH = 32  # an ancestor chain longer than this is a cycle in the data, not a hierarchy


def _parent_pattern(child: str, parent: str) -> str:
    """child's named parents: subClassOf, or a named operand (first, second or third) of its intersection."""
    return f"""{{ {child} <{RDFS}subClassOf> {parent} }}
      UNION {{ {child} <{OWL}equivalentClass>/<{OWL}intersectionOf>/<{RDF}first> {parent} }}
      UNION {{ {child} <{OWL}equivalentClass>/<{OWL}intersectionOf>/<{RDF}rest>/<{RDF}first> {parent} }}
      UNION {{ {child} <{OWL}equivalentClass>/<{OWL}intersectionOf>/<{RDF}rest>/<{RDF}rest>/<{RDF}first> {parent} }}"""


def _named(var: str, other: str) -> str:
    return f"FILTER(isIRI({var}) && {var} != {other} && {var} != <{OWL}Thing>)"


def _values(iris: list[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


@dataclass
class Aligned:
    iri: str
    curie: str
    relation: str  # exact | close | broader | above (an ancestor of an aligned term, where the store has it)
    via: str = ""  # for an aligned parent: the parent whose match it is ("" when it is the class's own)
    label: str = ""  # the aligned term's own label, when the store holds that ontology (`evrdf build --add`)


@dataclass
class Node:
    iri: str
    label: str
    href: str
    children: int  # how many direct subclasses it has (0: a leaf)
    instances: int
    kind: str = "class"  # class | individual | external
    aligned: list[Aligned] = field(default_factory=list)

    def json(self) -> dict[str, object]:
        return asdict(self)


class Hierarchy:
    def __init__(self, store: Store, base: str):
        self.store, self.base, self.vocab = store, base, base + "ontology/"

    def _select(self, sparql: str) -> list[dict[str, str]]:
        result = self.store.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in result]

    def is_class(self, iri: str) -> bool:
        return bool(self.store.query(f"ASK {{ <{iri}> a <{OWL}Class> }}"))

    def nodes(self, iris: list[str]) -> dict[str, Node]:
        """Label, child and instance counts and alignments of each IRI (in one query per fact, for any number)."""
        if not iris:
            return {}
        values = _values(sorted(set(iris)))
        labels: dict[str, str] = {}
        for row in self._select(f"SELECT ?c ?label WHERE {{ VALUES ?c {{ {values} }} ?c <{RDFS}label> ?label }}"):
            labels.setdefault(row["c"], row["label"])
        children = {row["p"]: int(row["n"]) for row in self._select(
            f"""SELECT ?p (COUNT(DISTINCT ?c) AS ?n) WHERE {{ VALUES ?p {{ {values} }} {_parent_pattern('?c', '?p')}
                {_named('?c', '?p')} }} GROUP BY ?p""")}
        instances = {row["c"]: int(row["n"]) for row in self._select(
            f"SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?i a ?c }} GROUP BY ?c")}
        query = f"SELECT ?c WHERE {{ VALUES ?c {{ {values} }} ?c a <{OWL}Class> }}"
        classes = {row["c"] for row in self._select(query)}
        aligned: dict[str, list[Aligned]] = {}
        for row in self._select(f"""SELECT ?c ?p ?m WHERE {{ VALUES ?c {{ {values} }}
                VALUES ?p {{ {_values(list(MATCHES))} }} ?c ?p ?m FILTER(STRSTARTS(STR(?m), "{OBO}")) }}"""):
            aligned.setdefault(row["c"], []).append(Aligned(row["m"], CONVERTER.compress(row["m"]) or row["m"],
                                                            MATCHES[row["p"]]))
        outside = sorted({a.iri for found in aligned.values() for a in found})
        if outside:
            names = {row["m"]: row["label"] for row in self._select(f"""SELECT ?m ?label WHERE {{
                    VALUES ?m {{ {_values(outside)} }} ?m <{RDFS}label> ?label }}""")}
            for found in aligned.values():
                for a in found:
                    a.label = names.get(a.iri, "")
        out = {}
        for iri in iris:
            kind = ("class" if iri in classes else "individual") if iri.startswith(self.base) else "external"
            tail = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            label = labels.get(iri) or CONVERTER.compress(iri) or tail
            out[iri] = Node(iri, label, local_href(iri, self.base), children.get(iri, 0), instances.get(iri, 0),
                            kind, sorted(aligned.get(iri, []), key=lambda a: (a.relation, a.curie)))
        return out

    def children(self, iri: str) -> list[Node]:
        found = [row["c"] for row in self._select(
            f"SELECT DISTINCT ?c WHERE {{ {_parent_pattern('?c', f'<{iri}>')} {_named('?c', f'<{iri}>')} }}")]
        nodes = self.nodes(found)
        return sorted(nodes.values(), key=lambda n: n.label.lower())

    def parents(self, iri: str) -> list[str]:
        """A class's named parents; an individual's most specific named classes."""
        found = [row["p"] for row in self._select(
            f"SELECT DISTINCT ?p WHERE {{ {_parent_pattern(f'<{iri}>', '?p')} {_named('?p', f'<{iri}>')} }}")]
        if found or self.is_class(iri):
            return sorted(found)
        types = {row["t"] for row in self._select(f"""SELECT DISTINCT ?t WHERE {{ <{iri}> a ?t . ?t a <{OWL}Class>
                FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{self.base}")) }}""")}
        ancestors = {a for t in types for path in self.paths(t) for a in path[:-1]}
        return sorted(types - ancestors)

    def paths(self, iri: str) -> list[list[str]]:
        """Every chain root → … → iri (a class under two parents has two)."""
        chains: list[list[str]] = []

        def up(chain: list[str]) -> None:
            if len(chain) > MAX_DEPTH:
                raise ValueError(f"the subclass chain above <{iri}> is longer than {MAX_DEPTH}: a cycle")
            parents = [p for p in self.parents(chain[0]) if p not in chain]
            if not parents:
                chains.append(chain)
            for parent in parents:
                up([parent] + chain)

        up([iri])
        return chains

    def aligned_parents(self, iri: str) -> list[Aligned]:
        """The OBO terms above this class: its own broadMatch targets, its parents' exact and close matches, and,
        where the store holds the aligned ontology itself (added with `evrdf build --add`), their ancestors."""
        mine = self.nodes([iri])[iri].aligned
        parents = self.nodes(self.parents(iri))
        found = [a for a in mine if a.relation == "broader"] + sorted(
            (Aligned(a.iri, a.curie, a.relation, p.iri, a.label) for p in parents.values() for a in p.aligned
             if a.relation in ("exact", "close")), key=lambda a: (a.via, a.curie))
        for start in [a.iri for a in mine] + [a.iri for a in found]:
            above = [i for path in self.paths(start) for i in path[:-1]]
            named = self.nodes(above)
            found += [Aligned(i, CONVERTER.compress(i) or i, "above", start, named[i].label) for i in above]
        own = {a.iri for a in mine if a.relation != "broader"}
        kept: dict[str, Aligned] = {}  # the first of each IRI, in order
        for a in found:
            if a.iri not in own and a.iri not in kept:
                kept[a.iri] = a
        return list(kept.values())

    def roots(self) -> list[Node]:
        """Classes of this vocabulary with no named parent, and the outside classes some of them specialise."""
        found = {row["c"] for row in self._select(f"""SELECT DISTINCT ?c WHERE {{ ?c a <{OWL}Class>
                FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{self.vocab}"))
                FILTER NOT EXISTS {{ {_parent_pattern('?c', '?p')} {_named('?p', '?c')} }} }}""")}
        found |= {row["p"] for row in self._select(f"""SELECT DISTINCT ?p WHERE {{ ?c <{RDFS}subClassOf> ?p
                FILTER(isIRI(?p) && STRSTARTS(STR(?c), "{self.vocab}") && !STRSTARTS(STR(?p), "{self.base}")
                       && ?p != <{OWL}Thing>) }}""")}
        return sorted(self.nodes(sorted(found)).values(), key=lambda n: n.label.lower())

    def about(self, iri: str) -> dict[str, object]:
        """What /tree.json?iri= answers: the node, its parents, children, aligned parents and ancestor chains."""
        node = self.nodes([iri])[iri]
        return {"node": node.json(), "parents": [n.json() for n in self.nodes(self.parents(iri)).values()],
                "children": [n.json() for n in self.children(iri)],
                "aligned_parents": [asdict(a) for a in self.aligned_parents(iri)], "paths": self.paths(iri)}

    def view(self, iri: str | None, every_root: bool = True) -> dict[str, object]:
        """The tree a page draws: the roots (all, or only those above ``iri``), every node on a chain to ``iri``
        open with its children listed."""
        roots = self.roots() if every_root or not iri else []
        if not iri:
            return {"roots": roots, "open": {}, "focus": "", "aligned_parents": []}
        paths = self.paths(iri)
        opened: dict[str, list[Node]] = {}
        for path in paths:
            for ancestor in path:
                if ancestor not in opened:
                    opened[ancestor] = self.children(ancestor)
        for path in paths:  # an individual is no subclass: it is listed under its classes as a leaf
            if len(path) > 1 and all(n.iri != path[-1] for n in opened[path[-2]]):
                opened[path[-2]] = opened[path[-2]] + [self.nodes([path[-1]])[path[-1]]]
        tops = {path[0] for path in paths}
        extra = [n for n in self.nodes(sorted(tops - {r.iri for r in roots})).values()]
        return {"roots": roots + extra, "open": opened, "focus": iri, "aligned_parents": self.aligned_parents(iri)}


def _iri_arg() -> str:
    value = (request.args.get("iri") or "").strip()
    if value and not IRI.match(value):
        abort(Response(f"parameter 'iri' must be an http(s) IRI, not {value!r}\n", 400, mimetype="text/plain"))
    return value


def hierarchy_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("tree", __name__)
    tree = Hierarchy(store, settings.base_iri)

    def known(iri: str) -> None:
        if not bool(store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")):
            abort(Response(f"parameter 'iri': <{iri}> is not in this dataset\n", 404, mimetype="text/plain"))

    @bp.get("/tree.json")
    def data() -> Response:
        iri = _iri_arg()
        if not iri:
            return jsonify({"roots": [n.json() for n in tree.roots()]})
        known(iri)
        return jsonify(tree.about(iri))

    @bp.get("/tree")
    def page() -> str:
        iri = _iri_arg()
        if iri:
            known(iri)
        return render_template("tree.html", tree=tree.view(iri))

    @bp.app_template_global()
    def tree_for(iri: str) -> dict[str, object] | None:
        """The tree a term page shows: for a class, or an individual of one of this vocabulary's classes."""
        if not IRI.match(iri) or not iri.startswith(settings.base_iri):
            return None
        if not tree.is_class(iri) and not tree.parents(iri):
            return None
        return tree.view(iri, every_root=False)

    return bp
