"""Dereferencing: every IRI under the base answers on this host, for people (HTML) and machines (RDF).

Following W3C "Cool URIs for the Semantic Web" (section 4.3, "303 URIs forwarding to different documents") and
"Best Practice Recipes for Publishing RDF Vocabularies" (recipe 5, slash namespace with content negotiation):
evrdf's IRIs name things (genes, classes, findings, papers, graphs), not documents, so

- ``GET <thing>`` answers **303 See Other** to the document that describes it in the negotiated format,
  ``<thing>.html``, ``.ttl``, ``.nt``, ``.rdf`` or ``.jsonld`` (``?format=`` overrides ``Accept``;
  nothing acceptable → 406), with ``Vary: Accept`` and ``Link`` headers to every alternate;
- ``GET <thing>.<ext>`` answers 200 with that document (its format is fixed, so it does not vary);
- an IRI nobody uses → 404. The ontology IRI names a document, so /ontology answers directly (home.py).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from evrdf.formats import DOCUMENT_TYPES, document_extension, serialize_triples
from evrdf.serve.errors import error_response
from evrdf.serve.resource_graph import exists, iri_for_path, resource_triples
from evrdf.settings import Settings
from evrdf.store.base import Store

CONTEXT_PATH = "context.jsonld"
PREFIXES = {  # prefix -> namespace of the vocabularies evrdf uses
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "spdx": "http://spdx.org/rdf/terms#",
    "obo": "http://purl.obolibrary.org/obo/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "hgnc": "https://identifiers.org/hgnc:",
    "uniprot": "http://purl.uniprot.org/uniprot/",
}


MINTED = ("gene", "finding", "reference", "source", "graph")  # namespaces of the IRIs evrdf mints


def prefixes(base: str) -> dict[str, str]:
    """Prefixes for serializing: the standard ones, the vocabulary, and one per minted namespace."""
    return {"evo": base + "ontology/", **{name: f"{base}{name}/" for name in MINTED}, **PREFIXES}


def jsonld_context(base: str, store: Store | None = None) -> dict[str, Any]:
    """The published @context: the prefixes, so compact IRIs such as ``evo:carriesCargo`` read well, and, given
    the store, a term per vocabulary property and class (``"carriesCargo"``, jsonld_terms.py)."""
    context: dict[str, Any] = prefixes(base)
    if store is not None:
        from evrdf.serve.jsonld_terms import vocabulary_terms

        context = {**context, **vocabulary_terms(store, base, set(context))}
    return {"@context": context}


def local_href(iri: str, base: str) -> str:
    """Where an IRI under the base lives on this host (other IRIs are returned unchanged)."""
    if not iri.startswith(base):
        return iri
    return request.script_root + "/" + iri[len(base):]


def resources_blueprint(store: Store, settings: Settings, page: Callable[[Store, str], str]) -> Blueprint:
    """The catch-all for IRIs under the base; ``page`` renders a resource's HTML page (serve/pages.py's
    term_page, passed in by the app so that pages.py may use this module's helpers without a cycle)."""
    bp = Blueprint("resources", __name__)
    base, vocab = settings.base_iri, settings.base_iri + "ontology/"

    contexts: dict[str, dict[str, Any]] = {}

    def published_context() -> dict[str, Any]:
        """The @context of the served release (its terms come from its ontology): computed once per release."""
        release = str(store.release().get("release", ""))
        if release not in contexts:
            contexts.clear()
            contexts[release] = jsonld_context(base, store)
        return contexts[release]

    bp.record_once(lambda state: state.app.extensions.__setitem__("evrdf_jsonld_context", published_context))

    @bp.get("/" + CONTEXT_PATH)
    def context() -> Response:
        return Response(json.dumps(published_context(), indent=2), mimetype="application/ld+json")

    @bp.get("/<path:path>")
    def resource(path: str) -> WerkzeugResponse:
        if path == "ontology/":  # the vocabulary's namespace IRI names the vocabulary (Recipes, recipe 5)
            response = redirect(f"{request.script_root}/ontology", code=303)
            response.headers["Vary"] = "Accept"
            return response
        stem, dot, ext = path.rpartition(".")
        if dot and ext in DOCUMENT_TYPES:
            iri = iri_for_path(base, stem)
            if iri is not None and exists(store, iri, base):
                return _document(store, iri, ext, base, vocab, page)
        iri = iri_for_path(base, path)
        if iri is None or not exists(store, iri, base):
            gone = withdrawn(store, iri_for_path(base, stem) if dot and ext in DOCUMENT_TYPES else iri, base)
            if gone:
                return _text(410, gone)
            return _text(404, f"nothing is published as <{iri or base + path}> in this release")
        return _see_other(path)

    return bp


def withdrawn(store: Store, iri: str | None, base: str) -> str | None:
    """Why an IRI evrdf once published answers 410 Gone: the release whose changelog withdrew it, and the last
    release that still has it (its files stay at /releases/<id>/)."""
    if iri is None:
        return None
    evc, dcterms = base + "changes/", "http://purl.org/dc/terms/"
    rows = list(store.query(f"""SELECT ?id ?last WHERE {{ ?change <{evc}subject> <{iri}> ;
          <{evc}kind> ?kind . FILTER(?kind IN (<{evc}Withdrawn>, <{evc}Removed>))
        ?log <{evc}change> ?change . ?release <{evc}changelog> ?log ; <{dcterms}identifier> ?id .
        OPTIONAL {{ ?release <http://www.w3.org/ns/prov#wasRevisionOf>/<{dcterms}identifier> ?last }} }}"""))
    if not rows:
        return None
    from evrdf.release.ids import sort_key

    row = max(rows, key=lambda r: sort_key(r["id"].value))
    last = f"; it was last published in release {row['last'].value} ({request.script_root}/releases/" \
           f"{row['last'].value}/)" if row["last"] is not None else ""
    return (f"<{iri}> is no longer published: it was withdrawn in release {row['id'].value} "
            f"({request.script_root}/releases/{row['id'].value}/){last}")


def _see_other(path: str) -> WerkzeugResponse:
    """303 to the document in the format the client asked for (Cool URIs, section 4.3)."""
    requested = request.args.get("format")
    if requested is not None:
        ext = document_extension(requested)
        if ext is None:
            return _text(400, f"unknown format {requested!r} in parameter 'format' "
                              f"(known: {', '.join(DOCUMENT_TYPES)})")
    elif not request.accept_mimetypes:  # no Accept header means */* (RFC 9110, 12.5.1): people first
        ext = "html"
    else:
        best = request.accept_mimetypes.best_match(list(DOCUMENT_TYPES.values()) + ["application/xhtml+xml"])
        if best is None:
            response = _text(406, "none of the acceptable media types is offered for this resource; offered: "
                                  + ", ".join(DOCUMENT_TYPES.values()))
            response.headers["Vary"] = "Accept"
            _link_alternates(response, path)
            return response
        ext = document_extension(best) or "html"
    moved = redirect(f"{request.script_root}/{path}.{ext}", code=303)
    moved.headers["Vary"] = "Accept"
    _link_alternates(moved, path)
    return moved


def _document(store: Store, iri: str, ext: str, base: str, vocab: str,
              page: Callable[[Store, str], str]) -> Response:
    path = iri[len(base):]
    if ext == "html":
        response = Response(page(store, iri), mimetype="text/html")
    else:
        triples = resource_triples(store, iri, vocab)
        if ext == "jsonld":
            published = current_app.extensions.get("evrdf_jsonld_context")
            body = compact_jsonld(serialize_triples(triples, "nt"), base,
                                  request.host_url.rstrip("/") + request.script_root + "/" + CONTEXT_PATH,
                                  published()["@context"] if published else None)
        else:
            body = serialize_triples(triples, ext, prefixes(base))
        response = Response(body, mimetype=DOCUMENT_TYPES[ext])
    _link_alternates(response, path, skip=ext)
    return response


def compact_jsonld(ntriples: bytes, base: str, context_url: str, context: dict[str, Any] | None = None) -> bytes:
    """JSON-LD compacted against the published context (its prefixes and terms), which the document then
    references by URL."""
    from rdflib import Graph

    graph = Graph().parse(data=ntriples, format="nt")
    context = context or prefixes(base)
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    if isinstance(document, dict):
        document["@context"] = context_url
    else:
        document = {"@context": context_url, "@graph": document}
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def _link_alternates(response: WerkzeugResponse, path: str, skip: str = "") -> None:
    links = [f'<{request.script_root}/{path}.{ext}>; rel="alternate"; type="{media}"'
             for ext, media in DOCUMENT_TYPES.items() if ext != skip]
    response.headers["Link"] = ", ".join(links)


def _text(status: int, message: str) -> Response:
    """A 4xx: text for machine clients, the site's error page for browsers (errors.py)."""
    return error_response(status, message)


def resource_view_function() -> Any:
    """The catch-all view, for blueprints whose routes shadow part of the IRI space (release paths)."""
    return current_app.view_functions.get("resources.resource")
