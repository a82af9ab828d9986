"""The landing page and the release files (the ontology in each format, its versionIRI, the dump)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from evrdf.query import examples, statistics
from evrdf.settings import Settings
from evrdf.store.base import Store

ONTOLOGY_FILES = {  # media type -> release file
    "text/turtle": "evrdf.ttl",
    "application/rdf+xml": "evrdf.owl",
    "application/ld+json": "evrdf.jsonld",
}
DOWNLOADS = ["evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv", "evrdf.nq"]
MEDIA = {"evrdf.owl": "application/rdf+xml", "evrdf.ttl": "text/turtle", "evrdf.jsonld": "application/ld+json",
         "evrdf.sssom.tsv": "text/tab-separated-values", "evrdf.nq": "application/n-quads"}


def home_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("home", __name__)

    @bp.get("/")
    def landing() -> str:
        info = store.release()
        return render_template("index.html", release=info, stats=statistics(store),
                               examples=examples(settings.base_iri), downloads=DOWNLOADS)

    @bp.get("/ontology")
    def ontology() -> Response:
        best = request.accept_mimetypes.best_match(list(ONTOLOGY_FILES), default="text/turtle")
        response = _file(store, ONTOLOGY_FILES[best or "text/turtle"])
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/releases/<version>/<name>")
    def release_file(version: str, name: str) -> Response:
        if version != store.release()["ontology_version"] or name not in DOWNLOADS:
            abort(404)
        return _file(store, name)

    @bp.get("/downloads/<name>")
    def download(name: str) -> Response:
        if name not in DOWNLOADS:
            abort(404)
        return _file(store, name)

    return bp


def _file(store: Store, name: str) -> Response:
    response = send_from_directory(store.files_dir(), name, mimetype=MEDIA[name])  # type: ignore[attr-defined]
    return response
