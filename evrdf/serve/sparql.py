"""/sparql: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), query operation (section 2.1),
with the update operation (2.2) for the operator's token only (each update publishes a new release); the service
description at the bare endpoint; VoID, the example queries as RDF and the JSON-LD context beside it.

Results are serialized by the store (Oxigraph) and passed through as bytes; this module only negotiates, limits,
caches (per release) and maps failures to HTTP statuses.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from evrdf.serve import limits
from evrdf.serve.cache import ReleaseCache
from evrdf.serve.examples import examples_graph
from evrdf.serve.home import DOWNLOAD_DESCRIPTIONS, DOWNLOADS, MEDIA
from evrdf.serve.sparql_answer import answer_query
from evrdf.serve.sparql_documents import bare_endpoint, context_for, document, editor, prefers_html
from evrdf.serve.sparql_request import Refusal, endpoint_iri, read_request, text_response
from evrdf.serve.sparql_update import apply_update_request
from evrdf.serve.void import SeriesCache, StatisticsCache, void_graph
from evrdf.settings import Settings
from evrdf.store.base import Store

CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, Content-Type, Content-Encoding, Link"}


def budget_policy(settings: Settings) -> limits.Policy:
    return limits.Policy(settings.budget_s, settings.budget_window_s, settings.budget_free_s, settings.max_expensive)


def sparql_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("sparql", __name__)
    budget = limits.for_server(budget_policy(settings))
    cache = ReleaseCache(settings.cache_bytes)
    statistics = StatisticsCache(store)
    series = SeriesCache(settings.store, settings.base_iri)
    context = {"@context": context_for(settings.base_iri)}
    bp.record_once(lambda state: state.app.extensions.__setitem__("evrdf_sparql_cache", cache))

    @bp.after_request
    def cors(response: Response) -> Response:
        response.headers.update(CORS)
        return response

    @bp.errorhandler(Refusal)
    def refused(exc: Refusal) -> Response:
        return text_response(exc.status, exc.message, exc.headers)

    @bp.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> Response:
        return text_response(413, f"the request body is larger than the limit of {settings.max_body_bytes} bytes")

    @bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"],
              provide_automatic_options=False)
    def sparql() -> Response:
        if request.method == "OPTIONS":
            return _preflight()
        if request.method not in ("GET", "HEAD", "POST"):
            raise Refusal(405, f"{request.method} is not a SPARQL Protocol operation: query with GET or POST, "
                               "update with POST", {"Allow": "GET, POST, HEAD, OPTIONS"})
        params = read_request()
        if params.update is not None:
            return apply_update_request(settings, params)
        if params.query is None:
            if request.method in ("GET", "HEAD"):
                return bare_endpoint(settings, statistics, params)
            raise Refusal(400, "missing 'query' parameter (SPARQL 1.1 Protocol, section 2.1)")
        if request.method in ("GET", "HEAD") and params.format is None and prefers_html():
            return editor(settings, params.query)
        ticket = budget.begin(request.remote_addr or "unknown", settings.query_timeout_s)
        if isinstance(ticket, limits.Refusal):
            raise Refusal(429, f"{ticket.reason}; retry in {ticket.retry_after} s",
                          {"Retry-After": str(ticket.retry_after)})
        try:
            return answer_query(store, settings, cache, context, params)
        finally:
            budget.end(ticket)

    @bp.get("/sparql/context.jsonld")
    def jsonld_context() -> Response:
        return Response(json.dumps(context, indent=2), mimetype="application/ld+json")

    @bp.route("/.well-known/void", methods=["GET", "OPTIONS"], provide_automatic_options=False)
    def void() -> Response:
        if request.method == "OPTIONS":
            return _preflight()
        host = request.host_url.rstrip("/")
        downloads = {f"{host}/downloads/{name}": (MEDIA[name], DOWNLOAD_DESCRIPTIONS.get(name, name))
                     for name in DOWNLOADS}
        graph = void_graph(statistics.get(), settings.base_iri, endpoint_iri(), store.release(), downloads)
        graph += series.get(store.release().get("release"))  # every release, its files, what it revises
        return document(graph, dict(request.args))

    @bp.route("/.well-known/sparql-examples", methods=["GET", "OPTIONS"], provide_automatic_options=False)
    def sparql_examples() -> Response:
        if request.method == "OPTIONS":
            return _preflight()
        return document(examples_graph(settings.base_iri, endpoint_iri()), dict(request.args))

    return bp


def _preflight() -> Response:
    """CORS preflight (Fetch standard): any origin may query, with the headers SPARQL clients send."""
    return Response(status=204, headers={
        "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization, If-None-Match, If-Modified-Since",
        "Access-Control-Max-Age": "86400", "Allow": "GET, POST, HEAD, OPTIONS"})
