"""The landing page, the ontology in each format and the current release's files (every release's files,
including the versionIRI, are under /releases: releases.py)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory

from evrdf.formats import DOCUMENT_TYPES, document_extension, serialize_triples
from evrdf.query import examples, statistics
from evrdf.serve.ontodoc import framed
from evrdf.settings import Settings
from evrdf.store.base import Store

ONTOLOGY_FILES = {  # media type -> release file
    "text/turtle": "evrdf.ttl",
    "application/rdf+xml": "evrdf.owl",
    "application/ld+json": "evrdf.jsonld",
}
DOWNLOADS = ["evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv", "evrdf.nq"]
DOWNLOAD_DESCRIPTIONS = {"evrdf.owl": "the ontology (OWL, RDF/XML)", "evrdf.ttl": "the ontology (Turtle)",
                         "evrdf.jsonld": "the ontology (JSON-LD)", "evrdf.sssom.tsv": "mappings to GO, CL, MONDO, "
                         "ChEBI... (SSSOM)", "evrdf.nq": "the whole dataset, every named graph (N-Quads dump)"}
MEDIA = {"evrdf.owl": "application/rdf+xml", "evrdf.ttl": "text/turtle", "evrdf.jsonld": "application/ld+json",
         "evrdf.sssom.tsv": "text/tab-separated-values", "evrdf.nq": "application/n-quads"}


def home_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("home", __name__)
    counted: dict[str, list[tuple[str, int]]] = {}

    def counts(release: str | None, store: Store) -> list[tuple[str, int]]:
        """The dataset's counts scan every triple: computed once per release (a release never changes)."""
        key = str(release)
        if key not in counted:
            counted.clear()
            counted[key] = statistics(store)
        return counted[key]

    from evrdf.serve.ontodoc import OntologyDocs

    docs = OntologyDocs(store, settings.base_iri)
    bp.record_once(lambda state: state.app.extensions.__setitem__("evrdf_ontology_docs", docs))  # one per app

    @bp.get("/")
    def landing() -> str:
        info = store.release()
        return render_template("index.html", release=info, stats=counts(info.get("release"), store),
                               serving=store.mode(), serving_note=store.memory_note,
                               examples=examples(settings.base_iri), downloads=DOWNLOADS,
                               descriptions=DOWNLOAD_DESCRIPTIONS)

    @bp.get("/ontology")
    def ontology() -> Response:
        """The ontology IRI names a document, so it answers directly with Vary: Accept (Cool URIs, 4.1)."""
        return _ontology(store, docs, request.path)

    @bp.get("/ontology.<ext>")
    def ontology_document(ext: str) -> Response:
        if ext not in DOCUMENT_TYPES:
            abort(404)
        return _ontology_as(store, docs, ext)

    @bp.get("/downloads/")
    def downloads() -> str:
        """The current release's files, with what each holds and its size (every release's: /releases/)."""
        info = store.release()
        files = store.files_dir()  # type: ignore[attr-defined]
        rows = [{"name": name, "description": DOWNLOAD_DESCRIPTIONS.get(name, ""), "media": MEDIA[name],
                 "bytes": (files / name).stat().st_size if (files / name).is_file() else None} for name in DOWNLOADS]
        return render_template("downloads.html", release=info, files=rows)

    @bp.get("/favicon.ico")
    def favicon() -> Response:
        return send_from_directory(str(current_app.static_folder), "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=86400)

    @bp.get("/downloads/<name>")
    def download(name: str) -> Response:
        if name not in DOWNLOADS:
            abort(404)
        return _file(store, name)

    return bp


def _ontology(store: Store, docs: object, path: str, default: str | None = None) -> Response:
    """Content negotiation over the ontology's formats; ?format= overrides Accept; nothing fits → 406."""
    requested = request.args.get("format")
    offered = list(DOCUMENT_TYPES.values())
    if requested is not None:
        ext = document_extension(requested)
        if ext is None:
            return Response(f"unknown format {requested!r} (known: {', '.join(DOCUMENT_TYPES)})\n", status=400,
                            mimetype="text/plain")
    elif not request.accept_mimetypes:
        ext = document_extension(default or offered[0])
    else:
        best = request.accept_mimetypes.best_match(offered + ["application/xhtml+xml"])  # XHTML: the HTML page
        if best is None:
            response = Response("none of the acceptable media types is offered; offered: " + ", ".join(offered)
                                + "\n", status=406, mimetype="text/plain")
            response.headers["Vary"] = "Accept"
            return response
        ext = document_extension(best)
    response = _ontology_as(store, docs, ext or "html")
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = f"{request.script_root}/ontology.{ext}"
    return response


def _ontology_as(store: Store, docs: object, ext: str) -> Response:
    if ext == "html":
        response = Response(framed(docs.html()), mimetype="text/html")  # type: ignore[attr-defined]
    elif ext == "nt":
        response = Response(serialize_triples(docs.triples(), "nt"),  # type: ignore[attr-defined]
                            mimetype=DOCUMENT_TYPES["nt"])
    else:
        response = _file(store, ONTOLOGY_FILES[DOCUMENT_TYPES[ext]])
    response.headers["Link"] = ", ".join(f'<{request.script_root}/ontology.{e}>; rel="alternate"; type="{t}"'
                                         for e, t in DOCUMENT_TYPES.items() if e != ext)
    return response


def _file(store: Store, name: str) -> Response:
    response = send_from_directory(store.files_dir(), name, mimetype=MEDIA[name])  # type: ignore[attr-defined]
    return response
