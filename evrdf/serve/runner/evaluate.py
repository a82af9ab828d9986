"""One query evaluated against a store and serialized by the store's own writer through the size limit: the step
every runner takes, in whichever thread or process it runs."""

from __future__ import annotations

from typing import IO, Callable, cast

import pyoxigraph as ox

from evrdf.errors import UnsupportedQuery
from evrdf.formats import RDF_FORMATS, RESULT_FORMATS
from evrdf.serve.runner.answers import (
    FENCED,
    TIMED_OUT,
    Forbidden,
    Job,
    Limited,
    NotAcceptable,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnsupported,
    StoreFailure,
    release_info,
)
from evrdf.storage import Store


def _release_id(store: Store) -> str | None:
    try:
        return str(release_info(store)["release"])
    except Exception:  # a store without releases: answers are never cached
        return None


def evaluate(store: Store, job: Job, start: Callable[[str, str], None], emit: Callable[[bytes], None]) -> str | None:
    """Query, pick the format for the kind of result, serialize through the size limit; returns the release id
    the answer certainly comes from (read before and after: equal unless a publish happened in between)."""
    before = _release_id(store)
    if job.fenced:
        from evrdf import fence

        if fence.available():
            fence.fence_this_thread()  # once per thread; the thread only ever evaluates client SPARQL
    try:
        result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples = store.query(
            job.query, default_graphs=list(job.default_graphs) or None, named_graphs=list(job.named_graphs) or None,
            base_iri=job.base_iri, prefixes=dict(job.prefixes) or None)
    except SyntaxError as exc:
        from evrdf.syntax import explain

        raise QuerySyntaxError(explain(job.query, str(exc), dict(job.prefixes))) from None
    except UnsupportedQuery as exc:
        raise QueryUnsupported(str(exc)) from None
    except TimeoutError:  # a remote store's own deadline: the same answer as a stopped worker's
        raise QueryTimeout(TIMED_OUT) from None
    except OSError as exc:
        raise _os_failure(exc, job, "the store failed to answer") from None
    except QueryFailed:
        raise
    except Exception as exc:  # e.g. StoreError: no published release
        raise StoreFailure(str(exc)) from None
    sink = Limited(job.max_bytes, emit)
    output = cast("IO[bytes]", sink)  # a file-like object to pyoxigraph, which only calls its write()
    try:
        if isinstance(result, ox.QueryTriples):
            if job.rdf_format is None:
                raise NotAcceptable("triples")
            graph_format = RDF_FORMATS[job.rdf_format]
            start("triples", graph_format.media_type)
            if job.distinct:
                ox.serialize(list(dict.fromkeys(result)), output, format=graph_format)
            else:
                result.serialize(output, format=graph_format)
        else:
            if job.results_format is None:
                raise NotAcceptable("results")
            results_format = RESULT_FORMATS[job.results_format]
            start("results", results_format.media_type)
            result.serialize(output, format=results_format)
    except OSError as exc:
        raise _os_failure(exc, job, "the query failed while its results were written") from None
    sink.flush()
    after = _release_id(store)
    return before if before == after else None


def _os_failure(exc: OSError, job: Job, what: str) -> QueryFailed:
    """An OS error while evaluating or writing: EACCES in a fenced thread is the network fence refusing a
    socket (a SERVICE call), anything else the store failing."""
    if isinstance(exc, PermissionError) and job.fenced:
        return Forbidden(FENCED)
    return StoreFailure(f"{what}: {exc}")
