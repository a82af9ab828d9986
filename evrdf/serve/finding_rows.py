"""The curated findings as rows: one SPARQL pass over the store, then filters, facets and sorting in memory.

Every relation a finding row shows is listed once in RELATIONS, with the facet and the diagram column it feeds;
a relation added to the findings model (an `induces` or `associatedWith`) is one more line here, and the table,
the facets, the exports and the finding diagrams all pick it up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from werkzeug.datastructures import MultiDict

from evrdf.serve.view import short_name
from evrdf.store.base import Store

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@dataclass(frozen=True)
class Relation:
    """A property linking a finding to a term: its column key, its title, and what it feeds."""

    key: str  # column key in the table and the exports
    prop: str  # local name under the vocabulary (evo:)
    title: str
    facet: str = ""  # facet key it contributes values to ("" for none)
    role: str = ""  # column of the finding diagram ("" for none)


RELATIONS: list[Relation] = [
    Relation("ev_type", "evType", "EV type", "ev", "ev"),
    Relation("released_by", "releasedBy", "released by", "cell", "releasing"),
    Relation("cancer", "inDisease", "disease", "cancer"),
    Relation("cell_line", "inCellLine", "cell line"),
    Relation("organism", "inModelOrganism", "model organism"),
    Relation("cargo", "carriesCargo", "cargo", "molecule", "molecule"),
    Relation("induces", "inducesExpressionOf", "induces", "molecule", "molecule"),
    Relation("reduces", "reducesExpressionOf", "reduces", "molecule"),
    Relation("higher", "higherLevelOf", "higher level of", "molecule"),
    Relation("lower", "lowerLevelOf", "lower level of", "molecule"),
    Relation("stimulus", "releaseStimulatedBy", "release stimulated by", "molecule"),
    Relation("receptor", "actsThroughReceptor", "acts through receptor", "molecule"),
    Relation("involves", "involvesMolecule", "involves", "molecule"),
    Relation("listed", "listsMolecule", "table lists", "molecule"),
    Relation("produced_by", "producedByCellType", "molecules produced by", "cell"),
    Relation("recipient", "recipientCellType", "recipient cells", "cell", "recipient"),
    Relation("process", "affectsProcess", "affects", "effect", "effect"),
    Relation("direction", "effectDirection", "direction", "direction"),
    Relation("blocked_by", "blockedBy", "blocked by"),
    Relation("species", "inSpecies", "species"),
    Relation("evidence", "evidence", "evidence"),
    Relation("reference", "citedIn", "stated in"),
]
FACETS: dict[str, str] = {"ev": "EV type", "cancer": "Disease", "molecule": "Molecule", "cell": "Cell",
                          "effect": "Effect", "direction": "Direction"}


def sortable() -> set[str]:
    """The columns a table sorts by: the id, the statement and every relation (read when asked, so a relation
    added to RELATIONS is sortable too)."""
    return {"id", "statement", *(r.key for r in RELATIONS)}


@dataclass(frozen=True)
class Term:
    iri: str
    label: str


@dataclass
class FindingRow:
    iri: str
    id: str
    statement: str = ""
    statement_lang: str = ""
    values: dict[str, list[Term]] = field(default_factory=dict)  # relation key -> terms, by label

    def facet_values(self, facet: str) -> set[str]:
        return {t.iri for r in RELATIONS if r.facet == facet for t in self.values.get(r.key, [])}

    def text(self) -> str:
        labels = " ".join(t.label for terms in self.values.values() for t in terms)
        return f"{self.id} {self.statement} {labels}".lower()


class FilterError(ValueError):
    """A query parameter of the findings table that cannot be honoured; the message names it."""


@dataclass
class Filters:
    """What the reader asked for: a scope (a term and its subclasses), facet values, a text, a sort order."""

    about: str = ""
    facets: dict[str, set[str]] = field(default_factory=dict)  # facet -> IRIs (any of them, per facet)
    q: str = ""
    sort: str = "id"
    descending: bool = False

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> "Filters":
        """From request arguments: ?about=&ev=&cancer=…&q=&sort=&order= (a facet may repeat)."""
        facets = {name: {v.strip() for v in args.getlist(name) if v.strip()} for name in FACETS}
        sort = (args.get("sort") or "id").strip()
        if sort not in sortable():
            raise FilterError(f"parameter 'sort' must be one of {', '.join(sorted(sortable()))}, not {sort!r}")
        order = (args.get("order") or "asc").strip()
        if order not in ("asc", "desc"):
            raise FilterError(f"parameter 'order' must be 'asc' or 'desc', not {order!r}")
        for name, values in facets.items():
            for value in values:
                if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$", value):
                    raise FilterError(f"parameter {name!r} must be an IRI, not {value!r}")
        about = (args.get("about") or "").strip()
        if about and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", about):
            raise FilterError(f"parameter 'about' must be an http(s) IRI, not {about!r}")
        return cls(about=about, facets={k: v for k, v in facets.items() if v},
                   q=(args.get("q") or "").strip(), sort=sort, descending=order == "desc")

    def query_args(self) -> list[tuple[str, str]]:
        """The same filters as query parameters (for the export links)."""
        items = [("about", self.about)] if self.about else []
        items += [(name, v) for name in FACETS for v in sorted(self.facets.get(name, ()))]
        items += [("q", self.q)] if self.q else []
        if self.sort != "id" or self.descending:
            items += [("sort", self.sort), ("order", "desc" if self.descending else "asc")]
        return items


def natural_key(text: str) -> list[object]:
    """Numbers compare as numbers: t1-2 before t1-10.

    >>> sorted(["bian2019-t1-10", "bian2019-t1-02", "bian2019-tx-1"], key=natural_key)
    ['bian2019-t1-02', 'bian2019-t1-10', 'bian2019-tx-1']
    """
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", text)]


def load_rows(store: Store, vocab: str) -> list[FindingRow]:
    """Every finding with its statement and the terms of every relation (labelled), in natural id order."""
    props = " ".join(f"<{vocab}{r.prop}>" for r in RELATIONS)
    by_prop = {vocab + r.prop: r.key for r in RELATIONS}
    rows: dict[str, FindingRow] = {}
    for solution in store.query(f"""SELECT ?f ?s (LANG(?s) AS ?lang) WHERE {{ ?f a <{vocab}Finding> .
            OPTIONAL {{ ?f <{vocab}statement> ?s }} }}"""):
        iri = solution["f"].value
        row = rows.setdefault(iri, FindingRow(iri, re.split(r"[/#]", iri)[-1]))
        if solution["s"] is not None:
            row.statement, row.statement_lang = solution["s"].value, solution["lang"].value
    seen: dict[tuple[str, str, str], str] = {}
    for solution in store.query(f"""SELECT ?f ?p ?o ?label WHERE {{ ?f a <{vocab}Finding> .
            VALUES ?p {{ {props} }} ?f ?p ?o . FILTER(isIRI(?o))
            OPTIONAL {{ ?o <{RDFS_LABEL}> ?label }} }}"""):
        key = (solution["f"].value, by_prop[solution["p"].value], solution["o"].value)
        label = solution["label"].value if solution["label"] is not None else ""
        if key not in seen or (label and (not seen[key] or label < seen[key])):
            seen[key] = label
    for (finding, relation, iri), label in seen.items():
        if finding in rows:
            name = label or short_name(iri, vocab.removesuffix("ontology/"))
            rows[finding].values.setdefault(relation, []).append(Term(iri, name))
    for row in rows.values():
        for terms in row.values.values():
            terms.sort(key=lambda t: (t.label.lower(), t.iri))
    return sorted(rows.values(), key=lambda r: natural_key(r.id))


def subclasses(store: Store, iri: str) -> set[str]:
    """The term and every class below it (a class's findings include its subclasses')."""
    found = {iri}
    for solution in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>+ <{iri}> . FILTER(isIRI(?c)) }}"):
        found.add(solution["c"].value)
    return found


def in_scope(rows: Iterable[FindingRow], scope: set[str] | None) -> list[FindingRow]:
    """The findings that name a term of the scope in any relation (or are the scope: a finding's own page)."""
    if scope is None:
        return list(rows)
    return [row for row in rows if row.iri in scope
            or any(t.iri in scope for terms in row.values.values() for t in terms)]


@dataclass
class Table:
    total: int  # findings in scope, before the facets and the text filter
    rows: list[FindingRow]
    facets: dict[str, list[dict[str, object]]]


def apply(rows: list[FindingRow], filters: Filters) -> Table:
    """Rows in scope → the rows the filters keep (sorted), and each facet's values counted over the rows that the
    other filters keep (so a reader can widen a facet to more values)."""
    needle = filters.q.lower()
    texts = [row for row in rows if not needle or needle in row.text()]

    def keep(row: FindingRow, skip: str = "") -> bool:
        return all(row.facet_values(name) & wanted for name, wanted in filters.facets.items() if name != skip)

    kept = [row for row in texts if keep(row)]
    facets: dict[str, list[dict[str, object]]] = {}
    for name in FACETS:
        counts: dict[str, int] = {}
        labels: dict[str, str] = {}
        for row in texts:
            if not keep(row, skip=name):
                continue
            for r in RELATIONS:
                if r.facet != name:
                    continue
                for term in row.values.get(r.key, []):
                    labels[term.iri] = term.label
            for iri in row.facet_values(name):
                counts[iri] = counts.get(iri, 0) + 1
        selected = filters.facets.get(name, set())
        for iri in selected - set(counts):
            counts[iri], labels[iri] = 0, short_name(iri, "")
        facets[name] = [{"iri": iri, "label": labels[iri], "count": n, "selected": iri in selected}
                        for iri, n in sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]].lower()))]
    return Table(len(rows), _sorted(kept, filters), facets)


def _sorted(rows: list[FindingRow], filters: Filters) -> list[FindingRow]:
    key: Callable[[FindingRow], Any]  # a sort key of the chosen column's shape
    if filters.sort == "id":
        key = lambda r: natural_key(r.id)  # noqa: E731
    elif filters.sort == "statement":
        key = lambda r: (r.statement.lower(), natural_key(r.id))  # noqa: E731
    else:
        key = lambda r: ("; ".join(t.label.lower() for t in r.values.get(filters.sort, [])),  # noqa: E731
                         natural_key(r.id))
    ordered = sorted(rows, key=key, reverse=filters.descending)
    if filters.sort not in ("id", "statement"):  # empty values last, whatever the order
        ordered = [r for r in ordered if r.values.get(filters.sort)] + \
                  [r for r in ordered if not r.values.get(filters.sort)]
    return ordered
