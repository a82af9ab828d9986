"""/sparql: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), query operation (section 2.1),
with the update operation (2.2) for the operator's token only (each update publishes a new release); the service
description at the bare endpoint; VoID, the example queries as RDF and the JSON-LD context beside it.

Results are serialized by the store (Oxigraph) and passed through as bytes; this module only negotiates, limits,
caches (per release) and maps failures to HTTP statuses.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import hmac
import json
import urllib.parse
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from time import monotonic
from typing import Any, Callable, Iterator

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date

from evrdf import query_policy
from evrdf.formats import RDF_FORMATS, RESULT_FORMATS, media_type, normalise
from evrdf.query import PREFIXES, examples
from evrdf.serve import describe as describing
from evrdf.serve import limits
from evrdf.serve.cache import ReleaseCache
from evrdf.serve.examples import examples_graph
from evrdf.serve.home import DOWNLOAD_DESCRIPTIONS, DOWNLOADS, MEDIA
from evrdf.serve.runner import (
    TIMED_OUT,
    Answer,
    Busy,
    Forbidden,
    Job,
    NotAcceptable,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnsupported,
    ResultTooLarge,
    RetiringRunner,
    StoreFailure,
    release_info,
    runner_for,
)
from evrdf.serve.service_description import service_graph
from evrdf.serve.void import SeriesCache, StatisticsCache, void_graph
from evrdf.settings import Settings
from evrdf.sparql_text import scan
from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore  # its DESCRIBE is the CBD; other stores get it spelled out

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
# Offered media types, the default first (what */* or no Accept gets).
RESULT_TYPES = {media_type(RESULT_FORMATS[n]): n for n in ("json", "xml", "csv", "tsv")}
RESULT_TYPES["application/json"] = "json"
RDF_TYPES = {media_type(RDF_FORMATS[n]): n for n in ("ttl", "nt", "rdf", "jsonld", "trig", "nq")}
DOCUMENT_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
                  "application/n-triples": "nt"}  # media type -> rdflib format, for the small metadata documents
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, Content-Type, Content-Encoding, Link"}
GZIP_FROM = 1024  # bytes; smaller bodies are sent as they are


class Refusal(Exception):
    """A request the protocol says to refuse: status, message and extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class Params:
    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    describe: str = describing.DEFAULT_MODE
    using_graphs: list[str] = field(default_factory=list)  # using-graph-uri / using-named-graph-uri (updates)


def budget_policy(settings: Settings) -> limits.Policy:
    return limits.Policy(settings.budget_s, settings.budget_window_s, settings.budget_free_s, settings.max_expensive)


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain", headers=headers or {})


def sparql_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("sparql", __name__)
    budget = limits.for_server(budget_policy(settings))
    cache = ReleaseCache(settings.cache_bytes)
    statistics = StatisticsCache(store)
    series = SeriesCache(settings.store, settings.base_iri)
    context = {"@context": _context(settings.base_iri)}
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
            return _update(settings, params)
        if params.query is None:
            if request.method in ("GET", "HEAD"):
                return _bare_endpoint(settings, statistics, params)
            raise Refusal(400, "missing 'query' parameter (SPARQL 1.1 Protocol, section 2.1)")
        if request.method in ("GET", "HEAD") and params.format is None and prefers_html():
            return _editor(settings, params.query)
        ticket = budget.begin(request.remote_addr or "unknown", settings.query_timeout_s)
        if isinstance(ticket, limits.Refusal):
            raise Refusal(429, f"{ticket.reason}; retry in {ticket.retry_after} s",
                          {"Retry-After": str(ticket.retry_after)})
        try:
            return _answer(store, settings, cache, context, params)
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
        graph = void_graph(statistics.get(), settings.base_iri, _endpoint(), store.release(), downloads)
        graph += series.get(store.release().get("release"))  # every release, its files, what it revises
        return _document(graph, dict(request.args))

    @bp.route("/.well-known/sparql-examples", methods=["GET", "OPTIONS"], provide_automatic_options=False)
    def sparql_examples() -> Response:
        if request.method == "OPTIONS":
            return _preflight()
        return _document(examples_graph(settings.base_iri, _endpoint()), dict(request.args))

    return bp


# -- reading the request (Protocol section 2.1.1 - 2.1.3, 2.2) ------------------------------------------------
def _parse(raw: bytes, where: str) -> dict[str, list[str]]:
    try:
        pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refusal(400, f"the {where} is not valid UTF-8 (percent-encode UTF-8 bytes)") from None
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def read_request() -> Params:
    url = _parse(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):
        values = url
    elif not request.content_type:
        raise Refusal(400, f"a POST needs a Content-Type: {FORM} (query=... or update=...), {QUERY} or {UPDATE}")
    elif request.mimetype == FORM:
        values = _parse(request.get_data(), "form body")
        for name in ("format", "describe"):
            values.setdefault(name, url.get(name, []))
    elif request.mimetype in (QUERY, UPDATE):
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise Refusal(415, f"{request.mimetype} must be UTF-8, not charset={charset}")
        try:
            body = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "the query body is not valid UTF-8") from None
        values = dict(url)
        values["query" if request.mimetype == QUERY else "update"] = [body]
        if "query" in url or "update" in url:
            raise Refusal(400, f"a {request.mimetype} POST carries the operation in its body; "
                               "do not also pass query= or update= in the URL")
    else:
        raise Refusal(415, f"unsupported Content-Type {request.mimetype!r}: POST a query as {FORM} or {QUERY}, "
                           f"an update as {FORM} or {UPDATE}")
    for name in ("query", "update", "format", "describe"):
        if len(values.get(name, [])) > 1:
            raise Refusal(400, f"more than one '{name}' parameter (the protocol allows exactly one)")
    if values.get("query") and values.get("update"):
        raise Refusal(400, "a request carries either 'query' or 'update', not both")
    if request.method != "POST" and values.get("update"):
        raise Refusal(400, "SPARQL Update must be sent by POST (SPARQL 1.1 Protocol, section 2.2)")
    mode = (values.get("describe") or [describing.DEFAULT_MODE])[0]
    if mode not in describing.MODES:
        raise Refusal(400, f"unknown describe={mode!r}; use one of: " +
                      "; ".join(f"{m} ({what})" for m, what in describing.MODES.items()))
    return Params(query=(values.get("query") or [None])[0], update=(values.get("update") or [None])[0],
                  default_graphs=values.get("default-graph-uri", []), named_graphs=values.get("named-graph-uri", []),
                  format=(values.get("format") or [None])[0], describe=mode,
                  using_graphs=values.get("using-graph-uri", []) + values.get("using-named-graph-uri", []))


def _update(settings: Settings, params: Params) -> Response:
    """SPARQL 1.1 Update (Protocol 2.2), for the operator's token only: applied to a copy of the published
    release and published as a new release (pipeline/update.py); readers never see a half-applied update."""
    if not settings.update_token:
        raise Refusal(403, "SPARQL Update is disabled on this endpoint: releases are served read-only; the "
                           "operator enables updates with EVRDF_UPDATE_TOKEN, or publishes with `evrdf build`")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {settings.update_token}".encode()):
        raise Refusal(401, "SPARQL Update needs the operator's token (Authorization: Bearer TOKEN)",
                      {"WWW-Authenticate": 'Bearer realm="evrdf"'})
    if params.using_graphs:
        from evrdf.sparql_text import tokens

        words = {t.text.upper() for t in tokens(params.update or "") if t.kind == "word"}
        if words & {"USING", "WITH"}:  # SPARQL 1.1 Protocol 2.2.3: a dataset in both places is refused
            raise Refusal(400, "the update names its dataset twice: using-graph-uri / using-named-graph-uri in the "
                               "request and USING / WITH in the update (SPARQL 1.1 Protocol, section 2.2.3)")
        raise Refusal(400, "using-graph-uri / using-named-graph-uri are not supported; name graphs with USING "
                           "or GRAPH in the update itself")
    if params.default_graphs or params.named_graphs:
        raise Refusal(400, "default-graph-uri / named-graph-uri belong to queries; an update names its graphs "
                           "with USING or GRAPH")
    from evrdf.errors import EvrdfError, ValidationError
    from evrdf.pipeline.update import UpdateRefused, UpdateSyntaxError, apply_update
    from evrdf.validate.render import render

    assert params.update is not None
    try:
        done = apply_update(settings, params.update, client=request.remote_addr or "unknown",
                            federation_allow=settings.federation_allow)
    except UpdateSyntaxError as exc:
        raise Refusal(400, str(exc)) from None
    except UpdateRefused as exc:
        raise Refusal(403, str(exc)) from None
    except ValidationError as exc:
        raise Refusal(422, f"{exc}\n\n{render(exc.report, 'text', settings.base_iri)}") from None  # type: ignore[arg-type]
    except EvrdfError as exc:
        raise Refusal(500, f"the update was not applied: {exc}") from None
    if settings.backend == "remote":  # the update was built locally; the remote store serves it once published
        from evrdf.store.oxigraph import OxigraphStore
        from evrdf.store.publish_remote import publish
        from evrdf.store.remote import RemoteStore

        try:
            publish(RemoteStore.from_settings(settings), OxigraphStore(settings.store).release_dir())
        except EvrdfError as exc:
            raise Refusal(502, f"the update is in release {done.release} of the build store {settings.store}, but "
                               f"the remote store did not take it ({exc}); it still serves the previous release: "
                               "retry with `evrdf publish`") from None
    graphs = "; ".join(f"<{g}> {n} triples" for g, n in done.graphs.items()) or "no update graphs left"
    return Response(f"applied: {done.inserted} triples inserted, {done.deleted} deleted; published release "
                    f"{done.release} (was {done.previous}); {graphs}\n", status=200, mimetype="text/plain",
                    headers={"X-Evrdf-Release": done.release})


def _preflight() -> Response:
    """CORS preflight (Fetch standard): any origin may query, with the headers SPARQL clients send."""
    return Response(status=204, headers={
        "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization, If-None-Match, If-Modified-Since",
        "Access-Control-Max-Age": "86400", "Allow": "GET, POST, HEAD, OPTIONS"})


# -- negotiation ----------------------------------------------------------------------------------------------
def _choose(offers: dict[str, str], requested: str | None, table: dict[str, Any]) -> str | None:
    """The short format name for one kind of result: ``format=`` (short name or media type) overrides Accept."""
    if requested:
        name = offers.get(requested.split(";")[0].strip().lower()) or normalise(requested)
        return name if name in table else None
    accept = request.accept_mimetypes
    if not accept:
        return next(iter(offers.values()))
    best = accept.best_match(list(offers))
    return offers[best] if best else None


_NEGOTIATED: dict[tuple[str | None, str], tuple[str | None, str | None]] = {}  # (format=, Accept) -> formats


def _formats(params: Params) -> tuple[str | None, str | None]:
    key = (params.format, request.headers.get("Accept", ""))
    known = _NEGOTIATED.get(key)  # clients send few distinct Accept headers; matching one costs ~0.1 ms
    if known is not None:
        return known
    results = _choose(RESULT_TYPES, params.format, RESULT_FORMATS)
    triples = _choose(RDF_TYPES, params.format, RDF_FORMATS)
    if params.format and results is None and triples is None:
        raise Refusal(400, f"unknown format={params.format!r}; results: {', '.join(RESULT_FORMATS)}; "
                           f"graphs: {', '.join(RDF_FORMATS)} (or a media type)")
    if len(_NEGOTIATED) >= 1024:
        _NEGOTIATED.clear()
    _NEGOTIATED[key] = (results, triples)
    return results, triples


# -- answering -------------------------------------------------------------------------------------------------
def _answer(store: Store, settings: Settings, cache: ReleaseCache, context: dict[str, Any],
            params: Params) -> Response:
    assert params.query is not None
    try:
        found = query_policy.check(params.query, federation_allow=settings.federation_allow)
    except query_policy.Refused as exc:
        raise Refusal(exc.status, exc.message) from None
    if found.form == "UPDATE":
        raise Refusal(400, "this is a SPARQL Update, not a query: send it as 'update' (which this read-only "
                           "endpoint refuses)")
    results, triples = _formats(params)
    gz = "gzip" in request.headers.get("Accept-Encoding", "") and request.accept_encodings["gzip"] > 0
    info = release_info(store)
    release = str(info.get("release")) if info.get("release") else None
    base = _endpoint()  # relative IRIs in a query without BASE resolve against the endpoint's IRI
    key = (params.query, tuple(params.default_graphs), tuple(params.named_graphs), results, triples,
           params.describe if found.form == "DESCRIBE" else "", gz, base)
    etag = f"{release}-{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}"
    modified = _built(info)
    if request.method in ("GET", "HEAD") and release and _not_modified(etag, modified):
        return _headers(Response(status=304), etag, modified, None)
    cached = cache.get(release, key)
    if cached:
        response = Response(cached[1], content_type=cached[0])
        if gz and cached[1][:2] == b"\x1f\x8b":
            response.headers["Content-Encoding"] = "gzip"
        response.headers["X-Evrdf-Cache"] = "hit"
        return _headers(response, etag, modified, release)
    job = Job(params.query, tuple(params.default_graphs), tuple(params.named_graphs),
              results, triples, settings.max_result_bytes, base, _predeclared(settings.base_iri),
              distinct=found.form == "DESCRIBE",  # the union default graph is a set: each triple once
              fenced=_fenced(store, settings))
    deadline = monotonic() + settings.query_timeout_s
    run = _run(store, settings, deadline)
    try:
        if found.form == "DESCRIBE" and (params.describe != "cbd" or type(store) is not OxigraphStore):
            job = _description_job(run, job, params)
        answer = run(job)
    except NotAcceptable as exc:
        kind = "SELECT/ASK results" if str(exc) == "results" else "CONSTRUCT/DESCRIBE graphs"
        offered = RESULT_TYPES if str(exc) == "results" else RDF_TYPES
        if params.format:
            raise Refusal(400, f"format={params.format!r} cannot represent {kind}; "
                               f"use one of {', '.join(sorted(set(offered.values())))}") from None
        raise Refusal(406, f"none of the acceptable media types can represent {kind}; "
                           f"offered: {', '.join(offered)}") from None
    except QueryFailed as exc:
        raise _refusal_for(exc, settings) from None
    if answer.kind == "triples" and triples == "jsonld":
        answer = _with_context(answer, context)
    response = _send(answer, gz)
    if answer.rest is None and answer.release == release:
        cache.put(release, key, (response.content_type or answer.media_type, response.get_data()))
    return _headers(response, etag if answer.release == release else None, modified, release)


def _run(store: Store, settings: Settings, deadline: float) -> Callable[[Job], Answer]:
    """The deployment's one way to run a query (serve/runner/): under gunicorn, inline in this request thread with
    the watchdog answering on the connection's socket; otherwise the store's runner (processes, or threads)."""
    runner = runner_for(store, settings.query_workers)
    if isinstance(runner, RetiringRunner):
        inline, sock, message = runner, request.environ.get("gunicorn.socket"), _timeout_message(settings)
        return lambda job: inline.run_inline(job, deadline, sock, message)
    pool = runner
    return lambda job: pool.run(job, deadline)


def _description_job(run: Callable[[Job], Answer], job: Job, params: Params) -> Job:
    """DESCRIBE in mode own/scbd: find the targets with a SELECT, describe them with one CONSTRUCT."""
    assert params.query is not None
    found = scan(params.query)
    iris = describing.constant_targets(found, dict(job.prefixes), job.base_iri)
    selection = describing.selection_query(params.query, found)
    if selection:
        targets = run(Job(selection, job.default_graphs, job.named_graphs, "json", None,
                          job.max_bytes, job.base_iri, job.prefixes, fenced=job.fenced))
        if targets.rest is not None:
            raise Refusal(400, "the DESCRIBE names too many resources; add a LIMIT")
        for row in json.loads(targets.head)["results"]["bindings"]:
            iris += [cell["value"] for cell in row.values() if cell["type"] == "uri"]
    query = describing.description_query(list(dict.fromkeys(iris)), params.describe)
    return Job(query, job.default_graphs, job.named_graphs, None, job.rdf_format, job.max_bytes, fenced=job.fenced)


def _fenced(store: Store, settings: Settings) -> bool:
    """Evaluate behind the network fence: the embedded store with federation off (evrdf/fence.py). A remote store
    is reached over the network, and federation needs it."""
    return not settings.federation_allow and type(store) is OxigraphStore


@functools.lru_cache(maxsize=8)
def _predeclared(base_iri: str) -> tuple[tuple[str, str], ...]:
    from evrdf.prefixes import predeclared

    return tuple(predeclared(base_iri).items())


def _refusal_for(exc: QueryFailed, settings: Settings) -> Refusal:
    if isinstance(exc, QuerySyntaxError):
        return Refusal(400, str(exc))
    if isinstance(exc, QueryUnsupported):
        return Refusal(400, f"not supported on this endpoint: {exc}")
    if isinstance(exc, QueryTimeout):
        return Refusal(503, f"query timeout ({settings.query_timeout_s:g} s): {exc}")
    if isinstance(exc, Busy):
        return Refusal(503, str(exc), {"Retry-After": "1"})
    if isinstance(exc, ResultTooLarge):
        return Refusal(422, f"result-size limit: {exc}")
    if isinstance(exc, Forbidden):
        return Refusal(403, str(exc))
    assert isinstance(exc, StoreFailure)
    return Refusal(500, str(exc))


@functools.lru_cache(maxsize=4)
def _timeout_message(settings: Settings) -> str:
    """What the watchdog answers past the deadline: the same text as any other timeout, composed once."""
    return _refusal_for(QueryTimeout(TIMED_OUT), settings).message


def _with_context(answer: Answer, context: dict[str, Any]) -> Answer:
    """Oxigraph writes expanded JSON-LD (absolute IRIs everywhere); wrapping it as ``@graph`` under our
    prefix-only context keeps its meaning and lets clients compact it with the published context."""
    prefix = b'{"@context":' + json.dumps(context["@context"]).encode() + b',"@graph":'
    if answer.rest is None:
        return Answer(answer.kind, answer.media_type, answer.release, prefix + answer.head + b"}")
    rest = answer.rest

    def tail() -> Iterator[bytes]:
        yield from rest
        yield b"}"
    return Answer(answer.kind, answer.media_type, answer.release, prefix + answer.head, tail(),
                  None if answer.length is None else answer.length + 1)


def _send(answer: Answer, gz: bool) -> Response:
    if answer.rest is None:
        body = answer.head
        compressed = gz and len(body) >= GZIP_FROM
        response = Response(gzip.compress(body, compresslevel=5) if compressed else body,
                            content_type=answer.media_type)
    else:
        compressed = gz
        response = Response(_stream(answer, gz), content_type=answer.media_type)
        if not gz and answer.length is not None:  # complete before sending: a cut connection is detectable
            response.headers["Content-Length"] = str(len(answer.head) + answer.length)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    if answer.kind == "triples" and answer.media_type.startswith("application/ld+json"):
        response.headers["Link"] = (f'<{url_for("sparql.jsonld_context", _external=True)}>; '
                                    'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"')
    return response


def _stream(answer: Answer, gz: bool) -> Iterator[bytes]:
    assert answer.rest is not None
    if not gz:
        yield answer.head
        yield from answer.rest
        return
    compressor = zlib.compressobj(5, zlib.DEFLATED, 31)
    yield compressor.compress(answer.head)
    for chunk in answer.rest:
        yield compressor.compress(chunk)
    yield compressor.flush()


def _headers(response: Response, etag: str | None, modified: datetime | None, release: str | None) -> Response:
    headers = response.headers
    headers["Vary"] = "Accept, Accept-Encoding"
    if etag:
        headers["ETag"] = f'"{etag}"'  # a strong ETag (what Response.set_etag writes, without its checks)
    if modified:
        headers["Last-Modified"] = _http_date(modified)
    if release:
        headers["X-Evrdf-Release"] = release
    return response


@functools.lru_cache(maxsize=16)
def _http_date(moment: datetime) -> str:
    """One formatting per release (its build time), not one per answer."""
    return http_date(moment)


def _built(info: dict[str, Any]) -> datetime | None:
    try:
        built = datetime.fromisoformat(str(info["built"]))
    except (KeyError, ValueError):
        return None
    return built if built.tzinfo else built.replace(tzinfo=timezone.utc)


def _not_modified(etag: str, modified: datetime | None) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" not in environ and "HTTP_IF_MODIFIED_SINCE" not in environ:
        return False  # the common case: an unconditional request, no header parsing
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return bool(since and modified and modified.replace(microsecond=0) <= since)


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


def _editor(settings: Settings, query: str | None) -> Response:
    """The YASGUI editor page, with ``query`` (from a link) loaded and run."""
    response = Response(render_template("sparql.html", examples=examples(settings.base_iri), query=query,
                                        endpoint=url_for("sparql.sparql", _external=True)))
    response.headers["Vary"] = "Accept"
    return response


def _bare_endpoint(settings: Settings, statistics: StatisticsCache, params: Params) -> Response:
    offers = ["text/turtle", "text/html", "application/rdf+xml", "application/ld+json", "application/n-triples"]
    wanted = params.format
    best = (DOCUMENT_FORMAT_NAMES.get(normalise(wanted), wanted) if wanted
            else request.accept_mimetypes.best_match(offers) if request.accept_mimetypes else "text/turtle")
    if best == "text/html" or wanted == "html":
        return _editor(settings, None)
    if best not in DOCUMENT_TYPES:
        raise Refusal(400, "missing 'query' parameter (SPARQL 1.1 Protocol, section 2.1); without one, this "
                           f"endpoint describes itself as {', '.join(DOCUMENT_TYPES)}")
    store = statistics.store
    graph = service_graph(settings, statistics.get(), _endpoint(), request.url_root,
                          serving=(store.mode(), store.memory_note))
    response = Response(graph.serialize(format=DOCUMENT_TYPES[best], encoding="utf-8"), content_type=best)
    response.headers["Vary"] = "Accept"
    return response


DOCUMENT_FORMAT_NAMES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
                         "nt": "application/n-triples"}


def _document(graph: Any, args: dict[str, str]) -> Response:
    """A small metadata document (VoID, examples) in the negotiated RDF format, serialized by rdflib."""
    wanted = args.get("format")
    offers = list(DOCUMENT_TYPES)
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


def _endpoint() -> str:
    return url_for("sparql.sparql", _external=True)


def _context(base_iri: str) -> dict[str, str]:
    prefixes = {name: iri.replace("https://w3id.org/evrdf/", base_iri) for name, iri in PREFIXES.items()}
    prefixes.update({"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "owl": "http://www.w3.org/2002/07/owl#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": "http://purl.org/dc/terms/",
                     "prov": "http://www.w3.org/ns/prov#", "evr": base_iri})
    return prefixes
