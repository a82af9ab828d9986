"""Comparing query answers as the W3C SPARQL test suites require: solutions as multisets (or sequences, when the
query orders them), blank nodes up to a consistent renaming, graphs up to isomorphism, booleans as booleans.

Answers are read from the bytes a server sent (SPARQL JSON/XML/TSV with pyoxigraph, CSV with the csv module since
CSV is lossy, RDF graphs as triples), or from pyoxigraph results in process, into one plain form:

- ``Solutions(variables, rows)``: each row a dict from variable name to a term tuple, ``("iri", value)``,
  ``("bnode", label)`` or ``("literal", lexical, datatype, language)``; CSV cells are ``("csv", text)``;
- ``bool`` for ASK;
- ``Triples`` for CONSTRUCT/DESCRIBE, compared as sets up to blank-node renaming (graph isomorphism).

Everything is parsed with pyoxigraph, which keeps lexical forms exactly as written ("01"^^xsd:integer stays "01";
rdflib would normalise it to "1" and hide a difference the suites test for).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Union

import pyoxigraph as ox
import rdflib

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Term = tuple[str, ...]
Row = dict[str, Term]


@dataclass
class Solutions:
    variables: list[str]
    rows: list[Row]


@dataclass
class Triples:
    rows: list[tuple[Term, Term, Term]]

    def as_solutions(self) -> Solutions:
        distinct = dict.fromkeys(self.rows)
        return Solutions(["s", "p", "o"], [{"s": s, "p": p, "o": o} for s, p, o in distinct])


Answer = Union[Solutions, bool, Triples]
RDF_MEDIA = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
             "application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS}


# -- reading ---------------------------------------------------------------------------------------------------
def term(value: Any) -> Term:
    if isinstance(value, ox.NamedNode):
        return ("iri", value.value)
    if isinstance(value, ox.BlankNode):
        return ("bnode", value.value)
    if isinstance(value, ox.Literal):
        return ("literal", value.value, value.datatype.value if not value.language else "", value.language or "")
    if isinstance(value, rdflib.URIRef):
        return ("iri", str(value))
    if isinstance(value, rdflib.BNode):
        return ("bnode", str(value))
    if isinstance(value, rdflib.Literal):
        datatype = "" if value.language else str(value.datatype or XSD_STRING)
        return ("literal", str(value), datatype, (value.language or "").lower())
    raise TypeError(f"not an RDF term: {value!r}")


def from_pyoxigraph(result: Any) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return Triples([(term(t.subject), term(t.predicate), term(t.object)) for t in result])
    names = [v.value for v in result.variables]
    rows = [{n: term(s[n]) for n in names if s[n] is not None} for s in result]
    return Solutions(names, _lower_lang(rows))


def triples_of(data: bytes, fmt: ox.RdfFormat, base: str | None = None) -> Triples:
    return Triples([(term(q.subject), term(q.predicate), term(q.object))
                    for q in ox.parse(data, format=fmt, base_iri=base)])


def _lower_lang(rows: list[Row]) -> list[Row]:
    return [{k: (t[:3] + (t[3].lower(),) if t[0] == "literal" else t) for k, t in r.items()} for r in rows]


def from_bytes(body: bytes, media_type: str) -> Answer:
    """An answer as a server sent it, by its media type."""
    media = media_type.split(";")[0].strip().lower()
    results = {"application/sparql-results+json": ox.QueryResultsFormat.JSON, "application/json":
               ox.QueryResultsFormat.JSON, "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/tab-separated-values": ox.QueryResultsFormat.TSV}
    if media in results:
        parsed = from_pyoxigraph(ox.parse_query_results(body, format=results[media]))
        if isinstance(parsed, Solutions):
            parsed.rows = _lower_lang(parsed.rows)
        return parsed
    if media == "text/csv":
        return from_csv(body)
    if media in RDF_MEDIA:
        return triples_of(body, RDF_MEDIA[media])
    raise ValueError(f"cannot read an answer of type {media_type!r}")


def from_csv(body: bytes) -> Solutions:
    """SPARQL 1.1 CSV results: a header of variable names, then one line per solution, every cell text."""
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    lines = list(reader)
    names = lines[0] if lines else []
    rows = [{n: ("csv", cell) for n, cell in zip(names, line, strict=False) if cell != ""} for line in lines[1:]]
    return Solutions(names, rows)


def to_csv_cells(solutions: Solutions) -> Solutions:
    """The lossy CSV view of typed solutions (SPARQL 1.1 CSV/TSV results, section 2)."""
    def cell(t: Term) -> Term:
        return ("csv", "_:" + t[1] if t[0] == "bnode" else t[1])
    return Solutions(solutions.variables, [{k: cell(v) for k, v in row.items()} for row in solutions.rows])


# -- comparing -------------------------------------------------------------------------------------------------
def _is_bnode(t: Term) -> bool:
    return t[0] == "bnode" or (t[0] == "csv" and t[1].startswith("_:"))


def _shape(row: Row) -> tuple:  # type: ignore[type-arg]
    return tuple(sorted((k, ("_",) if _is_bnode(v) else v) for k, v in row.items()))


def _extend(mapping: dict[str, str], reverse: dict[str, str], expected: Row, actual: Row) -> tuple | None:  # type: ignore[type-arg]
    """The bnode mapping extended so that ``actual`` maps onto ``expected``, or None."""
    if expected.keys() != actual.keys():
        return None
    forward, backward = dict(mapping), dict(reverse)
    for name, want in expected.items():
        got = actual[name]
        if _is_bnode(want) != _is_bnode(got):
            return None
        if not _is_bnode(want):
            if want != got:
                return None
            continue
        if forward.get(got[1], want[1]) != want[1] or backward.get(want[1], got[1]) != got[1]:
            return None
        forward[got[1]], backward[want[1]] = want[1], got[1]
    return forward, backward


def same_solutions(expected: Solutions, actual: Solutions, ordered: bool = False) -> bool:
    if sorted(expected.variables) != sorted(actual.variables) or len(expected.rows) != len(actual.rows):
        return False
    if ordered:
        mapping: tuple = ({}, {})  # type: ignore[type-arg]
        for want, got in zip(expected.rows, actual.rows, strict=False):
            extended = _extend(*mapping, want, got)
            if extended is None:
                return False
            mapping = extended
        return True
    # ground rows as multisets first; the rows with blank nodes by backtracking over a consistent renaming
    ground_expected = sorted(_shape(r) for r in expected.rows if not any(map(_is_bnode, r.values())))
    ground_actual = sorted(_shape(r) for r in actual.rows if not any(map(_is_bnode, r.values())))
    if ground_expected != ground_actual:
        return False
    want = [r for r in expected.rows if any(map(_is_bnode, r.values()))]
    got = [r for r in actual.rows if any(map(_is_bnode, r.values()))]
    if sorted(map(_shape, want)) != sorted(map(_shape, got)):
        return False
    return _assign(want, got, 0, [False] * len(want), {}, {})


def _assign(want: list[Row], got: list[Row], i: int, used: list[bool], forward: dict[str, str],
            backward: dict[str, str]) -> bool:
    if i == len(got):
        return True
    for j, candidate in enumerate(want):
        if used[j] or _shape(candidate) != _shape(got[i]):
            continue
        extended = _extend(forward, backward, candidate, got[i])
        if extended is None:
            continue
        used[j] = True
        if _assign(want, got, i + 1, used, *extended):
            return True
        used[j] = False
    return False


def same_answer(expected: Answer, actual: Answer, ordered: bool = False) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, Triples) or isinstance(actual, Triples):
        return (isinstance(expected, Triples) and isinstance(actual, Triples)
                and same_solutions(expected.as_solutions(), actual.as_solutions()))
    return same_solutions(expected, actual, ordered)


def describe(answer: Answer, limit: int = 20) -> str:
    """A short text form for assertion messages."""
    if isinstance(answer, bool):
        return str(answer).lower()
    if isinstance(answer, Triples):
        answer = answer.as_solutions()
    lines = [" ".join(answer.variables)]
    for row in answer.rows[:limit]:
        lines.append("  " + " ".join(f"{k}={v}" for k, v in sorted(row.items())))
    if len(answer.rows) > limit:
        lines.append(f"  ... {len(answer.rows) - limit} more")
    return "\n".join(lines)
