"""A query as the remote engine must receive it to answer exactly what the embedded store answers.

A remote store keeps each release's graphs under physical names (``<graph>?evrdf-release=ID``, remote.py), so
that a publish is atomic for readers. Every graph name a query can observe must therefore be the published,
logical one, whatever the query's spelling. Rewriting text with regular expressions cannot see prefixed names,
BASE, VALUES, BIND or variables; this module works on the query's tokens (SPARQL 1.1 section 19.8, the same
lexer the endpoint uses) and applies three identities of the SPARQL algebra, so the answer is exact:

1. IRIs. Every relative IRI is resolved (the query's BASE, else the endpoint's IRI) and BASE is dropped; the
   predeclared prefixes a query uses are declared. The remote engine sees absolute IRIs only.
2. The dataset is always explicit and made of physical graphs: the protocol's default-graph-uri /
   named-graph-uri (which override FROM, Protocol 2.1.4), else the query's FROM / FROM NAMED (with an empty
   FROM NAMED added when it has only FROM: SPARQL 1.1 section 13.2 says it then has no named graphs), else the
   release's graphs as both the (union) default graph and the named graphs.
3. Graph names. ``GRAPH <g> { P }`` reads the physical graph of g when g is a named graph of that dataset, and
   nothing otherwise (``{ GRAPH ?h { P } VALUES ?h { } }``: SPARQL 18.6 gives the empty multiset; Virtuoso
   counts one solution for a GRAPH on a graph outside its dataset, so it is never sent one). ``GRAPH ?g { P }``
   becomes, as section 18.6 defines it, the union over the dataset's named graphs of ``GRAPH <physical> { P }``
   joined with ``VALUES ?g { <logical> }``: ?g is bound to the logical name, the very name the embedded store
   binds, so it joins with the triples about that graph, compares equal to a constant written any way, and
   prints as published. ``GRAPH ?g { }`` is ``VALUES ?g { every named graph }``.

No other IRI is touched: the data itself is published unchanged, so triples *about* a graph keep its logical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from evrdf.sparql_text import Token, tokens
from evrdf.store.naming import physical

NOWHERE = "urn:evrdf:no-graph"  # a graph no store holds: the empty default graph / empty named set
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
HELPER = "evrdf_graph_"


@dataclass
class Rewritten:
    text: str
    default_graphs: list[str] = field(default_factory=list)  # physical names, sent as default-graph-uri
    named_graphs: list[str] = field(default_factory=list)  # physical names, sent as named-graph-uri
    hidden: set[str] = field(default_factory=set)  # helper variables to drop from the results


def resolve_iri(iri: str, base: str | None) -> str:
    """RFC 3986 resolution as Oxigraph does it (the embedded store's parser), so both backends agree.

    >>> resolve_iri("../p", "http://example.org/a/b"), resolve_iri("http://x/y", "http://example.org/")
    ('http://example.org/p', 'http://x/y')
    """
    if _SCHEME.match(iri) or base is None:
        return iri
    quad = next(iter(ox.parse(f"<{iri}> <urn:x:p> <urn:x:o> .", format=ox.RdfFormat.TURTLE, base_iri=base)))
    return str(quad.subject.value)


def rewrite(sparql: str, graphs: dict[str, str], release: str, *, base_iri: str | None = None,
            prefixes: dict[str, str] | None = None, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Rewritten:
    """The query for the remote engine. ``graphs`` maps the release's logical graph names to physical ones.

    >>> r = rewrite("PREFIX g: <http://e/graph/> SELECT * { GRAPH g:a { ?s ?p ?o } }", {"http://e/graph/a": "P"}, "1")
    >>> r.text
    'PREFIX g: <http://e/graph/> SELECT * { GRAPH <P> { ?s ?p ?o } }'
    >>> rewrite("SELECT ?g { GRAPH ?g { ?s ?p ?o } }", {"http://e/a": "P", "http://e/b": "Q"},
    ...         "1").text  # doctest: +NORMALIZE_WHITESPACE
    'SELECT ?g { { { GRAPH <P> { ?s ?p ?o } VALUES ?g { <http://e/a> } }
                   UNION { GRAPH <Q> { ?s ?p ?o } VALUES ?g { <http://e/b> } } } }'
    """
    return _Rewriter(sparql, graphs, release, base_iri, prefixes or {}).run(default_graphs, named_graphs)


class _Rewriter:
    def __init__(self, text: str, graphs: dict[str, str], release: str, base: str | None,
                 prefixes: dict[str, str]):
        self.text, self.graphs, self.release, self.base, self.predeclared = text, graphs, release, base, prefixes
        self.physical: Callable[[str], str] = lambda g: graphs.get(g) or physical(g, release)  # unknown: no graph
        self.toks = tokens(text)
        self.used = {t.text[1:] for t in self.toks if t.kind == "var"}
        self.helpers = 0
        self.declared: dict[str, str] = {}
        self.named: list[str] = []  # logical names of the dataset's named graphs
        self.drop: set[int] = set()  # token indexes to leave out (BASE, FROM clauses the protocol overrides)
        self.replace: dict[int, str] = {}  # token index -> new text
        self.result = Rewritten("")
        self.closing = self._pairs()

    def fresh(self) -> str:
        while True:
            self.helpers += 1
            name = f"{HELPER}{self.helpers}"
            if name not in self.used:
                self.result.hidden.add(name)
                return name

    def absolute(self, token: Token) -> str:
        if token.kind == "iri":
            return resolve_iri(token.text[1:-1], self.base)
        name, _, local = token.text.partition(":")
        return {**self.predeclared, **self.declared}.get(name, "") + local

    def run(self, default_graphs: list[str] | None, named_graphs: list[str] | None) -> Rewritten:
        toks = self.toks
        body = self._prologue()
        for k in range(body, len(toks)):  # every IRI absolute: the remote engine never resolves one
            if toks[k].kind == "iri":
                iri = resolve_iri(toks[k].text[1:-1], self.base)
                if iri != toks[k].text[1:-1]:
                    self.replace[k] = f"<{iri}>"
        self._dataset(body, default_graphs, named_graphs)
        missing = sorted({t.text.partition(":")[0] for t in toks[body:] if t.kind == "pname"} - set(self.declared))
        header = "".join(f"PREFIX {n}: <{self.predeclared[n]}>\n" for n in missing if n in self.predeclared)
        lead = self.text[:toks[0].start] if toks else self.text
        tail = self.text[toks[-1].start + len(toks[-1].text):] if toks else ""
        self.result.text = header + lead + self._emit(0, len(toks)) + tail
        return self.result

    # -- the parts ---------------------------------------------------------------------------------------------
    def _prologue(self) -> int:
        toks, i = self.toks, 0
        while i < len(toks):
            word = toks[i].text.upper() if toks[i].kind == "word" else ""
            if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
                self.base = resolve_iri(toks[i + 1].text[1:-1], self.base)
                self.drop |= {i, i + 1}
                i += 2
            elif word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
                namespace = resolve_iri(toks[i + 2].text[1:-1], self.base)
                self.declared[toks[i + 1].text.rstrip(":")] = namespace
                self.replace[i + 2] = f"<{namespace}>"
                i += 3
            else:
                return i
        return i

    def _dataset(self, body: int, default_graphs: list[str] | None, named_graphs: list[str] | None) -> None:
        toks, clauses = self.toks, []
        for k in range(body, len(toks) - 1):
            if toks[k].kind == "word" and toks[k].text.upper() == "FROM":
                named = toks[k + 1].kind == "word" and toks[k + 1].text.upper() == "NAMED"
                clauses.append((k, k + 2 if named else k + 1, named))
        if default_graphs or named_graphs:  # the protocol's dataset overrides the query's (Protocol 2.1.4)
            for k, target, _ in clauses:
                self.drop |= set(range(k, target + 1))
            self.result.default_graphs = [self.physical(g) for g in default_graphs or []] or [NOWHERE]
            self.result.named_graphs = [self.physical(g) for g in named_graphs or []] or [NOWHERE]
            self.named = [g for g in dict.fromkeys(named_graphs or []) if g in self.graphs]
        elif clauses:
            for _, target, named in clauses:
                name = self.absolute(toks[target])
                if named and name in self.graphs and name not in self.named:
                    self.named.append(name)
                self.replace[target] = f"<{self.physical(name)}>"
            if not any(named for _, _, named in clauses):  # FROM alone: no named graphs (SPARQL 1.1, 13.2)
                last = clauses[-1][1]
                self.replace[last] = self.replace[last] + f" FROM NAMED <{NOWHERE}>"
        else:
            self.result.default_graphs = self.result.named_graphs = sorted(self.graphs.values())
            self.named = sorted(self.graphs)

    def _emit(self, lo: int, hi: int) -> str:
        """The text of tokens lo..hi-1 (with the whitespace and comments between them), rewritten."""
        toks, out = self.toks, []
        if lo >= hi:
            return ""
        cursor, k = toks[lo].start, lo
        while k < hi:
            token = toks[k]
            if (token.kind == "word" and token.text.upper() == "GRAPH" and k + 2 < hi
                    and toks[k + 2].text == "{" and k + 2 in self.closing):
                close = self.closing[k + 2]
                out.append(self.text[cursor:token.start])
                out.append(self._graph(k, self._emit(k + 3, close), close))
                cursor, k = toks[close].start + 1, close + 1
                continue
            if k in self.drop or k in self.replace:
                out.append(self.text[cursor:token.start])
                out.append("" if k in self.drop else self.replace[k])
                cursor = token.start + len(token.text)
            k += 1
        last = toks[hi - 1]
        out.append(self.text[cursor:max(cursor, last.start + len(last.text))])
        return "".join(out)

    def _graph(self, k: int, inner: str, close: int) -> str:
        """``GRAPH target { inner }`` for the remote dataset (see the module's docstring)."""
        target = self.toks[k + 1]
        body = inner.strip()
        if target.kind in ("iri", "pname"):
            name = self.absolute(target)
            if name in self.named:
                return f"GRAPH <{self.graphs[name]}> {{ {body} }}" if body else "{ }"
            helper = self.fresh()
            return f"{{ GRAPH ?{helper} {{ {body} }} VALUES ?{helper} {{ }} }}"
        variable = target.text
        if not body:  # the empty group in each named graph: one solution per graph name (SPARQL 1.1, 18.6)
            return f"{{ VALUES {variable} {{ {' '.join(f'<{g}>' for g in self.named)} }} }}"
        if not self.named:
            return f"{{ GRAPH {variable} {{ {body} }} VALUES {variable} {{ }} }}"
        # SPARQL 1.1 section 18.6 word for word: the union, over the named graphs, of the pattern in that graph
        # joined with the variable bound to its name. (A join with a VALUES table of physical -> logical names
        # would be shorter, but Virtuoso 7.2 fails on it inside MINUS and EXISTS, and answers a MINUS against it
        # with a cross product.)
        return "{ " + " UNION ".join(
            f"{{ GRAPH <{self.graphs[g]}> {{ {_relabel(body, n) if n else body} }} VALUES {variable} {{ <{g}> }} }}"
            for n, g in enumerate(self.named)) + " }"

    # -- structure ---------------------------------------------------------------------------------------------
    def _pairs(self) -> dict[int, int]:
        """Index of each '{' -> index of its '}'."""
        stack, pairs = [], {}
        for k, token in enumerate(self.toks):
            if token.kind == "other" and token.text == "{":
                stack.append(k)
            elif token.kind == "other" and token.text == "}" and stack:
                pairs[stack.pop()] = k
        return pairs


def _relabel(text: str, n: int) -> str:
    """Blank-node labels renamed for one copy of a pattern (a label may appear in one basic graph pattern only)."""
    out, cursor = [], 0
    for token in tokens(text):
        if token.kind == "bnode":
            out.append(text[cursor:token.start])
            out.append(f"{token.text}_evrdf{n}")
            cursor = token.start + len(token.text)
    out.append(text[cursor:])
    return "".join(out)
