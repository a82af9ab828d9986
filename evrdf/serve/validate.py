"""/validate (POST a graph, get an sh:ValidationReport), /shapes (the shapes as linked data) and /validation
(the history of validation runs of the published graph: latest first, with the diff against the run before)."""

from __future__ import annotations

from collections.abc import Collection

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from evrdf.errors import EvrdfError
from evrdf.formats import RESULT_FORMATS, media_type
from evrdf.results import serialized
from evrdf.serve.shapes_view import shape_views
from evrdf.settings import Settings
from evrdf.store.base import Store
from evrdf.validate.data import from_bytes
from evrdf.validate.history import History
from evrdf.validate.render import render
from evrdf.validate.report import diff
from evrdf.validate.run import validate_dataset
from evrdf.validate.shapes import load_shapes

BODY_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
              "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}
REPORT_TYPES = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/json": "json",
                "text/html": "html"}
SHAPE_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
               "application/n-triples": "nt", "text/html": "html"}
FORMAT_NAMES = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
                "json": "application/json", "html": "text/html", "rdf": "application/rdf+xml",
                "nt": "application/n-triples"}
MAX_VALIDATE_BYTES = 5 << 20  # 5 MiB; larger graphs: `evrdf validate FILE`


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _negotiate(offered: Collection[str], default: str) -> str | None:
    """?format= wins; then Accept (q-values ranked by werkzeug); no Accept or */* gets the default."""
    requested = request.args.get("format")
    if requested:
        chosen = FORMAT_NAMES.get(requested.lower(), requested)
        return chosen if chosen in offered else None
    accept = request.accept_mimetypes
    if not accept or accept.best in (None, "*/*"):
        return default
    return accept.best_match(list(offered))


def validate_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("validation", __name__)
    history = History(settings.store, settings.base_iri)

    @bp.post("/validate")
    def validate() -> Response:
        chosen = _negotiate(REPORT_TYPES, "text/turtle")
        if chosen is None:
            return _error(406, f"cannot answer in any acceptable media type; offered: {', '.join(REPORT_TYPES)}")
        fmt = BODY_TYPES.get(request.mimetype)
        if fmt is None:
            return _error(415, f"unsupported Content-Type {request.mimetype!r}: POST RDF as "
                               f"{', '.join(BODY_TYPES)}")
        if request.content_length is not None and request.content_length > MAX_VALIDATE_BYTES:
            return _error(413, f"the body is larger than {MAX_VALIDATE_BYTES} bytes; validate it with "
                               "`evrdf validate FILE` instead")
        body = request.get_data()
        if not body.strip():
            return _error(400, "the body is empty: POST the RDF graph to validate")
        if len(body) > MAX_VALIDATE_BYTES:
            return _error(413, f"the body is larger than {MAX_VALIDATE_BYTES} bytes")
        try:
            dataset = from_bytes(body, fmt, settings.base_iri + "graph/posted", "request body")
            if request.args.get("ontology") in ("1", "true", "yes"):
                ontology = store.files_dir() / "evrdf.ttl"
                dataset.load(ontology.read_bytes(), ox.RdfFormat.TURTLE, settings.base_iri + "graph/ontology",
                             "published ontology")
            report = validate_dataset(dataset, settings)
        except EvrdfError as exc:
            return _error(400, f"cannot validate the body: {exc}")
        if chosen == "text/html":
            return Response(render_template("validation_report.html", report=report))
        response = Response(render(report, REPORT_TYPES[chosen], settings.base_iri), content_type=chosen)
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/shapes")
    def shapes() -> Response:
        chosen = _negotiate(SHAPE_TYPES, "text/turtle")
        if chosen is None:
            return _error(406, f"cannot answer in any acceptable media type; offered: {', '.join(SHAPE_TYPES)}")
        graph = load_shapes(None, settings.base_iri)
        if chosen == "text/html":
            body = render_template("shapes.html", shapes=shape_views(graph))
        else:
            body = graph.serialize(format=SHAPE_TYPES[chosen])
        response = Response(body, content_type=chosen)
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/validation")
    def validation() -> Response:
        rdf = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD,
               "application/n-triples": ox.RdfFormat.N_TRIPLES}
        offered = [*rdf, "text/html"]
        chosen = _negotiate(offered, "text/html")
        if chosen is None:
            return _error(406, f"cannot answer in any acceptable media type; offered: {', '.join(offered)}")
        if chosen in rdf:
            return Response(history.dump(rdf[chosen]), content_type=chosen)
        runs = history.runs()
        latest = history.results(runs[0].iri) if runs else []
        change = diff(latest, history.results(runs[1].iri)) if len(runs) > 1 else None
        return Response(render_template("validation.html", runs=runs, latest=latest, change=change,
                                        graph=history.graph))

    @bp.route("/validation/sparql", methods=["GET", "POST"])
    def history_sparql() -> Response:
        query = request.values.get("query")
        if not query:
            return _error(400, "missing 'query' parameter: SPARQL over the validation history")
        try:
            result = history.query(query)
        except SyntaxError as exc:
            return _error(400, f"SPARQL syntax error: {exc}")
        if isinstance(result, ox.QueryTriples):
            turtle = ox.RdfFormat.TURTLE
            return Response(serialized(result.serialize(format=turtle)), content_type=turtle.media_type)
        offered = {media_type(f): f for f in RESULT_FORMATS.values()}
        best = request.accept_mimetypes.best_match(list(offered)) if request.accept_mimetypes else None
        fmt = offered.get(best or "", ox.QueryResultsFormat.JSON)
        return Response(serialized(result.serialize(format=fmt)), content_type=fmt.media_type)

    return bp
