"""Answering a SPARQL query: the result format from ``format=`` and Accept, the per-release cache and its
validators (ETag, Last-Modified, 304), the run through the deployment's runner (serve/runner/), failures mapped
to HTTP statuses, and the body sent whole or streamed, gzipped when the client takes it.

Results are serialized by the store (Oxigraph) and passed through as bytes."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import zlib
from datetime import datetime, timezone
from time import monotonic
from typing import Any, Callable, Iterator

from flask import Response, request, url_for
from werkzeug.http import http_date

from evrdf import query_policy
from evrdf.formats import RDF_FORMATS, RESULT_FORMATS, media_type, normalise
from evrdf.serve import describe as describing
from evrdf.serve.cache import ReleaseCache
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
from evrdf.serve.sparql_request import Params, Refusal, endpoint_iri
from evrdf.settings import Settings
from evrdf.sparql_text import scan
from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore  # its DESCRIBE is the CBD; other stores get it spelled out

# Offered media types, the default first (what */* or no Accept gets).
RESULT_TYPES = {media_type(RESULT_FORMATS[n]): n for n in ("json", "xml", "csv", "tsv")}
RESULT_TYPES["application/json"] = "json"
RDF_TYPES = {media_type(RDF_FORMATS[n]): n for n in ("ttl", "nt", "rdf", "jsonld", "trig", "nq")}
GZIP_FROM = 1024  # bytes; smaller bodies are sent as they are


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
def answer_query(store: Store, settings: Settings, cache: ReleaseCache, context: dict[str, Any],
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
    base = endpoint_iri()  # relative IRIs in a query without BASE resolve against the endpoint's IRI
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
