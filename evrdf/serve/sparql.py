"""/sparql: SPARQL 1.1 Protocol query operation (https://www.w3.org/TR/sparql11-protocol/#query-operation).

Results are serialized by Oxigraph straight into the response body; no rdflib on this path.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

import pyoxigraph as ox

from evrdf.formats import RDF_FORMATS, RESULT_FORMATS, media_type, normalise
from evrdf.query import examples
from evrdf.settings import Settings
from evrdf.store.base import Store

RESULT_TYPES = {media_type(fmt): fmt for fmt in RESULT_FORMATS.values()}
RDF_TYPES = {media_type(fmt): fmt for fmt in RDF_FORMATS.values()}


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def sparql_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("sparql", __name__)

    @bp.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        query, default_graphs, named_graphs, problem = _read_request()
        if problem:
            return problem
        if query is None:
            if request.method == "GET" and request.accept_mimetypes.accept_html:
                return Response(render_template("sparql.html", examples=examples(settings.base_iri)))
            return _error(400, "missing 'query' parameter (SPARQL 1.1 Protocol, section 2.1)")
        try:
            result = store.query(query, default_graphs=default_graphs or None, named_graphs=named_graphs or None)
        except SyntaxError as exc:
            return _error(400, f"SPARQL syntax error: {exc}")
        except OSError as exc:
            return _error(500, f"the store failed to answer: {exc}")
        return _respond(result)

    return bp


def _read_request() -> tuple[str | None, list[str], list[str], Response | None]:
    if request.method == "GET":
        values = request.args
    else:
        mimetype = request.mimetype
        if mimetype == "application/sparql-query":
            body = request.get_data()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return None, [], [], _error(400, "the query body is not valid UTF-8")
            return (text, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri"),
                    None)
        if mimetype != "application/x-www-form-urlencoded":
            return None, [], [], _error(415, f"unsupported Content-Type {mimetype!r}: POST a query as "
                                             "application/x-www-form-urlencoded or application/sparql-query")
        values = request.form
    queries = values.getlist("query")
    if len(queries) > 1:
        return None, [], [], _error(400, "more than one 'query' parameter")
    return (queries[0] if queries else None, values.getlist("default-graph-uri"),
            values.getlist("named-graph-uri"), None)


def _respond(result: object) -> Response:
    requested = request.values.get("format")
    if isinstance(result, ox.QueryTriples):
        table, default = RDF_TYPES, ox.RdfFormat.TURTLE
        chosen = RDF_FORMATS.get(normalise(requested)) if requested else None
    else:
        table, default = RESULT_TYPES, ox.QueryResultsFormat.JSON
        chosen = RESULT_FORMATS.get(normalise(requested)) if requested else None
    if requested and chosen is None:
        return _error(400, f"unknown format {requested!r} for this kind of result "
                           f"(known: {', '.join(sorted(RDF_FORMATS if table is RDF_TYPES else RESULT_FORMATS))})")
    if chosen is None:
        accept = request.accept_mimetypes
        if not accept or accept.best in (None, "*/*"):
            chosen = default
        else:
            best = accept.best_match(list(table))
            if best is None:
                return _error(406, f"none of the acceptable media types can represent this result; "
                                   f"offered: {', '.join(table)}")
            chosen = table[best]
    body = result.serialize(format=chosen)  # type: ignore[attr-defined]
    response = Response(body, content_type=chosen.media_type)
    response.headers["Vary"] = "Accept"
    return response
