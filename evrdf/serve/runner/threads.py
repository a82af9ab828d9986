"""Remote stores' strategy: each query in a thread of this process. A remote SPARQL store cannot be reopened in
another process and has its own HTTP timeouts; past the deadline the endpoint only stops waiting for it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from time import monotonic
from typing import Any

from evrdf.serve.runner.answers import Answer, Job, QueryFailed, QueryTimeout
from evrdf.serve.runner.evaluate import evaluate


@dataclass
class ThreadRunner:
    """Runs each query in a thread; past the deadline the endpoint stops waiting (the thread runs on)."""

    store: Any
    size: int
    _pool: ThreadPoolExecutor | None = None

    def run(self, job: Job, deadline: float) -> Answer:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.size, thread_name_prefix="evrdf-query")
        future = self._pool.submit(self._answer, job)
        try:
            return future.result(timeout=max(0.0, deadline - monotonic()))
        except FutureTimeout:
            raise QueryTimeout("the query ran past the timeout; make it more selective") from None

    def _answer(self, job: Job) -> Answer:
        parts: list[bytes] = []
        started: list[str] = []
        try:
            release = evaluate(self.store, job, lambda kind, media: started.extend((kind, media)), parts.append)
        except QueryFailed as exc:  # pyoxigraph results may only be freed by the thread that made them: drop
            exc.__context__ = None  # the frames holding one here, not in the thread that re-raises the error
            raise exc.with_traceback(None) from None
        return Answer(started[0], started[1], release, b"".join(parts))
