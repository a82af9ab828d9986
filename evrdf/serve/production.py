"""Production serving: gunicorn with several worker processes sharing one read-only release on disk.

Each gunicorn worker is a Flask app with threads; each request thread queries the embedded store itself
(serve/runner.py RetiringRunner.run_inline: no hop to another thread or process). Oxigraph cannot stop a running
query, so a query past the timeout is answered 503 by a watchdog on its connection, and its worker retires: it
stops accepting, finishes its other requests and exits (taking the runaway query with it), and gunicorn's
arbiter starts a fresh worker while the others keep serving. Each worker keeps its own per-release result cache; the rate-limit buckets are one table in
shared memory, created in the master before any worker forks, so a client's limit holds for the whole server
(serve/limits.py). Nothing else is preloaded in the master, so no RocksDB handle is ever shared across a fork.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from gunicorn.app.base import BaseApplication

from evrdf.serve import limits, runner
from evrdf.settings import Settings


def _post_worker_init(worker: Any) -> None:
    """In the worker, before it accepts: an overrun query makes it leave gunicorn's loop (graceful stop)."""

    def retire() -> None:
        if worker.alive:
            worker.log.warning("a query overran the timeout and cannot be stopped; worker %s retires", worker.pid)
            worker.alive = False
            threading.Thread(target=_leave_when_only_runaways_remain, args=(worker,), daemon=True).start()

    runner.retire_on_overrun(retire)


def _leave_when_only_runaways_remain(worker: Any) -> None:
    """A runaway query evaluated in a request thread keeps its connection open (its client has had its 503) and
    would hold the worker for gunicorn's whole graceful timeout: once every other request is answered, leave."""
    end = time.monotonic() + worker.cfg.graceful_timeout
    while time.monotonic() < end and getattr(worker, "nr_conns", 0) > runner.inline_runaways():
        time.sleep(0.05)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _worker_exit(server: Any, worker: Any) -> None:
    """The worker is leaving: a runaway query's thread would hold up the interpreter's exit, so end now."""
    if runner.runaway_queries():
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(0)


class EvrdfApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, workers: int, threads: int):
        self.settings, self.workers, self.threads = settings, workers, threads
        limits.share_across_workers(settings.rate_per_s, settings.rate_burst)  # in the master: before the forks
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.workers)
        self.cfg.set("threads", self.threads)
        self.cfg.set("worker_class", "gthread")
        # a query may take query_timeout_s; gunicorn must not kill the worker first
        self.cfg.set("timeout", int(self.settings.query_timeout_s) + 30)
        self.cfg.set("limit_request_line", 8190)  # long GET queries: gunicorn's maximum
        self.cfg.set("accesslog", "-")
        self.cfg.set("post_worker_init", _post_worker_init)
        self.cfg.set("worker_exit", _worker_exit)

    def load(self) -> Any:
        from evrdf.serve.app import create_app
        from evrdf.store import open_store

        return create_app(self.settings, open_store(self.settings))


def serve(settings: Settings, workers: int, threads: int = 4) -> None:
    EvrdfApplication(settings, workers, threads).run()
