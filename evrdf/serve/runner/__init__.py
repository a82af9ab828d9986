"""Running a query with a deadline and a size limit: one strategy per deployment, chosen by ``runner_for``.

- the embedded store under gunicorn (production): inline in the request thread, a watchdog past the deadline
  (``inline.py``);
- the embedded store under the development server and the Flask test client: a pool of query processes, a
  runaway query killed with its process (``processes.py``): there is no gunicorn master to replace a retired
  process;
- a remote store: threads, whose HTTP timeouts end a query (``threads.py``).

What a run is and returns (job, answer, failures) is in ``answers.py``, the evaluation all three share in
``evaluate.py``. The names callers use are re-exported here.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable

from evrdf.serve.runner.answers import (
    CHUNK,
    STREAM_AFTER,
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
    StoreFailure,
    release_info,
)
from evrdf.serve.runner.evaluate import evaluate
from evrdf.serve.runner.inline import RetiringRunner
from evrdf.serve.runner.processes import ProcessRunner
from evrdf.serve.runner.threads import ThreadRunner

__all__ = ["CHUNK", "STREAM_AFTER", "TIMED_OUT", "Answer", "Busy", "Forbidden", "Job", "NotAcceptable",
           "ProcessRunner", "QueryFailed", "QuerySyntaxError", "QueryTimeout", "QueryUnsupported", "ResultTooLarge",
           "RetiringRunner", "StoreFailure", "ThreadRunner", "evaluate", "inline_runaways", "release_info",
           "retire_on_overrun", "runaway_queries", "runner_for"]


_RETIRE: Callable[[], None] | None = None


def retire_on_overrun(retire: Callable[[], None] | None) -> None:
    """Called in a gunicorn worker: query the embedded store inline in the request threads of this process and call
    ``retire`` when a query overruns (None goes back to query processes)."""
    global _RETIRE
    _RETIRE = retire
    with _RUNNERS_LOCK:
        _BY_STORE.clear()


def runaway_queries() -> int:
    """How many queries of this process's runners are still evaluating past their deadline."""
    return sum(r.runaways for r in list(_RUNNERS.values()) if isinstance(r, RetiringRunner))


def inline_runaways() -> int:
    """How many of those hold their client's connection: all of them, as every query under gunicorn is evaluated
    inline (the name production.py's drain reads)."""
    return runaway_queries()


Runner = ProcessRunner | ThreadRunner | RetiringRunner
_RUNNERS: dict[tuple[Any, ...], Runner] = {}
_RUNNERS_LOCK = threading.Lock()
_BY_STORE: dict[tuple[int, int], tuple[Any, Runner]] = {}


def runner_for(store: Any, size: int) -> Runner:
    """One runner per store and size in this process (apps created for the same store share their workers)."""
    known = _BY_STORE.get((id(store), size))
    if known is not None and known[0] is store:  # fast path: no path resolution per request
        return known[1]
    from evrdf.store.oxigraph import OxigraphStore

    retire = _RETIRE
    if type(store) is OxigraphStore and retire is not None:
        key: tuple[Any, ...] = ("retiring", id(store), size)
        make: Callable[[], Runner] = functools.partial(RetiringRunner, store, size, retire)
    elif type(store) is OxigraphStore:
        store.serve_from_disk("the development server's query processes open the release on disk (`evrdf serve` "
                              "without --workers 0 serves it from memory)")
        key = ("process", str(store.root.resolve()), size)
        make = functools.partial(ProcessRunner, functools.partial(OxigraphStore, store.root), size)
    else:
        key = ("thread", id(store), size)
        make = functools.partial(ThreadRunner, store, size)
    with _RUNNERS_LOCK:
        if key not in _RUNNERS:
            _RUNNERS[key] = make()
        _BY_STORE[(id(store), size)] = (store, _RUNNERS[key])  # holds the store, so its id is not reused
        return _RUNNERS[key]
