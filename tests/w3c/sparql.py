"""Running one W3C SPARQL query test: in process on pyoxigraph (the floor), and through evrdf's /sparql over HTTP.

The dataset of a test (qt:data for the default graph, qt:graphData for named graphs, each named by its file's
IRI) is given to evrdf the way the protocol gives one: ``default-graph-uri`` / ``named-graph-uri`` (SPARQL 1.1
Protocol 2.1.4; the endpoint's own default graph, the union of its named graphs, is then not used). A query that
names its dataset with FROM / FROM NAMED is sent without them, so that its own clauses decide. Every test file is
published in the evrdf store under its file IRI (one `evrdf build --add` of all of them). The query is parsed
against its file's IRI, as the manifests expect (relative IRIs, FROM <data.ttl>): in process with ``base_iri=``,
over HTTP with a ``BASE <file IRI>`` line in front of the query, the one thing a client can send for it.
"""

from __future__ import annotations

import itertools
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tests.w3c.manifests import Entry
from tests.w3c.results import XSD_STRING, Answer, Solutions, from_bytes, from_csv, from_pyoxigraph, same_answer, term

RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
EMPTY = "urn:evrdf:test:empty-graph"  # a graph nobody publishes: the empty default graph


@dataclass
class Outcome:
    passed: bool
    detail: str = ""


def iri(path: Path) -> str:
    return path.resolve().as_uri()


def query_text(entry: Entry) -> str:
    assert entry.query is not None
    return entry.query.read_text(encoding="utf-8")


def dataset_clauses(text: str, base: str) -> tuple[list[str], list[str]]:
    """The FROM and FROM NAMED graphs a query names, resolved against its base."""
    from evrdf.sparql_text import tokens
    from evrdf.store.remote_query import resolve_iri

    toks, found = tokens(text), ([], [])  # type: ignore[var-annotated]
    for k, token in enumerate(toks[:-1]):
        if token.kind == "word" and token.text.upper() == "FROM":
            named = toks[k + 1].kind == "word" and toks[k + 1].text.upper() == "NAMED"
            target = toks[k + 2] if named and k + 2 < len(toks) else toks[k + 1]
            if target.kind == "iri":
                found[1 if named else 0].append(resolve_iri(target.text[1:-1], base))
    return found


def data_files(entry: Entry) -> list[Path]:
    """Every file a test reads: its data, its named graphs, and the graphs its query names with FROM."""
    files = list(entry.data) + list(entry.graph_data)
    if entry.query is not None and entry.kind == "QueryEvaluationTest":
        default, named = dataset_clauses(query_text(entry), iri(entry.query))
        for graph in default + named:
            path = Path(urllib.parse.unquote(urllib.parse.urlparse(graph).path))
            if graph.startswith("file:") and path.is_file():
                files.append(path)
    return files


def parse_file(path: Path) -> list[ox.Triple]:
    # each document's blank nodes are its own (two files that both say _:a mean two nodes)
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(path), format=RDF_FORMATS[path.suffix], base_iri=iri(path),
                              rename_blank_nodes=True)]


# -- the expected answer ---------------------------------------------------------------------------------------
def expected(entry: Entry) -> Answer:
    assert entry.result is not None
    path, suffix = entry.result, entry.result.suffix
    if suffix == ".srx":
        return from_bytes(path.read_bytes(), "application/sparql-results+xml")
    if suffix == ".srj":
        return from_bytes(path.read_bytes(), "application/sparql-results+json")
    if suffix == ".tsv":
        return from_bytes(path.read_bytes(), "text/tab-separated-values")
    if suffix == ".csv":
        return from_csv(path.read_bytes())
    triples = ox.parse(path=str(path), format=RDF_FORMATS[suffix], base_iri=iri(path))
    graph = ox.Store()
    graph.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    rs = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
    if not bool(graph.query(f"ASK {{ ?r a <{rs}ResultSet> }}")):
        return from_pyoxigraph(graph.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    boolean = list(graph.query(f"SELECT ?b WHERE {{ ?r a <{rs}ResultSet> ; <{rs}boolean> ?b }}"))
    if boolean:
        return boolean[0]["b"].value == "true"
    names = sorted(s["v"].value for s in graph.query(f"SELECT ?v WHERE {{ ?r <{rs}resultVariable> ?v }}"))
    rows: dict[object, dict] = {}  # type: ignore[type-arg]
    indexes: dict[object, int] = {}
    for s in graph.query(f"SELECT ?s ?i ?var ?value WHERE {{ ?r <{rs}solution> ?s OPTIONAL {{ ?s <{rs}index> ?i }} "
                         f"OPTIONAL {{ ?s <{rs}binding> ?b . ?b <{rs}variable> ?var ; <{rs}value> ?value }} }}"):
        row = rows.setdefault(s["s"], {})
        if s["i"] is not None:
            indexes[s["s"]] = int(s["i"].value)
        if s["var"] is not None:
            row[s["var"].value] = term(s["value"])
    ordered_rows = sorted(rows, key=lambda node: indexes.get(node, 0))
    return Solutions(names, [{k: v for k, v in rows[node].items()} for node in ordered_rows])


def ordered(entry: Entry) -> bool:
    """Results are compared as a sequence when the query orders them (and the expected file keeps an order)."""
    from evrdf.sparql_text import tokens

    words = [t.text.upper() for t in tokens(query_text(entry)) if t.kind == "word"]
    return any(a == "ORDER" and b == "BY" for a, b in itertools.pairwise(words)) and entry.result is not None \
        and entry.result.suffix in (".srx", ".srj", ".ttl", ".rdf")


NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}


def order_keys(entry: Entry) -> list[str] | None:
    """The variables of the top-level ORDER BY, when every key is a plain variable (ASC/DESC allowed)."""
    from evrdf.sparql_text import tokens

    toks = tokens(query_text(entry))
    for k in range(len(toks) - 1, 0, -1):
        if toks[k - 1].text.upper() == "ORDER" and toks[k].text.upper() == "BY":
            keys = []
            for token in toks[k + 1:]:
                if token.kind == "var":
                    keys.append(token.text[1:])
                elif token.text.upper() in ("ASC", "DESC", "(", ")"):
                    continue
                elif token.text.upper() in ("LIMIT", "OFFSET", "VALUES"):
                    break
                else:
                    return None
            return keys or None
    return None


def _key(row: dict, keys: list[str]) -> tuple:  # type: ignore[type-arg]
    """A row's ORDER BY key, numbers by value: ties (1 and 1.0) may come in either order (SPARQL 15.1)."""
    from decimal import Decimal, InvalidOperation

    out = []
    for name in keys:
        value = row.get(name)
        if value is not None and value[0] == "literal" and value[2] in NUMERIC:
            try:
                out.append(("number", Decimal(value[1].replace("INF", "Infinity"))))
                continue
            except InvalidOperation:
                pass
        out.append(("_",) if value is not None and value[0] == "bnode" else value)
    return tuple(out)


def same_in_order(entry: Entry, want: Answer, got: Answer) -> bool:
    """Ordered results: the same sequence, or the same solutions whose ORDER BY keys come in the same order."""
    if same_answer(want, got, True):
        return True
    keys = order_keys(entry)
    if keys is None or not (isinstance(want, Solutions) and isinstance(got, Solutions)):
        return False
    return same_answer(want, got, False) and [_key(r, keys) for r in want.rows] == [_key(r, keys) for r in got.rows]


def _by_value(answer: Answer) -> Answer | None:
    """The answer with every numeric literal replaced by its value (to tell a lexical-form difference apart)."""
    from decimal import Decimal, InvalidOperation

    def value(t: tuple) -> tuple:  # type: ignore[type-arg]
        if t[0] == "literal" and t[2] in NUMERIC:
            try:
                return ("number", str(Decimal(t[1].replace("INF", "Infinity")).normalize()))
            except InvalidOperation:
                return t
        if t[0] == "csv":
            try:
                return ("number", str(Decimal(t[1]).normalize()))
            except InvalidOperation:
                return t
        return t

    from tests.w3c.results import Triples

    if isinstance(answer, Solutions):
        return Solutions(answer.variables, [{k: value(v) for k, v in row.items()} for row in answer.rows])
    if isinstance(answer, Triples):
        return Triples([(value(a), value(b), value(c)) for a, b, c in answer.rows])
    return None


def lax_equal(want: Answer, got: Answer) -> bool:
    """mf:LaxCardinality: the same distinct solutions, with any multiplicity in between."""
    if not (isinstance(want, Solutions) and isinstance(got, Solutions)):
        return same_answer(want, got)
    distinct = lambda s: Solutions(s.variables, [dict(r) for r in {tuple(sorted(r.items())) for r in s.rows}])  # noqa
    return same_answer(distinct(want), distinct(got)) and len(distinct(want).rows) <= len(got.rows) <= len(want.rows)


def judge(entry: Entry, actual: Answer) -> Outcome:
    from tests.w3c.results import describe

    want = expected(entry)
    if isinstance(want, Solutions) and isinstance(actual, Solutions) and entry.result.suffix == ".csv":  # type: ignore
        from tests.w3c.results import to_csv_cells

        if actual.rows and actual.rows[0] and next(iter(actual.rows[0].values()))[0] != "csv":
            actual = to_csv_cells(actual)
    ok = lax_equal(want, actual) if entry.lax else (same_in_order(entry, want, actual) if ordered(entry)
                                                    else same_answer(want, actual))
    if not ok and _by_value(want) is not None:
        again = _by_value(want), _by_value(actual)
        if (lax_equal(*again) if entry.lax else (same_in_order(entry, *again) if ordered(entry)  # type: ignore
                                                 else same_answer(*again))):  # type: ignore[arg-type]
            return Outcome(False, "numeric literals differ in lexical form only: Oxigraph keeps numbers in canonical "
                                  "form (\"01\"^^xsd:integer is read back as \"1\", 1.0E6 as 1000000); the values agree")
    return Outcome(ok, "" if ok else f"expected:\n{describe(want)}\nactual:\n{describe(actual)}")


def judge_against(entry: Entry, want: Answer, actual: Answer) -> Outcome:
    """``actual`` compared with another engine answer ``want`` (not the manifest's), in the same view."""
    from tests.w3c.results import describe

    ok = lax_equal(want, actual) if entry.lax else (same_in_order(entry, want, actual) if ordered(entry)
                                                    else same_answer(want, actual))
    return Outcome(ok, "" if ok else f"engine:\n{describe(want)}\nevrdf:\n{describe(actual)}")


# -- in process on pyoxigraph ----------------------------------------------------------------------------------
def run_in_process(entry: Entry) -> Answer | SyntaxError:
    store = ox.Store()
    for path in entry.data:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in parse_file(path))
    named = list(entry.graph_data)
    text = query_text(entry)
    default, from_named = dataset_clauses(text, iri(entry.query))  # type: ignore[arg-type]
    for graph in default + from_named:
        path = Path(urllib.parse.unquote(urllib.parse.urlparse(graph).path))
        if graph.startswith("file:") and path.is_file() and path not in named:
            named.append(path)
    for path in named:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(iri(path))) for t in parse_file(path))
    try:
        result = store.query(text, base_iri=iri(entry.query))  # type: ignore[arg-type]
    except SyntaxError as exc:
        return exc
    if entry.result is not None and entry.result.suffix == ".csv":
        return from_csv(result.serialize(format=ox.QueryResultsFormat.CSV))  # type: ignore[union-attr]
    if entry.result is not None and entry.result.suffix == ".tsv":
        return from_bytes(result.serialize(format=ox.QueryResultsFormat.TSV), "text/tab-separated-values")
    return from_pyoxigraph(result)


# -- through evrdf over HTTP -----------------------------------------------------------------------------------
def accept_for(entry: Entry) -> str:
    suffix = entry.result.suffix if entry.result else ""
    return {".srx": "application/sparql-results+xml", ".srj": "application/sparql-results+json",
            ".tsv": "text/tab-separated-values", ".csv": "text/csv"}.get(
        suffix, "application/sparql-results+json, application/n-triples;q=0.9")


def http_form(entry: Entry) -> list[tuple[str, str]]:
    text = query_text(entry)
    form = [("query", f"BASE <{iri(entry.query)}>\n{text}")]  # type: ignore[arg-type]
    default, named = dataset_clauses(text, iri(entry.query))  # type: ignore[arg-type]
    if not (default or named):  # the test's dataset, given by the protocol
        form += [("default-graph-uri", iri(p)) for p in entry.data] or [("default-graph-uri", EMPTY)]
        form += [("named-graph-uri", iri(p)) for p in entry.graph_data]
    return form


def run_over_http(entry: Entry, endpoint: str) -> tuple[int, Answer | str]:
    body = urllib.parse.urlencode(http_form(entry)).encode("utf-8")
    request = urllib.request.Request(endpoint, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": accept_for(entry)})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, from_bytes(response.read(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def http_status(entry: Entry, endpoint: str) -> tuple[int, str]:
    """A syntax test: the query as its file writes it (parsed against the file's IRI), GET."""
    text = f"BASE <{iri(entry.query)}>\n{query_text(entry)}"  # type: ignore[arg-type]
    form = urllib.parse.urlencode([("query", text), ("default-graph-uri", EMPTY)]).encode("utf-8")
    request = urllib.request.Request(endpoint, data=form, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def all_test_quads(entries: list[Entry]) -> bytes:
    """Every data file of the suites as N-Quads, each in a graph named by its file's IRI (for `evrdf build --add`)."""
    seen: dict[Path, None] = {}
    for entry in entries:
        for path in data_files(entry):
            seen.setdefault(path.resolve(), None)
    quads = []
    for path in seen:
        graph = ox.NamedNode(iri(path))
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in parse_file(path)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)  # type: ignore[no-any-return]


__all__ = ["XSD_STRING"]


def run_in_process_syntax(entry: Entry) -> object:
    """Parse (and run on an empty store): a SyntaxError, or anything else, which means it parsed."""
    try:
        return ox.Store().query(query_text(entry), base_iri=iri(entry.query))  # type: ignore[arg-type]
    except SyntaxError as exc:
        return exc
    except Exception as exc:  # e.g. an unknown custom function: evaluated, so parsed
        return exc
