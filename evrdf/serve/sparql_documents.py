"""What /sparql says without a query, and the small metadata documents beside it: the YASGUI editor for
browsers, the service description for everyone else, VoID and the example queries (serialized by rdflib), and
the JSON-LD context of the endpoint's graph answers."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for

from evrdf.formats import normalise
from evrdf.query import PREFIXES, examples
from evrdf.serve.service_description import service_graph
from evrdf.serve.sparql_answer import RDF_TYPES, RESULT_TYPES
from evrdf.serve.sparql_request import Params, Refusal, endpoint_iri
from evrdf.serve.void import StatisticsCache
from evrdf.settings import Settings

DOCUMENT_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
                  "application/n-triples": "nt"}  # media type -> rdflib format, for the small metadata documents


# -- the bare endpoint: query editor for browsers, service description for everyone else -----------------------
HTML_TYPES = ("text/html", "application/xhtml+xml")


def prefers_html() -> bool:
    """True when the Accept header names HTML explicitly with a higher quality than every result or RDF type it
    names: a browser following a link (Chromium: text/html, ..., application/xml;q=0.9, */*;q=0.8) gets the
    editor; protocol clients, which name result types or send */*, keep their formats."""
    html, other = 0.0, 0.0
    for value, quality in request.accept_mimetypes:
        kind = value.split(";")[0].strip().lower()
        if kind in HTML_TYPES:
            html = max(html, quality)
        elif kind in RESULT_TYPES or kind in RDF_TYPES or kind in ("application/xml", "text/xml"):
            other = max(other, quality)
    return html > other


def editor(settings: Settings, query: str | None) -> Response:
    """The YASGUI editor page, with ``query`` (from a link) loaded and run."""
    response = Response(render_template("sparql.html", examples=examples(settings.base_iri), query=query,
                                        endpoint=url_for("sparql.sparql", _external=True)))
    response.headers["Vary"] = "Accept"
    return response


def bare_endpoint(settings: Settings, statistics: StatisticsCache, params: Params) -> Response:
    offers = ["text/turtle", "text/html", "application/rdf+xml", "application/ld+json", "application/n-triples"]
    wanted = params.format
    best = (DOCUMENT_FORMAT_NAMES.get(normalise(wanted), wanted) if wanted
            else request.accept_mimetypes.best_match(offers) if request.accept_mimetypes else "text/turtle")
    if best == "text/html" or wanted == "html":
        return editor(settings, None)
    if best not in DOCUMENT_TYPES:
        raise Refusal(400, "missing 'query' parameter (SPARQL 1.1 Protocol, section 2.1); without one, this "
                           f"endpoint describes itself as {', '.join(DOCUMENT_TYPES)}")
    store = statistics.store
    graph = service_graph(settings, statistics.get(), endpoint_iri(), request.url_root,
                          serving=(store.mode(), store.memory_note))
    response = Response(graph.serialize(format=DOCUMENT_TYPES[best], encoding="utf-8"), content_type=best)
    response.headers["Vary"] = "Accept"
    return response


DOCUMENT_FORMAT_NAMES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
                         "nt": "application/n-triples"}


def document(graph: Any, args: dict[str, str]) -> Response:
    """A small metadata document (VoID, examples) in the negotiated RDF format, serialized by rdflib."""
    wanted = args.get("format")
    offers = list(DOCUMENT_TYPES)
    best: str | None
    if wanted:
        best = DOCUMENT_FORMAT_NAMES.get(normalise(wanted), wanted)
        if best not in DOCUMENT_TYPES:
            raise Refusal(400, f"unknown format={wanted!r}; use one of {', '.join(DOCUMENT_FORMAT_NAMES)}")
    else:
        best = request.accept_mimetypes.best_match(offers) if request.accept_mimetypes else offers[0]
        if best is None:
            raise Refusal(406, f"none of the acceptable media types fits; offered: {', '.join(offers)}")
    response = Response(graph.serialize(format=DOCUMENT_TYPES[best], encoding="utf-8"), content_type=best)
    response.headers["Vary"] = "Accept"
    return response


def context_for(base_iri: str) -> dict[str, str]:
    prefixes = {name: iri.replace("https://w3id.org/evrdf/", base_iri) for name, iri in PREFIXES.items()}
    prefixes.update({"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "owl": "http://www.w3.org/2002/07/owl#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": "http://purl.org/dc/terms/",
                     "prov": "http://www.w3.org/ns/prov#", "evr": base_iri})
    return prefixes
