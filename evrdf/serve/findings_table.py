"""The findings as a table people work with: /findings (a page), /findings/data.json (rows, facets, counts) and
/findings/export.csv|tsv|jsonld — the rows exactly as filtered, the filter given as query parameters.

Rows come from the store by SPARQL (finding_rows.load_rows), once per release; filters and facets are applied in
memory, so the page, its JSON and its exports agree by construction.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from urllib.parse import quote

from flask import Blueprint, Response, abort, jsonify, render_template, request

from evrdf.serve.finding_rows import (
    FACETS,
    RELATIONS,
    FilterError,
    Filters,
    FindingRow,
    Table,
    apply,
    in_scope,
    load_rows,
    subclasses,
)
from evrdf.serve.resources import local_href
from evrdf.settings import Settings
from evrdf.store.base import Store

EXPORTS = {"csv": "text/csv", "tsv": "text/tab-separated-values", "jsonld": "application/ld+json"}
# the columns the page shows, in reading order (the exports carry every relation)
SHOWN = ["ev_type", "released_by", "cancer", "cargo", "induces", "recipient", "process", "direction"]


class RowCache:
    """The findings of the published release, loaded on first use and again when the release changes."""

    def __init__(self, store: Store, vocab: str):
        self.store, self.vocab = store, vocab
        self._lock = threading.Lock()
        self._release: object = None
        self._rows: list[FindingRow] = []

    def rows(self) -> list[FindingRow]:
        release = self.store.release().get("release")
        with self._lock:
            if release != self._release or release is None:
                self._rows, self._release = load_rows(self.store, self.vocab), release
            return self._rows


def table_for(cache: RowCache, filters: Filters) -> Table:
    scope = subclasses(cache.store, filters.about) if filters.about else None
    return apply(in_scope(cache.rows(), scope), filters)


def row_json(row: FindingRow, base: str) -> dict[str, object]:
    return {"iri": row.iri, "href": local_href(row.iri, base), "id": row.id, "statement": row.statement,
            "values": {key: [{"iri": t.iri, "label": t.label, "href": local_href(t.iri, base)} for t in terms]
                       for key, terms in row.values.items()}}


def findings_blueprint(store: Store, settings: Settings, cache: RowCache | None = None) -> Blueprint:
    bp = Blueprint("findings", __name__)
    base, vocab = settings.base_iri, settings.base_iri + "ontology/"
    rows = cache or RowCache(store, vocab)

    def filters() -> Filters:
        try:
            return Filters.from_args(request.args)
        except FilterError as error:
            abort(Response(f"{error}\n", 400, mimetype="text/plain"))

    def exported(fmt: str) -> Response:
        """The rows the request's filters keep, in one of the export formats."""
        if fmt not in EXPORTS:
            abort(Response(f"no export format {fmt!r}: use one of {', '.join(EXPORTS)}\n", 404,
                           mimetype="text/plain"))
        table = table_for(rows, filters())
        if fmt == "jsonld":
            body = json.dumps(jsonld(table.rows, vocab), indent=1, ensure_ascii=False)
        else:
            body = delimited(table.rows, "\t" if fmt == "tsv" else ",")
        response = Response(body, mimetype=EXPORTS[fmt])
        if fmt != "jsonld":
            response.headers["Content-Type"] = f"{EXPORTS[fmt]}; charset=utf-8"
        response.headers["Content-Disposition"] = f'attachment; filename="findings.{fmt}"'
        return response

    @bp.get("/findings")
    def page() -> Response:
        """The table for people; a client asking for CSV, TSV or JSON-LD gets that export of the same filters."""
        offered = ["text/html", *EXPORTS.values()]
        best = request.accept_mimetypes.best_match(offered, default="text/html")
        if best != "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]:
            response = exported(next(fmt for fmt, mime in EXPORTS.items() if mime == best))
        else:
            response = Response(render_template("findings.html", columns=_columns(), facets=FACETS),
                                mimetype="text/html")
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/findings/data.json")
    def data() -> Response:
        wanted = filters()
        table = table_for(rows, wanted)
        query = "&".join(f"{k}={_quote(v)}" for k, v in wanted.query_args())
        return jsonify({
            "total": table.total, "count": len(table.rows), "columns": _columns(),
            "facets": [{"key": k, "title": t, "values": table.facets[k]} for k, t in FACETS.items()],
            "rows": [row_json(row, base) for row in table.rows],
            "exports": {fmt: f"{request.script_root}/findings/export.{fmt}" + (f"?{query}" if query else "")
                        for fmt in EXPORTS},
        })

    @bp.get("/findings/export.<fmt>")
    def export(fmt: str) -> Response:
        return exported(fmt)

    return bp


def _columns() -> list[dict[str, str]]:
    titles = {r.key: r.title for r in RELATIONS}
    return [{"key": key, "title": titles[key]} for key in SHOWN]


def _quote(value: str) -> str:
    return quote(value, safe="")


def delimited(rows: list[FindingRow], sep: str) -> str:
    """One line per finding: its IRI, id, statement, then each relation's labels joined by '; '."""
    out = io.StringIO()
    header = ["finding", "id", "statement", *(r.key for r in RELATIONS)]
    lines = [[row.iri, row.id, row.statement, *("; ".join(t.label for t in row.values.get(r.key, []))
                                                 for r in RELATIONS)] for row in rows]
    if sep == "\t":  # TSV has no quoting: tabs and line breaks inside a value become spaces
        for line in [header, *lines]:
            out.write("\t".join(" ".join(cell.split()) if ("\t" in cell or "\n" in cell) else cell
                                for cell in line) + "\n")
    else:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(lines)
    return out.getvalue()


def jsonld(rows: list[FindingRow], vocab: str) -> dict[str, object]:
    """The filtered findings as JSON-LD: each finding's type, statement and relations, as the store states them."""
    graph = []
    for row in rows:
        node: dict[str, object] = {"@id": row.iri, "@type": "evo:Finding"}
        if row.statement:
            node["evo:statement"] = ({"@value": row.statement, "@language": row.statement_lang}
                                     if row.statement_lang else row.statement)
        for relation in RELATIONS:
            terms = row.values.get(relation.key, [])
            if terms:
                node[f"evo:{relation.prop}"] = [{"@id": t.iri} for t in terms]
        graph.append(node)
    return {"@context": {"evo": vocab}, "@graph": graph}
