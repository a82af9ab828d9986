"""Every release, forever: /releases (the index, newest first), /releases.atom (a feed to poll), and
/releases/<id>/ (one release: its changelog, validation and files) with each release file at
/releases/<id>/<file>, including the ontology at its owl:versionIRI /releases/<id>/evrdf.owl.

The pages are read from the release directories (evrdf.release.index), which the embedded and the remote backend
share, so they answer for every release ever published, whether or not its store is still kept. A release never
changes, so its files are served with an ETag and as immutable.
"""

from __future__ import annotations

import gzip
import threading
from typing import Any, Iterator

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from evrdf.formats import DOCUMENT_TYPES, document_extension, serialize_triples
from evrdf.iris import Iris
from evrdf.release.changes import Changelog
from evrdf.release.index import DUMP, DUMP_GZ, RELEASE_TTL, ReleaseIndex, ReleaseRecord
from evrdf.release.rdf import MEDIA_TYPES, Description, release_graph
from evrdf.release.retention import KEEP_STORES, POLICY
from evrdf.serve.ontodoc import framed
from evrdf.serve.release_view import FEED_SIZE, atom, release_view
from evrdf.settings import Settings
from evrdf.store.base import Store

IMMUTABLE = "public, max-age=31536000, immutable"
RDF_TYPES = {ext: media for ext, media in DOCUMENT_TYPES.items() if ext != "html"}
EXTRA_FILES = {DUMP_GZ: "application/gzip"}
OLD_DOCS = 4  # pyLODE pages of earlier releases' ontologies kept in memory


def releases_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("releases", __name__)
    index = ReleaseIndex(settings.store)
    iris = Iris(settings.base_iri)
    from evrdf.serve.ontodoc import OntologyDocs, html_of_file

    docs = OntologyDocs(store, settings.base_iri)
    old_docs: dict[str, str] = {}
    lock = threading.Lock()

    def current() -> str:
        return str(store.release().get("release", ""))

    @bp.get("/releases")
    def listing() -> Response:
        ext = _negotiate()
        if ext is None:
            return _not_acceptable()
        if ext != "html":
            from evrdf.release.publish import history

            response = Response(serialize_triples((q.triple for q in history(settings.store, iris)), ext,
                                                  _prefixes(iris)), mimetype=DOCUMENT_TYPES[ext])
        else:
            records = index.records()
            rows = [release_view(r, current(), index, iris, store, settings, brief=True) for r in records]
            response = Response(render_template("releases.html", releases=rows, policy=POLICY, keep=KEEP_STORES,
                                                feed_size=FEED_SIZE), mimetype="text/html")
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/releases.atom")
    def feed() -> Response:
        body = atom(index.records()[:FEED_SIZE], iris, request.host_url.rstrip("/") + request.script_root)
        return Response(body, mimetype="application/atom+xml")

    @bp.get("/releases/<release_id>/")
    def page(release_id: str) -> Response:
        record = index.get(release_id)
        if record is None:
            return _text(404, f"no release {release_id!r} has been published here; see /releases")
        ext = _negotiate()
        if ext is None:
            return _not_acceptable()
        if ext == "html":
            view = release_view(record, current(), index, iris, store, settings)
            response = Response(render_template("release.html", r=view), mimetype="text/html")
        else:
            response = Response(serialize_triples(_description(record, index, iris), ext, _prefixes(iris)),
                                mimetype=DOCUMENT_TYPES[ext])
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/releases/<release_id>/<name>")
    def release_file(release_id: str, name: str) -> Response:
        record = index.get(release_id)
        if record is None or (name not in MEDIA_TYPES and name not in EXTRA_FILES) or record.file(name) is None:
            from evrdf.serve.resources import resource_view_function

            view = resource_view_function()  # other IRIs under releases/ (build activities) are resources
            if view is None:
                abort(404)
            answer: Response = view(path=f"releases/{release_id}/{name}")
            return answer
        if name == "evrdf.owl":  # the owl:versionIRI answers in every format, like /ontology
            if release_id == current():  # the very page /ontology shows (pyLODE's output is not deterministic)
                return _version_iri(record, current_app.extensions.get("evrdf_ontology_docs", docs).html)

            def html() -> str:
                with lock:
                    if record.id not in old_docs:
                        if len(old_docs) >= OLD_DOCS:
                            old_docs.pop(next(iter(old_docs)))
                        old_docs[record.id] = html_of_file(record.file("evrdf.ttl"), settings.base_iri)
                    return old_docs[record.id]

            return _version_iri(record, html)
        return _file(record, name)

    return bp


def _file(record: ReleaseRecord, name: str) -> Response:
    path = record.file(name)
    assert path is not None
    media = MEDIA_TYPES.get(name, (EXTRA_FILES.get(name, "application/octet-stream"),))[0]
    if name == DUMP and path.name == DUMP_GZ:  # kept compressed since its store was pruned
        response = Response(_gunzip(path), mimetype=media)
    else:
        response = send_file(path, mimetype=media, conditional=True, etag=True, max_age=31536000)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def _gunzip(path: Any) -> Iterator[bytes]:
    with gzip.open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _version_iri(record: ReleaseRecord, html: Any) -> Response:
    """A release's owl:versionIRI: the release's own ontology files, negotiated (a bare */*, as curl sends,
    gets the OWL file the IRI names), and its pyLODE documentation for browsers."""
    ext = _negotiate(default="rdf")
    if ext is None:
        return _not_acceptable()
    if ext == "html":
        response = Response(framed(html()), mimetype="text/html")
    elif ext in ("rdf", "ttl", "jsonld"):
        response = _file(record, {"rdf": "evrdf.owl", "ttl": "evrdf.ttl", "jsonld": "evrdf.jsonld"}[ext])
        response.headers["Content-Type"] = DOCUMENT_TYPES[ext]
    else:
        import pyoxigraph as ox

        path = record.file("evrdf.ttl")
        assert path is not None
        response = Response(serialize_triples((q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)),
                                              ext), mimetype=DOCUMENT_TYPES[ext])
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(f'<{request.path}?format={e}>; rel="alternate"; type="{t}"'
                                         for e, t in DOCUMENT_TYPES.items() if e != ext)
    return response


def _description(record: ReleaseRecord, index: ReleaseIndex, iris: Iris) -> Any:
    """The release's RDF: its release.ttl, or (made before that file existed) from its release.json."""
    import pyoxigraph as ox

    own = record.file(RELEASE_TTL)
    if own is not None:
        return (q.triple for q in ox.parse(path=str(own), format=ox.RdfFormat.TURTLE))
    ids = [r.id for r in reversed(index.records())]
    before = ids[ids.index(record.id) - 1] if record.id in ids and ids.index(record.id) > 0 else None
    changes = record.changes()
    graph = release_graph(Description.of(record, before), iris, Changelog.from_json(changes) if changes else None)
    return (q.triple for q in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))


def _negotiate(default: str = "html") -> str | None:
    """?format= wins, then Accept (q-values), then the default; None when nothing offered is acceptable."""
    requested = request.args.get("format")
    if requested is not None:
        return document_extension(requested)
    if not request.accept_mimetypes or request.accept_mimetypes.best == "*/*":
        return default
    offered = list(DOCUMENT_TYPES.values())
    if default != "html":
        offered.insert(0, offered.pop(offered.index(DOCUMENT_TYPES[default])))
    best = request.accept_mimetypes.best_match(offered + ["application/xhtml+xml"])
    return None if best is None else document_extension(best)


def _not_acceptable() -> Response:
    response = _text(406, "none of the acceptable media types is offered; offered: "
                          + ", ".join(DOCUMENT_TYPES.values()))
    response.headers["Vary"] = "Accept"
    return response


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _prefixes(iris: Iris) -> dict[str, str]:
    return {"dcat": "http://www.w3.org/ns/dcat#", "dcterms": "http://purl.org/dc/terms/",
            "prov": "http://www.w3.org/ns/prov#", "void": "http://rdfs.org/ns/void#",
            "evc": iris.base + "changes/", "evo": iris.vocab, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xsd": "http://www.w3.org/2001/XMLSchema#"}
